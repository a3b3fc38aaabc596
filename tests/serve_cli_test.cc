// Tests of the executables' start-up rules, run as processes: serve needs a config file
// or --demo, the demo listens on loopback only, an unknown key in the config file stops
// the start, both tools print --version and share their exit codes (base/exit_codes.h),
// and seed needs --data and a folder without a log.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/http_test_support.h"
#include "tests/ops_support.h"

namespace caseengine::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

TEST_CASE("serve without a config file and without --demo refuses to start", "[ops]") {
  TempDir tmp;
  std::string out;
  CHECK(Caseengine({"serve", "--data", tmp.Sub("data"), "--listen", "127.0.0.1:0"}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("no configuration"));
  CHECK_THAT(out, Catch::Contains("--demo"));
  CHECK_THAT(out, Catch::Contains("--config"));
  // Nothing was made: no folder, no demo key.
  CHECK_FALSE(fs::exists(tmp.Sub("data")));
  CHECK_FALSE(fs::exists(tmp.Sub("data.kek")));
}

TEST_CASE("serve --demo listens on a loopback address only", "[ops]") {
  TempDir tmp;
  std::string out;
  for (const char* address : {"0.0.0.0:0", "192.0.2.1:0", "example.org:0"}) {
    INFO(address);
    CHECK(Caseengine({"serve", "--demo", "--data", tmp.Sub("data"), "--listen", address}, &out) ==
          2);
    CHECK_THAT(out, Catch::Contains("loopback"));
  }
  CHECK_FALSE(fs::exists(tmp.Sub("data")));
  // On loopback it serves the demo's users.
  ServerProcess demo(tmp.Sub("data"));
  CHECK(demo.Client("demo-officer").Get("/cases").status == 200);
  CHECK_THAT(demo.banner(), Catch::Contains("--demo"));
}

TEST_CASE("serve refuses --demo together with a config file", "[ops]") {
  TempDir tmp;
  const std::string config = ConfigFile(tmp);
  std::string out;
  CHECK(Caseengine({"serve", "--demo", "--config", config, "--data", tmp.Sub("data"), "--listen",
                    "127.0.0.1:0"},
                   &out) == 2);
  CHECK_THAT(out, Catch::Contains("one or the other"));
}

TEST_CASE("without --demo the demo tokens open nothing", "[ops]") {
  TempDir tmp;
  ServerProcess server(tmp.Sub("data"), {"--config", ConfigFile(tmp)});
  CHECK(server.Client("demo-officer").Get("/cases").status == 401);
  CHECK(server.Client("demo-admin").Get("/cases").status == 401);
  CHECK(server.Client(kOfficerToken).Get("/cases").status == 200);
}

TEST_CASE("an unknown key in the config file is an error at start", "[ops]") {
  TempDir tmp;
  std::string out;
  // A misspelt key at the top, in an object, in a user, in a team.
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"memory_budjet", "2G"}}, "\"memory_budjet\""},
      {{{"settings", {{"delete_mod", "erase"}}}}, "\"delete_mod\" in settings"},
      {{{"log", {{"levl", "debug"}}}}, "\"levl\" in log"},
      {{{"sign_in", {{"lockout", 5}}}}, "\"lockout\" in sign_in"},
      {{{"teams", {{{"id", "housing-options"}, {"allow_cases", false}}}}}, "\"allow_cases\""},
  };
  for (const auto& [extra, named] : cases) {
    INFO(extra.dump());
    const std::string config = ConfigFile(tmp, extra);
    CHECK(Caseengine(
              {"serve", "--config", config, "--data", tmp.Sub("data"), "--listen", "127.0.0.1:0"},
              &out) == 2);
    CHECK_THAT(out, Catch::Contains("unknown key " + named));
  }
  CHECK_FALSE(fs::exists(tmp.Sub("data")));
}

TEST_CASE("both executables print their version and share their exit codes", "[ops]") {
  std::string engine, replay;
  CHECK(Caseengine({"--version"}, &engine) == 0);
  CHECK(Casereplay({"--version"}, &replay) == 0);
  CHECK_THAT(engine, Catch::StartsWith("caseengine "));
  CHECK_THAT(replay, Catch::StartsWith("casereplay "));
  // The same version.
  CHECK(engine.substr(std::string("caseengine ").size()) ==
        replay.substr(std::string("casereplay ").size()));
  // A usage error is 2 ("could not run") in both.
  std::string out;
  CHECK(Caseengine({"serve", "--no-such-flag"}, &out) == 2);
  CHECK(Casereplay({"verify", "--no-such-flag"}, &out) == 2);
  CHECK(Caseengine({}, &out) == 2);
  CHECK(Casereplay({}, &out) == 2);
  // A folder that cannot be used is 2 in both.
  TempDir tmp;
  CHECK(Caseengine({"rebuild", "--data", tmp.Sub("none")}, &out) == 2);
  CHECK(Casereplay({"verify", "--data", tmp.Sub("none")}, &out) == 2);
}

TEST_CASE("caseengine seed needs --data and refuses a folder that holds a log", "[ops]") {
  TempDir tmp;
  std::string out;
  CHECK(Caseengine({"seed", "--clients", "5"}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("--data"));
  const std::string dir = tmp.Sub("data");
  REQUIRE(Caseengine({"seed", "--data", dir, "--clients", "5"}, &out) == 0);
  struct stat before;
  REQUIRE(stat((dir + "/CURRENT").c_str(), &before) == 0);
  CHECK(Caseengine({"seed", "--data", dir, "--clients", "5"}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("already holds a log"));
}

}  // namespace caseengine::testing
