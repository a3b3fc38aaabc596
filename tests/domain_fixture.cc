// DomainFixture: see domain_fixture.h.
#include "tests/domain_fixture.h"

#include <catch2/catch.hpp>

namespace caseengine::testing {

DomainFixture::DomainFixture() {
  std::vector<std::string> families = EventLog::LogFamilyNames();
  families.push_back(kKeysFamily);
  store = std::make_unique<MemoryStore>(families);
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  REQUIRE(KeyStore::Open(store.get(), &keys).ok());
  CommandHandlerOptions options;
  options.today = [] { return std::string(kToday); };
  options.new_id = [this] { return "id" + std::to_string(++next_id_); };
  handler = std::make_unique<CommandHandler>(log.get(), keys.get(), &config, options);
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
