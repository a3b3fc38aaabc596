// The install (packaging/, docs/operations.md "Install"): the systemd unit passes
// `systemd-analyze verify` and is hardened; the .deb that CPack builds holds the
// executables, the unit, the example config and the docs, with its maintainer scripts
// and dependencies. Each part is skipped, with a warning, where its tool is missing.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/server_config.h"
#include "tests/test_support.h"

namespace caseengine::testing {
namespace {

namespace fs = std::filesystem;

// The build folder: where the caseengine executable is built.
const std::string kBuild = fs::path(CASEENGINE_PATH).parent_path().string();

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The program's path on PATH, or "".
std::string Which(const std::string& program) {
  std::string out;
  if (RunCommand({"/bin/sh", "-c", "command -v " + program}, &out) != 0) return "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST_CASE("the systemd unit is hardened and passes systemd-analyze verify", "[install]") {
  const std::string unit = Read(kBuild + "/packaging/caseengine.service");
  REQUIRE(!unit.empty());
  for (const char* line : {"User=caseengine", "ProtectSystem=strict", "ProtectHome=yes",
                           "PrivateTmp=yes", "NoNewPrivileges=yes", "PrivateDevices=yes",
                           "CapabilityBoundingSet=\n", "StateDirectory=caseengine", "UMask=0077",
                           "SystemCallFilter=@system-service", "/bin/caseengine serve --config "}) {
    INFO(line);
    CHECK(unit.find(line) != std::string::npos);
  }
  const std::string analyze = Which("systemd-analyze");
  if (analyze.empty()) {
    WARN("skipped systemd-analyze verify: systemd-analyze is not installed");
    return;
  }
  // The unit names the installed executable, which verify requires to exist: the built
  // one stands in for it.
  TempDir dir;
  std::string text = unit;
  const size_t start = text.find("ExecStart=") + 10;
  const size_t end = text.find(' ', start);
  text.replace(start, end - start, CASEENGINE_PATH);
  const std::string copy = dir.Sub("caseengine.service");
  std::ofstream(copy) << text;
  std::string out;
  const int status = RunCommand({analyze, "verify", "--man=no", copy}, &out);
  INFO(out);
  CHECK(status == 0);
  // Nothing it could not understand (verify only warns about unknown directives).
  CHECK(out.find("Unknown") == std::string::npos);
  CHECK(out.find("unknown") == std::string::npos);

  // systemd's own measure of the sandbox: 0 (none exposed) to 10; at most 2 is "OK".
  if (RunCommand({analyze, "security", "--offline=true", "--no-pager", copy}, &out) != 0) {
    WARN("skipped the exposure check: this systemd-analyze has no security --offline");
    return;
  }
  const std::string level = "Overall exposure level for caseengine.service: ";
  const size_t at = out.find(level);
  REQUIRE(at != std::string::npos);
  const double exposure = std::stod(out.substr(at + level.size()));
  INFO(out);
  CHECK(exposure <= 2.0);
}

TEST_CASE("cpack builds a .deb with the executables, unit, config, docs and scripts", "[install]") {
  const std::string cpack = Which("cpack"), dpkg_deb = Which("dpkg-deb");
  if (cpack.empty() || dpkg_deb.empty()) {
    WARN("skipped: cpack or dpkg-deb is not installed");
    return;
  }
  TempDir dir;
  std::string out;
  REQUIRE(
      RunCommand({cpack, "--config", kBuild + "/CPackConfig.cmake", "-G", "DEB", "-B", dir.path()},
                 &out) == 0);
  std::string deb;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() == ".deb") deb = e.path().string();
  }
  INFO(out);
  REQUIRE(!deb.empty());

  std::string contents;
  REQUIRE(RunCommand({dpkg_deb, "-c", deb}, &contents) == 0);
  INFO(contents);
  for (const char* path :
       {"./usr/bin/caseengine", "./usr/bin/casereplay",
        "./usr/lib/systemd/system/caseengine.service",
        "./usr/share/caseengine/caseengine.example.json", "./usr/share/doc/caseengine/README.md",
        "./usr/share/doc/caseengine/operations.md", "./usr/share/doc/caseengine/http_api.md"}) {
    INFO(path);
    CHECK(contents.find(std::string(path) + "\n") != std::string::npos);
  }
  // The executables are installed executable, the rest not.
  CHECK(contents.find("-rwxr-xr-x root/root") != std::string::npos);

  std::string field;
  REQUIRE(RunCommand({dpkg_deb, "-f", deb, "Package"}, &field) == 0);
  CHECK(field == "caseengine\n");
  REQUIRE(RunCommand({dpkg_deb, "-f", deb, "Depends"}, &field) == 0);
  INFO(field);
  CHECK(field.find("adduser") != std::string::npos);
  CHECK(field.find("libssl3") != std::string::npos);
  CHECK(field.find("libjemalloc2") != std::string::npos);
  CHECK(field.find("libcurl4") != std::string::npos);  // oidc.jwks_url
  // The maintainer scripts make the user, folders, key and config.
  const std::string control = dir.Sub("control");
  REQUIRE(RunCommand({dpkg_deb, "-e", deb, control}, &out) == 0);
  const std::string postinst = Read(control + "/postinst");
  CHECK(postinst.find("adduser --system") != std::string::npos);
  CHECK(postinst.find("caseengine new-kek") != std::string::npos);
  CHECK(fs::exists(control + "/prerm"));
  CHECK((fs::status(control + "/postinst").permissions() & fs::perms::owner_exec) !=
        fs::perms::none);

  // The example config is one the engine reads, and the packaged engine runs.
  const std::string root = dir.Sub("root");
  REQUIRE(RunCommand({dpkg_deb, "-x", deb, root}, &out) == 0);
  // The unit names where the package puts things.
  CHECK(Read(root + "/usr/lib/systemd/system/caseengine.service")
            .find("ExecStart=/usr/bin/caseengine serve --config /etc/caseengine/caseengine.json") !=
        std::string::npos);
  ServerConfig config;
  const Status loaded =
      ServerConfig::Load(root + "/usr/share/caseengine/caseengine.example.json", &config);
  INFO(loaded.ToString());
  CHECK(loaded.ok());
  CHECK(config.key_encryption_key_file == "/etc/caseengine/kek");
  CHECK(RunCommand({root + "/usr/bin/caseengine", "new-kek", "--out", dir.Sub("kek")}, &out) == 0);
}

}  // namespace
}  // namespace caseengine::testing
