// Tests of staff sign-in with the identity provider's key set fetched from its URL
// (oidc.jwks_url; http/staff_sign_in.h, auth/jwks_cache.h). The test is the provider: it
// serves its keys from a cpp-httplib server on loopback (tests/jwks_server.h), rotates
// them, and signs its own tokens. The config is read as `caseengine serve` reads it, and
// signed in with in the test's process; a real server shows what a provider that is down
// does to requests, /readyz and the security log.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "http/server_config.h"
#include "tests/http_test_support.h"
#include "tests/jwks_server.h"
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

nlohmann::json Claims(const std::string& user) {
  return {{"iss", kIssuer},
          {"aud", "caseengine"},
          {"sub", "sub-" + user},
          {"preferred_username", user},
          {"roles", {"housing-officer"}},
          {"exp", Now() + 600}};
}

nlohmann::json SetOf(const std::vector<nlohmann::json>& keys) {
  return {{"keys", nlohmann::json(keys)}};
}

nlohmann::json Oidc(const std::string& url) {
  return {{"issuer", kIssuer},
          {"audience", "caseengine"},
          {"jwks_url", url},
          {"roles",
           {{{"claim", "housing-officer"},
             {"permissions", {"casework"}},
             {"team", "housing-options"}}}}};
}

// The config `caseengine serve` would read, with the key set at `url`, started.
struct SignIn {
  explicit SignIn(const std::string& url) {
    const Status s = ServerConfig::Load(ConfigFile(dir, {{"oidc", Oidc(url)}}), &config);
    INFO(s.ToString());
    REQUIRE(s.ok());
    started = config.oidc->Start(nullptr);
  }
  ~SignIn() { config.oidc->Stop(); }
  // The user `token` signs in, or "" (and why in `why`).
  std::string As(const std::string& token, std::string* why = nullptr) {
    std::string reason;
    const Actor* actor = config.Authenticate(token, &reason);
    if (why != nullptr) *why = reason;
    return actor == nullptr ? "" : actor->user_id;
  }
  TempDir dir;
  ServerConfig config;
  Status started;
};

}  // namespace

TEST_CASE(
    "oidc jwks_url: a token verifies, a rotated-in key verifies at its first token, and a "
    "dropped key stops verifying once the set is fetched again",
    "[http][auth][oidc][jwks]") {
  const Key old_key = NewRsa(), new_key = NewP256();
  JwksServer provider(SetOf({Jwk(old_key, "2026-k1")}));
  SignIn s(provider.url());
  REQUIRE(s.started.ok());
  CHECK(provider.fetches() == 1);
  const std::string before = Token(old_key, "2026-k1", Claims("jsmith"));
  CHECK(s.As(before) == "jsmith");

  // The provider rotates: the new key in, the old one out. The first token naming the new
  // kid has the set fetched again, and verifies.
  provider.Serve(SetOf({Jwk(new_key, "2027-k2")}));
  CHECK(s.As(Token(new_key, "2027-k2", Claims("kpatel"))) == "kpatel");
  CHECK(provider.fetches() == 2);

  // Tokens of the dropped key no longer verify: one verified before (and cached) and a new one.
  std::string why;
  CHECK(s.As(before, &why).empty());
  CHECK(why.find("lacks") != std::string::npos);
  CHECK(s.As(Token(old_key, "2026-k1", Claims("late")), &why).empty());
  CHECK(why.find("2026-k1") != std::string::npos);
  // Which did not fetch again: the gap after the rotation's fetch holds.
  CHECK(provider.fetches() == 2);
}

TEST_CASE("oidc jwks_url: unknown kids fetch the set at most once per 30 s",
          "[http][auth][oidc][jwks]") {
  const Key key = NewRsa(), stranger = NewRsa();
  JwksServer provider(SetOf({Jwk(key, "k1")}));
  SignIn s(provider.url());
  REQUIRE(s.started.ok());
  REQUIRE(provider.fetches() == 1);
  for (int i = 0; i < 25; ++i) {
    CHECK(s.As(Token(stranger, "made-up-" + std::to_string(i), Claims("forger"))).empty());
  }
  CHECK(provider.fetches() <= 2);
  // Real tokens go on verifying meanwhile.
  CHECK(s.As(Token(key, "k1", Claims("jsmith"))) == "jsmith");
}

TEST_CASE("oidc jwks_url: a provider down at start refuses tokens until it answers",
          "[http][auth][oidc][jwks]") {
  const Key key = NewRsa();
  JwksServer provider(SetOf({Jwk(key, "k1")}));
  provider.Fail();
  SignIn s(provider.url());
  CHECK_FALSE(s.started.ok());
  std::string why;
  CHECK_FALSE(s.config.oidc->Ready(&why));
  CHECK(why.find("HTTP 500") != std::string::npos);
  const std::string token = Token(key, "k1", Claims("jsmith"));
  CHECK(s.As(token).empty());
  // Back up: the set comes (the next retry, or the next token's fetch), and tokens verify.
  provider.Serve(SetOf({Jwk(key, "k1")}));
  bool signed_in = false;
  for (int i = 0; i < 100 && !signed_in; ++i) {
    signed_in = s.As(token) == "jsmith";
    if (!signed_in) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(signed_in);
  CHECK(s.config.oidc->Ready(&why));
}

TEST_CASE(
    "http: with the identity provider unreachable the engine serves, staff tokens are 401 "
    "with a security line, and /readyz says why",
    "[http][auth][oidc][jwks]") {
  TempDir dir;
  const std::string log = dir.Sub("engine.log");
  const Key key = NewRsa();
  const std::string token = Token(key, "k1", Claims("jsmith"));
  {
    ServerProcess server(
        dir.Sub("data"),
        {"--config", ConfigFile(dir, {{"oidc", Oidc(UnreachableUrl())}}), "--log-file", log});
    const HttpAnswer refused = server.Client(token).Get("/cases?limit=1");
    CHECK(refused.status == 401);
    // Configured tokens (service accounts) go on.
    CHECK(server.Client(kOfficerToken).Get("/cases?limit=1").status != 401);
    const HttpAnswer ready = server.Client("").Get("/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.json.dump().find("key set") != std::string::npos);
    REQUIRE(server.Stop() == 0);
  }
  const auto security = LinesOf(LogLines(log), "security");
  bool fetch_failed = false, unauthorized = false;
  for (const auto& l : security) {
    fetch_failed = fetch_failed || l.value("event", "") == "key_set_fetch_failed";
    unauthorized = unauthorized ||
                   (l.value("event", "") == "unauthorized" && l.value("credential", "") == "oidc" &&
                    l.value("reason", "").find("not fetched yet") != std::string::npos);
  }
  CHECK(fetch_failed);
  CHECK(unauthorized);
}

TEST_CASE("http: staff sign in with the key set from a URL, across a rotation",
          "[http][auth][oidc][jwks]") {
  TempDir dir;
  const Key old_key = NewRsa(), new_key = NewRsa();
  JwksServer provider(SetOf({Jwk(old_key, "k1")}), "max-age=600");
  ServerProcess server(dir.Sub("data"),
                       {"--config", ConfigFile(dir, {{"oidc", Oidc(provider.url())}})});
  // Signed in: 200, or 503 while the read models load; never 401.
  CHECK(server.Client(Token(old_key, "k1", Claims("jsmith"))).Get("/cases?limit=1").status != 401);
  CHECK(server.Client("").Get("/readyz").json.dump().find("key set") == std::string::npos);
  provider.Serve(SetOf({Jwk(new_key, "k2")}));
  CHECK(server.Client(Token(new_key, "k2", Claims("kpatel"))).Get("/cases?limit=1").status != 401);
  CHECK(server.Client(Token(old_key, "k1", Claims("jsmith"))).Get("/cases?limit=1").status == 401);
}

TEST_CASE("caseengine serve refuses a jwks_url it may not use, or one beside jwks_file",
          "[http][auth][oidc][jwks]") {
  TempDir dir;
  std::ofstream(dir.Sub("jwks.json")) << SetOf({Jwk(NewRsa(), "k1")}).dump();
  auto with = [&](nlohmann::json changes) {
    nlohmann::json oidc = Oidc("https://login.example-council.gov.uk/keys");
    for (auto it = changes.begin(); it != changes.end(); ++it) {
      if (it.value().is_null()) {
        oidc.erase(it.key());
      } else {
        oidc[it.key()] = it.value();
      }
    }
    return oidc;
  };
  for (const auto& [oidc, says] : std::vector<std::pair<nlohmann::json, std::string>>{
           {with({{"jwks_file", dir.Sub("jwks.json")}}), "exactly one of jwks_file"},
           {with({{"jwks_url", nullptr}}), "exactly one of jwks_file"},
           {with({{"jwks_url", "http://login.example-council.gov.uk/keys"}}), "must be https"},
           {with({{"jwks_url", "ftp://127.0.0.1/keys"}}), "must be https"},
           {with({{"jwks_refresh_seconds", 5}}), "from 60 to 86400"},
           {with({{"jwks_url", nullptr},
                  {"jwks_file", dir.Sub("jwks.json")},
                  {"jwks_refresh_seconds", 600}}),
            "goes with jwks_url"}}) {
    INFO(oidc.dump());
    ServerConfig config;
    const Status s = ServerConfig::Load(ConfigFile(dir, {{"oidc", oidc}}), &config);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find(says) != std::string::npos);
  }
  // As `caseengine serve` says it: exit 2, naming the fault.
  std::string out;
  CHECK(Caseengine({"serve", "--config",
                    ConfigFile(dir, {{"oidc", with({{"jwks_url", "http://10.1.2.3/keys"}})}}),
                    "--data", dir.Sub("data"), "--listen", "127.0.0.1:0"},
                   &out) == 2);
  CHECK(out.find("must be https") != std::string::npos);
}

}  // namespace caseengine::testing
