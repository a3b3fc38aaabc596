// End-to-end tests of what browsers and generated clients meet on the wire, against a real
// `caseengine serve`: a command body that is not sent as JSON is 415 and writes nothing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

// A request with exactly these headers (RequestText adds a JSON Content-Type of its own).
std::string Raw(const std::string& method, const std::string& path, const std::string& headers,
                const std::string& body) {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         "Authorization: Bearer demo-officer\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

HttpAnswer Exchange(int port, const std::string& request) {
  RawConnection c(port);
  REQUIRE(c.connected());
  REQUIRE(c.Send(request));
  HttpAnswer a = c.Read();
  a.json = json::parse(a.body, nullptr, false);
  if (a.json.is_discarded()) a.json = nullptr;
  return a;
}

}  // namespace

TEST_CASE("http: a command body sent as anything but JSON is 415 and writes nothing",
          "[http][input]") {
  // Given a served data folder
  Served s;
  const std::string body = json{{"surname", "Form"}, {"date_of_birth", "1980-01-01"}}.dump();
  const uint64_t head = s.Head();
  // When a registration's JSON is sent as a form, as text, or with no Content-Type
  const std::vector<std::string> types = {"Content-Type: application/x-www-form-urlencoded\r\n",
                                          "Content-Type: text/plain\r\n", ""};
  for (const std::string& type : types) {
    INFO(type);
    const HttpAnswer a = Exchange(s.server.port(), Raw("POST", "/clients", type, body));
    // Then it is 415 /problems/unsupported-media-type naming what is accepted
    CheckProblem(a, 415, "/problems/unsupported-media-type");
    CHECK(a.json["accepted"] == json::array({"application/json"}));
  }
  // And nothing was written
  CHECK(s.Head() == head);
  // And JSON with parameters, or a +json type, is taken
  const HttpAnswer ok =
      Exchange(s.server.port(),
               Raw("POST", "/clients", "Content-Type: Application/JSON; charset=utf-8\r\n", body));
  CHECK(ok.status == 201);
  const std::string client = ok.json["client_id"];
  const HttpAnswer patch = Exchange(
      s.server.port(), Raw("PATCH", "/clients/" + client,
                           "Content-Type: application/merge-patch+json\r\n", R"({"phone":"07700900123"})"));
  CHECK(patch.status == 200);
  // And a command without a body needs no Content-Type
  const HttpAnswer open = Exchange(
      s.server.port(), Raw("POST", "/clients/" + client + "/cases", std::string(), std::string()));
  CHECK(open.status == 201);
}
