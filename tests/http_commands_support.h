// Helpers of the end-to-end tests of the command routes (tests/http_*_commands_test.cc and
// the other command route tests): refusals that leave the log head where it was (by status,
// rule, invalid field or unknown id), and the strands of a case answer.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_test_support.h"

namespace caseengine::testing::http_commands {

using nlohmann::json;

bool NamesField(const HttpAnswer& a, const std::string& field);

// A command that must be refused: its problem, and nothing written (the log head stays).
HttpAnswer Refused(const Served& s, const std::function<HttpAnswer()>& send, int status,
                   const std::string& type);

void RuleSaysNo(const Served& s, const std::function<HttpAnswer()>& send, const std::string& rule);

void InvalidField(const Served& s, const std::function<HttpAnswer()>& send,
                  const std::string& field);

void NotFound(const Served& s, const std::function<HttpAnswer()>& send);

const json* FindStrand(const json& kase, const std::string& strand_id);

}  // namespace caseengine::testing::http_commands
