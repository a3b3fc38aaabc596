// Helpers of the end-to-end tests of the HTTP transport (http_server_test.cc,
// http_server_stop_test.cc, http_wire_test.cc): the body of a register command, and
// whether an answer keeps its connection open.
#pragma once

#include <string>

#include "tests/http_test_support.h"

namespace caseengine::testing::http_server {

std::string RegisterBody(const std::string& surname);

// Whether an answer keeps its connection open: HTTP/1.1 is keep-alive unless it says
// close.
bool KeepsAlive(const HttpAnswer& a);

}  // namespace caseengine::testing::http_server
