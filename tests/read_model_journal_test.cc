// Tests of the journal read model: strand moves journalled on both cases, newest first with
// a cursor, text kept or replaced when not UTF-8, note text never in its rows, and no row per
// event with facts named as they were at each event.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_logs_support.h"

namespace caseengine {

namespace {

using testing::read_models_logs::AllRows;
using testing::read_models_logs::AnyRowContains;
using testing::read_models_logs::FamilyRows;
using testing::read_models_logs::FindEntry;
using testing::read_models_logs::FreshRows;
using testing::read_models_logs::Harness;
using testing::read_models_logs::Positions;
using testing::read_models_logs::Rows;

}  // namespace

TEST_CASE("a strand move is journalled on both cases naming the other case and strand",
          "[read-models]") {
  // Given two cases, the first with a homeless application
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  const std::string strand =
      h.Run("officer", AddStrand{case_a, "homeless_application"})["strand_id"];
  // When the supervisor moves the application to the second case
  const std::string moved =
      h.Run("supervisor", MoveStrand{case_a, strand, case_b})["new_strand_id"];
  h.CatchUp();

  // Then the first case's journal says where it went, newest first
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

  // And the second case's journal says where it came from
  const nlohmann::json to = h.JournalOf(case_b);
  const nlohmann::json& in = to[0];
  CHECK(in["type"] == "JournalWritten");
  CHECK(in["strand_id"] == moved);
  CHECK(in["other_case_id"] == case_a);
  CHECK(in["other_strand_id"] == strand);
  const std::string in_text = in["text"];
  CHECK(in_text.find(case_a) != std::string::npos);
  CHECK(in_text.find(strand) != std::string::npos);
  // And there is one entry per side: the move's own events do not journal it twice
  CHECK(FindEntry(from, "StrandMovedOut") == nullptr);
  CHECK(FindEntry(to, "StrandMovedIn") == nullptr);

  // And the earlier entries name the strand added and who opened the case when
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
  // Given a case with a Housing Register application, seven actions, a person who came and left, an
  // officer and a cancelled strand
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

  // When its journal is read
  // Then the entries come newest first, each in words
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

  // And pages of three with a cursor give the same entries, nothing twice
  std::vector<uint64_t> paged;
  std::string cursor;
  int pages = 0;
  do {
    // And limit 0 is the default, and bad limits, cursors and cases are refused
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
  // Given older events whose texts hold quotes, control characters, unicode and bytes that are not
  // UTF-8
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
  // When the journal is read
  // Then quotes and unicode are kept and bytes that are not UTF-8 replaced
  const nlohmann::json entries = h.JournalOf(case_a);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0]["text"] == "Action created: Ring \"the\" landlord \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(entries[1]["text"] == "Note: bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  CHECK(entries[2]["text"] == "Note: " + odd);
  // And every row dumps as JSON again (no invalid UTF-8 anywhere) and parses alike
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
  // Given two households whose cases have notes, one written while the other client was primary
  // applicant
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [c, case_c] = h.f.Register("Cole");
  h.Run("officer", AddNote{case_a, "Able note about the rent arrears", ""});
  h.Run("officer", AddPerson{case_a, c, "partner", true, ""});
  h.Run("officer", SwitchPrimaryApplicant{case_a, c});
  h.Run("officer", AddNote{case_a, "Cole note about the move", ""});
  h.Run("officer", AddNote{case_c, "Cole note on their own case", ""});
  h.CatchUp();
  // Then the texts are opened from the log for the page, never written to the read model
  Rows rows = FamilyRows(*h.store, "rm.journal");
  CHECK_FALSE(AnyRowContains(rows, "note"));
  const nlohmann::json own = h.JournalOf(case_c);
  const nlohmann::json* note = FindEntry(own, "NoteAdded");
  REQUIRE(note != nullptr);
  CHECK((*note)["text"] == "Note: Cole note on their own case");

  // When the client who owns the second case is erased
  h.Run("admin", DeleteClient{c, DeleteMode::kErase});
  h.CatchUp();
  rows = FamilyRows(*h.store, "rm.journal");
  // Then the erased client's own case goes, journal and all
  nlohmann::json page;
  CHECK(h.journal().Read(case_c, 10, "", &page).code() == Status::Code::kNotFound);
  CHECK(rows.count("x" + case_c) == 1);  // the one mark that says the case was erased
  for (const auto& [key, value] : rows) {
    INFO(key);
    CHECK(key.find(case_c + std::string(1, '\0')) == std::string::npos);
    if (key != "x" + case_c) CHECK_FALSE(key.ends_with(case_c));
  }
  // And the other case lives on, with its notes: they are sealed with that case's own key
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

  // Given a soft-deleted client with a note on its case
  auto [d, case_d] = h.f.Register("Drew");
  h.Run("officer", AddNote{case_d, "Drew note", ""});
  h.Run("supervisor", DeleteClient{d, DeleteMode::kSoft});
  h.CatchUp();
  CHECK(FamilyRows(*h.store, "rm.journal").count("d" + case_d) == 1);
  // When it is erased
  h.Run("admin", DeleteClient{d, DeleteMode::kErase});
  h.CatchUp();
  // Then the domain writes no CaseDeleted for a case already deleted, yet its journal and
  // history go with the client
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

TEST_CASE("the journal keeps no row per event and names facts as they were at each event",
          "[read-models]") {
  // Given a case with an action, a person who came and left twice in two relationships, and notes
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
  // Then the journal keeps only what the log does not say: the owners, and a version of a fact per
  // event that set one (the case's own client, the action, the person twice).
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
  // And newest first, each entry says the relationship the person had when they left
  CHECK(left == std::vector<std::string>{"Client " + b + " (lodger) left the case on 2026-04-01",
                                         "Client " + b + " (partner) left the case on 2026-02-01"});
  const nlohmann::json* done = FindEntry(entries, "ActionCompleted");
  REQUIRE(done != nullptr);
  CHECK((*done)["text"] == "Action completed: Call the landlord");
  CHECK((*done)["action_id"] == action);

  // And a page shows what the read model has applied, no further
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

}  // namespace caseengine
