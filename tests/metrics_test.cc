// Tests of /metrics' text: counts are whole numbers however large (never 1.23457e+07),
// every status is counted under its own number, and seconds keep their microseconds.
#include "http/metrics.h"

#include <catch2/catch.hpp>
#include <string>

#include "app/engine.h"
#include "tests/domain_fixture.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

TEST_CASE("metrics print counts exactly and every status under its own number", "[metrics]") {
  TempDir dir;
  const DomainConfig config = DomainConfig::Demo();
  EngineOptions options;
  options.dir = dir.Sub("data");
  options.config = &config;
  options.start_runner = false;
  options.kek = KekFor(options.dir);
  std::unique_ptr<Engine> engine;
  REQUIRE(Engine::Open(options, &engine).ok());
  Metrics metrics({"GET /cases", "POST /clients"});
  for (int i = 0; i < 12345678 / 2; ++i) metrics.Record(0, 200, 0);
  for (int i = 0; i < 12345678 / 2; ++i) metrics.Record(0, 200, 0);
  metrics.Record(1, 418, 1234567);  // 1.234567 s
  metrics.Record(1, 507, 1);
  metrics.Record(1, 429, 1);
  const std::string text = metrics.Render(engine->log(), engine->runner());
  INFO(text);
  CHECK(
      text.find("caseengine_http_requests_total{route=\"GET /cases\",status=\"200\"} 12345678\n") !=
      std::string::npos);
  for (const char* status : {"418", "507", "429"}) {
    CHECK(text.find(std::string("route=\"POST /clients\",status=\"") + status + "\"} 1\n") !=
          std::string::npos);
  }
  CHECK(text.find("other") == std::string::npos);
  CHECK(text.find("e+") == std::string::npos);
  CHECK(text.find("caseengine_http_request_duration_seconds_sum{route=\"POST /clients\"} "
                  "1.234569\n") != std::string::npos);
  CHECK(text.find("caseengine_log_head_position 0\n") != std::string::npos);
}
