// Helpers of the command route tests (see http_commands_support.h).
#include "tests/http_commands_support.h"

#include <catch2/catch.hpp>

namespace caseengine::testing::http_commands {

bool NamesField(const HttpAnswer& a, const std::string& field) {
  if (!a.json.is_object() || !a.json.contains("errors") || !a.json["errors"].is_array()) {
    return false;
  }
  for (const auto& e : a.json["errors"]) {
    if (e.value("field", "") == field && e.contains("message")) return true;
  }
  return false;
}

HttpAnswer Refused(const Served& s, const std::function<HttpAnswer()>& send, int status,
                   const std::string& type) {
  const uint64_t before = s.Head();
  HttpAnswer a = send();
  CheckProblem(a, status, type);
  CHECK(s.Head() == before);
  return a;
}

void RuleSaysNo(const Served& s, const std::function<HttpAnswer()>& send, const std::string& rule) {
  HttpAnswer a = Refused(s, send, 409, kRuleViolated);
  CHECK(a.json.value("rule", "") == rule);
}

void InvalidField(const Served& s, const std::function<HttpAnswer()>& send,
                  const std::string& field) {
  HttpAnswer a = Refused(s, send, 422, kValidation);
  INFO(a.body);
  CHECK(NamesField(a, field));
}

void NotFound(const Served& s, const std::function<HttpAnswer()>& send) {
  Refused(s, send, 404, kNotFound);
}

const json* FindStrand(const json& kase, const std::string& strand_id) {
  for (const auto& st : kase["strands"]) {
    if (st.value("strand_id", "") == strand_id) return &st;
  }
  return nullptr;
}

}  // namespace caseengine::testing::http_commands
