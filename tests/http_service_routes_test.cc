// End-to-end tests of the routes about the service itself, against a real
// `caseengine serve`: GET /openapi.json lists every route of the HTTP contract, GET /metrics
// is Prometheus text, and GET /healthz answers without a token.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

TEST_CASE(
    "http: GET /openapi.json is OpenAPI 3 and lists every route of the HTTP contract "
    "(docs/http_api.md)",
    "[http]") {
  // Given a served data folder
  // When the OpenAPI document is read
  Served s;
  // Then it is OpenAPI 3 and lists every route of the contract with responses and an operation id
  const json doc = GetOk(s.officer, "/openapi.json");
  REQUIRE(doc.contains("openapi"));
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  REQUIRE(doc["paths"].is_object());
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"post", "/clients"},
      {"patch", "/clients/{id}"},
      {"post", "/clients/{id}/status"},
      {"post", "/clients/{id}/client-type"},
      {"post", "/clients/{id}/case-number"},
      {"post", "/clients/{id}/groups"},
      {"delete", "/clients/{id}/groups/{group}"},
      {"post", "/clients/{id}/navigators"},
      {"delete", "/clients/{id}/navigators/{user_id}"},
      {"post", "/clients/{id}/portal/status"},
      {"post", "/clients/{id}/portal/invitations"},
      {"delete", "/clients/{id}"},
      {"post", "/clients/{id}/restore"},
      {"post", "/clients/{id}/cases"},
      {"post", "/cases/{id}/officers"},
      {"delete", "/cases/{id}/officers/{user_id}"},
      {"post", "/cases/{id}/team"},
      {"post", "/cases/{id}/people"},
      {"post", "/cases/{id}/people/{client_id}/leave"},
      {"post", "/cases/{id}/primary-applicant"},
      {"post", "/cases/{id}/close"},
      {"post", "/cases/{id}/reopen"},
      {"delete", "/cases/{id}"},
      {"post", "/cases/{id}/strands"},
      {"post", "/cases/{id}/strands/{strand_id}/status"},
      {"post", "/cases/{id}/strands/{strand_id}/move"},
      {"post", "/cases/{id}/notes"},
      {"post", "/cases/{id}/actions"},
      {"post", "/cases/{id}/actions/{action_id}/complete"},
      {"post", "/lobby"},
      {"post", "/lobby/{id}/claim"},
      {"post", "/lobby/{id}/assign"},
      {"post", "/lobby/{id}/create-client"},
      {"delete", "/lobby/{id}"},
      {"get", "/clients/{id}"},
      {"get", "/clients"},
      {"get", "/cases/{id}"},
      {"get", "/cases"},
      {"get", "/case-officers"},
      {"get", "/case-people"},
      {"get", "/cases/{id}/journal"},
      {"get", "/cases/{id}/history"},
      {"get", "/audit"},
      {"get", "/lobby"},
      {"get", "/lobby/{id}/matches"},
      {"get", "/streams/{stream}/events"},
      {"get", "/events"},
      {"get", "/events/stream"},
      {"post", "/events/stream/tickets"},
      {"get", "/openapi.json"},
      {"get", "/metrics"},
      {"get", "/healthz"},
      {"get", "/readyz"},
  };
  for (const auto& [method, path] : routes) {
    INFO(method << " " << path);
    REQUIRE(doc["paths"].contains(path));
    REQUIRE(doc["paths"][path].contains(method));
    const json& op = doc["paths"][path][method];
    CHECK(op.contains("responses"));
    CHECK(op.contains("operationId"));
  }
  // And a command documents its body with the required fields
  const json& reg = doc["paths"]["/clients"]["post"];
  REQUIRE(reg.contains("requestBody"));
  const json schema = reg["requestBody"]["content"]["application/json"]["schema"];
  CHECK(schema["properties"].contains("surname"));
  CHECK(std::find(schema["required"].begin(), schema["required"].end(), "surname") !=
        schema["required"].end());
  CHECK(doc["paths"]["/clients/{id}"]["get"]["responses"].contains("200"));
}

TEST_CASE("http: GET /metrics is Prometheus text with request counts and the projection lag",
          "[http]") {
  // Given a registration and a query
  Served s;
  Register(s.officer, "Metered");
  s.officer.Get("/cases");
  // When the metrics are read
  // Then they are Prometheus text with request counts, the projection lag, the log head and the
  // projection times
  HttpAnswer a = s.officer.Get("/metrics");
  REQUIRE(a.status == 200);
  CHECK(a.ContentType().rfind("text/plain", 0) == 0);
  CHECK(a.body.find("# TYPE caseengine_http_requests_total counter") != std::string::npos);
  CHECK(a.body.find("caseengine_http_requests_total{route=\"POST /clients\",status=\"201\"} 1") !=
        std::string::npos);
  CHECK(a.body.find("caseengine_projection_lag_events") != std::string::npos);
  CHECK(a.body.find("caseengine_log_head_position") != std::string::npos);
  for (const char* name :
       {"caseengine_projection_seconds_total", "caseengine_projection_decode_seconds_total",
        "caseengine_projection_deferred_write_seconds_total"}) {
    CHECK(a.body.find(std::string("# TYPE ") + name + " counter") != std::string::npos);
  }
}

TEST_CASE("http: GET /healthz answers without a token", "[http]") {
  // Given a caller without a token
  Served s;
  HttpClient anonymous = s.server.Client("");
  // When it asks for /healthz
  // Then it is ok with the head position and the projection lag, as for anyone
  HttpAnswer a = anonymous.Get("/healthz");
  REQUIRE(a.status == 200);
  CHECK(a.json["status"] == "ok");
  CHECK(a.json.contains("head_position"));
  CHECK(a.json.contains("projection_lag"));
  CHECK(s.officer.Get("/healthz").status == 200);
}
