// An engine that loads its read models after it starts serving (EngineOptions::
// load_in_background, what `caseengine serve` does): commands and reads of the log are
// answered at once, the lists are refused as Unavailable until their rows are loaded, and
// once loaded they hold everything, the commands of the meantime included; a read model
// whose rows do not read is rebuilt from the log, and the load says so.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "app/engine.h"
#include "tests/domain_fixture.h"
#include "tests/engine_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::TempDir;

const Actor& Officer() { return testing::DemoUser("officer"); }
EngineOptions Options(const std::string& dir) { return testing::EngineOptionsFor(dir); }
std::unique_ptr<Engine> Open(const EngineOptions& options) {
  return testing::OpenTestEngine(options);
}

using testing::Person;

Status OpenCases(const Engine& engine, size_t* total) {
  CaseListQuery q;
  q.list.limit = 1000;
  q.count_total = true;
  ListPage page;
  Status s = engine.queries().ListCases(q, &page);
  if (s.ok()) *total = page.total;
  return s;
}

TEST_CASE("a start answers commands before the read models are loaded, and lists once they are",
          "[app][engine][start]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    auto engine = Open(Options(dir));
    for (int i = 0; i < 30; ++i)
      REQUIRE(engine->commands().Execute(Officer(), Person("Before")).ok());
  }

  // Given a start whose load is held back
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  EngineOptions options = Options(dir);
  options.load_in_background = true;
  options.before_load = [released] { released.wait(); };
  std::promise<Status> loaded;
  options.on_loaded = [&loaded](const LoadReport& r) { loaded.set_value(r.status); };
  auto engine = Open(options);

  // When nothing is loaded yet, a command is answered, a read of the log too
  CHECK_FALSE(engine->ReadModelsLoaded());
  CommandResult during = engine->commands().Execute(Officer(), Person("During"));
  REQUIRE(during.ok());
  ClientState client;
  CHECK(
      engine->queries().ReadClient(Officer(), during.response["client_id"], AsOf(), &client).ok());
  // and a list is refused as unavailable, saying why, the store's rows untouched
  size_t total = 0;
  Status refused = OpenCases(*engine, &total);
  CHECK(refused.code() == Status::Code::kUnavailable);
  CHECK(refused.message().find("loading its read models") != std::string::npos);
  CHECK(engine->LoadTime().count() == 0);

  // Then, once loaded, the lists hold every case, the one opened meanwhile included
  release.set_value();
  REQUIRE(loaded.get_future().get().ok());
  CHECK(engine->ReadModelsLoaded());
  CHECK(engine->LoadTime().count() > 0);
  const uint64_t head = engine->log().HeadPosition();
  REQUIRE(engine->runner().WaitForApplied(head, std::chrono::seconds(30)) >= head);
  REQUIRE(OpenCases(*engine, &total).ok());
  CHECK(total == 31);
}

TEST_CASE("a read model whose rows do not read is rebuilt from the log at the start, saying so",
          "[app][engine][start]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    auto engine = Open(Options(dir));
    REQUIRE(engine->commands().Execute(Officer(), Person("Before")).ok());
  }
  // Given a row of the case list that is not what the projection wrote
  {
    std::unique_ptr<Store> store;
    REQUIRE(OpenRocksStore(Engine::StoreOptions(dir, /*read_only=*/false), &store).ok());
    FamilyId family;
    REQUIRE(store->Family("rm.case_list", &family).ok());
    WriteBatch batch;
    batch.Put(family, "c/case-unreadable", "{not json");
    REQUIRE(store->Write(batch, /*sync=*/true).ok());
  }
  EngineOptions options = Options(dir);
  options.load_in_background = true;
  std::promise<LoadReport> loaded;
  options.on_loaded = [&loaded](const LoadReport& r) { loaded.set_value(r); };
  auto engine = Open(options);

  // When it loads, the case list is rebuilt from the log, and the report says why
  const LoadReport report = loaded.get_future().get();
  INFO(report.status.ToString());
  REQUIRE(report.status.ok());
  REQUIRE(report.rebuilt.size() == 1);
  CHECK(report.rebuilt[0].rfind("case_list: ", 0) == 0);
  CHECK(report.rebuilt[0].find("not JSON") != std::string::npos);
  CHECK(engine->ReadModelsLoaded());
  CHECK(engine->runner().error().ok());
  // Then the list holds what the log says, the unreadable row gone, and goes on
  REQUIRE(engine->commands().Execute(Officer(), Person("After")).ok());
  const uint64_t head = engine->log().HeadPosition();
  REQUIRE(engine->runner().WaitForApplied(head, std::chrono::seconds(30)) >= head);
  size_t total = 0;
  REQUIRE(OpenCases(*engine, &total).ok());
  CHECK(total == 2);
}

}  // namespace
}  // namespace caseengine
