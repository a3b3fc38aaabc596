// Tests of the engine's JSON log against a real `caseengine serve` writing it to a file
// (--log-file): every line is a JSON object; a request line per answer with the route's
// template, never the path's ids, a token or a query value; X-Request-Id taken when sane
// and returned on every answer; security lines for 401, 403, deletions, restores and
// exports; start-up lines with the version, the folder and the address.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/http_test_support.h"
#include "tests/ops_support.h"

namespace caseengine::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

// The line of the request with this id in `log` ("request" or "security").
nlohmann::json LineWithId(const std::vector<nlohmann::json>& lines, const std::string& log,
                          const std::string& id) {
  for (const auto& l : LinesOf(lines, log)) {
    if (l.value("request_id", "") == id) return l;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("http: the request log is a JSON line per answer with the route's template",
          "[http][logs]") {
  TempDir tmp;
  const std::string log = tmp.Sub("engine.log");
  std::string client, case_id, minted;
  {
    ServerProcess server(tmp.Sub("data"), {"--log-file", log});
    HttpClient officer = server.Client("demo-officer");
    // A client given an id, and ids the server makes.
    const nlohmann::json r = Register(officer, "Zanzibarova");
    client = r["client_id"];
    case_id = r["case_id"];
    HttpAnswer a = officer.Get("/clients/" + client, {{"X-Request-Id", "trace-42.a:b_c"}});
    CHECK(a.status == 200);
    CHECK(a.Header("X-Request-Id") == "trace-42.a:b_c");
    // A search whose query is personal data.
    a = officer.Get("/clients?q=Zanzibarova&date_of_birth=1980-01-01");
    CHECK(a.status == 200);
    minted = a.Header("X-Request-Id");
    CHECK(minted.size() == 16);
    // An id that is not sane is replaced.
    a = officer.Get("/cases/" + case_id, {{"X-Request-Id", "has space \"and quote\""}});
    CHECK(a.status == 200);
    CHECK(a.Header("X-Request-Id").size() == 16);
    // Answers without a route carry one too.
    a = officer.Get("/no/such/route/" + client);
    CHECK(a.status == 404);
    CHECK(a.Header("X-Request-Id").size() == 16);
    REQUIRE(server.Stop() == 0);
  }
  const std::string text = ReadAll(log);
  const std::vector<nlohmann::json> lines = LogLines(log);
  // Every line has its time, level and log.
  for (const auto& l : lines) {
    INFO(l.dump());
    CHECK(l["time"].get<std::string>().size() == 24);  // 2026-12-07T22:01:02.345Z
    CHECK(l.contains("level"));
    CHECK(l.contains("log"));
  }
  // The request with the client's id: its route's template, method, status, user, time.
  const nlohmann::json get = LineWithId(lines, "request", "trace-42.a:b_c");
  REQUIRE(get.is_object());
  CHECK(get["method"] == "GET");
  CHECK(get["route"] == "/clients/{id}");
  CHECK(get["status"] == 200);
  CHECK(get["user"] == "officer");
  CHECK(get["duration_ms"].is_number());
  CHECK(get["level"] == "info");
  const nlohmann::json search = LineWithId(lines, "request", minted);
  REQUIRE(search.is_object());
  CHECK(search["route"] == "/clients");
  // The register, and the unrouted answer.
  bool registered = false, unrouted = false;
  for (const auto& l : LinesOf(lines, "request")) {
    registered =
        registered || (l["route"] == "/clients" && l["method"] == "POST" && l["status"] == 201);
    unrouted = unrouted || (l["route"] == "unrouted" && l["status"] == 404);
  }
  CHECK(registered);
  CHECK(unrouted);
  // Nothing personal and no secret anywhere: no token, no name, no query value, no id of
  // a path in a request line.
  for (const char* secret : {"demo-officer", "Zanzibarova", "1980-01-01"}) {
    INFO(secret);
    CHECK(text.find(secret) == std::string::npos);
  }
  CHECK(text.find(client) == std::string::npos);
  CHECK(text.find(case_id) == std::string::npos);
  // The start-up lines: version, folder, settings, address; and the stop.
  const std::vector<nlohmann::json> startup = LinesOf(lines, "startup");
  REQUIRE(startup.size() >= 3);
  CHECK(startup[0]["message"] == "starting");
  CHECK(startup[0]["version"].get<std::string>().size() > 0);
  CHECK(startup[0]["data"] == tmp.Sub("data"));
  CHECK(startup[0]["settings"]["demo"] == true);
  // The address, and the read models loaded (in the background: before or after it).
  nlohmann::json listening;
  bool loaded = false;
  for (const auto& l : startup) {
    if (l["message"] == "listening") listening = l;
    loaded = loaded || l["message"] == "read models loaded";
  }
  REQUIRE(listening.is_object());
  CHECK(listening["address"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK(loaded);
  CHECK(startup.back()["message"] == "stopped");
}

TEST_CASE("http: refusals, deletions, restores and exports are security log lines",
          "[http][logs]") {
  TempDir tmp;
  const std::string log = tmp.Sub("engine.log");
  std::string client, other;
  {
    ServerProcess server(tmp.Sub("data"), {"--log-file", log});
    HttpClient officer = server.Client("demo-officer");
    HttpClient admin = server.Client("demo-admin");
    client = Register(officer, "Securitas")["client_id"];
    other = Register(officer, "Erasmus")["client_id"];
    // 401, 403
    CHECK(server.Client("stolen-token-xyz").Get("/cases", {{"X-Request-Id", "r-401"}}).status ==
          401);
    CHECK(officer.Delete("/clients/" + client, {{"X-Request-Id", "r-403"}}).status == 403);
    // a soft deletion and its restore, an erasure, an export of rows as CSV
    CHECK(admin.Delete("/clients/" + client, {{"X-Request-Id", "r-soft"}}).status == 200);
    CHECK(admin
              .Post("/clients/" + client + "/restore", nlohmann::json::object(),
                    {{"X-Request-Id", "r-restore"}})
              .status == 200);
    CHECK(admin.Delete("/clients/" + other + "?mode=erase", {{"X-Request-Id", "r-erase"}}).status ==
          200);
    CHECK(officer.Get("/cases?columns=case_id", {{"Accept", "text/csv"}, {"X-Request-Id", "r-csv"}})
              .status == 200);
    REQUIRE(server.Stop() == 0);
  }
  const std::vector<nlohmann::json> lines = LogLines(log);
  const std::string text = ReadAll(log);
  CHECK(text.find("stolen-token-xyz") == std::string::npos);
  CHECK(text.find("Securitas") == std::string::npos);
  CHECK(text.find("Erasmus") == std::string::npos);
  struct Expected {
    const char* id;
    const char* event;
    int status;
    const char* user;
  };
  for (const Expected& e : {Expected{"r-401", "unauthorized", 401, nullptr},
                            Expected{"r-403", "forbidden", 403, "officer"},
                            Expected{"r-soft", "deletion", 200, "admin"},
                            Expected{"r-restore", "restore", 200, "admin"},
                            Expected{"r-erase", "deletion", 200, "admin"},
                            Expected{"r-csv", "export", 200, "officer"}}) {
    INFO(e.id);
    const nlohmann::json l = LineWithId(lines, "security", e.id);
    REQUIRE(l.is_object());
    CHECK(l["event"] == e.event);
    CHECK(l["status"] == e.status);
    CHECK(l["level"] == "warning");
    if (e.user == nullptr) {
      CHECK(l["user"].is_null());
    } else {
      CHECK(l["user"] == e.user);
    }
    // Each is a request line too.
    CHECK(LineWithId(lines, "request", e.id).is_object());
  }
  // A deletion says its mode and which client (an id, not a name).
  CHECK(LineWithId(lines, "security", "r-soft")["mode"] == "soft");
  CHECK(LineWithId(lines, "security", "r-erase")["mode"] == "erase");
  CHECK(LineWithId(lines, "security", "r-erase")["target"]["id"] == other);
  CHECK(LineWithId(lines, "security", "r-restore")["target"]["id"] == client);
  // Reads that are not exports are no security line.
  for (const auto& l : LinesOf(lines, "security")) {
    CHECK(l["route"] != "/clients/{id}/cases");
  }
}

TEST_CASE("http: log.requests off keeps the security lines and drops the request lines",
          "[http][logs]") {
  TempDir tmp;
  const std::string log = tmp.Sub("engine.log");
  {
    ServerProcess server(
        tmp.Sub("data"),
        {"--config", ConfigFile(tmp, {{"log", {{"file", log}, {"requests", false}}}})});
    CHECK(server.Client(kOfficerToken).Get("/cases").status == 200);
    CHECK(server.Client("wrong").Get("/cases").status == 401);
    REQUIRE(server.Stop() == 0);
  }
  const std::vector<nlohmann::json> lines = LogLines(log);
  CHECK(LinesOf(lines, "request").empty());
  CHECK(LinesOf(lines, "security").size() == 1);
  CHECK(LinesOf(lines, "startup").size() >= 3);
}

TEST_CASE("http: SIGHUP opens the log file again by its name, as logrotate needs", "[http][logs]") {
  TempDir tmp;
  const std::string log = tmp.Sub("engine.log");
  const std::string rotated = tmp.Sub("engine.log.1");
  // Wait until a file holds a request line for `route`, as the logger writes in batches.
  auto has_request = [](const std::string& file, const std::string& route) {
    for (int i = 0; i < 200; ++i) {
      if (std::filesystem::exists(file)) {
        for (const auto& l : LinesOf(LogLines(file), "request")) {
          if (l.value("route", "") == route) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  ServerProcess server(tmp.Sub("data"), {"--log-file", log});
  // Given a line in the file, which logrotate then moves away
  CHECK(server.Client().Get("/cases").status == 200);
  REQUIRE(has_request(log, "/cases"));
  std::filesystem::rename(log, rotated);
  // When the server is sent SIGHUP, and answers another request
  REQUIRE(kill(server.pid(), SIGHUP) == 0);
  bool reopened = false;
  for (int i = 0; i < 200 && !reopened; ++i) {
    reopened = std::filesystem::exists(log);
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(reopened);
  CHECK(server.Client().Get("/lobby").status == 200);
  // Then the new line is in a new file of the same name, the old ones stay where they
  // were moved, and the server still stops cleanly
  CHECK(has_request(log, "/lobby"));
  CHECK(has_request(rotated, "/cases"));
  CHECK_FALSE(has_request(rotated, "/lobby"));
  REQUIRE(server.Stop() == 0);
}

}  // namespace caseengine::testing
