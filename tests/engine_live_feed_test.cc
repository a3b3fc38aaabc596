// The engine hands each command's committed events to the projections in memory: a
// running engine's read models follow commands without reading the log back, erasures
// included, and agree with a rebuild from the log.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "app/engine.h"
#include "tests/domain_fixture.h"
#include "tests/engine_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::TempDir;

const Actor& User(const char* name) { return testing::DemoUser(name); }

std::unique_ptr<Engine> OpenEngine(const std::string& dir) {
  EngineOptions options = testing::EngineOptionsFor(dir);
  // Every command is offered: however loaded the machine, the runner waits for the offer
  // rather than read the log (the default gives up after 5 ms).
  options.runner.offer_wait = std::chrono::seconds(10);
  return testing::OpenTestEngine(options);
}

using testing::Person;

nlohmann::json Search(Engine& engine, const std::string& surname) {
  ClientSearchQuery q;
  q.q = surname;
  q.limit = 1000;
  nlohmann::json rows;
  REQUIRE(engine.queries().SearchClients(q, &rows).ok());
  return rows;
}

// Waits until the read models have applied the log's head and counted what they applied
// (the counts follow the applied position by a moment).
void AwaitApplied(Engine& engine) {
  const uint64_t head = engine.log().HeadPosition();
  REQUIRE(engine.runner().WaitForApplied(head, std::chrono::seconds(30)) >= head);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (engine.runner().Stats().events < head && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_CASE("a running engine's read models follow commands from memory, not the log",
          "[app][projections][live]") {
  TempDir tmp;
  auto engine = OpenEngine(tmp.Sub("data"));
  const uint64_t read_at_start = engine->runner().Stats().log_events;
  // Given commands run through the command service
  std::vector<std::string> clients;
  for (int i = 0; i < 40; ++i) {
    CommandResult r =
        engine->commands().Execute(User("officer"), Person("Memory" + std::to_string(i)));
    REQUIRE(r.ok());
    clients.push_back(r.response["client_id"]);
  }
  REQUIRE(
      engine->commands().Execute(User("officer"), AddClientToGroup{clients[0], "families"}).ok());
  // When the read models have applied them
  AwaitApplied(*engine);
  // Then every event came from memory, and none was read back from the log
  const ProjectionStats stats = engine->runner().Stats();
  CHECK(stats.live_events == engine->log().HeadPosition());
  CHECK(stats.log_events == read_at_start);
  CHECK(stats.offers_dropped == 0);
  bool found = false;
  for (const auto& row : Search(*engine, "Memory7")) found = found || row["surname"] == "Memory7";
  CHECK(found);
}

TEST_CASE("an erasure offered from memory leaves no plaintext in the read models",
          "[app][projections][live][erasure]") {
  TempDir tmp;
  auto engine = OpenEngine(tmp.Sub("data"));
  // Given a client registered and then erased while the runner applies from memory
  CommandResult r = engine->commands().Execute(User("officer"), Person("Forgettable"));
  REQUIRE(r.ok());
  const std::string id = r.response["client_id"];
  REQUIRE(engine->commands().Execute(User("admin"), DeleteClient{id, DeleteMode::kErase}).ok());
  // When the read models have applied both
  AwaitApplied(*engine);
  // Then nobody finds the name, and the events came from memory
  CHECK(Search(*engine, "Forgettable").empty());
  CHECK(engine->runner().Stats().live_events == engine->log().HeadPosition());
}

TEST_CASE("read models fed from memory equal a rebuild from the log", "[app][projections][live]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  nlohmann::json live;
  {
    auto engine = OpenEngine(dir);
    for (int i = 0; i < 20; ++i) {
      REQUIRE(engine->commands()
                  .Execute(User("officer"), Person("Equal" + std::to_string(i % 3)))
                  .ok());
    }
    AwaitApplied(*engine);
    live = Search(*engine, "Equal");
  }
  // Given the same folder with every read model rebuilt from the log
  EngineOptions options = testing::EngineOptionsFor(dir);
  options.start_runner = false;
  options.load_read_models = false;
  std::unique_ptr<Engine> engine = testing::OpenTestEngine(options);
  REQUIRE(engine->runner().Rebuild({}).ok());
  // Then the search answers the same
  CHECK(Search(*engine, "Equal") == live);
}

}  // namespace
}  // namespace caseengine
