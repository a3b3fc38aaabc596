// Helpers of the operations tests (see ops_support.h).
#include "tests/ops_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "http/server_config.h"

namespace caseengine::testing {

std::string ConfigFile(const TempDir& dir, const nlohmann::json& extra) {
  const std::string kek = dir.Sub("config.kek");
  std::string out;
  // One key for the folder: a second call (another config) keeps it.
  if (!std::filesystem::exists(kek)) REQUIRE(Caseengine({"new-kek", "--out", kek}, &out) == 0);
  nlohmann::json config = {{"key_encryption_key_file", kek},
                           {"teams", {{{"id", "housing-options"}, {"name", "Housing Options"}}}},
                           {"users",
                            {{{"id", "officer"},
                              {"team", "housing-options"},
                              {"permissions", {"casework"}},
                              {"token_sha256", TokenHash(kOfficerToken)}},
                             {{"id", "admin"},
                              {"team", "housing-options"},
                              {"permissions", {"casework", "administer", "delete_clients"}},
                              {"token_sha256", TokenHash(kAdminToken)}},
                             {{"id", "auditor"},
                              {"permissions", {"audit"}},
                              {"token_sha256", TokenHash(kAuditorToken)}}}},
                           {"client_types", {"potential_client"}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) config[it.key()] = it.value();
  const std::string path = dir.Sub("config.json");
  std::ofstream(path) << config.dump(2);
  return path;
}

std::vector<nlohmann::json> LogLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(in, line)) {
    INFO(line);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    lines.push_back(j);
  }
  return lines;
}

std::vector<nlohmann::json> LinesOf(const std::vector<nlohmann::json>& lines,
                                    const std::string& log) {
  std::vector<nlohmann::json> out;
  for (const auto& l : lines) {
    if (l.value("log", "") == log) out.push_back(l);
  }
  return out;
}

int Caseengine(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv{CASEENGINE_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, out);
}

int Casereplay(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv{CASEREPLAY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, out);
}

}  // namespace caseengine::testing
