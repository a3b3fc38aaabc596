// Tests of service accounts' API keys (http/api_keys.h, `caseengine new-api-key`): a key
// acts as its configured user and is named, never shown, in the logs; an expired or
// unknown key is a 401 that counts as a failed sign-in; the command's key matches the
// entry it prints; a config entry the engine cannot use stops the start.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "http/api_keys.h"
#include "http/server_config.h"
#include "tests/http_test_support.h"
#include "tests/ops_support.h"

namespace caseengine::testing {
namespace {

std::string NewKey() {
  std::string key;
  REQUIRE(NewApiKey(&key).ok());
  return key;
}

// The officer of ConfigFile, and a service account that signs in with keys alone.
nlohmann::json Users() {
  return {{{"id", "officer"},
           {"team", "housing-options"},
           {"permissions", {"casework"}},
           {"token_sha256", TokenHash(kOfficerToken)}},
          {{"id", "referrals-bot"}, {"team", "housing-options"}, {"permissions", {"casework"}}}};
}

nlohmann::json Entry(const std::string& name, const std::string& key,
                     const std::string& expires = "") {
  nlohmann::json e = {{"name", name}, {"key_sha256", TokenHash(key)}, {"user", "referrals-bot"}};
  if (!expires.empty()) e["expires"] = expires;
  return e;
}

}  // namespace

TEST_CASE(
    "http: a service account's API key acts as its user and is named in the log, and an "
    "expired or unknown key is 401 and counts as a failed sign-in",
    "[http][auth][api_keys]") {
  TempDir dir;
  const std::string log = dir.Sub("engine.log");
  const std::string good = NewKey(), expired = NewKey(), wrong = NewKey();
  const nlohmann::json config = {
      {"users", Users()},
      {"api_keys",
       {Entry("referrals-portal", good, "2099-12-31"), Entry("old-export", expired, "2020-01-01")}},
      {"sign_in", {{"max_failures_per_source", 3}}}};
  std::string registered_case;
  {
    ServerProcess server(dir.Sub("data"), {"--config", ConfigFile(dir, config), "--log-file", log});
    HttpClient bot = server.Client(good);
    const HttpAnswer r =
        bot.Post("/clients", {{"surname", "Referred"}, {"date_of_birth", "1990-01-01"}});
    REQUIRE(r.status == 201);
    registered_case = r.json["case_id"];
    const HttpAnswer c = bot.Get("/cases/" + registered_case);
    REQUIRE(c.status == 200);
    CHECK(c.json.dump().find("referrals-bot") != std::string::npos);

    const HttpAnswer old = server.Client(expired).Get("/cases/" + registered_case);
    CHECK(old.status == 401);
    CHECK(old.json.value("detail", "").find("expired") != std::string::npos);
    const HttpAnswer unknown = server.Client(wrong).Get("/cases/" + registered_case);
    CHECK(unknown.status == 401);
    CHECK(unknown.json.value("detail", "").find("unknown API key") != std::string::npos);
    // The third failure from this address (limit 3) locks it out, good keys too.
    CHECK(server.Client(wrong).Get("/cases/" + registered_case).status == 401);
    CHECK(bot.Get("/cases/" + registered_case).status == 429);
    REQUIRE(server.Stop() == 0);
  }
  const std::string text = [&] {
    std::ifstream in(log);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
  }();
  for (const std::string& secret : {good, expired, wrong})
    CHECK(text.find(secret) == std::string::npos);
  const auto lines = LogLines(log);
  bool named = false, expiry = false, throttled = false;
  for (const auto& l : LinesOf(lines, "request")) {
    named = named || (l.value("user", "") == "referrals-bot" &&
                      l.value("credential", "") == "api_key:referrals-portal");
  }
  for (const auto& l : LinesOf(lines, "security")) {
    expiry = expiry || (l.value("event", "") == "unauthorized" &&
                        l.value("credential", "") == "api_key:old-export" &&
                        l.value("reason", "").find("expired") != std::string::npos);
    throttled = throttled || l.value("event", "") == "throttled";
  }
  CHECK(named);
  CHECK(expiry);
  CHECK(throttled);
}

TEST_CASE("caseengine new-api-key prints a key once, and the config entry with its hash",
          "[http][auth][api_keys]") {
  std::string out;
  REQUIRE(Caseengine({"new-api-key", "--name", "nightly-export", "--expires", "2099-06-30"},
                     &out) == 0);
  INFO(out);
  std::istringstream lines(out);
  std::string line, key;
  nlohmann::json entry;
  while (std::getline(lines, line)) {
    if (line.rfind("ce_", 0) == 0) key = line;
    if (line.rfind("{", 0) == 0) entry = nlohmann::json::parse(line);
  }
  REQUIRE(key.size() == 3 + 43);  // ce_ and 32 bytes of base64url
  REQUIRE(entry.is_object());
  CHECK(entry["name"] == "nightly-export");
  CHECK(entry["key_sha256"] == TokenHash(key));
  CHECK(entry["user"] == "nightly-export");
  CHECK(entry["expires"] == "2099-06-30");
  // Two keys are never the same.
  std::string again;
  REQUIRE(Caseengine({"new-api-key", "--name", "nightly-export"}, &again) == 0);
  CHECK(again.find(key) == std::string::npos);
  CHECK(again.find("\"expires\"") == std::string::npos);
  // The entry, as printed, is one the engine takes (its user configured).
  TempDir dir;
  nlohmann::json users = Users();
  users.push_back({{"id", "nightly-export"}, {"permissions", {"audit"}}});
  ServerConfig config;
  REQUIRE(ServerConfig::Load(
              ConfigFile(dir, {{"users", users}, {"api_keys", nlohmann::json::array({entry})}}),
              &config)
              .ok());
  const Actor* actor = config.Authenticate(key);
  REQUIRE(actor != nullptr);
  CHECK(actor->user_id == "nightly-export");
  // What the command refuses.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"new-api-key", "--name", "has space"},
        {"new-api-key", "--name", "x", "--expires", "2020-01-01"},
        {"new-api-key", "--name", "x", "--expires", "soon"},
        {"new-api-key"}}) {
    CHECK(Caseengine(args, &out) == 2);
  }
}

TEST_CASE("caseengine serve refuses api_keys it cannot use, naming the entry and the fault",
          "[http][auth][api_keys]") {
  TempDir dir;
  const std::string key = NewKey();
  const nlohmann::json good = Entry("portal", key);
  auto with = [&](const nlohmann::json& changes) {
    nlohmann::json e = good;
    for (auto it = changes.begin(); it != changes.end(); ++it) e[it.key()] = it.value();
    return e;
  };
  for (const auto& [keys, says] : std::vector<std::pair<nlohmann::json, std::string>>{
           {nlohmann::json::array({with({{"colour", "blue"}})}), "unknown key \"colour\""},
           {nlohmann::json::array({with({{"user", "nobody"}})}), "unknown user nobody"},
           {nlohmann::json::array({with({{"key_sha256", "ABC"}})}), "64 lower-case hex digits"},
           {nlohmann::json::array({with({{"expires", "next year"}})}), "expires must be a date"},
           {nlohmann::json::array({with({{"name", "two words"}})}), "\"name\" of 1 to 64"},
           {nlohmann::json::array({good, with({{"key_sha256", TokenHash(NewKey())}})}),
            "the name is used twice"},
           {nlohmann::json::array({good, with({{"name", "portal-2"}})}), "another key's too"},
           {nlohmann::json::array({with({{"key_sha256", TokenHash(kOfficerToken)}})}),
            "token_sha256 too"},
           {good, "must be a list"}}) {
    INFO(keys.dump());
    ServerConfig config;
    const Status s =
        ServerConfig::Load(ConfigFile(dir, {{"users", Users()}, {"api_keys", keys}}), &config);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find(says) != std::string::npos);
  }
  // As `caseengine serve` says it: exit 2.
  std::string out;
  CHECK(Caseengine({"serve", "--config",
                    ConfigFile(dir, {{"users", Users()},
                                     {"api_keys", nlohmann::json::array({with({{"colour", 1}})})}}),
                    "--data", dir.Sub("data"), "--listen", "127.0.0.1:0"},
                   &out) == 2);
  CHECK(out.find("unknown key \"colour\"") != std::string::npos);
}

}  // namespace caseengine::testing
