// Helpers of the end-to-end tests of the query routes (tests/http_query_*_test.cc): reads
// that must answer 200 or 400, days relative to today, URL encoding, the columns and rows of
// a list page, and a small caseload of clients and cases made through the command routes.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/http_test_support.h"

namespace caseengine::testing::http_queries {

using nlohmann::json;

// GET `path` once the read models have applied everything written so far.
json Read(const Served& s, HttpClient& c, const std::string& path);

// Each GET of `paths` answers a 422 validation problem.
void Invalid(HttpClient& c, const std::vector<std::string>& paths);

std::string Day(int offset);

std::string Today();

std::string UrlEncode(const std::string& s);

// The values of one column over the rows of a page, in order.
std::vector<std::string> Column(const json& page, const std::string& name);

std::set<std::string> ColumnSet(const json& page, const std::string& name);

std::set<std::string> Ids(const std::vector<std::string>& ids);

// Four clients and their cases, set up to differ in every filter of the case list.
//   Alpha  (officer)    A1: a Housing Register (and its Bedroom assessment); Bravo joins
//   Bravo  (officer)    B1: closed
//   Charlie (officer)   C1: team allocations, supervisor as secondary; Charlie inactive
//   Delta  (supervisor) D1: client type case_management
struct Caseload {
  std::string alpha, bravo, charlie, delta;
  std::string a1, b1, c1, d1;
};

Caseload MakeCaseload(Served& s);

const json* RowWhere(const json& page, const std::string& key, const std::string& value);

}  // namespace caseengine::testing::http_queries
