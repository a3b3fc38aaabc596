// Tests of the projection runner's threads: chunks applied on two threads write what one
// does, and a catch-up reading the log ahead on its own thread stops at a failed write.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "projections/projection_runner.h"
#include "projections/read_models.h"
#include "tests/domain_fixture.h"
#include "tests/projection_runner_support.h"

namespace caseengine::testing {

namespace {

using projection_runner::Dump;
using projection_runner::Workload;

}  // namespace

// A projection that says it reads every personal field: a runner over these opens every
// sealed field, as a runner did before projections declared what they read.
class ReadsAllPersonal : public Projection {
 public:
  explicit ReadsAllPersonal(Projection* inner) : inner_(inner) {}
  const char* name() const override { return inner_->name(); }
  Status Load(const Store& store, FamilyId family) override { return inner_->Load(store, family); }
  void Apply(const ProjectedEvent& e, RowWriter* rows) override { inner_->Apply(e, rows); }
  void Flush(RowWriter* rows) override { inner_->Flush(rows); }
  void Reset() override { inner_->Reset(); }
  bool personal() const override { return inner_->personal(); }
  bool reads_personal(EventType) const override { return true; }
  bool keeps_rows_in_memory() const override { return inner_->keeps_rows_in_memory(); }
  uint64_t layout() const override { return inner_->layout(); }

 private:
  Projection* inner_;
};

TEST_CASE(
    "two threads applying chunks write the same read models as one and as a runner that "
    "opens every sealed field",
    "[projections]") {
  // Given a random workload with erasures and deletions between chunk boundaries
  DomainFixture d;
  KnownIds known;
  std::mt19937 rng(77);
  int erased = 0;
  for (int i = 0; i < 2400; ++i) {
    Command c = RandomCommand(known, rng);
    if (i % 97 == 0 && !known.clients.empty()) {  // erasures: purges and rows deleted
      c = DeleteClient{known.Pick(known.clients, rng), DeleteMode::kErase};
    }
    CommandResult r = d.Run("admin", c);
    REQUIRE(r.status.ok());
    if (!r.ok()) continue;
    if (std::holds_alternative<DeleteClient>(c)) ++erased;
    if (r.response.contains("client_id")) known.Add(known.clients, r.response["client_id"]);
    if (r.response.contains("case_id")) known.Add(known.cases, r.response["case_id"]);
  }
  REQUIRE(d.Head() > 1500);
  CHECK(erased > 3);

  // When every read model is applied by one thread, by two, and in steps that mix chunks too small
  // to share with large ones
  auto build = [&](int threads, uint64_t step, bool open_all = false) {
    ReadModels models;
    std::vector<std::unique_ptr<ReadsAllPersonal>> wrapped;
    std::vector<Projection*> projections = models.All();
    if (open_all) {
      for (Projection*& p : projections) {
        wrapped.push_back(std::make_unique<ReadsAllPersonal>(p));
        p = wrapped.back().get();
      }
    }
    auto store = std::make_unique<MemoryStore>(ReadModels::FamilyNames());
    ProjectionRunnerOptions options;
    options.threads = threads;
    options.max_batch_events = 600;
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), projections, options);
    REQUIRE(runner.Open().ok());
    for (uint64_t to = step; to < d.Head() + step; to += step) {
      REQUIRE(runner.CatchUp(std::min(to, d.Head())).ok());
    }
    CHECK(runner.Applied() == d.Head());
    std::map<std::string, std::map<std::string, std::string>> all;
    for (const std::string& family : ReadModels::FamilyNames()) all[family] = Dump(*store, family);
    return all;
  };
  // Then the rows and checkpoints are the same every time
  const auto one = build(1, 100000);
  CHECK(one.at("rm.case_list").size() > 100);
  CHECK(build(2, 100000) == one);
  CHECK(build(2, 700) == one);  // chunks of 600 and 100: shared and not
  CHECK(build(2, 37) == one);   // a live runner's small steps
  // And what each projection says it reads is all it reads: opening every sealed field changes no
  // row changes no row.
  CHECK(build(1, 100000, /*open_all=*/true) == one);
}

TEST_CASE(
    "a catch-up that reads the log ahead on a thread of its own stops at a failed write "
    "and the next one finishes it",
    "[projections]") {
  // Given a log of casework long enough to be read ahead
  DomainFixture d;
  Workload(d, 30);
  REQUIRE(d.Head() > 100);
  // When a catch-up reading ahead stops at a failed write and the next one finishes it
  auto caught_up = [&](bool fail) {
    ReadModels models;
    auto store = std::make_unique<MemoryStore>(ReadModels::FamilyNames());
    ProjectionRunnerOptions options;
    options.max_batch_events = 8;  // a range of 16 events or more is read ahead
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), models.All(), options);
    REQUIRE(runner.Open().ok());
    if (fail) {
      store->FailNextWrites(1, /*after=*/5);
      CHECK_FALSE(runner.CatchUp().ok());
      CHECK(runner.Applied() < d.Head());
    }
    REQUIRE(runner.CatchUp().ok());
    CHECK(runner.Applied() == d.Head());
    // Decoding is part of the time applying, and the lists were written at the end.
    const ProjectionStats stats = runner.Stats();
    CHECK(stats.decode_micros <= stats.apply_micros);
    CHECK(stats.deferred_write_micros > 0);
    std::map<std::string, std::map<std::string, std::string>> all;
    for (const std::string& family : ReadModels::FamilyNames()) all[family] = Dump(*store, family);
    return all;
  };
  // Then the read models are those of a catch-up that never failed
  CHECK(caught_up(/*fail=*/true) == caught_up(/*fail=*/false));
}

}  // namespace caseengine::testing
