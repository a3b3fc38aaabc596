// Helpers of the tests of the projection runner and the case list
// (tests/projection_runner_*_test.cc, tests/read_model_case_list_test.cc): read model stores,
// dumps of a family, case list queries, a workload of casework, and a runner caught up with
// the log.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "projections/case_list.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"

namespace caseengine::testing::projection_runner {

std::unique_ptr<MemoryStore> ReadModelStore(Projection* p);

// Every key and value of a family.
std::map<std::string, std::string> Dump(const Store& store, const std::string& family);

ListPage Cases(const CaseListProjection& p, std::map<std::string, std::string> filters = {},
               std::string sort = "", size_t limit = 50, std::string cursor = "");

// A small caseload: clients, second cases, strands, closures, officers.
void Workload(DomainFixture& d, int clients);

// A runner over `p`, its rows in `store`, caught up with the log in batches of 5 events.
std::unique_ptr<ProjectionRunner> CaughtUp(DomainFixture& d, Projection* p, Store* store);

}  // namespace caseengine::testing::projection_runner
