// Helpers of the HTTP transport tests (see http_server_support.h).
#include "tests/http_server_support.h"

#include <nlohmann/json.hpp>

namespace caseengine::testing::http_server {

using nlohmann::json;

std::string RegisterBody(const std::string& surname) {
  return json({{"surname", surname}, {"date_of_birth", "1990-01-31"}}).dump();
}

bool KeepsAlive(const HttpAnswer& a) { return a.Header("Connection") != "close"; }

}  // namespace caseengine::testing::http_server
