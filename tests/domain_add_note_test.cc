// Given/When/Then tests of AddNote (Huume "7. Cases"): the text sealed with the case's own
// key, its length, and the strands a note or an action may name.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::ClientOf;
using caseengine::testing::domain_case::Household;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::WithPartner;

}  // namespace

TEST_CASE("a note's text is sealed with the case's own key", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  const std::string secret = "Disclosed domestic abuse by former partner Zebulon";
  // When a note is added
  CommandResult r = Ok(d, "officer", AddNote{h.kase, secret, ""});
  const std::string note_id = r.response["note_id"];
  CHECK_FALSE(note_id.empty());
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(h.kase), 3}});
  CHECK(d.Case(h.kase).notes == 1);
  // Then the NoteAdded is sealed with the case's key, and reads back with it
  Event e = d.Events(CaseOf(h.kase)).back();
  CHECK(EventTypeName(e.type) == std::string("NoteAdded"));
  CHECK(e.item_id == note_id);
  CHECK(e.strand_id.empty());
  CHECK(e.subject == CaseOf(h.kase));
  CHECK(e.personal.text == secret);
  CHECK_FALSE(e.personal.erased);
  // And the stored payload holds no plaintext of it
  std::vector<RecordedEvent> recorded;
  REQUIRE(d.log->ReadStream(CaseOf(h.kase), 1, 100, &recorded).ok());
  for (const auto& rec : recorded) CHECK(rec.payload.find("Zebulon") == std::string::npos);
  // And after the partner becomes primary applicant, new notes are sealed with the same
  // key: the notes are the household's record, kept by the case
  Ok(d, "officer", SwitchPrimaryApplicant{h.kase, h.partner});
  Ok(d, "officer", AddNote{h.kase, "second note", ""});
  CHECK(d.Case(h.kase).notes == 2);
  CHECK(d.Events(CaseOf(h.kase)).back().subject == CaseOf(h.kase));
  // So destroying a person's key erases neither; destroying the case's erases both
  REQUIRE(d.keys->Destroy(ClientOf(h.primary)).ok());
  auto events = d.Events(CaseOf(h.kase));
  REQUIRE(events.size() == 5);
  CHECK(events[2].personal.text == secret);
  CHECK(events[4].personal.text == "second note");
  REQUIRE(d.keys->Destroy(CaseOf(h.kase)).ok());
  events = d.Events(CaseOf(h.kase));
  for (size_t i : {2, 4}) {
    CHECK(events[i].personal.erased);
    CHECK_FALSE(events[i].personal.text.has_value());
  }
}

TEST_CASE("a note needs text of at most 20000 characters, on a known case", "[domain][case]") {
  // Given a case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When a note has no, blank or too long text, a too long strand id, or no case
  // Then each is refused naming the field
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, "", ""}, "validation"), "text"));
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, "  \n ", ""}, "validation"), "text"));
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, std::string(20001, 'n'), ""}, "validation"),
                   "text"));
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, "text", std::string(65, 's')}, "validation"),
                   "strand_id"));
  CHECK(NamesField(Refused(d, "officer", AddNote{"", "text", ""}, "validation"), "case_id"));
  // And an unknown case is not found, and 20000 characters are fine
  Refused(d, "officer", AddNote{"nosuchcase", "text", ""}, "not-found");
  Ok(d, "officer", AddNote{kase, std::string(20000, 'n'), ""});
  CHECK(d.Case(kase).notes == 1);
}

TEST_CASE("a note or an action naming a strand the case does not have is not-found",
          "[domain][case]") {
  // Given a case without strands
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When a note or an action names a strand
  // Then each is not found
  Refused(d, "officer", AddNote{kase, "about the application", "strand1"}, "not-found");
  Refused(d, "officer", CreateAction{kase, "verify income", "", "strand1"}, "not-found");
  // And even an id the fixture really handed out (the case's own) names no strand
  Refused(d, "officer", AddNote{kase, "about the application", kase}, "not-found");
  CaseState k = d.Case(kase);
  CHECK(k.notes == 0);
  CHECK(k.actions.empty());
}

TEST_CASE("a note or an action may name a strand of its own case, not one of another case",
          "[domain][case]") {
  // Given a client with two cases, a strand on the first
  DomainFixture d;
  auto [client, kase] = d.Register();
  const std::string other = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const std::string strand =
      Ok(d, "officer", AddStrand{kase, "risk_assessment"}).response["strand_id"];
  // When a note and an action name the strand on its own case
  // Then they go through, naming it
  Ok(d, "officer", AddNote{kase, "about the assessment", strand});
  CHECK(d.Events(CaseOf(kase)).back().strand_id == strand);
  const std::string action =
      Ok(d, "officer", CreateAction{kase, "review risk", "2026-12-01", strand})
          .response["action_id"];
  CaseState k = d.Case(kase);
  CHECK(k.notes == 1);
  CHECK(k.Action(action)->strand_id == strand);
  CHECK(d.Events(CaseOf(kase)).back().strand_id == strand);
  // And on another case they are not found
  Refused(d, "officer", AddNote{other, "about the assessment", strand}, "not-found");
  Refused(d, "officer", CreateAction{other, "review risk", "", strand}, "not-found");
  CHECK(d.Case(other).notes == 0);
}
