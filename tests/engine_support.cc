// Test support for tests that open an Engine: see engine_support.h.
#include "tests/engine_support.h"

#include <catch2/catch.hpp>

#include "tests/domain_fixture.h"

namespace caseengine::testing {

const DomainConfig& DemoDomain() {
  static const DomainConfig config = DomainConfig::Demo();
  return config;
}

const Actor& DemoUser(const char* name) { return DemoDomain().users.at(name); }

EngineOptions EngineOptionsFor(const std::string& dir) {
  EngineOptions options;
  options.dir = dir;
  options.config = &DemoDomain();
  options.commands.today = [] { return std::string(DomainFixture::kToday); };
  options.kek = KekFor(dir);
  return options;
}

RegisterClient Person(const std::string& surname) {
  RegisterClient c;
  c.personal.surname = surname;
  c.personal.date_of_birth = "1990-01-01";
  return c;
}

std::unique_ptr<Engine> OpenTestEngine(const EngineOptions& options) {
  std::unique_ptr<Engine> engine;
  Status s = Engine::Open(options, &engine);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return engine;
}

}  // namespace caseengine::testing
