// Tests of the list read models across failures and restarts: events they cannot decode are
// skipped, rows load after a restart and answer the same, and a rebuild gives identical rows.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "projections/client_search.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_lists_support.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::read_models_lists::ByName;
using caseengine::testing::read_models_lists::Harness;
using caseengine::testing::read_models_lists::Lists;
using caseengine::testing::read_models_lists::Lobby;
using caseengine::testing::read_models_lists::Officers;
using caseengine::testing::read_models_lists::People;
using caseengine::testing::read_models_lists::Search;

// A caseload touching every read model: officers and teams, people who join, leave and
// come back, a primary applicant switch, corrections, soft deletes and a restore, an
// erasure, and Lobby records in every state (one removed).
void Scenario(Harness& h) {
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03");
  auto [b, cb] = h.Register("Okafor", "Tunde", "1982-07-01");
  auto [c, cc] = h.Register("Nowak", "Ewa", "1990-11-30");
  auto [d, cd] = h.Register("Quillfeather", "Rowan", "1975-05-05");
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  h.Ok("officer", AssignOfficer{ca, "admin", "supervisor"});
  h.Ok("officer", AssignOfficer{cc, "supervisor", "other"});
  h.Ok("officer", AssignTeam{cc, "allocations"});
  h.Ok("officer", AddPerson{ca, b, "partner", true, "2026-01-10"});
  h.Ok("officer", AddPerson{ca, d, "other", false, "2026-01-10"});
  h.Ok("officer", PersonLeaves{ca, b, "2026-03-01"});
  h.Ok("officer", AddPerson{ca, b, "partner", false, "2026-05-01"});
  h.Ok("officer", SwitchPrimaryApplicant{ca, b});
  h.Ok("officer", CloseCase{cb, "housed"});
  CorrectClientDetails fix;
  fix.client_id = c;
  fix.personal.surname = "Nowak-Lis";
  h.Ok("officer", fix);
  const std::string second = h.Ok("officer", OpenCase{c}).response["case_id"];
  h.Ok("supervisor", DeleteCase{second});
  h.Ok("supervisor", DeleteClient{b, DeleteMode::kSoft});
  h.Ok("admin", RestoreClient{b});
  h.Ok("supervisor", DeleteClient{c, DeleteMode::kSoft});
  h.Ok("admin", DeleteClient{d, DeleteMode::kErase});
  const std::string l1 = h.Referral("self", "Ashdown");
  const std::string l2 = h.Referral("duty_to_refer", "Brightwell");
  const std::string l3 = h.Referral("third_party", "Calloway");
  const std::string l4 = h.Referral("provider", "Dunmore");
  h.Referral("self", "Everly");
  h.Ok("officer", ClaimLobbyRecord{l1});
  h.Ok("officer", ClaimLobbyRecord{l2});
  h.Ok("officer", AssignLobbyRecord{l2, a});
  h.Ok("supervisor", ClaimLobbyRecord{l3});
  h.Ok("supervisor", CreateClientFromLobby{l3});
  h.Ok("officer", ClaimLobbyRecord{l4});
  h.Ok("officer", RemoveLobbyRecord{l4});
}

// What each read model answers to a spread of queries, as JSON, for comparisons.
nlohmann::json Answers(const Lists& l) {
  nlohmann::json out = nlohmann::json::array();
  auto page = [](const ListPage& p) {
    return nlohmann::json{{"rows", p.rows}, {"total", p.total}, {"next", p.next_cursor}};
  };
  out.push_back(page(Officers(l)));
  out.push_back(page(Officers(l, {{"officer", "supervisor"}})));
  out.push_back(page(Officers(l, {}, "officer")));
  out.push_back(page(People(l)));
  out.push_back(page(People(l, {{"current", "true"}})));
  out.push_back(page(Lobby(l, {{"status", "all"}})));
  out.push_back(Search(l, ByName("okafor")));
  out.push_back(Search(l, ByName("Nowak")));
  ClientSearchQuery dob;
  dob.date_of_birth = "1980-02-03";
  out.push_back(Search(l, dob));
  PersonalFields referral;
  referral.surname = "Okafore";
  referral.date_of_birth = "1980-03-02";
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& [id, p] : l.search.search().Candidates(referral)) candidates.push_back(id);
  out.push_back(candidates);
  return out;
}

}  // namespace

TEST_CASE("list read models skip events they cannot decode", "[read-models]") {
  // Given the list read models caught up with a registration
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  h.Sync();
  const nlohmann::json before = Answers(h.lists);
  // When the log gets an event type this build does not know, and known types whose payloads are
  // not one
  for (const auto& [stream, type] :
       std::vector<std::pair<std::string, std::string>>{{"client-" + a, "SomethingHappened"},
                                                        {"case-" + ca, "CaseDeleted"},
                                                        {"client-" + a, "ClientDeleted"},
                                                        {"lobby-none", "LobbyRecordRemoved"}}) {
    REQUIRE(
        h.fx.log->Append(OneEvent(stream, ExpectedVersion::Any(), type, "not a body")).status.ok());
  }
  // Then the read models skip them, applying past them, and answer as before
  h.Sync();
  CHECK(h.runner->Stats().undecodable == 4);
  CHECK(h.runner->Applied() == h.fx.Head());
  CHECK(Answers(h.lists).dump() == before.dump());
}

TEST_CASE("list read models load their rows after a restart and answer the same", "[read-models]") {
  // Given the list read models after a caseload touching every one of them
  Harness h;
  Scenario(h);
  h.Sync();
  const nlohmann::json before = Answers(h.lists);

  // When another runner opens their store
  // Then it loads their rows and answers the same
  Lists fresh;
  auto second = h.OpenRunner(&fresh);
  CHECK(Answers(fresh).dump() == before.dump());
  CHECK(fresh.officers.officers().size() == h.lists.officers.officers().size());
  CHECK(fresh.people.people().size() == h.lists.people.people().size());
  CHECK(fresh.search.search().size() == h.lists.search.search().size());
  CHECK(fresh.lobby.queue().size() == h.lists.lobby.queue().size());

  // And both go on from there alike (the first runner stops writing: one writer per store)
  h.runner.reset();
  auto [client, kase] = h.Register("Okafor", "Ngozi", "1980-02-03");
  auto [child, child_case] = h.Register("Okafor", "Chidi", "2015-06-01");
  h.Ok("officer", AssignOfficer{kase, "supervisor", "other"});
  h.Ok("officer", AddPerson{kase, child, "child", false, ""});
  REQUIRE(second->CatchUp().ok());
  Lists third;
  auto third_runner = h.OpenRunner(&third);
  CHECK(Answers(third).dump() == Answers(fresh).dump());
}

TEST_CASE("a rebuild of the list read models gives identical rows", "[read-models]") {
  // Given the list read models after a caseload touching every one of them
  Harness h;
  Scenario(h);
  h.Sync();
  std::vector<std::map<std::string, std::string>> before;
  for (const Projection* p : h.lists.All()) before.push_back(h.Family(*p));
  const nlohmann::json answers = Answers(h.lists);
  REQUIRE_FALSE(before[0].empty());

  // When they are rebuilt
  Status s = h.runner->Rebuild({});
  INFO(s.ToString());
  REQUIRE(s.ok());
  // Then every row is the same, and so is every answer
  for (size_t i = 0; i < before.size(); ++i) {
    INFO(h.lists.All()[i]->name());
    const auto after = h.Family(*h.lists.All()[i]);
    CHECK(after.size() == before[i].size());
    CHECK(after == before[i]);
  }
  CHECK(Answers(h.lists).dump() == answers.dump());
}
