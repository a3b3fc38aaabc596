// Tests of the Lobby queue read model: waiting records oldest first, and a removed record
// leaving it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "projections/case_officers.h"
#include "projections/case_people.h"
#include "projections/lobby_queue.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_lists_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::read_models_lists::Column;
using caseengine::testing::read_models_lists::Harness;
using caseengine::testing::read_models_lists::Lobby;

}  // namespace

TEST_CASE("lobby queue shows waiting records oldest first and a removed record leaves it",
          "[read-models]") {
  // Given five referrals: two waiting, one claimed, one assigned to a client and one made a client
  Harness h;
  auto [client, kase] = h.Register("Okafor");
  const std::string l1 = h.Referral("self", "Ashdown");
  const std::string l2 = h.Referral("duty_to_refer", "Brightwell");
  const std::string l3 = h.Referral("third_party", "Calloway");
  const std::string l4 = h.Referral("provider", "Dunmore");
  const std::string l5 = h.Referral("self", "Everly");
  h.Ok("officer", ClaimLobbyRecord{l1});
  h.Ok("officer", ClaimLobbyRecord{l2});
  h.Ok("officer", AssignLobbyRecord{l2, client});
  h.Ok("supervisor", ClaimLobbyRecord{l3});
  const std::string created = h.Ok("supervisor", CreateClientFromLobby{l3}).response["client_id"];
  h.Sync();

  // When the queue is read
  // Then it shows the waiting and claimed records oldest first, with their details
  ListPage waiting = Lobby(h.lists);
  CHECK(waiting.columns == LobbyQueue::ColumnNames());
  CHECK(Column(waiting, "lobby_id") == std::vector<std::string>{l1, l4, l5});
  const auto times = Column(waiting, "received_at");
  CHECK(std::is_sorted(times.begin(), times.end()));
  for (const auto& t : times) {
    CHECK(t.size() == 27);  // 2026-11-22T10:15:30.123456Z
    CHECK(t.back() == 'Z');
  }
  CHECK(waiting.rows[0]["status"] == "claimed");
  CHECK(waiting.rows[0]["claimed_by"] == "officer");
  CHECK(waiting.rows[0]["surname"] == "Ashdown");
  CHECK(waiting.rows[0]["forenames"] == "Sam");
  CHECK(waiting.rows[0]["date_of_birth"] == "1992-09-09");
  CHECK(waiting.rows[0]["postcode"] == "N1 9GU");
  CHECK(waiting.rows[0]["referrer"] == "Probation Service");
  // And it filters by status, source and who claimed, and reads one record
  CHECK(Lobby(h.lists, {{"status", "all"}}).total == 5);
  CHECK(Lobby(h.lists, {{"status", "received"}}).total == 2);
  ListPage assigned = Lobby(h.lists, {{"status", "assigned"}});
  REQUIRE(assigned.rows.size() == 1);
  CHECK(assigned.rows[0]["client_id"] == client);
  CHECK(assigned.rows[0]["case_id"] != "");
  ListPage made = Lobby(h.lists, {{"status", "created"}});
  REQUIRE(made.rows.size() == 1);
  CHECK(made.rows[0]["client_id"] == created);
  CHECK(Column(Lobby(h.lists, {{"source", "self"}}), "lobby_id") ==
        std::vector<std::string>{l1, l5});
  CHECK(Column(Lobby(h.lists, {{"status", "all"}, {"claimed_by", "supervisor"}}), "lobby_id") ==
        std::vector<std::string>{l3});
  nlohmann::json row;
  REQUIRE(h.lists.lobby.queue().Get(l4, &row));
  CHECK(row["source"] == "provider");
  CHECK(row["status"] == "received");
  CHECK_FALSE(h.lists.lobby.queue().Get("no-such-record", &row));

  // When a record is claimed and removed
  // Then it leaves the queue, its name with it
  h.Ok("officer", ClaimLobbyRecord{l4});
  h.Ok("officer", RemoveLobbyRecord{l4});
  h.Sync();
  CHECK(Column(Lobby(h.lists), "lobby_id") == std::vector<std::string>{l1, l5});
  CHECK(Lobby(h.lists, {{"status", "all"}}).total == 4);
  CHECK_FALSE(h.lists.lobby.queue().Get(l4, &row));
  CHECK_FALSE(h.AnyValueHas(h.lists.lobby, "Dunmore"));
  for (const auto& [key, value] : h.Family(h.lists.lobby)) CHECK(key != "l/" + l4);

  // And bad filters are refused
  LobbyQueueQuery bad;
  ListPage page;
  bad.filters = {{"status", "removed"}};
  CHECK(h.lists.lobby.queue().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters = {{"officer", "x"}};
  CHECK(h.lists.lobby.queue().Query(bad, &page).code() == Status::Code::kInvalidArgument);
}
