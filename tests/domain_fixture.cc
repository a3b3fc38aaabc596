// DomainFixture: see domain_fixture.h.
#include "tests/domain_fixture.h"

#include <catch2/catch.hpp>

#include "base/aes_gcm.h"

namespace caseengine::testing {

const KeyEncryptionKey* TestKek() {
  static const KeyEncryptionKey kek{NewDataKey()};
  return &kek;
}

KeyEncryptionKey KekFor(const std::string& dir) {
  KeyEncryptionKey kek;
  const Status s = KekBeside(dir, /*create=*/true, &kek);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return kek;
}

DomainFixture::DomainFixture(size_t max_cached_aggregates) {
  // The log's clock reads the same day as the handler's `today`, whatever the date the
  // tests run on: a case opened "today" and closed at the event's time is open 0 days.
  Open(
      max_cached_aggregates, [this] { return kTodayMicros + clock_ticks_++; },
      [] { return std::string(kToday); });
}

DomainFixture::DomainFixture(std::function<int64_t()> clock, std::function<std::string()> today) {
  Open(CommandServiceOptions().max_cached_aggregates, std::move(clock), std::move(today));
}

void DomainFixture::Open(size_t max_cached_aggregates, std::function<int64_t()> clock,
                         std::function<std::string()> today) {
  std::vector<std::string> families = EventLog::LogFamilyNames();
  families.push_back(kKeysFamily);
  families.push_back(kDecisionFamily);
  store = std::make_unique<MemoryStore>(families);
  EventLogOptions log_options;
  log_options.clock = std::move(clock);
  REQUIRE(EventLog::Open(store.get(), log_options, &log).ok());
  REQUIRE(KeyStore::Open(store.get(), TestKek(), &keys).ok());
  CommandServiceOptions options;
  options.today = std::move(today);
  options.new_id = [this] { return "id" + std::to_string(++next_id_); };
  options.max_cached_aggregates = max_cached_aggregates;
  handler = std::make_unique<CommandService>(log.get(), keys.get(), &config, options);
}

DomainFixture::~DomainFixture() {
  handler.reset();
  log.reset();
}

CommandResult DomainFixture::Run(const std::string& user, Command command,
                                 const CommandOptions& options) {
  auto it = config.users.find(user);
  REQUIRE(it != config.users.end());
  return handler->Execute(it->second, std::move(command), options);
}

std::pair<std::string, std::string> DomainFixture::Register(const std::string& surname,
                                                            const std::string& date_of_birth,
                                                            PersonalFields extra) {
  RegisterClient c;
  c.personal = extra;
  c.personal.surname = surname;
  c.personal.date_of_birth = date_of_birth;
  CommandResult r = Run("officer", c);
  INFO(r.rejection.message << " " << r.status.ToString());
  REQUIRE(r.ok());
  return {r.response["client_id"], r.response["case_id"]};
}

ClientState DomainFixture::Client(const std::string& client_id) {
  ClientState s;
  Status st = handler->ReadClient(client_id, &s);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return s;
}

CaseState DomainFixture::Case(const std::string& case_id) {
  CaseState s;
  Status st = handler->ReadCase(case_id, &s);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return s;
}

std::vector<Event> DomainFixture::Events(const std::string& stream) {
  std::vector<Event> out;
  std::vector<RecordedEvent> recorded;
  REQUIRE(log->ReadStream(stream, 1, 100000, &recorded).ok());
  for (const auto& r : recorded) {
    Event e;
    REQUIRE(handler->codec().Decode(r.type, r.payload, &e).ok());
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string> DomainFixture::EventTypes(const std::string& stream) {
  std::vector<std::string> out;
  for (const Event& e : Events(stream)) out.push_back(EventTypeName(e.type));
  return out;
}

std::string KnownIds::Pick(std::vector<std::string>& v, std::mt19937& rng) {
  std::lock_guard<std::mutex> lock(mu);
  if (v.empty()) return "none";
  return v[rng() % v.size()];
}

void KnownIds::Add(std::vector<std::string>& v, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu);
  v.push_back(id);
}

void RandomCasework(DomainFixture& d, KnownIds& known, std::mt19937& rng, int commands,
                    int delete_every) {
  for (int i = 0; i < commands; ++i) {
    Command c = RandomCommand(known, rng);
    if (i % delete_every == 0 && !known.clients.empty()) {
      c = DeleteClient{known.Pick(known.clients, rng),
                       i % 2 ? DeleteMode::kErase : DeleteMode::kSoft};
    }
    CommandResult r = d.Run("admin", c);
    REQUIRE(r.status.ok());
    if (!r.ok()) continue;
    if (r.response.contains("client_id")) known.Add(known.clients, r.response["client_id"]);
    if (r.response.contains("case_id")) known.Add(known.cases, r.response["case_id"]);
  }
}

Command RandomCommand(KnownIds& known, std::mt19937& rng) {
  const std::string client = known.Pick(known.clients, rng);
  const std::string kase = known.Pick(known.cases, rng);
  const char* roles[] = {"primary", "secondary", "supervisor", "other"};
  const char* users[] = {"officer", "supervisor", "admin"};
  switch (rng() % 14) {
    case 0:
    case 1: {
      RegisterClient c;
      c.personal.surname = "Random" + std::to_string(rng() % 1000);
      c.personal.date_of_birth = "19" + std::to_string(50 + rng() % 50) + "-0" +
                                 std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 9);
      return c;
    }
    case 2:
      return OpenCase{client};
    case 3:
      return AddPerson{kase, client, "partner", rng() % 2 == 0, ""};
    case 4:
      return PersonLeaves{kase, client, "2026-11-23"};
    case 5:
      return SwitchPrimaryApplicant{kase, client};
    case 6:
      return CloseCase{kase, "housed"};
    case 7:
      return ReopenCase{kase, "re-approached"};
    case 8:
      return DeleteCase{kase};
    case 9:
      return AddNote{kase, "called the client", ""};
    case 10:
      return CreateAction{kase, "check ID", "2026-12-01", ""};
    case 11:
      return AssignOfficer{kase, users[rng() % 3], roles[rng() % 4]};
    case 12:
      return UnassignOfficer{kase, users[rng() % 3], roles[rng() % 4]};
    default:
      return ChangeClientStatus{client, rng() % 2 ? "inactive" : "active"};
  }
}

std::string Kind(const CommandResult& r) {
  if (!r.status.ok()) return "error";
  if (!r.rejected) return r.unchanged ? "unchanged" : "ok";
  switch (r.rejection.kind) {
    case Rejection::Kind::kValidation:
      return "validation";
    case Rejection::Kind::kNotFound:
      return "not-found";
    case Rejection::Kind::kForbidden:
      return "forbidden";
    case Rejection::Kind::kRuleViolated:
      return "rule-violated";
    case Rejection::Kind::kVersionMismatch:
      return "version-mismatch";
  }
  return "?";
}

bool NamesField(const CommandResult& r, const std::string& field) {
  for (const auto& f : r.rejection.fields) {
    if (f.field == field) return true;
  }
  return false;
}

}  // namespace caseengine::testing
