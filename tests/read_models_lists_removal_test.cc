// Tests of soft deletion and erasure in the list read models: hidden rows brought back by a
// restore, and an erased name left nowhere in the read models.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "projections/client_search.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_lists_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::read_models_lists::ByName;
using caseengine::testing::read_models_lists::ClientIds;
using caseengine::testing::read_models_lists::Harness;
using caseengine::testing::read_models_lists::Officers;
using caseengine::testing::read_models_lists::People;
using caseengine::testing::read_models_lists::Search;

}  // namespace

TEST_CASE("soft delete hides rows and restore brings them back", "[read-models]") {
  // Given a client on its own case and on another client's case, and a second case of that other
  // client
  Harness h;
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03");
  auto [b, cb] = h.Register("Nowak", "Ewa");
  h.Ok("officer", AddPerson{cb, a, "sibling", false, "2026-01-10"});
  const std::string extra = h.Ok("officer", OpenCase{b}).response["case_id"];
  h.Sync();
  REQUIRE(Officers(h.lists, {{"case_id", ca}}).total == 1);
  REQUIRE(People(h.lists, {{"client_id", a}}).total == 2);
  REQUIRE(ClientIds(Search(h.lists, ByName("okafor"))) == std::vector<std::string>{a});

  // When a case is deleted on its own
  // Then its rows leave the lists and the other cases' stay
  h.Ok("supervisor", DeleteCase{extra});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_id", extra}}).total == 0);
  CHECK(People(h.lists, {{"case_id", extra}}).total == 0);
  CHECK(Officers(h.lists, {{"case_id", cb}}).total == 1);

  // When a client is soft-deleted with its cases
  // Then its cases' rows leave the lists
  h.Ok("supervisor", DeleteClient{a, DeleteMode::kSoft});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_id", ca}}).total == 0);
  CHECK(Officers(h.lists, {}, "officer").rows[0]["cases"] == 1);
  CHECK(People(h.lists, {{"case_id", ca}}).total == 0);
  // And it is on no other client's live case either: a soft-deleted person is in no list, search or
  // candidates
  CHECK(People(h.lists, {{"client_id", a}}).total == 0);
  CHECK(People(h.lists, {{"case_id", cb}}).total == 1);
  CHECK(Search(h.lists, ByName("okafor")).empty());
  ClientSearchQuery dob;
  dob.date_of_birth = "1980-02-03";
  CHECK(Search(h.lists, dob).empty());
  PersonalFields referral;
  referral.surname = "Okafor";
  CHECK(h.lists.search.search().Candidates(referral).empty());

  // When the administrator restores it
  // Then every row and search comes back
  h.Ok("admin", RestoreClient{a});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_id", ca}}).total == 1);
  CHECK(Officers(h.lists, {}, "officer").rows[0]["cases"] == 2);
  CHECK(People(h.lists, {{"case_id", ca}}).total == 1);
  CHECK(People(h.lists, {{"client_id", a}}).total == 2);
  CHECK(ClientIds(Search(h.lists, ByName("okafor"))) == std::vector<std::string>{a});
  CHECK(ClientIds(Search(h.lists, dob)) == std::vector<std::string>{a});
}

TEST_CASE("erasure removes rows and leaves the name nowhere in the read models", "[read-models]") {
  // Given clients on their own cases and on another's
  Harness h;
  auto [a, ca] = h.Register("Zyxwarden", "Grace", "1980-02-03");
  auto [b, cb] = h.Register("Nowak", "Ewa");
  auto [c, cc] = h.Register("Xylocarp", "Ira");
  h.Ok("officer", AddPerson{cb, a, "sibling", false, "2026-01-10"});
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  const std::string second = h.Ok("officer", OpenCase{a}).response["case_id"];
  // And a client that came from the Lobby: once it is erased, its referral's row keeps no
  // name
  const std::string lobby = h.Referral("self", "Vantablack");
  h.Ok("officer", ClaimLobbyRecord{lobby});
  const std::string from_lobby =
      h.Ok("officer", CreateClientFromLobby{lobby}).response["client_id"];
  h.Sync();
  REQUIRE(h.AnyValueHas(h.lists.people, "Zyxwarden"));
  REQUIRE(h.AnyValueHas(h.lists.search, "Zyxwarden"));
  REQUIRE(h.AnyValueHas(h.lists.lobby, "Vantablack"));

  // When they are erased, one after a soft delete
  h.Ok("admin", DeleteClient{a, DeleteMode::kErase});
  // Soft-deleted first, then erased: its cases get no CaseDeleted of their own.
  h.Ok("supervisor", DeleteClient{c, DeleteMode::kSoft});
  h.Ok("admin", DeleteClient{c, DeleteMode::kErase});
  h.Ok("admin", DeleteClient{from_lobby, DeleteMode::kErase});
  h.Sync();

  // Then their cases' rows are gone
  for (const std::string& kase : {ca, second, cc}) {
    INFO(kase);
    CHECK(Officers(h.lists, {{"case_id", kase}}).total == 0);
    CHECK(People(h.lists, {{"case_id", kase}}).total == 0);
    for (const auto& [key, value] : h.Family(h.lists.officers)) {
      CHECK(key.find(kase + "/") == std::string::npos);
      CHECK(key != "k/" + kase);
    }
  }
  CHECK(Officers(h.lists, {{"case_id", cb}}).total == 1);
  // And the erased person's stay on someone else's case stays, without a name
  ListPage stay = People(h.lists, {{"client_id", a}});
  REQUIRE(stay.rows.size() == 1);
  CHECK(stay.rows[0]["case_id"] == cb);
  CHECK(stay.rows[0]["surname"] == "");
  CHECK(Search(h.lists, ByName("Zyxwarden")).empty());
  CHECK(Search(h.lists, ByName("Xylocarp")).empty());
  CHECK(h.lists.search.search().size() == 1);  // b alone
  // And the referral the client came from is erased with it, and leaves the queue
  nlohmann::json row;
  CHECK_FALSE(h.lists.lobby.queue().Get(lobby, &row));
  // And no read model holds any of their names
  for (const Projection* p : h.lists.All()) {
    INFO(p->name());
    CHECK_FALSE(h.AnyValueHas(*p, "Zyxwarden"));
    CHECK_FALSE(h.AnyValueHas(*p, "Xylocarp"));
    CHECK_FALSE(h.AnyValueHas(*p, "Vantablack"));
  }
}
