// Tests of the case officers list read model: a row per assignment narrowed by each filter,
// workload counts grouped by officer, exact through many unassignments, and paging that
// neither repeats nor skips rows while writes happen.
#include <catch2/catch.hpp>
#include <set>
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
using caseengine::testing::read_models_lists::Lists;
using caseengine::testing::read_models_lists::Officers;

nlohmann::json GroupOf(const ListPage& page, const std::string& officer) {
  for (const auto& row : page.rows) {
    if (row.at("officer") == officer) return row;
  }
  FAIL("no workload row for " << officer);
  return {};
}

}  // namespace

TEST_CASE("case officers list has a row per assignment and each filter narrows it",
          "[read-models]") {
  // Given two cases with officers in several roles, one moved to another team and closed
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  auto [b, cb] = h.Register("Nowak");
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  h.Ok("officer", AssignOfficer{ca, "admin", "supervisor"});
  h.Ok("officer", AssignOfficer{cb, "supervisor", "other"});
  h.Ok("officer", AssignTeam{cb, "allocations"});
  h.Ok("officer", CloseCase{cb, "housed"});
  h.Sync();

  // When the list is read whole and by each filter
  // Then it has a row per assignment with the case's facts, each filter narrowing it
  ListPage all = Officers(h.lists);
  CHECK(all.total == 5);
  CHECK(all.columns == CaseOfficers::ColumnNames());
  CHECK(all.columns.front() == "assignment_id");
  ListPage one = Officers(h.lists, {{"case_id", ca}, {"officer", "supervisor"}});
  REQUIRE(one.rows.size() == 1);
  const auto& row = one.rows[0];
  CHECK(row["assignment_id"] == ca + "/supervisor/secondary");
  CHECK(row["case_id"] == ca);
  CHECK(row["user_id"] == "supervisor");
  CHECK(row["role"] == "secondary");
  CHECK(row["case_status"] == "open");
  CHECK(row["team_id"] == "housing-options");
  CHECK(row["client_id"] == a);
  CHECK(row["opened_on"] == DomainFixture::kToday);

  CHECK(Officers(h.lists, {{"officer", "supervisor"}}).total == 2);
  CHECK(Officers(h.lists, {{"officer", "nobody"}}).total == 0);
  CHECK(Officers(h.lists, {{"case_id", ca}}).total == 3);
  CHECK(Officers(h.lists, {{"role", "primary"}}).total == 2);
  CHECK(Column(Officers(h.lists, {{"role", "primary"}}), "user_id") ==
        std::vector<std::string>{"officer", "officer"});
  CHECK(Column(Officers(h.lists, {{"team", "allocations"}}), "case_id") ==
        std::vector<std::string>{cb, cb});
  CHECK(Column(Officers(h.lists, {{"case_status", "closed"}}), "case_id") ==
        std::vector<std::string>{cb, cb});
  CHECK(Officers(h.lists, {{"case_status", "open"}, {"role", "supervisor"}}).total == 1);

  // When the case is reopened and given a new team, and an officer unassigned
  // Then that shows in every row of the case
  h.Ok("officer", ReopenCase{cb, "back"});
  h.Ok("officer", AssignTeam{cb, "housing-options"});
  h.Ok("officer", UnassignOfficer{ca, "admin", "supervisor"});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_status", "closed"}}).total == 0);
  CHECK(Officers(h.lists, {{"team", "allocations"}}).total == 0);
  CHECK(Officers(h.lists).total == 4);
  CHECK(Officers(h.lists, {{"officer", "admin"}}).total == 0);

  // And unknown filters and groupings are refused
  CaseOfficersQuery bad;
  ListPage page;
  bad.filters = {{"colour", "red"}};
  CHECK(h.lists.officers.officers().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters.clear();
  bad.group_by = "team";
  CHECK(h.lists.officers.officers().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  CHECK_FALSE(h.lists.officers.personal());
}

TEST_CASE("case officers grouped by officer give workload counts", "[read-models]") {
  // Given two cases, one closed, with officers in several roles
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  auto [b, cb] = h.Register("Nowak");
  h.Ok("officer", AssignOfficer{ca, "officer", "secondary"});  // a second role, same case
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  h.Ok("officer", AssignOfficer{cb, "supervisor", "other"});
  h.Ok("officer", AssignOfficer{ca, "admin", "supervisor"});
  h.Ok("officer", CloseCase{cb, "housed"});
  h.Sync();

  // When the list is grouped by officer
  // Then each officer's row counts their cases, open cases, assignments and roles
  ListPage groups = Officers(h.lists, {}, "officer");
  CHECK(groups.columns == CaseOfficers::GroupColumnNames());
  CHECK(Column(groups, "officer") == std::vector<std::string>{"admin", "officer", "supervisor"});
  const auto officer = GroupOf(groups, "officer");
  CHECK(officer["cases"] == 2);
  CHECK(officer["open_cases"] == 1);
  CHECK(officer["assignments"] == 3);
  CHECK(officer["primary"] == 2);
  CHECK(officer["secondary"] == 1);
  CHECK(officer["supervisor"] == 0);
  CHECK(officer["other"] == 0);
  const auto supervisor = GroupOf(groups, "supervisor");
  CHECK(supervisor["cases"] == 2);
  CHECK(supervisor["open_cases"] == 1);
  CHECK(supervisor["assignments"] == 2);
  CHECK(supervisor["secondary"] == 1);
  CHECK(supervisor["other"] == 1);
  const auto admin = GroupOf(groups, "admin");
  CHECK(admin["cases"] == 1);
  CHECK(admin["open_cases"] == 1);
  CHECK(admin["supervisor"] == 1);

  // And filters apply before grouping
  ListPage open = Officers(h.lists, {{"case_status", "open"}}, "officer");
  CHECK(GroupOf(open, "officer")["assignments"] == 2);
  CHECK(GroupOf(open, "supervisor")["cases"] == 1);
  ListPage primary = Officers(h.lists, {{"role", "primary"}}, "officer");
  CHECK(Column(primary, "officer") == std::vector<std::string>{"officer"});

  // And groups are sorted and paged like any list
  ListRequest by_load;
  by_load.sort = "-assignments";
  CHECK(Column(Officers(h.lists, {}, "officer", by_load), "officer") ==
        std::vector<std::string>{"officer", "supervisor", "admin"});
  ListRequest paged;
  paged.sort = "-open_cases,officer";
  paged.limit = 2;
  paged.columns = "officer,open_cases";
  ListPage first = Officers(h.lists, {}, "officer", paged);
  CHECK(first.columns == std::vector<std::string>{"officer", "open_cases"});
  CHECK(Column(first, "officer") == std::vector<std::string>{"admin", "officer"});
  REQUIRE_FALSE(first.next_cursor.empty());
  paged.cursor = first.next_cursor;
  ListPage second = Officers(h.lists, {}, "officer", paged);
  CHECK(Column(second, "officer") == std::vector<std::string>{"supervisor"});
  CHECK(second.next_cursor.empty());
}

TEST_CASE("case officers stay exact through many unassignments", "[read-models]") {
  // Given enough unassignments that the read model compacts what it scans at least once
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  auto [b, cb] = h.Register("Nowak");
  for (int i = 0; i < 1100; ++i) {
    const std::string& kase = i % 2 == 0 ? ca : cb;
    const std::string role = i % 3 == 0 ? "secondary" : "other";
    h.Ok("officer", AssignOfficer{kase, "supervisor", role});
    h.Ok("officer", AssignOfficer{kase, "officer", "supervisor"});
    h.Ok("officer", UnassignOfficer{kase, "supervisor", role});
    h.Ok("officer", UnassignOfficer{kase, "officer", "supervisor"});
    if (i % 200 == 0) h.Sync();
  }
  // When the last assignments and an unassignment follow
  h.Ok("officer", AssignOfficer{ca, "officer", "secondary"});
  h.Ok("officer", AssignOfficer{cb, "supervisor", "other"});
  h.Ok("officer", UnassignOfficer{ca, "officer", "primary"});  // the case's first for officer
  h.Sync();

  // Then the list and the workloads are exact
  CHECK(Column(Officers(h.lists), "assignment_id") ==
        std::vector<std::string>{ca + "/officer/secondary", cb + "/officer/primary",
                                 cb + "/supervisor/other"});
  ListPage groups = Officers(h.lists, {}, "officer");
  CHECK(GroupOf(groups, "officer")["cases"] == 2);
  CHECK(GroupOf(groups, "officer")["assignments"] == 2);
  CHECK(GroupOf(groups, "supervisor")["cases"] == 1);

  // And a runner that loads the rows answers the same
  Lists fresh;
  auto second = h.OpenRunner(&fresh);
  CHECK(Officers(fresh, {}, "officer").rows == groups.rows);
  CHECK(Officers(fresh).rows == Officers(h.lists).rows);
}

TEST_CASE("case officers paging with a cursor neither repeats nor skips rows while writes happen",
          "[read-models]") {
  // Given twelve cases and eighteen assignments
  Harness h;
  std::vector<std::string> cases;
  for (int i = 0; i < 12; ++i)
    cases.push_back(h.Register("Client" + std::string(1, 'a' + i)).second);
  for (int i = 0; i < 12; i += 2) h.Ok("officer", AssignOfficer{cases[i], "supervisor", "other"});
  h.Sync();
  ListRequest everything;
  everything.limit = 1000;
  std::set<std::string> before;
  for (const auto& id : Column(Officers(h.lists, {}, "", everything), "assignment_id")) {
    before.insert(id);
  }
  REQUIRE(before.size() == 18);

  // When the list is paged five rows at a time, with writes between the pages
  ListRequest req;
  req.limit = 5;
  req.sort = "-case_id";
  std::vector<std::string> seen;
  int pages = 0, extra = 0;
  while (true) {
    ListPage page = Officers(h.lists, {}, "", req);
    for (const auto& id : Column(page, "assignment_id")) seen.push_back(id);
    ++pages;
    // Writes between pages: new rows on both sides of the cursor, and changes to rows
    // (a closed case) that do not move them in this order.
    auto [client, kase] = h.Register("Later" + std::string(1, 'a' + extra++));
    h.Ok("officer", AssignOfficer{cases[pages % 12], "admin", "secondary"});
    h.Ok("officer", CloseCase{cases[(pages * 5) % 12], "done"});
    h.Sync();
    if (page.next_cursor.empty()) break;
    req.cursor = page.next_cursor;
    REQUIRE(pages < 50);
  }
  // Then nothing is repeated and nothing that was there before is skipped
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());  // nothing repeated
  for (const auto& id : before) {
    INFO(id);
    CHECK(unique.count(id) == 1);  // nothing that was there before was skipped
  }
}
