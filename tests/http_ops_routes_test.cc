// Tests of the operators' routes and of sign-in throttling against a real `caseengine
// serve`: /readyz (public, 503 when the read models lag: in process, with the runner
// held), /metrics' process_* and caseengine_build_info, whether /metrics and
// /openapi.json need a token as the config says, and failed sign-ins throttled per
// source and per user with 429 and Retry-After.
#include <catch2/catch.hpp>
#include <string>

#include "app/engine.h"
#include "http/api.h"
#include "tests/domain_fixture.h"
#include "tests/http_test_support.h"
#include "tests/ops_support.h"

namespace caseengine::testing {
namespace {

// A token shaped as a JWT whose payload names `sub` (the signature is nonsense).
std::string JwtNaming(const std::string& sub) {
  // base64url of {"sub":"<sub>"} for the short names used here.
  static const char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::string in = "{\"sub\":\"" + sub + "\"}";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kTable[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kTable[(bits << (6 - count)) & 63]);
  return "eyJhbGciOiJSUzI1NiJ9." + out + ".c2lnbmF0dXJl";
}

}  // namespace

TEST_CASE("http: GET /readyz answers every role and anyone without a token", "[http][ops]") {
  Served s;
  HttpClient anonymous = s.server.Client("");
  for (HttpClient* who : {&anonymous, &s.officer, &s.supervisor, &s.admin, &s.auditor}) {
    const HttpAnswer a = who->Get("/readyz");
    CHECK(a.status == 200);
    CHECK(a.json["status"] == "ready");
    CHECK(a.json["writes"] == "ok");
    CHECK(a.json["projection_lag"].is_number());
  }
  // It is in the OpenAPI document, open (security: []).
  const nlohmann::json doc = GetOk(s.officer, "/openapi.json");
  REQUIRE(doc["paths"].contains("/readyz"));
  CHECK(doc["paths"]["/readyz"]["get"]["security"] == nlohmann::json::array());
  CHECK(doc["paths"]["/readyz"]["get"]["responses"].contains("503"));
  // A route that asks for a token documents the sign-in throttle's 429.
  CHECK(doc["paths"]["/cases"]["get"]["responses"].contains("429"));
  CHECK_FALSE(doc["paths"]["/readyz"]["get"]["responses"].contains("429"));
}

TEST_CASE("http: /readyz is 503 while the read models are further behind than ready_max_lag",
          "[http][ops]") {
  // Given an engine whose read models do not follow the log (the runner not started)
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  ServerConfig config = ServerConfig::Demo();
  config.ready_max_lag = 2;
  EngineOptions options;
  options.dir = dir;
  options.config = &config.domain;
  options.kek = KekFor(dir);
  options.start_runner = false;
  std::unique_ptr<Engine> engine;
  REQUIRE(Engine::Open(options, &engine).ok());
  Api api(engine.get(), &config);
  const Route* ready = nullptr;
  for (const Route& r : api.routes()) {
    if (std::string(r.operation) == "Ready") ready = &r;
  }
  REQUIRE(ready != nullptr);
  CHECK(ready->access == Access::kPublic);
  auto ask = [&] {
    HttpRequest req;
    HttpResponse res;
    ready->handler(req, &res);
    return res;
  };
  CHECK(ask().status == 200);
  // When more commands are written than the lag allowed
  const Actor& officer = config.domain.users.at("officer");
  for (int i = 0; i < 3; ++i) {
    RegisterClient c;
    c.personal.surname = "Laggard";
    c.personal.date_of_birth = "1980-01-01";
    REQUIRE(engine->commands().Execute(officer, c).ok());
  }
  // Then it is not ready, and says why
  const HttpResponse res = ask();
  CHECK(res.status == 503);
  const nlohmann::json body = nlohmann::json::parse(res.body);
  CHECK(body["status"] == "not-ready");
  CHECK(body["projection_lag"].get<uint64_t>() > 2);
  CHECK(body["reasons"].size() == 1);
}

TEST_CASE("http: /metrics gives the process's figures and the build's version", "[http][ops]") {
  Served s;
  const HttpAnswer a = s.officer.Get("/metrics");
  REQUIRE(a.status == 200);
  for (const char* name :
       {"process_resident_memory_bytes ", "process_cpu_seconds_total ", "process_open_fds ",
        "process_start_time_seconds ", "process_max_fds ", "process_virtual_memory_bytes "}) {
    INFO(name);
    const size_t at = a.body.find(std::string("\n") + name);
    REQUIRE(at != std::string::npos);
    const double value = std::stod(a.body.substr(at + 1 + std::string(name).size()));
    CHECK(value > 0);
  }
  std::string version;
  REQUIRE(Caseengine({"--version"}, &version) == 0);
  version = version.substr(std::string("caseengine ").size());
  while (!version.empty() && version.back() == '\n') version.pop_back();
  CHECK_THAT(a.body, Catch::Contains("caseengine_build_info{version=\"" + version + "\"} 1"));
  // The start is this process's: within the last ten minutes.
  const size_t at = a.body.find("\nprocess_start_time_seconds ");
  const double start = std::stod(a.body.substr(at + 28));
  const double now = static_cast<double>(time(nullptr));
  CHECK(start <= now + 1);
  CHECK(start > now - 600);
}

TEST_CASE("http: whether /metrics and /openapi.json need a token is the config's", "[http][ops]") {
  TempDir tmp;
  SECTION("by default /openapi.json is open and /metrics needs a token") {
    ServerProcess server(tmp.Sub("data"), {"--config", ConfigFile(tmp)});
    HttpClient anonymous = server.Client("");
    CHECK(anonymous.Get("/openapi.json").status == 200);
    CHECK(anonymous.Get("/metrics").status == 401);
    CHECK(server.Client(kAuditorToken).Get("/metrics").status == 200);
  }
  SECTION("the other way round") {
    ServerProcess server(tmp.Sub("data"),
                         {"--config", ConfigFile(tmp, {{"metrics_need_token", false},
                                                       {"openapi_need_token", true}})});
    HttpClient anonymous = server.Client("");
    CHECK(anonymous.Get("/openapi.json").status == 401);
    CHECK(anonymous.Get("/metrics").status == 200);
    CHECK(server.Client(kOfficerToken).Get("/openapi.json").status == 200);
  }
}

TEST_CASE("http: failed sign-ins from one source are throttled with 429 and Retry-After",
          "[http][ops]") {
  TempDir tmp;
  const std::string log = tmp.Sub("engine.log");
  {
    ServerProcess server(tmp.Sub("data"),
                         {"--config", ConfigFile(tmp, {{"sign_in",
                                                        {{"max_failures_per_source", 3},
                                                         {"max_failures_per_user", 100},
                                                         {"lockout_seconds", 2}}},
                                                       {"log", {{"file", log}}}})});
    HttpClient officer = server.Client(kOfficerToken);
    CHECK(officer.Get("/cases").status == 200);
    // Three wrong tokens are 401; the fourth try, even with a right token, is 429.
    for (int i = 0; i < 3; ++i) {
      CHECK(server.Client("guess-" + std::to_string(i)).Get("/cases").status == 401);
    }
    HttpAnswer a = server.Client("guess-4").Get("/cases");
    CheckProblem(a, 429, "/problems/too-many-sign-in-failures");
    const int retry = std::stoi(a.Header("Retry-After"));
    CHECK(retry >= 1);
    CHECK(retry <= 2);
    CHECK(officer.Get("/cases").status == 429);
    // A request without credentials is no sign-in: still 401, and public routes answer.
    CHECK(server.Client("").Get("/cases").status == 401);
    CHECK(server.Client("").Get("/healthz").status == 200);
    // Once the lockout is over, the right token signs in again.
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    CHECK(officer.Get("/cases").status == 200);
    // The next lockout is twice as long.
    for (int i = 0; i < 3; ++i) CHECK(server.Client("again").Get("/cases").status == 401);
    a = server.Client("again").Get("/cases");
    CHECK(a.status == 429);
    CHECK(std::stoi(a.Header("Retry-After")) > 2);
    REQUIRE(server.Stop() == 0);
  }
  // Each throttled try is a security line.
  int throttled = 0;
  for (const auto& l : LinesOf(LogLines(log), "security")) {
    if (l["event"] == "throttled") {
      ++throttled;
      CHECK(l["status"] == 429);
      CHECK(l["source"] == "127.0.0.1");
    }
  }
  CHECK(throttled == 3);
}

TEST_CASE("http: failed sign-ins naming one user are throttled for that user", "[http][ops]") {
  TempDir tmp;
  ServerProcess server(tmp.Sub("data"),
                       {"--config", ConfigFile(tmp, {{"sign_in",
                                                      {{"max_failures_per_source", 100},
                                                       {"max_failures_per_user", 3},
                                                       {"lockout_seconds", 60}}}})});
  // Tokens that name "officer" (JWTs with a bad signature) fail; the third locks the user.
  for (int i = 0; i < 3; ++i)
    CHECK(server.Client(JwtNaming("officer")).Get("/cases").status == 401);
  HttpAnswer a = server.Client(JwtNaming("officer")).Get("/cases");
  CheckProblem(a, 429, "/problems/too-many-sign-in-failures");
  CHECK(std::stoi(a.Header("Retry-After")) > 50);
  // Another user's sign-ins from the same source are not held up by it.
  CHECK(server.Client(JwtNaming("admin")).Get("/cases").status == 401);
  CHECK(server.Client(kAdminToken).Get("/cases").status == 200);
  CHECK(server.Client(kOfficerToken).Get("/cases").status == 200);
}

}  // namespace caseengine::testing
