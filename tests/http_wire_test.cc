// End-to-end tests of the HTTP transport on the wire, against a real `caseengine serve`:
// pipelined requests, Expect: 100-continue, bytes that are not HTTP, percent-decoding of
// paths and queries, and a keep-alive connection kept usable after refusals. Most talk over
// RawConnection: the bytes on the wire are what is tested, and HttpClient's library
// rewrites some of them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http_server_support.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_server::KeepsAlive;
using caseengine::testing::http_server::RegisterBody;

// "%63%61..." for every character: nothing of the text is left literal.
std::string EncodeAll(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// GET `path` sent byte for byte (HttpClient's library would escape '+' and more).
HttpAnswer RawGet(int port, const std::string& path, const std::string& token = "demo-officer") {
  RawConnection conn(port);
  conn.Send(RequestText("GET", path, token));
  return conn.Read();
}

}  // namespace

TEST_CASE("http: pipelined requests on one connection are answered in order", "[http]") {
  Served s;
  const std::string known = Register(s.officer, "Known")["client_id"];
  RawConnection conn(s.server.port());
  REQUIRE(conn.connected());
  // A command (answered from the log's acknowledgement), a public query, a query on the
  // worker pool and an unknown route, all in one write.
  REQUIRE(conn.Send(RequestText("POST", "/clients", "demo-officer", RegisterBody("Piped")) +
                    RequestText("GET", "/healthz", "") + RequestText("GET", "/clients/" + known) +
                    RequestText("GET", "/nowhere")));
  const HttpAnswer created = conn.Read();
  const json body = Done(created, 201);
  const HttpAnswer health = conn.Read();
  REQUIRE(health.status == 200);
  // The next request is read only once the command before it is answered, so it sees the
  // command in the log.
  CHECK(health.json.value("head_position", uint64_t{0}) >= body["position"].get<uint64_t>());
  const HttpAnswer client = conn.Read();
  REQUIRE(client.status == 200);
  CHECK(client.json.value("client_id", "") == known);
  const HttpAnswer unknown = conn.Read();
  CheckProblem(unknown, 404, kNotFound);
  CHECK(unknown.json.value("detail", "") == "no route for GET /nowhere");
  for (const HttpAnswer* a : {&created, &health, &client, &unknown}) CHECK(KeepsAlive(*a));

  // Pipelined commands too, appended in the order sent.
  std::string burst;
  for (int i = 0; i < 5; ++i) {
    burst += RequestText("POST", "/clients", "demo-officer", RegisterBody("Burst"));
  }
  REQUIRE(conn.Send(burst));
  uint64_t last = body["position"];
  for (int i = 0; i < 5; ++i) {
    INFO("command " << i);
    const json r = Done(conn.Read(), 201);
    CHECK(r["position"].get<uint64_t>() == last + kRegistrationEvents);
    last = r["position"];
  }
}

TEST_CASE("http: Expect 100-continue is answered before the body is sent", "[http]") {
  Served s;
  RawConnection conn(s.server.port());
  REQUIRE(conn.connected());
  const std::string request = RequestText("POST", "/clients", "demo-officer",
                                          RegisterBody("Continued"), {{"Expect", "100-continue"}});
  const size_t end = request.find("\r\n\r\n") + 4;
  REQUIRE(conn.Send(request.substr(0, end)));
  const HttpAnswer cont = conn.Read(5);
  REQUIRE(cont.status == 100);
  CHECK(cont.body.empty());
  REQUIRE(conn.Send(request.substr(end)));
  const json r = Done(conn.Read(), 201);
  CHECK(GetOk(s.officer, "/clients/" + r["client_id"].get<std::string>())["surname"] ==
        "Continued");

  // A body announced over the limit is refused at once, without a 100 Continue: the
  // client need not send it.
  RawConnection big(s.server.port());
  REQUIRE(
      big.Send("POST /clients HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Authorization: Bearer demo-officer\r\nContent-Type: application/json\r\n"
               "Expect: 100-continue\r\nContent-Length: 5000000\r\n\r\n"));
  const HttpAnswer refused = big.Read(5);
  CheckProblem(refused, 413, "/problems/too-large");
  CHECK(!KeepsAlive(refused));
}

TEST_CASE("http: a request that is not HTTP is 400 problem+json and its connection is closed",
          "[http]") {
  Served s;
  const std::vector<std::string> garbage = {
      "NOT HTTP\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n",
      "GET /healthz HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
      "POST /clients HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: many\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(70000, 'x') + "\r\n\r\n",
  };
  for (const std::string& bytes : garbage) {
    INFO(bytes.substr(0, 80));
    RawConnection conn(s.server.port());
    REQUIRE(conn.connected());
    // A well-formed request after it must not be answered: the connection ends with the
    // 400.
    REQUIRE(conn.Send(bytes + RequestText("GET", "/healthz", "")));
    const HttpAnswer a = conn.Read(5);
    CheckProblem(a, 400, kMalformed);
    CHECK(a.Header("Connection") == "close");
    CHECK(conn.ClosedByServer(5));
  }
  // The server goes on serving.
  CHECK(s.officer.Get("/cases").status == 200);
}

TEST_CASE("http: paths and query parameters reach the routes percent-decoded", "[http]") {
  Served s;
  const json r = Register(
      s.officer, "Van der Berg",
      {{"forenames", "Zoë"}, {"date_of_birth", "1990-01-31"}, {"email", "van+der@example.org"}});
  const std::string c = r["client_id"];
  const uint64_t p = r["position"];

  // Query values: %XX is a byte and '+' a space.
  const int port = s.server.port();
  HttpAnswer a = RawGet(port, WithMin(p, "/clients?email=van%2Bder%40example.org"));
  REQUIRE(a.status == 200);
  REQUIRE(a.json["rows"].size() == 1);
  CHECK(a.json["rows"][0]["client_id"] == c);
  a = RawGet(port, "/clients?email=van+der%40example.org");
  CheckProblem(a, 422, kValidation);
  CHECK(a.json.value("detail", "") == "email 'van der@example.org' is not an email address");
  a = RawGet(port, "/clients?q=Van+der+Berg");
  REQUIRE(a.status == 200);
  REQUIRE(!a.json["rows"].empty());
  CHECK(a.json["rows"][0]["client_id"] == c);
  CHECK(a.json["rows"][0]["matched"] == json::array({"surname"}));
  // Names too (%64 is 'd'), and UTF-8 in escapes.
  a = RawGet(port, "/clients?q=Zo%C3%AB&%64ate_of_birth=1990%2D01%2D31");
  REQUIRE(a.status == 200);
  REQUIRE(!a.json["rows"].empty());
  CHECK(a.json["rows"][0]["client_id"] == c);
  CHECK(a.json["rows"][0]["matched"] == json::array({"forenames", "date_of_birth"}));
  a = RawGet(port, "/clients?date_of_birth=1990+01");
  CheckProblem(a, 422, kValidation);
  CHECK(a.json.value("detail", "") == "date_of_birth '1990 01' is not a date (YYYY-MM-DD)");

  // Path parameters: decoded after the path is split, so an escaped '/' stays in its
  // segment; '+' is not a space in a path.
  a = RawGet(port, "/clients/" + EncodeAll(c));
  REQUIRE(a.status == 200);
  CHECK(a.json["client_id"] == c);
  CHECK(a.Header("ETag") == "\"1\"");
  a = RawGet(port, "/streams/client%2D" + kUnknown + "/events", "demo-auditor");
  CheckProblem(a, 404, kNotFound);
  CHECK(a.json.value("detail", "") == "no stream client-" + kUnknown);
  a = RawGet(port, "/no%2Fwhere+at%20all");
  CheckProblem(a, 404, kNotFound);
  CHECK(a.json.value("detail", "") == "no route for GET /no/where+at all");
  // A malformed escape is kept as it is.
  a = RawGet(port, "/nowhere%zz%4");
  CheckProblem(a, 404, kNotFound);
  CHECK(a.json.value("detail", "") == "no route for GET /nowhere%zz%4");
}

TEST_CASE("http: refused commands and malformed bodies leave a keep-alive connection usable",
          "[http]") {
  Served s;
  const json r = Register(s.officer, "Refused");
  const std::string c = r["client_id"], k = r["case_id"];
  Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "done"}}));
  const uint64_t head = s.Head();
  RawConnection conn(s.server.port());
  REQUIRE(conn.connected());
  struct Refusal {
    std::string method, path, token, body;
    int status;
    std::string type;
  };
  const std::vector<Refusal> refusals = {
      {"POST", "/clients", "demo-officer", "{}", 422, kValidation},
      {"POST", "/clients", "demo-officer", "{\"surname\":", 400, kMalformed},
      {"POST", "/clients", "demo-officer", "[1, 2]", 400, kMalformed},
      {"POST", "/cases/" + k + "/close", "demo-officer", "{\"reason\":\"again\"}", 409,
       kRuleViolated},
      {"DELETE", "/cases/" + k, "demo-officer", "", 403, kForbidden},
      {"POST", "/cases/" + kUnknown + "/notes", "demo-officer", "{\"text\":\"x\"}", 404, kNotFound},
      {"POST", "/clients", "", RegisterBody("Anonymous"), 401, "/problems/unauthorized"},
      {"GET", "/clients?limit=many", "demo-officer", "", 422, kValidation},
  };
  for (const Refusal& x : refusals) {
    INFO(x.method << " " << x.path << " " << x.body);
    REQUIRE(conn.Send(RequestText(x.method, x.path, x.token, x.body)));
    const HttpAnswer a = conn.Read();
    CheckProblem(a, x.status, x.type);
    CHECK(KeepsAlive(a));
    // The same connection serves the next request.
    REQUIRE(conn.Send(RequestText("GET", "/clients/" + c)));
    const HttpAnswer next = conn.Read();
    CHECK(next.status == 200);
    CHECK(next.json.value("client_id", "") == c);
  }
  CHECK(s.Head() == head);
  REQUIRE(conn.Send(RequestText("POST", "/clients", "demo-officer", RegisterBody("Accepted"))));
  Done(conn.Read(), 201);
}
