// End-to-end tests of the HTTP protocol edges against a real `caseengine serve`: the body
// limit (413), unknown routes (404), methods a path does not answer (405), and HEAD.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_test_support.h"

using namespace caseengine::testing;

TEST_CASE("http: a body over the limit is 413 problem+json and writes nothing", "[http]") {
  // Given a served data folder
  Served s;
  const uint64_t head = s.Head();
  const std::string padding(1 << 20, 'x');
  const std::string big =
      "{\"surname\":\"Big\",\"date_of_birth\":\"1980-01-01\",\"padding\":\"" + padding + "\"}";
  // When a command's body is over the limit
  // Then it is 413 problem+json and nothing is written
  CheckProblem(s.officer.PostRaw("/clients", big), 413, "/problems/too-large");
  CHECK(s.Head() == head);
  // And a body just under the limit is read whole, and then refused for its unknown field
  const std::string fits = "{\"surname\":\"Big\",\"date_of_birth\":\"1980-01-01\",\"padding\":\"" +
                           std::string((1 << 20) - 100, 'x') + "\"}";
  const HttpAnswer read = s.officer.PostRaw("/clients", fits);
  CheckProblem(read, 422, kValidation);
  CHECK(read.json["errors"][0]["field"] == "padding");
  CHECK(s.Head() == head);
}

TEST_CASE("http: an unknown route is a 404 problem", "[http]") {
  // Given a served data folder
  // When a path that is no route is asked for
  // Then it is a 404 problem
  Served s;
  CheckProblem(s.officer.Get("/nowhere"), 404, "/problems/not-found");
  CheckProblem(s.officer.Get("/clients/c-1/nowhere"), 404, "/problems/not-found");
}

TEST_CASE("http: a known path with a method it does not answer is 405 naming the methods it does",
          "[http]") {
  // Given a served data folder
  Served s;
  const uint64_t head = LogHead(s.server.port());
  // When a path is sent a method it does not answer
  // Then it is 405 naming the methods it does in Allow
  const HttpAnswer post = s.officer.Post("/cases");
  CheckProblem(post, 405, "/problems/method-not-allowed");
  CHECK(post.Header("Allow") == "GET, HEAD");
  // And so is a path with a placeholder: PATCH and DELETE on a client, not PUT
  const HttpAnswer put = s.officer.PutRaw("/clients/c-1", "{}");
  CheckProblem(put, 405, "/problems/method-not-allowed");
  const std::string allow = put.Header("Allow");
  CHECK(allow.find("GET") != std::string::npos);
  CHECK(allow.find("PATCH") != std::string::npos);
  CHECK(allow.find("DELETE") != std::string::npos);
  CHECK(LogHead(s.server.port()) == head);  // nothing written
}

TEST_CASE("http: HEAD answers what GET would with the headers and no body", "[http]") {
  // Given a registered client
  Served s;
  const uint64_t p = Register(s.officer, "Headcount")["position"];
  // Both answers from read models that have applied the registration.
  const std::string after = "&min_position=" + std::to_string(p);
  // When HEAD asks for what GET would read
  // Then it answers the GET's status and headers with no body
  for (const std::string& path :
       {"/cases?limit=5" + after, "/clients?q=Headcount" + after, std::string("/healthz")}) {
    INFO(path);
    const HttpAnswer get = s.officer.Get(path);
    const HttpAnswer head = s.officer.Head(path);
    REQUIRE(get.status == 200);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.ContentType() == get.ContentType());
    CHECK(head.Header("Content-Length") == std::to_string(get.body.size()));
  }
  // And its errors are the GET's, without their body
  const HttpAnswer missing = s.officer.Head("/clients/no-such-client");
  CHECK(missing.status == 404);
  CHECK(missing.body.empty());
  CHECK(missing.ContentType() == "application/problem+json");
  s.officer.set_token("");
  CHECK(s.officer.Head("/cases").status == 401);
  // And a path without GET is 405, and HEAD is not offered
  s.officer.set_token("demo-officer");
  const HttpAnswer post_only = s.officer.Head("/clients/c-1/status");
  CHECK(post_only.status == 405);
  CHECK(post_only.Header("Allow").find("HEAD") == std::string::npos);
}

TEST_CASE("http: a HEAD answer leaves the keep-alive connection ready for the next request",
          "[http]") {
  // Given a keep-alive connection
  Served s;
  RawConnection c(s.server.port());
  REQUIRE(c.connected());
  // When a HEAD and a GET are pipelined on it
  // Pipelined: were a body sent after the HEAD's headers, it would be read as the start of
  // the second answer.
  REQUIRE(c.Send(RequestText("HEAD", "/cases?limit=1") + RequestText("GET", "/healthz")));
  // Then the HEAD answers its headers alone and the GET its answer whole
  const HttpAnswer head = c.Read(10, /*head=*/true);
  CHECK(head.status == 200);
  CHECK_FALSE(head.Header("Content-Length").empty());
  const HttpAnswer get = c.Read();
  CHECK(get.status == 200);
  CHECK(get.json.is_object());
}
