// Helpers of the operations tests (serve_cli_test.cc, http_logs_test.cc,
// http_ops_routes_test.cc): a config file of the test's own for `caseengine serve`, and
// the engine's JSON log read back line by line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace caseengine::testing {

// The tokens of the users of ConfigFile: officer (casework), admin (casework, administer,
// delete_clients) and auditor (audit).
inline constexpr const char* kOfficerToken = "officer-token-for-tests";
inline constexpr const char* kAdminToken = "admin-token-for-tests";
inline constexpr const char* kAuditorToken = "auditor-token-for-tests";

// Writes dir/config.json: those users in team housing-options, a key-encryption key made
// by `caseengine new-kek` beside it (once), and `extra`'s keys over the rest. Returns its path.
std::string ConfigFile(const TempDir& dir, const nlohmann::json& extra = nlohmann::json::object());

// Every line of the log file, each parsed (a line that is not a JSON object fails the
// test).
std::vector<nlohmann::json> LogLines(const std::string& path);
// The lines whose "log" is `log` ("request", "security", "startup").
std::vector<nlohmann::json> LinesOf(const std::vector<nlohmann::json>& lines,
                                    const std::string& log);

// caseengine or casereplay with arguments; their exit status, and what they printed.
int Caseengine(const std::vector<std::string>& args, std::string* out);
int Casereplay(const std::vector<std::string>& args, std::string* out);

}  // namespace caseengine::testing
