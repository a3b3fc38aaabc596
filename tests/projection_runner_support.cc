// Helpers of the projection runner tests (see projection_runner_support.h).
#include "tests/projection_runner_support.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "projections/case_officers.h"
#include "projections/read_models.h"

namespace caseengine::testing::projection_runner {

std::unique_ptr<MemoryStore> ReadModelStore(Projection* p) {
  return std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames({p}));
}

std::map<std::string, std::string> Dump(const Store& store, const std::string& family) {
  FamilyId id;
  REQUIRE(store.Family(family, &id).ok());
  std::map<std::string, std::string> out;
  auto it = store.NewIterator(id);
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = it->value();
  return out;
}

ListPage Cases(const CaseListProjection& p, std::map<std::string, std::string> filters,
               std::string sort, size_t limit, std::string cursor) {
  CaseListQuery q;
  q.filters = std::move(filters);
  q.list.sort = std::move(sort);
  q.list.limit = limit;
  q.list.cursor = std::move(cursor);
  q.today = DomainFixture::kToday;
  q.count_total = true;
  ListPage page;
  Status s = p.list().Query(q, &page);
  REQUIRE(s.ok());
  return page;
}

void Workload(DomainFixture& d, int clients) {
  for (int i = 0; i < clients; ++i) {
    auto [client, kase] =
        d.Register("Client" + std::to_string(i % 7), "1980-01-0" + std::to_string(1 + i % 9));
    if (i % 3 == 0) d.Run("officer", AddStrand{kase, "housing_register"});
    if (i % 4 == 0) d.Run("officer", AssignOfficer{kase, "supervisor", "secondary"});
    if (i % 5 == 0) d.Run("officer", CloseCase{kase, "housed"});
    if (i % 6 == 0) d.Run("officer", OpenCase{client});
  }
}

std::unique_ptr<ProjectionRunner> CaughtUp(DomainFixture& d, Projection* p, Store* store) {
  auto runner =
      std::make_unique<ProjectionRunner>(d.log.get(), &d.handler->codec(), store,
                                         std::vector<Projection*>{p}, ProjectionRunnerOptions{5});
  REQUIRE(runner->Open().ok());
  REQUIRE(runner->CatchUp().ok());
  return runner;
}

}  // namespace caseengine::testing::projection_runner
