// End-to-end tests of staff sign-in through an identity provider (http/staff_sign_in.h)
// against a real `caseengine serve`: the test is the provider (its own keys, published as
// a key set file the config names, and its own signed access tokens); roles in a token
// map to the engine's permissions and team as the config says.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "base/coding.h"
#include "tests/http_test_support.h"
#include "tests/jwt_support.h"
#include "tests/ops_support.h"

namespace caseengine::testing {
namespace {

using namespace jwt;

const char* kIssuer = "https://login.example-council.gov.uk/tenant";

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::json Claims(const std::string& user, const nlohmann::json& roles, int64_t exp_in = 600) {
  return {{"iss", kIssuer},       {"aud", "caseengine"},
          {"sub", "sub-" + user}, {"preferred_username", user},
          {"roles", roles},       {"exp", Now() + exp_in},
          {"iat", Now()}};
}

// A server whose config signs staff in through the test's provider: housing-officer maps
// to casework in housing-options, auditor-role to audit.
struct OidcServer {
  OidcServer() {
    std::ofstream(dir.Sub("jwks.json"))
        << nlohmann::json{{"keys", {Jwk(rsa, "rsa-1"), Jwk(ec, "ec-1")}}}.dump();
    const nlohmann::json oidc = {{"issuer", kIssuer},
                                 {"audience", "caseengine"},
                                 {"jwks_file", dir.Sub("jwks.json")},
                                 {"roles",
                                  {{{"claim", "housing-officer"},
                                    {"permissions", {"casework"}},
                                    {"team", "housing-options"}},
                                   {{"claim", "auditor-role"}, {"permissions", {"audit"}}}}}};
    server = std::make_unique<ServerProcess>(
        dir.Sub("data"), std::vector<std::string>{"--config", ConfigFile(dir, {{"oidc", oidc}})});
  }
  HttpClient As(const std::string& token) { return server->Client(token); }
  TempDir dir;
  Key rsa = NewRsa();
  Key ec = NewP256();
  std::unique_ptr<ServerProcess> server;
};

}  // namespace

TEST_CASE(
    "http: staff signed in by the identity provider work with the permissions their roles map to",
    "[http][auth][oidc]") {
  OidcServer s;
  // An officer's token (RS256): casework is allowed, and the client is theirs
  HttpClient officer = s.As(Token(s.rsa, "rsa-1", Claims("jsmith", {"housing-officer"})));
  HttpAnswer r = officer.Post("/clients", {{"surname", "Signed"}, {"date_of_birth", "1990-01-01"}});
  REQUIRE(r.status == 201);
  const std::string case_id = r.json["case_id"];
  const HttpAnswer c = officer.Get("/cases/" + case_id);
  REQUIRE(c.status == 200);
  CHECK(c.json.dump().find("jsmith") != std::string::npos);
  CHECK(officer.Get("/cases?limit=5").status == 200);
  // but not the auditors' routes
  CHECK(officer.Get("/audit").status == 403);

  // An auditor's token (ES256) reads the audit trail, and may not register clients
  HttpClient auditor = s.As(Token(s.ec, "ec-1", Claims("kaudit", {"auditor-role"})));
  CHECK(auditor.Get("/audit").status == 200);
  CHECK(auditor.Post("/clients", {{"surname", "No"}, {"date_of_birth", "1990-01-01"}}).status ==
        403);

  // A signed-in user whose roles map to nothing may do nothing that needs a permission
  HttpClient nobody = s.As(Token(s.rsa, "rsa-1", Claims("visitor", {"canteen"})));
  CHECK(nobody.Post("/clients", {{"surname", "No"}, {"date_of_birth", "1990-01-01"}}).status ==
        403);

  // The configured static tokens still work beside it
  CHECK(s.As(kOfficerToken).Get("/cases?limit=1").status == 200);
}

TEST_CASE(
    "http: a token that is expired, forged, for another audience or unsigned is a 401 saying why",
    "[http][auth][oidc]") {
  OidcServer s;
  auto status_of = [&](const std::string& token, std::string* detail = nullptr) {
    const HttpAnswer a = s.As(token).Get("/cases?limit=1");
    if (detail != nullptr) *detail = a.json.value("detail", "");
    return a.status;
  };
  std::string detail;
  CHECK(status_of(Token(s.rsa, "rsa-1", Claims("late", {"housing-officer"}, -3600)), &detail) ==
        401);
  CHECK(detail.find("expired") != std::string::npos);

  nlohmann::json other = Claims("elsewhere", {"housing-officer"});
  other["aud"] = "another-api";
  CHECK(status_of(Token(s.rsa, "rsa-1", other), &detail) == 401);
  CHECK(detail.find("aud") != std::string::npos);

  const Key stranger = NewRsa();  // a key the provider does not publish
  CHECK(status_of(Token(stranger, "rsa-1", Claims("forger", {"housing-officer"}))) == 401);

  const std::string none = Base64UrlEncode(R"({"alg":"none","kid":"rsa-1"})") + "." +
                           Base64UrlEncode(Claims("none", {"housing-officer"}).dump()) + ".";
  CHECK(status_of(none, &detail) == 401);
  CHECK(detail.find("not accepted") != std::string::npos);
}

TEST_CASE("caseengine serve refuses an oidc configuration it cannot use, naming the fault",
          "[http][auth][oidc]") {
  TempDir dir;
  std::ofstream(dir.Sub("jwks.json")) << R"({"keys": []})";
  for (const auto& [oidc, says] :
       {std::pair<nlohmann::json, std::string>{{{"audience", "caseengine"}}, "issuer is required"},
        {{{"issuer", kIssuer}, {"audience", "x"}, {"jwks_file", dir.Sub("missing.json")}},
         "cannot be read"},
        {{{"issuer", kIssuer}, {"audience", "x"}, {"jwks_file", dir.Sub("jwks.json")}},
         "no RSA or P-256 signing key"},
        {{{"issuer", kIssuer},
          {"audience", "x"},
          {"jwks_file", dir.Sub("jwks.json")},
          {"colour", 1}},
         "unknown key \"colour\""}}) {
    std::string out;
    CHECK(Caseengine({"serve", "--config", ConfigFile(dir, {{"oidc", oidc}}), "--data",
                      dir.Sub("data"), "--listen", "127.0.0.1:0"},
                     &out) == 2);
    INFO(out);
    CHECK(out.find(says) != std::string::npos);
  }
}

}  // namespace caseengine::testing
