// Tests of the officers' workloads (GET /case-officers?group_by=officer) read from the
// totals the case officers read model keeps as cases change: after random casework with
// assignments, closures, deletions, restorations and erasures, and after a reload, every
// workload, whole or by case status or officer, is what counting the assignment rows
// gives.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>

#include "projections/case_officers.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/projection_runner_support.h"

namespace caseengine::testing {
namespace {

using projection_runner::CaughtUp;
using projection_runner::ReadModelStore;

ListPage Query(const CaseOfficersProjection& p, std::map<std::string, std::string> filters,
               bool grouped) {
  CaseOfficersQuery q;
  q.filters = std::move(filters);
  if (grouped) q.group_by = "officer";
  q.list.limit = 1000;
  ListPage page;
  REQUIRE(p.officers().Query(q, &page).ok());
  return page;
}

// The workloads counted from the assignment rows the same filters give.
nlohmann::json Counted(const CaseOfficersProjection& p, std::map<std::string, std::string> f) {
  std::map<std::string, nlohmann::json> by_officer;
  std::map<std::string, std::set<std::string>> cases, open_cases;
  for (const auto& row : Query(p, f, false).rows) {
    const std::string officer = row["user_id"], role = row["role"], kase = row["case_id"];
    nlohmann::json& w = by_officer[officer];
    if (w.is_null()) {
      // The task columns come from the task list, which the query service hands in; this
      // query has none, so they are 0.
      w = {{"officer", officer}, {"cases", 0},        {"open_cases", 0}, {"assignments", 0},
           {"primary", 0},       {"secondary", 0},    {"supervisor", 0}, {"other", 0},
           {"open_tasks", 0},    {"overdue_tasks", 0}};
    }
    w["assignments"] = w["assignments"].get<int>() + 1;
    const std::string column = role == "primary" || role == "secondary" || role == "supervisor"
                                   ? role
                                   : std::string("other");
    w[column] = w[column].get<int>() + 1;
    cases[officer].insert(kase);
    if (row["case_status"] == "open") open_cases[officer].insert(kase);
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& [officer, w] : by_officer) {
    w["cases"] = cases[officer].size();
    w["open_cases"] = open_cases[officer].size();
    out.push_back(w);
  }
  return out;
}

void CheckWorkloads(const CaseOfficersProjection& p) {
  for (const std::map<std::string, std::string>& f :
       std::vector<std::map<std::string, std::string>>{
           {},
           {{"case_status", "open"}},
           {{"case_status", "closed"}},
           {{"officer", "officer"}},
           {{"officer", "supervisor"}, {"case_status", "open"}},
           {{"officer", "nobody"}}}) {
    INFO(nlohmann::json(f).dump());
    CHECK(Query(p, f, true).rows == Counted(p, f));
  }
}

}  // namespace

TEST_CASE("officers' workloads read from kept totals are what counting the assignments gives",
          "[projections]") {
  // Given a case officers list following random casework with deletions and erasures
  DomainFixture d;
  CaseOfficersProjection p;
  auto store = ReadModelStore(&p);
  auto runner = CaughtUp(d, &p, store.get());
  KnownIds known;
  std::mt19937 rng(2112);
  for (int round = 0; round < 4; ++round) {
    RandomCasework(d, known, rng, 250, 71);
    // Deleted cases come back with their client.
    for (int i = 0; i < 3 && !known.clients.empty(); ++i) {
      REQUIRE(d.Run("admin", RestoreClient{known.Pick(known.clients, rng)}).status.ok());
    }
    REQUIRE(runner->CatchUp().ok());

    // When its workloads are read, whole and filtered
    // Then each is what counting its assignment rows gives
    INFO("round " << round);
    CheckWorkloads(p);
  }

  // And a list loaded from the stored rows keeps the same totals
  CaseOfficersProjection reloaded;
  FamilyId family;
  REQUIRE(store->Family(ProjectionRunner::FamilyNames({&p}).back(), &family).ok());
  REQUIRE(reloaded.Load(*store, family).ok());
  CheckWorkloads(reloaded);
  CHECK_FALSE(Query(reloaded, {}, true).rows.empty());
  CHECK(Query(reloaded, {}, true).rows == Query(p, {}, true).rows);
}

}  // namespace caseengine::testing
