// The read models that grow with every event and live in rows only: the journal, the
// case history and the audit trail. Real commands on a DomainFixture, folded by a
// ProjectionRunner into a store of their own; queries read that store.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "base/coding.h"
#include "projections/audit_trail.h"
#include "projections/case_history.h"
#include "projections/journal.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::DomainFixture;
using Rows = std::map<std::string, std::string>;

struct LogModels {
  JournalProjection journal;
  CaseHistoryProjection history;
  AuditTrailProjection audit;
  std::vector<Projection*> All() { return {&journal, &history, &audit}; }
};

std::unique_ptr<MemoryStore> NewModelStore() {
  LogModels models;
  return std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames(models.All()));
}

// The three read models over the fixture's log, in a store of their own.
struct Harness {
  DomainFixture f;
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<LogModels> models;
  std::unique_ptr<ProjectionRunner> runner;

  // The read models' store in memory, or in a RocksDB folder of its own.
  explicit Harness(bool rocks = false) {
    if (rocks) {
      dir = std::make_unique<testing::TempDir>();
      RocksStoreOptions options;
      options.path = dir->Sub("models");
      LogModels names;
      options.families = ProjectionRunner::FamilyNames(names.All());
      Status s = OpenRocksStore(options, &store);
      INFO(s.ToString());
      REQUIRE(s.ok());
    } else {
      store = NewModelStore();
    }
    Restart();
  }
  ~Harness() {
    runner.reset();
    store.reset();
  }
  // A new runner with fresh projections over the same store, as after a restart.
  void Restart() {
    runner.reset();
    models = std::make_unique<LogModels>();
    models->audit.SetLog(f.log.get());
    models->history.SetLog(f.log.get(), &f.handler->codec());
    models->journal.SetLog(f.log.get(), &f.handler->codec());
    runner = std::make_unique<ProjectionRunner>(f.log.get(), &f.handler->codec(), store.get(),
                                                models->All());
    Status s = runner->Open();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  void CatchUp() {
    Status s = runner->CatchUp();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  nlohmann::json Run(const std::string& user, Command command) {
    CommandResult r = f.Run(user, std::move(command));
    INFO(r.rejection.message << " " << r.status.ToString());
    REQUIRE(r.ok());
    return r.response;
  }
  const Journal& journal() const { return models->journal.journal(); }
  const CaseHistory& history() const { return models->history.history(); }
  const AuditTrail& audit() const { return models->audit.trail(); }
  nlohmann::json JournalOf(const std::string& case_id) {
    nlohmann::json page;
    Status s = journal().Read(case_id, Journal::kMaxLimit, "", &page);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(page["next_cursor"] == "");
    return page["entries"];
  }
  nlohmann::json HistoryOf(const std::string& case_id, const std::string& month = "",
                           const std::string& type = "") {
    nlohmann::json page;
    Status s = history().Read(case_id, month, type, CaseHistory::kMaxLimit, "", &page);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(page["next_cursor"] == "");
    return page["entries"];
  }
};

Rows FamilyRows(const Store& store, const std::string& family) {
  FamilyId id;
  REQUIRE(store.Family(family, &id).ok());
  Rows rows;
  auto it = store.NewIterator(id, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) rows[std::string(it->key())] = it->value();
  REQUIRE(it->status().ok());
  return rows;
}

std::map<std::string, Rows> AllRows(const Store& store) {
  std::map<std::string, Rows> out;
  for (const char* family : {"rm.journal", "rm.case_history", "rm.audit_trail"}) {
    out[family] = FamilyRows(store, family);
  }
  return out;
}

// The rows a runner writes from nothing over the whole log.
std::map<std::string, Rows> FreshRows(DomainFixture* f) {
  std::unique_ptr<MemoryStore> store = NewModelStore();
  LogModels models;
  ProjectionRunner runner(f->log.get(), &f->handler->codec(), store.get(), models.All());
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());
  return AllRows(*store);
}

// The three read models over a fixture's log in a store of their own, applied `chunk`
// events at a time.
struct ChunkedModels {
  ChunkedModels(DomainFixture* f, size_t chunk)
      : store(NewModelStore()),
        runner(f->log.get(), &f->handler->codec(), store.get(), models.All(), Options(chunk)) {}
  static ProjectionRunnerOptions Options(size_t chunk) {
    ProjectionRunnerOptions options;
    options.max_batch_events = chunk;
    return options;
  }
  std::unique_ptr<MemoryStore> store;
  LogModels models;
  ProjectionRunner runner;
};

bool AnyRowContains(const Rows& rows, const std::string& text) {
  for (const auto& [key, value] : rows) {
    if (value.find(text) != std::string::npos || key.find(text) != std::string::npos) return true;
  }
  return false;
}

const nlohmann::json* FindEntry(const nlohmann::json& entries, const std::string& type) {
  for (const auto& e : entries) {
    if (e["type"] == type) return &e;
  }
  return nullptr;
}

std::vector<uint64_t> Positions(const nlohmann::json& entries) {
  std::vector<uint64_t> out;
  for (const auto& e : entries) out.push_back(e["position"].get<uint64_t>());
  return out;
}

// A busy afternoon: three households, a moved application, notes, actions, people coming
// and going, a soft delete and restore, and an erasure of a client who is the primary
// applicant of another's case. Catches up between steps, so the erasure meets rows
// written before it (the live path, not the rebuild's).
struct Scenario {
  std::string a, case_a, b, case_b, c, case_c, moved, new_strand;
};

Scenario RunScenario(Harness* h) {
  Scenario s;
  std::tie(s.a, s.case_a) = h->f.Register("Able");
  std::tie(s.b, s.case_b) = h->f.Register("Baker");
  std::tie(s.c, s.case_c) = h->f.Register("Cole");
  h->Run("officer", AssignOfficer{s.case_a, "supervisor", "supervisor"});
  h->Run("officer", AssignTeam{s.case_a, "allocations"});
  h->Run("officer", AddStrand{s.case_a, "housing_register"});
  s.moved = h->Run("officer", AddStrand{s.case_a, "homeless_application"})["strand_id"];
  h->Run("officer", AddNote{s.case_a, "Able note about the rent arrears", s.moved});
  const std::string action = h->Run(
      "officer", CreateAction{s.case_a, "Call the landlord", "2026-12-01", s.moved})["action_id"];
  h->Run("officer", AddPerson{s.case_a, s.c, "partner", true, ""});
  h->Run("officer", AddPerson{s.case_b, s.c, "sibling", false, ""});
  h->Run("officer", PersonLeaves{s.case_b, s.c, "2026-11-22"});
  h->Run("officer", CompleteAction{s.case_a, action});
  h->CatchUp();
  s.new_strand = h->Run("supervisor", MoveStrand{s.case_a, s.moved, s.case_b})["new_strand_id"];
  // The case's primary applicant changes: later notes are sealed for the new one.
  h->Run("officer", SwitchPrimaryApplicant{s.case_a, s.c});
  h->Run("officer", AddNote{s.case_a, "Cole note about the move", ""});
  h->Run("officer", AddNote{s.case_c, "Cole note on their own case", ""});
  h->Run("officer", CloseCase{s.case_b, "housed"});
  h->Run("officer", ReopenCase{s.case_b, "back again"});
  h->Run("supervisor", DeleteClient{s.b, "soft"});
  h->Run("admin", RestoreClient{s.b});
  h->CatchUp();
  h->Run("admin", DeleteClient{s.c, "erase"});
  h->CatchUp();
  return s;
}

struct Recorded {
  uint64_t position;
  int64_t at;
  std::string actor, stream;
};

std::vector<Recorded> WholeLog(const EventLog& log) {
  std::vector<Recorded> out;
  REQUIRE(log.Scan(1, 0,
                   [&](const EventView& v) {
                     out.push_back({v.position(), v.recorded_at(), std::string(v.actor()),
                                    std::string(v.stream())});
                     return true;
                   })
              .ok());
  return out;
}

// Every position the query matches, read in pages of three.
std::vector<uint64_t> AuditPositions(const AuditTrail& trail, AuditQuery q) {
  q.limit = 3;
  q.cursor.clear();
  std::vector<uint64_t> out;
  for (int pages = 0; pages < 1000; ++pages) {
    nlohmann::json page;
    Status s = trail.Query(q, &page);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(page["entries"].size() <= 3);
    for (uint64_t p : Positions(page["entries"])) out.push_back(p);
    q.cursor = page["next_cursor"];
    if (q.cursor.empty()) return out;
    CHECK(page["entries"].size() == 3);
  }
  FAIL("the audit trail's cursor does not end");
  return out;
}

AuditQuery Audit(const std::string& actor, const std::string& stream = "", int64_t from_micros = 0,
                 int64_t to_micros = 0) {
  AuditQuery q;
  q.actor = actor;
  q.stream = stream;
  q.from_micros = from_micros;
  q.to_micros = to_micros;
  return q;
}

std::vector<uint64_t> Expected(const std::vector<Recorded>& log, const AuditQuery& q) {
  std::vector<uint64_t> out;
  for (const Recorded& r : log) {
    if (!q.actor.empty() && r.actor != q.actor) continue;
    if (!q.stream.empty() && r.stream != q.stream) continue;
    if (q.from_micros > 0 && r.at < q.from_micros) continue;
    if (q.to_micros > 0 && r.at > q.to_micros) continue;
    out.push_back(r.position);
  }
  return out;
}

}  // namespace

TEST_CASE("a strand move is journalled on both cases naming the other case and strand",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  const std::string strand =
      h.Run("officer", AddStrand{case_a, "homeless_application"})["strand_id"];
  const std::string moved =
      h.Run("supervisor", MoveStrand{case_a, strand, case_b})["new_strand_id"];
  h.CatchUp();

  const nlohmann::json from = h.JournalOf(case_a);
  REQUIRE(from.size() >= 3);
  const nlohmann::json& out = from[0];  // newest first: the move
  CHECK(out["type"] == "JournalWritten");
  CHECK(out["actor"] == "supervisor");
  CHECK(out["strand_id"] == strand);
  CHECK(out["other_case_id"] == case_b);
  CHECK(out["other_strand_id"] == moved);
  const std::string out_text = out["text"];
  CHECK(out_text.find(case_b) != std::string::npos);
  CHECK(out_text.find(moved) != std::string::npos);
  CHECK(out_text.find("Homeless application") != std::string::npos);

  const nlohmann::json to = h.JournalOf(case_b);
  const nlohmann::json& in = to[0];
  CHECK(in["type"] == "JournalWritten");
  CHECK(in["strand_id"] == moved);
  CHECK(in["other_case_id"] == case_a);
  CHECK(in["other_strand_id"] == strand);
  const std::string in_text = in["text"];
  CHECK(in_text.find(case_a) != std::string::npos);
  CHECK(in_text.find(strand) != std::string::npos);
  // One entry per side: the move's own events do not journal it twice.
  CHECK(FindEntry(from, "StrandMovedOut") == nullptr);
  CHECK(FindEntry(to, "StrandMovedIn") == nullptr);

  const nlohmann::json* added = FindEntry(from, "StrandAdded");
  REQUIRE(added != nullptr);
  CHECK((*added)["text"] == "Homeless application added");
  CHECK((*added)["strand_id"] == strand);
  const nlohmann::json* opened = FindEntry(from, "CaseOpened");
  REQUIRE(opened != nullptr);
  CHECK((*opened)["actor"] == "officer");
  CHECK((*opened)["client_id"] == a);
  CHECK((*opened)["at"].get<std::string>().size() == 27);  // RFC 3339 UTC, microseconds
}

TEST_CASE("the journal reads newest first and pages with a cursor", "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [c, case_c] = h.f.Register("Cole");
  const std::string hr = h.Run("officer", AddStrand{case_a, "housing_register"})["strand_id"];
  std::string action;
  for (int i = 0; i < 7; ++i) {
    action =
        h.Run("officer", CreateAction{case_a, "Action " + std::to_string(i), "", ""})["action_id"];
  }
  h.Run("officer", CompleteAction{case_a, action});
  h.Run("officer", AddPerson{case_a, c, "partner", false, ""});
  h.Run("officer", PersonLeaves{case_a, c, "2026-11-22"});
  h.Run("officer", AssignOfficer{case_a, "supervisor", "secondary"});
  h.Run("officer", ChangeStrandStatus{case_a, hr, "cancelled"});
  h.CatchUp();

  const nlohmann::json all = h.JournalOf(case_a);
  const std::vector<uint64_t> positions = Positions(all);
  REQUIRE(positions.size() >= 14);
  for (size_t i = 1; i < positions.size(); ++i) CHECK(positions[i] < positions[i - 1]);
  CHECK(all[0]["text"] == "Housing Register application " + hr + " cancelled");
  CHECK(all[1]["text"] == "supervisor assigned as secondary officer");
  CHECK(all[2]["text"] == "Client " + c + " (partner) left the case on 2026-11-22");
  CHECK(all[3]["text"] == "Client " + c + " added to the case as partner, joined 2026-11-22");
  CHECK(all[4]["text"] == "Action completed: Action 6");
  const nlohmann::json* bedroom = nullptr;
  for (const auto& e : all) {
    if (e["text"].get<std::string>().starts_with("Bedroom assessment added")) bedroom = &e;
  }
  REQUIRE(bedroom != nullptr);
  CHECK((*bedroom)["text"] == "Bedroom assessment added with Housing Register application " + hr);
  CHECK((*bedroom)["other_strand_id"] == hr);

  std::vector<uint64_t> paged;
  std::string cursor;
  int pages = 0;
  do {
    nlohmann::json page;
    REQUIRE(h.journal().Read(case_a, 3, cursor, &page).ok());
    REQUIRE(page["entries"].size() <= 3);
    for (uint64_t p : Positions(page["entries"])) paged.push_back(p);
    cursor = page["next_cursor"];
    ++pages;
  } while (!cursor.empty() && pages < 100);
  CHECK(paged == positions);
  CHECK(pages == static_cast<int>((positions.size() + 2) / 3));

  nlohmann::json page;
  REQUIRE(h.journal().Read(case_a, 0, "", &page).ok());  // 0: the default limit
  CHECK(page["entries"].size() == positions.size());
  CHECK(h.journal().Read(case_a, 1001, "", &page).code() == Status::Code::kInvalidArgument);
  CHECK(h.journal().Read(case_a, 3, "x1", &page).code() == Status::Code::kInvalidArgument);
  CHECK(h.journal().Read(case_a, 3, "0", &page).code() == Status::Code::kInvalidArgument);
  CHECK(h.journal().Read("no-such-case", 3, "", &page).code() == Status::Code::kNotFound);
}

TEST_CASE("journal text keeps quotes and unicode and replaces bytes that are not UTF-8",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  const std::string odd = "say \"hi\" \\ back\nslash\ttab \x07 bell ünïcødé 😀 ok";
  // Commands refuse control characters and bytes that are not UTF-8 now (422); events
  // written before they did may hold them, so they go into the log as such events.
  auto older = [&](EventType type, auto fill) {
    Event e;
    e.type = type;
    e.case_id = case_a;
    e.item_id = "older" + std::to_string(h.f.log->HeadPosition());
    fill(&e);
    std::string payload;
    REQUIRE(h.f.handler->codec().Encode(e, &payload).ok());
    AppendRequest r;
    r.actor = "officer";
    r.writes.push_back(
        {CaseStream(case_a), ExpectedVersion::Any(), {{EventTypeName(type), payload}}});
    REQUIRE(h.f.log->Append(std::move(r)).status.ok());
  };
  older(EventType::kNoteAdded, [&](Event* e) {
    e->subject = ClientStream(a);
    e->personal.text = odd;
  });
  older(EventType::kNoteAdded, [&](Event* e) {
    e->subject = ClientStream(a);
    e->personal.text = "bad \xff\xc3 bytes";
  });
  older(EventType::kActionCreated, [&](Event* e) { e->title = "Ring \"the\" landlord \xe2\x82"; });
  CHECK(h.f.Run("officer", AddNote{case_a, odd, ""}).rejection.kind ==
        Rejection::Kind::kValidation);
  h.CatchUp();
  const nlohmann::json entries = h.JournalOf(case_a);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0]["text"] == "Action created: Ring \"the\" landlord \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(entries[1]["text"] == "Note: bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  CHECK(entries[2]["text"] == "Note: " + odd);
  // Every row dumps as JSON again (no invalid UTF-8 anywhere) and parses alike.
  CHECK_NOTHROW(entries.dump());
  const nlohmann::json history = h.HistoryOf(case_a);
  REQUIRE(history.size() == 4);
  CHECK_NOTHROW(history.dump());
  CHECK(history[3]["details"]["title"] == "Ring \"the\" landlord \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(FreshRows(&h.f) == AllRows(*h.store));
}

TEST_CASE(
    "note text is never in the journal's rows and goes with its case when the client who "
    "owns the case is erased",
    "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [c, case_c] = h.f.Register("Cole");
  h.Run("officer", AddNote{case_a, "Able note about the rent arrears", ""});
  h.Run("officer", AddPerson{case_a, c, "partner", true, ""});
  h.Run("officer", SwitchPrimaryApplicant{case_a, c});
  h.Run("officer", AddNote{case_a, "Cole note about the move", ""});
  h.Run("officer", AddNote{case_c, "Cole note on their own case", ""});
  h.CatchUp();
  // The texts are opened from the log for the page, never written to the read model.
  Rows rows = FamilyRows(*h.store, "rm.journal");
  CHECK_FALSE(AnyRowContains(rows, "note"));
  const nlohmann::json own = h.JournalOf(case_c);
  const nlohmann::json* note = FindEntry(own, "NoteAdded");
  REQUIRE(note != nullptr);
  CHECK((*note)["text"] == "Note: Cole note on their own case");

  h.Run("admin", DeleteClient{c, "erase"});
  h.CatchUp();
  rows = FamilyRows(*h.store, "rm.journal");
  // The erased client's own case goes, journal and all.
  nlohmann::json page;
  CHECK(h.journal().Read(case_c, 10, "", &page).code() == Status::Code::kNotFound);
  CHECK(rows.count("x" + case_c) == 1);  // the one mark that says the case was erased
  for (const auto& [key, value] : rows) {
    INFO(key);
    CHECK(key.find(case_c + std::string(1, '\0')) == std::string::npos);
    if (key != "x" + case_c) CHECK_FALSE(key.ends_with(case_c));
  }
  // The other case lives on, with its notes: they are sealed with that case's own key
  // (Able's household's record), also the one written while Cole was its primary
  // applicant.
  const nlohmann::json entries = h.JournalOf(case_a);
  std::set<std::string> texts;
  for (const auto& e : entries) {
    if (e["type"] == "NoteAdded") texts.insert(e["text"].get<std::string>());
  }
  CHECK(texts == std::set<std::string>{"Note: Able note about the rent arrears",
                                       "Note: Cole note about the move"});
  CHECK(h.models->journal.personal());

  // Erased after a soft delete: the domain writes no CaseDeleted for a case already
  // deleted, yet its journal and history go with the client.
  auto [d, case_d] = h.f.Register("Drew");
  h.Run("officer", AddNote{case_d, "Drew note", ""});
  h.Run("supervisor", DeleteClient{d, "soft"});
  h.CatchUp();
  CHECK(FamilyRows(*h.store, "rm.journal").count("d" + case_d) == 1);
  h.Run("admin", DeleteClient{d, "erase"});
  h.CatchUp();
  CHECK(h.f.EventTypes("case-" + case_d).back() == "CaseDeleted");
  for (const char* family : {"rm.journal", "rm.case_history"}) {
    for (const auto& [key, value] : FamilyRows(*h.store, family)) {
      INFO(family << " " << key);
      // Each keeps the one mark that says the case was erased.
      if (key != "x" + case_d) CHECK(key.find(case_d) == std::string::npos);
      CHECK(value.find("Drew note") == std::string::npos);
    }
  }
  CHECK(FamilyRows(*h.store, "rm.case_history").count("x" + case_d) == 1);
  CHECK(h.journal().Read(case_d, 10, "", &page).code() == Status::Code::kNotFound);
  CHECK(h.history().Read(case_d, "", "", 10, "", &page).code() == Status::Code::kNotFound);
}

TEST_CASE("a soft-deleted case hides its journal and history until restored", "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "Able note", ""});
  h.Run("supervisor", DeleteClient{a, "soft"});
  h.CatchUp();
  nlohmann::json page;
  Status s = h.journal().Read(case_a, 10, "", &page);
  CHECK(s.code() == Status::Code::kNotFound);
  CHECK(s.message().find("deleted") != std::string::npos);
  CHECK(h.history().Read(case_a, "", "", 10, "", &page).code() == Status::Code::kNotFound);
  // Hidden, not gone: a mark, and the entries in the log.
  CHECK(FamilyRows(*h.store, "rm.journal").count("d" + case_a) == 1);

  h.Run("admin", RestoreClient{a});
  h.CatchUp();
  const nlohmann::json entries = h.JournalOf(case_a);
  REQUIRE(entries.size() >= 4);
  CHECK(entries[0]["type"] == "CaseRestored");
  CHECK(entries[1]["type"] == "CaseDeleted");
  CHECK(entries[1]["text"] == "Case deleted with its client");
  CHECK(entries[2]["text"] == "Note: Able note");
  CHECK(h.HistoryOf(case_a).size() == 4);
}

TEST_CASE("case history filters by month and type and never holds note text", "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  const std::string hr = h.Run("officer", AddStrand{case_a, "housing_register"})["strand_id"];
  const std::string note = h.Run("officer", AddNote{case_a, "Secret history text", hr})["note_id"];
  h.Run("officer", CreateAction{case_a, "Call the landlord", "2026-12-01", ""});
  h.Run("officer", CloseCase{case_a, "housed"});
  h.CatchUp();

  const nlohmann::json all = h.HistoryOf(case_a);
  REQUIRE(all.size() == 6);
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i]["version"] == i + 1);  // oldest first
    if (i > 0) CHECK(all[i]["position"] > all[i - 1]["position"]);
  }
  CHECK(all[0]["type"] == "CaseOpened");
  CHECK(all[0]["details"]["client_id"] == a);
  CHECK(all[0]["actor"] == "officer");
  const nlohmann::json* n = FindEntry(all, "NoteAdded");
  REQUIRE(n != nullptr);
  CHECK((*n)["details"] == nlohmann::json({{"item_id", note}, {"strand_id", hr}}));
  CHECK(FindEntry(all, "CaseClosed")->at("details")["reason"] == "housed");
  CHECK_FALSE(AnyRowContains(FamilyRows(*h.store, "rm.case_history"), "Secret history"));
  CHECK_FALSE(h.models->history.personal());

  CHECK(h.HistoryOf(case_a, "", "NoteAdded").size() == 1);
  CHECK(h.HistoryOf(case_a, "", "StrandAdded").size() == 2);
  const std::string month = all[0]["at"].get<std::string>().substr(0, 7);
  size_t in_month = 0;
  for (const auto& r : all) in_month += r["at"].get<std::string>().starts_with(month) ? 1 : 0;
  CHECK(h.HistoryOf(case_a, month).size() == in_month);
  CHECK(h.HistoryOf(case_a, month, "StrandAdded").size() <= 2);
  CHECK(h.HistoryOf(case_a, "2000-01").empty());

  nlohmann::json page;
  for (const char* bad : {"2026-13", "2026-1", "202611", "2026/11", "2026-00", "26-11-01"}) {
    INFO(bad);
    CHECK(h.history().Read(case_a, bad, "", 10, "", &page).code() ==
          Status::Code::kInvalidArgument);
  }
  CHECK(h.history().Read(case_a, "", "NoSuchEvent", 10, "", &page).code() ==
        Status::Code::kInvalidArgument);
  CHECK(h.history().Read(case_a, "", "", 10, "zz", &page).code() == Status::Code::kInvalidArgument);
  CHECK(h.history().Read("no-such-case", "", "", 10, "", &page).code() == Status::Code::kNotFound);

  std::vector<uint64_t> paged;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    REQUIRE(h.history().Read(case_a, "", "", 4, cursor, &page).ok());
    for (uint64_t p : Positions(page["entries"])) paged.push_back(p);
    cursor = page["next_cursor"];
    if (cursor.empty()) break;
  }
  CHECK(paged == Positions(all));
}

TEST_CASE("case history keeps no row per event and reads its entries from the log",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  for (int i = 0; i < 5; ++i) h.Run("officer", AddNote{case_a, "note", ""});
  h.Run("officer", CreateAction{case_b, "Call", "", ""});
  h.CatchUp();
  // Only the marks: a case per client opened, none deleted or erased.
  const Rows rows = FamilyRows(*h.store, "rm.case_history");
  CHECK(rows.size() == 2);
  for (const auto& [key, value] : rows) {
    INFO(key);
    CHECK(key[0] == 'o');
    CHECK(value.empty());
  }
  CHECK(h.HistoryOf(case_a).size() == h.f.EventTypes("case-" + case_a).size());
  // Straight from the log, up to the position given: the runner's applied position
  // hides an event not yet applied; the whole log shows it.
  h.Run("officer", AddNote{case_b, "later", ""});
  const nlohmann::json history_b = h.HistoryOf(case_b);
  CHECK(history_b.back()["type"] == "NoteAdded");
  CHECK(h.runner->Applied() < h.f.Head());
  nlohmann::json applied;
  REQUIRE(h.history().Read(case_b, "", "", 100, "", &applied, h.runner->Applied()).ok());
  CHECK(applied["entries"].size() == history_b.size() - 1);
  CHECK(applied["entries"].back()["type"] == "ActionCreated");
  CHECK(h.history().Read(case_b, "", "", 100, "", &applied, 0).code() == Status::Code::kNotFound);
  CHECK(h.HistoryOf(case_b, "2099-12").empty());  // a December ends with the year
  CHECK(h.HistoryOf(case_b, "9999-12").empty());  // and the last one with time
}

TEST_CASE("case history and journal rows of the first layout are rebuilt away at open",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "Able note", ""});
  h.CatchUp();
  const nlohmann::json history = h.HistoryOf(case_a), journal = h.JournalOf(case_a);
  // A folder of an older build: a history row per event, the note's text in the journal
  // with its index, no layouts recorded.
  FamilyId history_rows, journal_rows, checkpoints;
  REQUIRE(h.store->Family("rm.case_history", &history_rows).ok());
  REQUIRE(h.store->Family("rm.journal", &journal_rows).ok());
  REQUIRE(h.store->Family(kCheckpointsFamily, &checkpoints).ok());
  const uint64_t note_at = journal[0]["position"];
  std::string history_key = "h" + case_a + '\0', note_key = "e" + case_a + '\0',
              index_key = "nclient-" + a + '\0' + case_a + '\0';
  PutBigEndian64(&history_key, 1);
  PutBigEndian64(&note_key, note_at);
  PutBigEndian64(&index_key, note_at);
  WriteBatch old;
  old.Put(history_rows, history_key, R"({"position":1})");
  old.Put(journal_rows, note_key,
          R"({"position":)" + std::to_string(note_at) +
              R"(,"type":"NoteAdded","text":"Note: Able note"})");
  old.Put(journal_rows, index_key, "");
  old.Delete(checkpoints, "layout/case_history");
  old.Delete(checkpoints, "layout/journal");
  REQUIRE(h.store->Write(old, true).ok());

  h.Restart();
  CHECK(h.runner->Interrupted() == std::vector<std::string>{"journal", "case_history"});
  h.CatchUp();
  CHECK(h.runner->Interrupted().empty());
  CHECK(FamilyRows(*h.store, "rm.case_history").count(history_key) == 0);
  CHECK(FamilyRows(*h.store, "rm.journal").count(index_key) == 0);
  CHECK_FALSE(AnyRowContains(FamilyRows(*h.store, "rm.journal"), "Able note"));
  for (const auto& [name, layout] : {std::pair<const char*, uint64_t>{"case_history", 2},
                                     std::pair<const char*, uint64_t>{"journal", 3}}) {
    std::string stored;
    REQUIRE(h.store->Get(checkpoints, std::string("layout/") + name, &stored).ok());
    CHECK(stored == BigEndian64(layout));
  }
  CHECK(h.HistoryOf(case_a) == history);
  CHECK(h.JournalOf(case_a) == journal);
  CHECK(journal[0]["text"] == "Note: Able note");

  // The second layout's journal: an entry row per event, a note's without its text.
  WriteBatch second;
  second.Put(journal_rows, note_key,
             R"({"position":)" + std::to_string(note_at) + R"(,"type":"NoteAdded"})");
  second.Put(checkpoints, "layout/journal", BigEndian64(2));
  REQUIRE(h.store->Write(second, true).ok());
  h.Restart();
  CHECK(h.runner->Interrupted() == std::vector<std::string>{"journal"});
  h.CatchUp();
  CHECK(FamilyRows(*h.store, "rm.journal").count(note_key) == 0);
  CHECK(h.JournalOf(case_a) == journal);
}

TEST_CASE("the journal keeps no row per event and names facts as they were at each event",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  const std::string action =
      h.Run("officer", CreateAction{case_a, "Call the landlord", "", ""})["action_id"];
  h.Run("officer", AddPerson{case_a, b, "partner", false, "2026-01-01"});
  h.Run("officer", PersonLeaves{case_a, b, "2026-02-01"});
  h.Run("officer", AddPerson{case_a, b, "lodger", false, "2026-03-01"});
  h.Run("officer", PersonLeaves{case_a, b, "2026-04-01"});
  h.Run("officer", CompleteAction{case_a, action});
  for (int i = 0; i < 5; ++i) h.Run("officer", AddNote{case_a, "note " + std::to_string(i), ""});
  h.CatchUp();
  // Only what the log does not say: the owners, and a version of a fact per event that
  // set one (the case's own client, the action, the person twice).
  const Rows rows = FamilyRows(*h.store, "rm.journal");
  size_t owners = 0, facts = 0;
  for (const auto& [key, value] : rows) {
    INFO(key);
    owners += key[0] == 'o';
    facts += key[0] == 'f';
    CHECK((key[0] == 'o' || key[0] == 'f'));
  }
  CHECK(owners == 2);
  CHECK(facts == 2 + 1 + 2);

  const nlohmann::json entries = h.JournalOf(case_a);
  std::vector<std::string> left;
  for (const auto& e : entries) {
    if (e["type"] == "PersonLeft") left.push_back(e["text"]);
  }
  // Newest first: each says the relationship the person had when they left.
  CHECK(left == std::vector<std::string>{"Client " + b + " (lodger) left the case on 2026-04-01",
                                         "Client " + b + " (partner) left the case on 2026-02-01"});
  const nlohmann::json* done = FindEntry(entries, "ActionCompleted");
  REQUIRE(done != nullptr);
  CHECK((*done)["text"] == "Action completed: Call the landlord");
  CHECK((*done)["action_id"] == action);

  // A page shows what the read model has applied, no further.
  h.Run("officer", AddNote{case_a, "not yet applied", ""});
  nlohmann::json page;
  REQUIRE(h.journal().Read(case_a, 100, "", &page, h.runner->Applied()).ok());
  CHECK(page["entries"] == entries);
  REQUIRE(h.journal().Read(case_a, 100, "", &page, entries[1]["position"]).ok());
  CHECK(page["entries"][0] == entries[1]);
  CHECK(page["entries"].size() == entries.size() - 1);
  CHECK(h.journal().Read(case_a, 100, "", &page, 0).code() == Status::Code::kNotFound);
  h.CatchUp();
  CHECK(h.JournalOf(case_a)[0]["text"] == "Note: not yet applied");
  CHECK(FreshRows(&h.f) == AllRows(*h.store));
}

TEST_CASE("the audit trail keeps only an actor index and reads its entries from the log",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "a note", ""});
  h.Run("supervisor", CreateAction{case_a, "an action", "", ""});
  h.CatchUp();
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  const Rows rows = FamilyRows(*h.store, "rm.audit_trail");
  size_t with_actor = 0, indexed = 0;
  std::set<std::string> actors;
  for (const Recorded& r : log) {
    with_actor += !r.actor.empty();
    if (!r.actor.empty()) actors.insert(r.actor);
  }
  CHECK(rows.size() == actors.size());  // a short log is one block: a row per actor
  for (const auto& [key, value] : rows) {
    CHECK(key[0] == 'b');
    CHECK(value.size() % 2 == 0);
    indexed += value.size() / 2;
  }
  CHECK(indexed == with_actor);  // every event with an actor, once
  // A folder from before this layout also holds 'p' and 's' keys: nothing reads them.
  FamilyId family;
  REQUIRE(h.store->Family("rm.audit_trail", &family).ok());
  WriteBatch old;
  old.Put(family, std::string("p") + std::string(8, '\x01'), "stale");
  old.Put(family, "scase-" + case_a + std::string(1, '\0') + std::string(8, '\x02'), "");
  REQUIRE(h.store->Write(old, /*sync=*/true).ok());
  for (const AuditQuery& q : {Audit(""), Audit("officer"), Audit("", "case-" + case_a)}) {
    CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  }
  // Without its log the read model cannot answer.
  AuditTrailProjection alone;
  nlohmann::json page;
  CHECK(alone.trail().Query(AuditQuery(), &page).code() == Status::Code::kUnavailable);
}

TEST_CASE(
    "the audit trail indexes an actor's events in blocks of the log that batches do not change",
    "[read-models]") {
  Harness h;
  // Past two blocks of positions, the actors taking turns.
  const uint64_t target = 2 * AuditTrailProjection::kBucketPositions + 100;
  std::vector<std::string> cases;
  for (int i = 0; h.f.Head() < target; ++i) {
    if (i % 10 == 0) cases.push_back(h.f.Register("Client" + std::to_string(i)).second);
    const std::string& kase = cases[i % cases.size()];
    if (i % 3 == 0) {
      h.Run("supervisor", CreateAction{kase, "action", "", ""});
    } else {
      h.Run("officer", AddNote{kase, "note", ""});
    }
    // Catch up now and then: batches end anywhere in the blocks.
    if (i % 97 == 0) h.CatchUp();
  }
  h.CatchUp();
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  const Rows rows = FamilyRows(*h.store, "rm.audit_trail");
  CHECK(rows.size() <= 3 * 3);  // at most a row per actor per block
  CHECK(rows.size() >= 2 * 3);
  const uint64_t middle = log[log.size() / 2].position;
  for (const char* actor : {"officer", "supervisor", "admin", ""}) {
    INFO(actor);
    CHECK(AuditPositions(h.audit(), Audit(actor)) == Expected(log, Audit(actor)));
    // A time range that starts and ends inside blocks.
    const AuditQuery q = Audit(actor, "", log[700].at, log[middle + 500].at);
    CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  }

  // The same rows from a runner that applied the log 7 events at a time, and from one that
  // applied it all at once.
  for (size_t batch : {size_t{7}, size_t{100000}}) {
    INFO(batch);
    ChunkedModels m(&h.f, batch);
    REQUIRE(m.runner.Open().ok());
    REQUIRE(m.runner.CatchUp().ok());
    CHECK(FamilyRows(*m.store, "rm.audit_trail") == rows);
  }
}

TEST_CASE("the audit trail filters by actor and stream and time range with paging",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  for (int i = 0; i < 4; ++i) {
    // Spread the events over time a little, so time ranges cut between them.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    h.Run("officer", AddNote{case_a, "note " + std::to_string(i), ""});
    h.Run("supervisor", CreateAction{case_b, "action " + std::to_string(i), "", ""});
  }
  const std::string strand =
      h.Run("officer", AddStrand{case_a, "homeless_application"})["strand_id"];
  h.Run("supervisor", MoveStrand{case_a, strand, case_b});
  h.Run("admin", ChangeClientStatus{a, "inactive"});
  h.CatchUp();
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  REQUIRE(log.size() > 15);
  for (size_t i = 1; i < log.size(); ++i) REQUIRE(log[i].at >= log[i - 1].at);

  std::vector<AuditQuery> queries;
  queries.push_back(Audit(""));
  queries.push_back(Audit("supervisor"));
  queries.push_back(Audit("officer"));
  queries.push_back(Audit("nobody"));
  queries.push_back(Audit("", "case-" + case_a));
  queries.push_back(Audit("", "case-" + case_b));
  queries.push_back(Audit("officer", "case-" + case_b));
  queries.push_back(Audit("supervisor", "case-" + case_b));
  for (size_t from : {size_t{0}, size_t{3}, log.size() / 2}) {
    for (size_t to : {log.size() / 2, log.size() - 2}) {
      if (to < from) continue;
      queries.push_back(Audit("", "", log[from].at, log[to].at));
      queries.push_back(Audit("officer", "", log[from].at, log[to].at));
      queries.push_back(Audit("", "case-" + case_b, log[from].at));
    }
    queries.push_back(Audit("", "", 0, log[from].at));
  }
  queries.push_back(Audit("", "", log.back().at + 1));
  queries.push_back(Audit("", "", 0, log.front().at - 1));
  for (const AuditQuery& q : queries) {
    INFO("actor=" << q.actor << " stream=" << q.stream << " from=" << q.from_micros
                  << " to=" << q.to_micros);
    CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  }

  nlohmann::json page;
  REQUIRE(h.audit().Query(Audit("", "client-" + a), &page).ok());
  REQUIRE(page["entries"].size() == 2);
  const nlohmann::json first = page["entries"][0];
  CHECK(first["type"] == "ClientRegistered");
  CHECK(first["actor"] == "officer");
  CHECK(first["stream"] == "client-" + a);
  CHECK(first["position"] == 1);
  CHECK(first["at"].get<std::string>().size() == 27);
  CHECK_FALSE(first["command_id"].get<std::string>().empty());
  CHECK(first.contains("correlation_id"));
  CHECK(page["entries"][1]["actor"] == "admin");
  CHECK(page["next_cursor"] == "");
  // A command's events share its command id.
  AuditQuery one = Audit("", "case-" + case_a);
  one.limit = 1;
  REQUIRE(h.audit().Query(one, &page).ok());
  CHECK(page["entries"][0]["command_id"] == first["command_id"]);
  CHECK(page["next_cursor"] == "2");

  AuditQuery bad;
  bad.limit = 1001;
  CHECK(h.audit().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad = AuditQuery();
  bad.cursor = "-1";
  CHECK(h.audit().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  CHECK_FALSE(h.models->audit.personal());

  // The limit does not cut a stream short.
  AuditQuery one_each = Audit("supervisor");
  one_each.limit = 1;
  std::vector<uint64_t> streamed;
  REQUIRE(h.audit()
              .ForEach(one_each,
                       [&](const nlohmann::json& e) {
                         streamed.push_back(e["position"].get<uint64_t>());
                         return true;
                       })
              .ok());
  CHECK(streamed == Expected(log, Audit("supervisor")));
  int calls = 0;
  REQUIRE(h.audit().ForEach(AuditQuery(), [&](const nlohmann::json&) { return ++calls < 2; }).ok());
  CHECK(calls == 2);
}

TEST_CASE("rebuilding the log read models gives identical rows", "[read-models]") {
  Harness h;
  const Scenario s = RunScenario(&h);
  const std::map<std::string, Rows> live = AllRows(*h.store);
  for (const auto& [family, rows] : live) {
    INFO(family);
    CHECK_FALSE(rows.empty());
    CHECK_FALSE(AnyRowContains(rows, "Cole note"));
  }
  CHECK_FALSE(AnyRowContains(live.at("rm.journal"), "Able note about the rent arrears"));
  CHECK(h.JournalOf(s.case_a).dump().find("Note: Able note about the rent arrears") !=
        std::string::npos);
  nlohmann::json page;
  CHECK(h.journal().Read(s.case_c, 10, "", &page).code() == Status::Code::kNotFound);
  CHECK(h.history().Read(s.case_c, "", "", 10, "", &page).code() == Status::Code::kNotFound);
  const nlohmann::json journal_b = h.JournalOf(s.case_b);
  const nlohmann::json* moved_in = FindEntry(journal_b, "JournalWritten");
  REQUIRE(moved_in != nullptr);
  CHECK(moved_in->at("other_strand_id") == s.moved);
  CHECK(moved_in->at("other_case_id") == s.case_a);

  Status st = h.runner->Rebuild({});
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(AllRows(*h.store) == live);
  // And from nothing, into a store of its own.
  CHECK(FreshRows(&h.f) == live);
}

TEST_CASE("a rebuild a few events at a time holds the journal's rows and finds them at an erasure",
          "[read-models]") {
  Harness h;
  const Scenario s = RunScenario(&h);
  const std::map<std::string, Rows> live = AllRows(*h.store);
  // A few events a chunk: the journal's and the history's rows are held over many chunks,
  // and the erasure of the third client must find its case's owner row among them, also
  // when it comes first in its chunk.
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}}) {
    INFO(chunk);
    ChunkedModels m(&h.f, chunk);
    REQUIRE(m.runner.Open(/*load_rows=*/false).ok());
    REQUIRE(m.runner.Rebuild({}).ok());
    CHECK(AllRows(*m.store) == live);
    // Written whole at the end: a power cut after the rebuild keeps every row.
    m.store->SimulatePowerLoss();
    CHECK(AllRows(*m.store) == live);
  }
  CHECK(AnyRowContains(live.at("rm.journal"), "x" + s.case_c));  // its erased mark
}

// Counts the operations on the journal's and the history's families that reach the store
// before a rebuild's end (WriteUnlogged) and at it (WriteBulk).
class CountingStore : public MemoryStore {
 public:
  CountingStore() : MemoryStore(ProjectionRunner::FamilyNames(LogModels().All())) {}
  Status WriteUnlogged(const WriteBatch& batch) override {
    unlogged += Held(batch);
    return MemoryStore::WriteUnlogged(batch);
  }
  Status WriteBulk(const WriteBatch& batch) override {
    bulk += Held(batch);
    return MemoryStore::WriteUnlogged(batch);
  }
  size_t unlogged = 0, bulk = 0;

 private:
  size_t Held(const WriteBatch& batch) const {
    FamilyId journal = 0, history = 0;
    REQUIRE(Family("rm.journal", &journal).ok());
    REQUIRE(Family("rm.case_history", &history).ok());
    size_t n = 0;
    batch.ForEach([&](FamilyId family, WriteOp, std::string_view, std::string_view) {
      n += family == journal || family == history;
    });
    return n;
  }
};

TEST_CASE("a rebuild holds the journal's rows past deletions that read none of them",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  h.Run("officer", AddStrand{case_a, "housing_register"});
  h.Run("supervisor", DeleteClient{b, "soft"});  // deletes rows, reads none of the journal's
  h.Run("officer", AddNote{case_a, "after the deletion", ""});
  h.Run("admin", RestoreClient{b});
  h.Run("officer", CreateAction{case_b, "Call the client", "2026-12-01", ""});
  h.CatchUp();
  const std::map<std::string, Rows> live = AllRows(*h.store);

  CountingStore store;
  LogModels models;
  ProjectionRunner runner(h.f.log.get(), &h.f.handler->codec(), &store, models.All(),
                          ChunkedModels::Options(1));
  REQUIRE(runner.Open(/*load_rows=*/false).ok());
  REQUIRE(runner.Rebuild({}).ok());
  CHECK(AllRows(store) == live);
  // One event a chunk, and still every row of both written once, at the end, in bulk.
  CHECK(store.unlogged == 0);
  CHECK(store.bulk > 0);
}

TEST_CASE("a restarted runner continues from its checkpoint without duplicating rows",
          "[read-models]") {
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "first note", ""});
  h.CatchUp();
  const uint64_t before = h.f.Head();

  h.runner.reset();
  h.Run("officer", AddNote{case_a, "second note", ""});
  h.Run("officer", AddStrand{case_a, "housing_register"});
  h.Run("supervisor", DeleteClient{a, "soft"});
  h.Run("admin", RestoreClient{a});
  h.Restart();
  CHECK(h.runner->Applied() == before);
  h.CatchUp();
  CHECK(h.runner->Stats().events == h.f.Head() - before);

  CHECK(AllRows(*h.store) == FreshRows(&h.f));
  const std::vector<uint64_t> positions = Positions(h.JournalOf(case_a));
  CHECK(std::set<uint64_t>(positions.begin(), positions.end()).size() == positions.size());
  nlohmann::json page;
  AuditQuery all = Audit("");
  all.limit = 1000;
  REQUIRE(h.audit().Query(all, &page).ok());
  CHECK(page["entries"].size() == h.f.Head());
}

TEST_CASE("the log read models write the same rows over RocksDB as in memory", "[read-models]") {
  Harness h(/*rocks=*/true);
  const Scenario s = RunScenario(&h);
  const std::map<std::string, Rows> rows = AllRows(*h.store);
  CHECK(rows == FreshRows(&h.f));
  // Newest first and paging walk RocksDB's iterators backwards.
  const std::vector<uint64_t> positions = Positions(h.JournalOf(s.case_a));
  REQUIRE(positions.size() > 5);
  std::vector<uint64_t> paged;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    nlohmann::json page;
    REQUIRE(h.journal().Read(s.case_a, 2, cursor, &page).ok());
    for (uint64_t p : Positions(page["entries"])) paged.push_back(p);
    cursor = page["next_cursor"];
    if (cursor.empty()) break;
  }
  CHECK(paged == positions);
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  const AuditQuery q = Audit("officer", "", log[4].at, log[log.size() - 3].at);
  CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  REQUIRE(h.runner->Rebuild({}).ok());
  CHECK(AllRows(*h.store) == rows);
}

}  // namespace caseengine
