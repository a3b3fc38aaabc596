// End-to-end tests of what a browser app meets, against a real `caseengine serve`: CORS
// for the configured origins (preflight included) and none for others; gzip for large
// answers when accepted, with Vary; event feeds that tell the client when to reconnect,
// resume after Last-Event-ID, and open from an EventSource with a single-use ticket rather
// than a token in the URL.
#include <sys/stat.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/server_config.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

const std::string kAllowed = "https://cases.council.example";

// A server on a config file that allows kAllowed, with an officer ("officer-token").
struct CorsServed {
  TempDir dir;
  std::string config = Config(dir);
  ServerProcess server{dir.Sub("data"), {"--config", config}};

  static std::string Config(TempDir& dir) {
    const std::string kek = dir.Sub("kek");
    std::ofstream(kek) << std::string(64, 'a');
    chmod(kek.c_str(), 0600);
    const std::string file = dir.Sub("config.json");
    std::ofstream(file) << json({{"users",
                                  {{{"id", "officer"},
                                    {"team", "t"},
                                    {"permissions", {"casework"}},
                                    {"token_sha256", caseengine::TokenHash("officer-token")}}}},
                                 {"teams", {{{"id", "t"}}}},
                                 {"key_encryption_key_file", kek},
                                 {"cors_origins", {kAllowed}}})
                               .dump();
    return file;
  }
};

HttpAnswer Exchange(int port, const std::string& request) {
  RawConnection c(port);
  REQUIRE(c.connected());
  REQUIRE(c.Send(request));
  return c.Read();
}

std::string Preflight(const std::string& origin, const std::string& path) {
  return "OPTIONS " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin +
         "\r\nAccess-Control-Request-Method: POST\r\n"
         "Access-Control-Request-Headers: authorization, content-type, idempotency-key\r\n\r\n";
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

}  // namespace

TEST_CASE("http: a configured origin's preflight and answers carry CORS headers, no other's",
          "[http][browser]") {
  // Given a server whose config allows one origin
  CorsServed s;
  HttpClient officer = s.server.Client("officer-token");
  // When that origin's page preflights a command
  const HttpAnswer pre = Exchange(s.server.port(), Preflight(kAllowed, "/clients"));
  // Then it is 204 naming the origin, the path's methods and the headers the API reads
  CHECK(pre.status == 204);
  CHECK(pre.Header("Access-Control-Allow-Origin") == kAllowed);
  CHECK(pre.Header("Access-Control-Allow-Methods").find("POST") != std::string::npos);
  CHECK(pre.Header("Access-Control-Allow-Methods").find("GET") != std::string::npos);
  for (const char* h : {"Authorization", "Content-Type", "Idempotency-Key", "If-Match"}) {
    CHECK(pre.Header("Access-Control-Allow-Headers").find(h) != std::string::npos);
  }
  CHECK(pre.Header("Vary").find("Origin") != std::string::npos);
  // And its requests' answers name it and the headers it may read, errors included
  const HttpAnswer list = officer.Get("/cases", {{"Origin", kAllowed}});
  CHECK(list.status == 200);
  CHECK(list.Header("Access-Control-Allow-Origin") == kAllowed);
  CHECK(list.Header("Access-Control-Expose-Headers").find("X-Next-Cursor") != std::string::npos);
  CHECK(list.Header("Vary").find("Origin") != std::string::npos);
  const HttpAnswer refused = s.server.Client("").Get("/cases", {{"Origin", kAllowed}});
  CHECK(refused.status == 401);
  CHECK(refused.Header("Access-Control-Allow-Origin") == kAllowed);
  // And another origin gets no CORS header: its preflight is refused as any OPTIONS is
  for (const std::string other : {"https://evil.example", "https://cases.council.example.evil",
                                  "http://cases.council.example"}) {
    INFO(other);
    const HttpAnswer p = Exchange(s.server.port(), Preflight(other, "/clients"));
    CHECK(p.status == 405);
    CHECK(p.Header("Access-Control-Allow-Origin").empty());
    const HttpAnswer a = officer.Get("/cases", {{"Origin", other}});
    CHECK(a.status == 200);
    CHECK(a.Header("Access-Control-Allow-Origin").empty());
    CHECK(a.Header("Access-Control-Expose-Headers").empty());
  }
}

TEST_CASE("http: without configured origins no answer carries CORS headers", "[http][browser]") {
  Served s;
  const HttpAnswer pre = Exchange(s.server.port(), Preflight(kAllowed, "/clients"));
  CHECK(pre.status == 405);
  CHECK(pre.Header("Access-Control-Allow-Origin").empty());
  const HttpAnswer a = s.officer.Get("/cases", {{"Origin", kAllowed}});
  CHECK(a.Header("Access-Control-Allow-Origin").empty());
  CHECK(a.Header("Vary").find("Origin") == std::string::npos);
}

TEST_CASE("http: large answers are gzipped when the request accepts it, with Vary",
          "[http][browser]") {
  // Given enough cases for a page of several kilobytes
  Served s;
  for (int i = 0; i < 20; ++i) Register(s.officer, "Zipped" + std::to_string(i));
  const std::string path = WithMin(s, "/cases?limit=100");
  const HttpAnswer plain = s.officer.Get(path);
  REQUIRE(plain.body.size() > 4096);
  auto get = [&](const std::string& accept) {
    return Exchange(s.server.port(),
                    RequestText("GET", path, "demo-officer", "", {{"Accept-Encoding", accept}}));
  };
  // When it is asked for with gzip accepted
  const HttpAnswer zipped = get("deflate, gzip;q=0.8, br");
  // Then it comes gzipped, smaller, and the same once unzipped
  REQUIRE(zipped.status == 200);
  CHECK(zipped.Header("Content-Encoding") == "gzip");
  CHECK(zipped.Header("Vary").find("Accept-Encoding") != std::string::npos);
  CHECK(zipped.body.size() < plain.body.size() / 3);
  CHECK(json::parse(Gunzip(zipped.body))["rows"] == plain.json["rows"]);
  // And without gzip accepted (or refused with q=0) it comes as it is, saying it varies
  for (const std::string accept : {"identity", "gzip;q=0", "br"}) {
    INFO(accept);
    const HttpAnswer a = get(accept);
    CHECK(a.Header("Content-Encoding").empty());
    CHECK(a.Header("Vary").find("Accept-Encoding") != std::string::npos);
    CHECK(json::parse(a.body)["rows"] == plain.json["rows"]);
  }
  // And a small answer is never zipped
  const HttpAnswer small = Exchange(
      s.server.port(), RequestText("GET", "/healthz", "", "", {{"Accept-Encoding", "gzip"}}));
  CHECK(small.Header("Content-Encoding").empty());
}

TEST_CASE("http: event feeds say when to reconnect and resume after Last-Event-ID",
          "[http][browser]") {
  // Given a log of a few events
  Served s;
  Register(s.officer, "Resumed");
  Register(s.officer, "Again");
  // When the feed is opened, then reopened with the last id the client had
  const EventStreamAnswer first =
      ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-auditor", 2);
  REQUIRE(first.events.size() == 2);
  const EventStreamAnswer resumed =
      ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-auditor", 1, 10,
                      {{"Last-Event-ID", first.events[1].id}});
  // Then the feed starts with a retry time, and goes on after the last event the client had
  CHECK(first.body.rfind("retry: 2000\n\n", 0) == 0);
  REQUIRE(resumed.events.size() == 1);
  CHECK(std::stoull(resumed.events[0].id) == std::stoull(first.events[1].id) + 1);
  // And a Last-Event-ID that is not a position is 422
  CHECK(ReadEventStream(s.server.port(), "/events/stream", "demo-auditor", 1, 3,
                        {{"Last-Event-ID", "abc"}})
            .status == 422);
}

TEST_CASE("http: a browser's EventSource opens a feed with a single-use ticket, not a token",
          "[http][browser]") {
  // Given a log with events
  Served s;
  Register(s.officer, "Ticketed");
  // When the auditor gets a ticket with the bearer token
  const HttpAnswer t = s.auditor.Post("/events/stream/tickets");
  REQUIRE(t.status == 201);
  const std::string ticket = t.json["ticket"];
  CHECK(ticket.size() == 64);
  CHECK(t.json["expires_in"] == 60);
  CHECK(t.Header("Cache-Control") == "no-store");
  // Then the ticket alone opens the feed, without an Authorization header
  const EventStreamAnswer feed =
      ReadEventStream(s.server.port(), "/events/stream?from=1&ticket=" + ticket, "", 1);
  CHECK(feed.status == 200);
  CHECK(feed.events.size() == 1);
  // And it is spent: a second use, or a made-up ticket, is 401
  CHECK(
      ReadEventStream(s.server.port(), "/events/stream?from=1&ticket=" + ticket, "", 1, 3).status ==
      401);
  CHECK(ReadEventStream(s.server.port(), "/events/stream?ticket=" + std::string(64, 'a'), "", 1, 3)
            .status == 401);
  // And a ticket opens nothing else
  CHECK(s.server.Client("").Get("/events?from=1&ticket=" + ticket).status == 401);
  // And only those who may read the feed get tickets
  CheckProblem(s.officer.Post("/events/stream/tickets"), 403, kForbidden);
  CheckProblem(s.server.Client("").Post("/events/stream/tickets"), 401, "/problems/unauthorized");
}

TEST_CASE("config: cors_origins takes origins as browsers send them, and refuses anything else",
          "[http][browser]") {
  // Given config files with one origin each
  TempDir dir;
  auto load = [&](const std::string& origin, caseengine::ServerConfig* out) {
    const std::string path = dir.Sub("config.json");
    std::ofstream(path) << json({{"users",
                                  {{{"id", "officer"},
                                    {"permissions", {"casework"}},
                                    {"token_sha256", caseengine::TokenHash("t")}}}},
                                 {"cors_origins", {origin}}})
                               .dump();
    return caseengine::ServerConfig::Load(path, out);
  };
  // When each is loaded
  // Then scheme://host[:port] is taken as it is
  for (const std::string good : {"https://cases.council.gov.uk", "http://localhost:5173"}) {
    caseengine::ServerConfig c;
    REQUIRE(load(good, &c).ok());
    CHECK(c.cors_origins == std::vector<std::string>{good});
  }
  // And a path, a trailing slash, a wildcard or another scheme is refused, naming the key
  for (const std::string bad :
       {"https://cases.council.gov.uk/", "https://x/app", "*", "https://*.council.gov.uk",
        "cases.council.gov.uk", "ftp://cases", "https://"}) {
    INFO(bad);
    caseengine::ServerConfig c;
    const caseengine::Status s = load(bad, &c);
    CHECK(s.code() == caseengine::Status::Code::kInvalidArgument);
    CHECK(s.message().find("cors_origins") != std::string::npos);
  }
}
