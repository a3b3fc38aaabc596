// Tests of the case people list read model: stays and the primary applicant switch.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "projections/case_officers.h"
#include "projections/case_people.h"
#include "projections/lobby_queue.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_lists_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::read_models_lists::Harness;
using caseengine::testing::read_models_lists::People;

}  // namespace

TEST_CASE("case people list follows stays and the primary applicant switch", "[read-models]") {
  // Given a case with a partner and a child who left and came back
  Harness h;
  auto [a, ca] = h.Register("Okafor", "Grace");
  auto [b, cb] = h.Register("Okafor", "Tunde");
  auto [c, cc] = h.Register("Okafor", "Ada");
  h.Ok("officer", AddPerson{ca, b, "partner", true, "2026-01-10"});
  h.Ok("officer", AddPerson{ca, c, "child", false, "2026-01-10"});
  h.Ok("officer", PersonLeaves{ca, c, "2026-03-01"});
  h.Ok("officer", AddPerson{ca, c, "child", false, "2026-05-01"});
  h.Sync();

  // When the list is read by case, client and whether current
  // Then it has a row per stay with its dates, relationship and the client's names
  ListPage all = People(h.lists, {{"case_id", ca}});
  CHECK(all.columns == CasePeople::ColumnNames());
  CHECK(all.total == 4);
  ListPage stays = People(h.lists, {{"case_id", ca}, {"client_id", c}});
  REQUIRE(stays.rows.size() == 2);
  CHECK(stays.rows[0]["stay_id"] == ca + "/" + c + "/1");
  CHECK(stays.rows[0]["date_joined"] == "2026-01-10");
  CHECK(stays.rows[0]["date_left"] == "2026-03-01");
  CHECK(stays.rows[0]["current"] == false);
  CHECK(stays.rows[1]["stay_id"] == ca + "/" + c + "/2");
  CHECK(stays.rows[1]["current"] == true);
  CHECK(stays.rows[1]["relationship"] == "child");
  CHECK(stays.rows[1]["surname"] == "Okafor");
  CHECK(stays.rows[1]["forenames"] == "Ada");
  CHECK(People(h.lists, {{"client_id", c}}).total == 3);  // two stays here, self on cc
  CHECK(People(h.lists, {{"case_id", ca}, {"current", "true"}}).total == 3);
  CHECK(People(h.lists, {{"current", "false"}}).total == 1);

  // When the partner becomes primary applicant and their forenames are corrected
  // Then the current rows follow, and the names are joined from the client row
  h.Ok("officer", SwitchPrimaryApplicant{ca, b});
  CorrectClientDetails fix;
  fix.client_id = b;
  fix.personal.forenames = "Babatunde";
  h.Ok("officer", fix);
  h.Sync();
  ListRequest by_client;
  by_client.sort = "client_id,date_joined";
  ListPage after = People(h.lists, {{"case_id", ca}, {"current", "true"}}, by_client);
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& r : after.rows) by_id[r["client_id"]] = r;
  CHECK(by_id[a]["relationship"] == "other");
  CHECK(by_id[b]["relationship"] == "self");
  CHECK(by_id[b]["joint_applicant"] == false);
  CHECK(by_id[b]["forenames"] == "Babatunde");  // joined from the client row
  // And those who left keep what they had
  CHECK(People(h.lists, {{"case_id", ca}, {"current", "false"}}).rows[0]["relationship"] ==
        "child");

  // And bad filters are refused
  CasePeopleQuery bad;
  ListPage page;
  bad.filters = {{"current", "maybe"}};
  CHECK(h.lists.people.people().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters = {{"officer", "x"}};
  CHECK(h.lists.people.people().Query(bad, &page).code() == Status::Code::kInvalidArgument);
}
