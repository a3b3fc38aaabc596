// Helpers of the query route tests (see http_queries_support.h).
#include "tests/http_queries_support.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>

namespace caseengine::testing::http_queries {

json Read(const Served& s, HttpClient& c, const std::string& path) {
  return GetOk(c, WithMin(s, path));
}

void Invalid(HttpClient& c, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    INFO("GET " << path);
    CheckProblem(c.Get(path), 422, kValidation);
  }
}

std::string Day(int offset) {
  std::time_t t = std::time(nullptr) + offset * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string Today() { return Day(0); }

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::vector<std::string> Column(const json& page, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& row : page.at("rows")) out.push_back(row.value(name, ""));
  return out;
}

std::set<std::string> ColumnSet(const json& page, const std::string& name) {
  auto v = Column(page, name);
  return {v.begin(), v.end()};
}

std::set<std::string> Ids(const std::vector<std::string>& ids) { return {ids.begin(), ids.end()}; }

Caseload MakeCaseload(Served& s) {
  Caseload w;
  json r = Register(s.officer, "Alpha", {{"forenames", "Ann"}});
  w.alpha = r["client_id"];
  w.a1 = r["case_id"];
  r = Register(s.officer, "Bravo", {{"forenames", "Bob"}});
  w.bravo = r["client_id"];
  w.b1 = r["case_id"];
  r = Register(s.officer, "Charlie", {{"forenames", "Cat"}});
  w.charlie = r["client_id"];
  w.c1 = r["case_id"];
  r = Register(s.supervisor, "Delta", {{"forenames", "Dan"}, {"client_type", "case_management"}});
  w.delta = r["client_id"];
  w.d1 = r["case_id"];
  Done(s.officer.Post("/cases/" + w.a1 + "/strands", {{"type", "housing_register"}}), 201);
  Done(s.officer.Post(
      "/cases/" + w.a1 + "/people",
      {{"client_id", w.bravo}, {"relationship", "partner"}, {"joint_applicant", true}}));
  Done(s.officer.Post("/cases/" + w.b1 + "/close", {{"reason", "housed"}}));
  Done(s.officer.Post("/cases/" + w.c1 + "/team", {{"team_id", "allocations"}}));
  Done(s.officer.Post("/cases/" + w.c1 + "/officers",
                      {{"user_id", "supervisor"}, {"role", "secondary"}}));
  Done(s.officer.Post("/clients/" + w.charlie + "/status", {{"status", "inactive"}}));
  return w;
}

const json* RowWhere(const json& page, const std::string& key, const std::string& value) {
  for (const auto& row : page.at("rows")) {
    if (row.value(key, "") == value) return &row;
  }
  return nullptr;
}

}  // namespace caseengine::testing::http_queries
