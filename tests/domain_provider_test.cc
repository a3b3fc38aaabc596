// Given/When/Then tests of provider users (HRS Lobby: referral partners "may update tasks
// subject to their permissions"): a provider refers for its organisation, works only on
// the cases made of its referrals, and on tasks only as each task's Provider Access allows.
#include <catch2/catch.hpp>
#include <string>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;

namespace {

ReceiveReferral ProviderReferral() {
  ReceiveReferral r;
  r.source = "provider";
  r.personal.surname = "Sheltered";
  return r;
}

// A case made from the provider's referral, with the demo's settings loaded.
std::string ProvidersCase(DomainFixture& d) {
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
  const std::string lobby = Ok(d, "provider", ProviderReferral()).response["lobby_id"];
  Ok(d, "officer", ClaimLobbyRecord{lobby});
  return Ok(d, "officer", CreateClientFromLobby{lobby}).response["case_id"];
}

const CaseTask* OfType(const CaseState& s, const std::string& type) {
  for (const auto& t : s.tasks) {
    if (t.type_id == type) return &t;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a provider refers for its organisation, with source provider", "[domain][provider]") {
  DomainFixture d;
  const std::string lobby = Ok(d, "provider", ProviderReferral()).response["lobby_id"];
  const auto events = d.Events(LobbyStream(lobby));
  REQUIRE(events.size() == 1);
  CHECK(events[0].organisation == "partner-shelter");
  ReceiveReferral self = ProviderReferral();
  self.source = "self";
  CHECK(NamesField(Refused(d, "provider", self, "validation"), "source"));
}

TEST_CASE("a provider registers no client and sends no casework command", "[domain][provider]") {
  DomainFixture d;
  const std::string kase = ProvidersCase(d);
  RegisterClient reg;
  reg.personal.surname = "X";
  reg.personal.date_of_birth = "1990-01-01";
  Refused(d, "provider", reg, "forbidden");
  Refused(d, "provider", AddNote{kase, "note", ""}, "forbidden");
  Refused(d, "provider", CloseCase{kase, "done"}, "forbidden");
  AddTask add;
  add.case_id = kase;
  add.title = "x";
  Refused(d, "provider", add, "forbidden");
}

TEST_CASE("a provider completes a task only where its provider access is full",
          "[domain][provider]") {
  DomainFixture d;
  const std::string kase = ProvidersCase(d);
  Ok(d, "officer", AddStrand{kase, "homeless_application"});
  const CaseState s = d.Case(kase);
  const CaseTask* full = OfType(s, "support_needs");    // Full
  const CaseTask* read_only = OfType(s, "draft_php");   // Read Only
  const CaseTask* none = OfType(s, "verify_identity");  // None
  REQUIRE((full && read_only && none));
  // Full: the provider starts and completes it, recorded as done by the provider
  Ok(d, "provider", StartTask{kase, full->id});
  Ok(d, "provider", CompleteTask{kase, full->id});
  const CaseTask* done = d.Case(kase).Task(full->id);
  CHECK(done->done_by == TaskDoneBy::kProvider);
  CHECK(done->done_by_user == "provider");
  // Read Only: visible, not changed (409 naming the rule)
  CHECK(Refused(d, "provider", CompleteTask{kase, read_only->id}, "rule-violated").rejection.rule ==
        "provider-access-read-only");
  // None: invisible, as if it did not exist
  Refused(d, "provider", CompleteTask{kase, none->id}, "not-found");
}

TEST_CASE("a provider does not reach the cases of others", "[domain][provider]") {
  DomainFixture d;
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
  const std::string kase = d.Register().second;  // an officer's client: not the provider's
  const CaseState s = d.Case(kase);
  const CaseTask* answer = OfType(s, "provide_id");
  REQUIRE(answer != nullptr);
  Refused(d, "provider", CompleteTask{kase, answer->id}, "not-found");
  Refused(d, "provider", StartTask{kase, answer->id}, "not-found");
}
