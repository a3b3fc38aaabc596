// End-to-end tests of lists as a council's staff read them, against a real
// `caseengine serve`: names sorted by the en-GB collation (ICU) on every list and in the
// client search, paging included; CSV with a UTF-8 byte order mark when asked, and a
// Content-Disposition that names the file.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

// The names in the order a reader of en-GB expects them; by UTF-8 bytes, the accented
// capitals would come after "Zane".
const std::vector<std::string> kCollated = {"Ó Ceallaigh", "Oakley", "Öztürk", "Patel", "Zane"};

std::vector<std::string> Surnames(const json& rows) {
  std::vector<std::string> out;
  for (const json& r : rows) out.push_back(r["surname"]);
  return out;
}

}  // namespace

TEST_CASE("http: lists and the client search sort names by the en-GB collation, across pages",
          "[http][csv]") {
  // Given clients and referrals whose surnames byte order would misplace
  Served s;
  for (auto it = kCollated.rbegin(); it != kCollated.rend(); ++it) {
    const json r = Register(s.officer, *it, {{"postcode", "AB1 2CD"}});
    Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", *it}}), 201);
  }
  // When the case list is read by surname, a page of two at a time
  std::vector<std::string> paged;
  std::string cursor;
  do {
    const json page = GetOk(s.officer, WithMin(s, "/cases?sort=surname&limit=2" +
                                                      (cursor.empty() ? "" : "&cursor=" + cursor)));
    for (const std::string& name : Surnames(page["rows"])) paged.push_back(name);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  // Then the names come in collation order, on every list, and reversed with -surname
  CHECK(paged == kCollated);
  CHECK(Surnames(GetOk(s.officer, WithMin(s, "/case-people?sort=surname"))["rows"]) == kCollated);
  CHECK(Surnames(GetOk(s.officer, WithMin(s, "/lobby?sort=surname"))["rows"]) == kCollated);
  const std::vector<std::string> reversed(kCollated.rbegin(), kCollated.rend());
  CHECK(Surnames(GetOk(s.officer, WithMin(s, "/cases?sort=-surname"))["rows"]) == reversed);
  // And clients that match a search equally well come in the same order
  CHECK(Surnames(GetOk(s.officer, WithMin(s, "/clients?postcode=AB1%202CD"))["rows"]) == kCollated);
}

TEST_CASE("http: CSV lists start with a UTF-8 byte order mark when asked, and name their file",
          "[http][csv]") {
  // Given a client with an accented name
  Served s;
  Register(s.officer, "Öztürk");
  const HttpClient::Headers csv = {{"Accept", "text/csv"}};
  const std::string bom = "\xEF\xBB\xBF";
  // When the case list is read as CSV with bom=true
  const HttpAnswer with = s.officer.Get(WithMin(s, "/cases?columns=surname&bom=true"), csv);
  // Then it starts with the byte order mark, then the header line, and is an attachment
  REQUIRE(with.status == 200);
  CHECK(with.body == bom + "surname\r\nÖztürk\r\n");
  CHECK(with.Header("Content-Disposition") == "attachment; filename=\"cases.csv\"");
  // And without it there is no mark
  const HttpAnswer without = s.officer.Get(WithMin(s, "/cases?columns=surname"), csv);
  CHECK(without.body == "surname\r\nÖztürk\r\n");
  // And every list names its own file
  for (const std::string list : {"case-officers", "case-people", "lobby"}) {
    const HttpAnswer a = s.officer.Get(WithMin(s, "/" + list + "?bom=true"), csv);
    REQUIRE(a.status == 200);
    CHECK(a.body.rfind(bom, 0) == 0);
    CHECK(a.Header("Content-Disposition") == "attachment; filename=\"" + list + ".csv\"");
  }
  // And bom is true or false, nothing else
  CheckProblem(s.officer.Get("/cases?bom=yes", csv), 422, kValidation);
  // And the JSON answer takes bom=true and is JSON as ever
  CHECK(GetOk(s.officer, WithMin(s, "/cases?bom=true"))["rows"].size() == 1);
}
