// Hostile input, end to end against a real `caseengine serve` and in process: control
// characters and bytes that are not UTF-8 in a command's strings (422, nothing written),
// formula cells in CSV answers (neutralised), requests whose framing or target a proxy
// could read otherwise (400, connection closed), and JSON bodies that name a key twice
// (400). Each refusal is checked to leave the log and the read models as they were.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregates/validate.h"
#include "audit/event_json.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;
using nlohmann::json;

namespace {

bool NamesField(const HttpAnswer& a, const std::string& field) {
  if (!a.json.is_object() || !a.json.contains("errors")) return false;
  for (const auto& e : a.json["errors"]) {
    if (e.value("field", "") == field && !e.value("message", "").empty()) return true;
  }
  return false;
}

// The lines of a CSV answer, without their CRLF.
std::vector<std::string> CsvLines(const std::string& body) {
  std::vector<std::string> lines;
  size_t start = 0, end;
  while ((end = body.find("\r\n", start)) != std::string::npos) {
    lines.push_back(body.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// What the read side shows: the case list, the people and the Lobby, as JSON text.
std::string ReadSide(const Served& s, HttpClient& c) {
  std::string out;
  for (const char* list : {"/cases?limit=1000&sort=case_id", "/case-people?limit=1000",
                           "/lobby?status=all&limit=1000", "/clients?q=a"}) {
    out += c.Get(WithMin(s, list)).body + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("text in commands: bidirectional overrides are refused, right-to-left letters are text",
          "[input]") {
  // Given text with an override, an embedding or an isolate (U+202E, U+202A, U+2066, U+2069)
  for (const std::string bad : {std::string("Smith\xe2\x80\xae"
                                            "htimS"),
                                std::string("\xe2\x80\xaa"
                                            "a"),
                                std::string("a\xe2\x81\xa6"
                                            "b"),
                                std::string("a\xe2\x81\xa9")}) {
    INFO(bad);
    // Then it is refused, on one line or several
    CHECK(TextProblem(bad, TextKind::kLine) != nullptr);
    CHECK(TextProblem(bad, TextKind::kMultiline) != nullptr);
  }
  // And Arabic and Hebrew letters, and the marks beside them (U+200F), are text
  CHECK(TextProblem("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf", TextKind::kLine) == nullptr);
  CHECK(TextProblem("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\x8f", TextKind::kLine) == nullptr);
  // And a dash or a quotation mark of the same block (U+2014, U+201C) is text too
  CHECK(TextProblem("a \xe2\x80\x94 \xe2\x80\x9c"
                    "b",
                    TextKind::kLine) == nullptr);
}

TEST_CASE("text in commands: control characters and bad UTF-8 are named as such", "[input]") {
  CHECK(TextProblem("Zoë O'Brien-Smith", TextKind::kLine) == nullptr);
  CHECK(TextProblem("", TextKind::kLine) == nullptr);
  CHECK(TextProblem("line one\nline two\r\n\tindented", TextKind::kMultiline) == nullptr);
  for (const std::string bad :
       {std::string("a\0b", 3), std::string("a\x01"), std::string("\x1b[31m"), std::string("a\x7f"),
        std::string("a\xc2\x85"
                    "b"),
        std::string("a\xc2\x9f")}) {
    INFO(bad);
    CHECK(TextProblem(bad, TextKind::kLine) != nullptr);
    CHECK(TextProblem(bad, TextKind::kMultiline) != nullptr);
  }
  // Line breaks and tabs only where the text may have several lines.
  for (const std::string spaced : {"a\nb", "a\rb", "a\tb"}) {
    CHECK(TextProblem(spaced, TextKind::kLine) != nullptr);
    CHECK(TextProblem(spaced, TextKind::kMultiline) == nullptr);
  }
  for (const std::string broken : {std::string("\xff"), std::string("a\xc3"),
                                   std::string("\xed\xa0\x80"), std::string("\xc0\xaf")}) {
    CHECK(std::string(TextProblem(broken, TextKind::kMultiline)) == "is not valid UTF-8");
  }
  // U+00A0 and beyond are text.
  CHECK(TextProblem("a\xc2\xa0"
                    "b \xe2\x82\xac",
                    TextKind::kLine) == nullptr);
}

TEST_CASE("CSV cells that a spreadsheet would run as formulas start with a quote", "[input]") {
  CHECK(CsvCell(json("=HYPERLINK(\"http://evil\",\"x\")")) ==
        "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
  CHECK(CsvCell(json("+441234")) == "'+441234");
  CHECK(CsvCell(json("-2+3")) == "'-2+3");
  CHECK(CsvCell(json("@SUM(A1)")) == "'@SUM(A1)");
  CHECK(CsvCell(json("\tcmd")) == "'\tcmd");
  CHECK(CsvCell(json("\rcmd")) == "\"'\rcmd\"");
  // Numbers are numbers, not formulas: as JSON writes them.
  CHECK(CsvCell(json(-3)) == "-3");
  CHECK(CsvCell(json(-2.5)) == "-2.5");
  CHECK(CsvCell(json(7)) == "7");
  CHECK(CsvCell(json(nullptr)).empty());
  CHECK(CsvCell(json("Plain")) == "Plain");
  CHECK(CsvCell(json("a=b")) == "a=b");
  // Control characters left by older input, and bytes that are not UTF-8, are U+FFFD.
  CHECK(CsvCell(json(std::string("a\0b\x1b", 4))) ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD");
  CHECK(CsvCell(json(std::string("x\ny"))) == "\"x\ny\"");
}

TEST_CASE(
    "http: control characters in names and free text are refused with 422 and nothing "
    "is written",
    "[http][input]") {
  Served s;
  const json r = Register(s.officer, "Clean");
  const std::string c = r["client_id"], k = r["case_id"];
  const std::string lobby = Done(
      s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Lobbyist"}}), 201)["lobby_id"];
  HttpClient* o = &s.officer;
  HttpClient* sv = &s.supervisor;
  const std::string nul("Ann\0e", 5);
  const std::string esc = "Ann\x1b[2J";
  const std::string c1 = "Ann\xc2\x85";
  const std::string tab = "Ann\tEx";
  const std::string lf = "Ann\nEx";
  const std::vector<std::pair<Call, std::string>> table = {
      {{o, "POST", "/clients", {{"surname", nul}, {"date_of_birth", "1980-01-01"}}}, "surname"},
      {{o,
        "POST",
        "/clients",
        {{"surname", "A"}, {"forenames", esc}, {"date_of_birth", "1980-01-01"}}},
       "forenames"},
      {{o, "POST", "/clients", {{"surname", lf}, {"date_of_birth", "1980-01-01"}}}, "surname"},
      {{o, "POST", "/clients", {{"surname", tab}, {"date_of_birth", "1980-01-01"}}}, "surname"},
      {{o, "PATCH", "/clients/" + c, {{"surname", c1}}}, "surname"},
      {{o, "PATCH", "/clients/" + c, {{"email", "a\x01@example.org"}}}, "email"},
      {{o,
        "PATCH",
        "/clients/" + c,
        {{"phone",
          "0770\x7f"
          "0900123"}}},
       "phone"},
      {{sv, "POST", "/clients/" + c + "/case-number", {{"case_number", "CN\x02"}}}, "case_number"},
      {{o, "POST", "/clients/" + c + "/groups", {{"group", "g\x03"}}}, "group"},
      {{o, "POST", "/clients/" + c + "/navigators", {{"user_id", "officer\x04"}}}, "user_id"},
      {{o, "POST", "/cases/" + k + "/officers", {{"user_id", "off\ficer"}, {"role", "other"}}},
       "user_id"},
      {{o, "POST", "/cases/" + k + "/team", {{"team_id", "housing\x05"}}}, "team_id"},
      {{o, "POST", "/cases/" + k + "/people", {{"client_id", c}, {"relationship", "part\x06ner"}}},
       "relationship"},
      {{o, "POST", "/cases/" + k + "/close", {{"reason", nul}}}, "reason"},
      {{o, "POST", "/cases/" + k + "/reopen", {{"reason", esc}}}, "reason"},
      {{o, "POST", "/cases/" + k + "/notes", {{"text", "note\x1b"}}}, "text"},
      {{o, "POST", "/cases/" + k + "/notes", {{"text", "ok"}, {"strand_id", "s\x01"}}},
       "strand_id"},
      {{o, "POST", "/cases/" + k + "/actions", {{"title", "Call\nback"}}}, "title"},
      {{o, "POST", "/cases/" + k + "/actions", {{"title", "Call\x08"}}}, "title"},
      {{o, "POST", "/lobby", {{"source", "self"}, {"surname", "L"}, {"referrer", "ref\x1b"}}},
       "referrer"},
      {{o, "POST", "/lobby", {{"source", "self"}, {"surname", c1}}}, "surname"},
      {{o,
        "POST",
        "/lobby",
        {{"source", "self"},
         {"surname", "L"},
         {"postcode", std::string("SW1A\0"
                                  "1AA",
                                  8)}}},
       "postcode"},
      // Ids from the path: percent-decoded bytes that are not UTF-8, or controls.
      {{o, "POST", "/clients/%FF%FE/status", {{"status", "active"}}}, "client_id"},
      {{o, "POST", "/lobby/a%00b/claim"}, "lobby_id"},
      {{o, "POST", "/cases/" + k + "/actions/%1B/complete"}, "action_id"},
  };
  const uint64_t before = s.Head();
  const std::string read_side = ReadSide(s, s.admin);
  for (const auto& [call, field] : table) {
    INFO(call.method << " " << call.path << " " << call.body.dump(-1, ' ', true));
    const HttpAnswer a = Send(call);
    CheckProblem(a, 422, kValidation);
    INFO(a.body);
    CHECK(NamesField(a, field));
  }
  CHECK(s.Head() == before);
  CHECK(ReadSide(s, s.admin) == read_side);

  // Where text may have several lines, line breaks and tabs are kept.
  Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Called.\n\tNo answer.\r\nRetry."}}),
       201);
  Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "Housed\nin the end"}}));
  Done(s.officer.Post("/cases/" + k + "/reopen", {{"reason", "Back\tagain"}}));
  // A body that is not UTF-8 is not JSON.
  CheckProblem(
      s.officer.PostRaw("/clients", "{\"surname\":\"\xff\",\"date_of_birth\":\"1980-01-01\"}",
                        {{"Content-Type", "application/json"}}),
      400, kMalformed);
  // The server is still there.
  CHECK(s.officer.Get("/healthz").status == 200);
}

TEST_CASE("http: CSV lists neutralise formula cells and keep numbers", "[http][input]") {
  Served s;
  const std::string formula = "=HYPERLINK(\"http://evil.example\",\"Click\")";
  const json r = Register(s.officer, formula, {{"forenames", "@SUM(1+1)"}});
  const std::string k = r["case_id"], c = r["client_id"];
  Register(s.officer, "-2+3");
  Done(s.officer.Post(
      "/cases/" + k + "/people",
      {{"client_id", Register(s.officer, "+Plus")["client_id"]}, {"relationship", "=1+1"}}));
  Done(s.officer.Post("/lobby", {{"source", "third_party"},
                                 {"surname", "=cmd|' /C calc'!A0"},
                                 {"referrer", "@referrer"}}),
       201);
  for (const char* list :
       {"/cases?limit=1000", "/case-people?limit=1000", "/case-officers", "/lobby?status=all"}) {
    INFO(list);
    const HttpAnswer a = s.officer.Get(WithMin(s, list), {{"Accept", "text/csv"}});
    REQUIRE(a.status == 200);
    INFO(a.body);
    for (const std::string& line : CsvLines(a.body)) {
      // No cell starts with a formula's first character (cells follow a comma or start the
      // line; quoted ones start after the quote).
      for (const std::string lead : {",", ",\""}) {
        for (char f : std::string("=+-@")) {
          CHECK(line.find(lead + f) == std::string::npos);
        }
      }
      CHECK(std::string("=+-@").find(line[0]) == std::string::npos);
    }
  }
  const HttpAnswer cases = s.officer.Get(
      WithMin(s, "/cases?sort=surname&columns=surname,days_open"), {{"Accept", "text/csv"}});
  REQUIRE(cases.status == 200);
  const std::vector<std::string> lines = CsvLines(cases.body);
  REQUIRE(lines.size() == 4);
  // Sorted by surname in the en-GB collation, where a hyphen comes before a plus sign:
  // "-2+3", "+Plus", "=HYPERLINK..."; days_open is a number, as it was.
  CHECK(lines[1] == "'-2+3,0");
  CHECK(lines[2] == "'+Plus,0");
  CHECK(lines[3] == "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\",0");
  // JSON answers are the data as typed.
  CHECK(GetOk(s.officer, "/clients/" + c)["surname"] == formula);
}

TEST_CASE("http: a JSON body that names a key twice is 400 naming the key, at any depth",
          "[http][input]") {
  Served s;
  const json r = Register(s.officer, "Twice");
  const std::string k = r["case_id"];
  const uint64_t before = s.Head();
  const std::string read_side = ReadSide(s, s.admin);
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"{\"surname\":\"A\",\"surname\":\"B\",\"date_of_birth\":\"1980-01-01\"}", "surname"},
      {"{\"date_of_birth\":\"1980-01-01\",\"surname\":\"A\",\"x\":{\"y\":1,\"y\":2}}", "y"},
      {"{\"surname\":\"A\",\"date_of_birth\":\"1980-01-01\",\"l\":[{\"k\":1},{\"k\":1,\"k\":2}]}",
       "k"},
      {"{\"date_of_birth\":\"1980-01-01\",\"surname\":\"A\",\"date_of_birth\":\"1990-01-01\"}",
       "date_of_birth"},
  };
  for (const auto& [body, key] : bodies) {
    INFO(body);
    const HttpAnswer a =
        s.officer.PostRaw("/clients", body, {{"Content-Type", "application/json"}});
    CheckProblem(a, 400, kMalformed);
    CHECK(a.json.value("key", "") == key);
    CHECK(a.json.value("detail", "").find(key) != std::string::npos);
  }
  CheckProblem(s.officer.PostRaw("/cases/" + k + "/notes", "{\"text\":\"a\",\"text\":\"b\"}",
                                 {{"Content-Type", "application/json"}}),
               400, kMalformed);
  CHECK(s.Head() == before);
  CHECK(ReadSide(s, s.admin) == read_side);
  // The same key in sibling objects is no duplicate: each object has its own keys (the
  // answer names the two objects as fields the command does not have, not "k").
  const HttpAnswer siblings = s.officer.PostRaw(
      "/clients",
      "{\"surname\":\"Ok\",\"date_of_birth\":\"1980-01-01\",\"a\":{\"k\":1},\"b\":{\"k\":1}}",
      {{"Content-Type", "application/json"}});
  CheckProblem(siblings, 422, kValidation);
  CHECK(siblings.json["errors"].size() == 2);
}

TEST_CASE(
    "http: ambiguous framing and targets that are not paths are 400 and close the "
    "connection",
    "[http][input]") {
  Served s;
  const uint64_t before = s.Head();
  const std::string body = "{\"surname\":\"Smuggled\",\"date_of_birth\":\"1990-01-31\"}";
  const std::string len = std::to_string(body.size());
  const std::string start =
      "POST /clients HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-officer\r\n"
      "Content-Type: application/json\r\n";
  auto chunked = [&](const std::string& b) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%zx", b.size());
    return std::string(hex) + "\r\n" + b + "\r\n0\r\n\r\n";
  };
  const std::vector<std::string> requests = {
      start + "Transfer-Encoding: xchunked\r\nContent-Length: " + len + "\r\n\r\n" + body,
      start + "Transfer-Encoding: chunked\r\nContent-Length: " + len + "\r\n\r\n" + chunked(body),
      start + "Content-Length: " + len + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body),
      start + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked(body),
      start + "Transfer-Encoding: identity\r\n\r\n" + body,
      start + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body),
      start + "Content-Length: " + len + "\r\nContent-Length: 3\r\n\r\n" + body,
      start + "Content-Length: " + len + ", 3\r\n\r\n" + body,
      "GET cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-officer\r\n\r\n",
      "GET http://127.0.0.1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer demo-officer\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "POST clients HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer demo-officer\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
          len + "\r\n\r\n" + body,
  };
  for (const std::string& bytes : requests) {
    INFO(bytes);
    RawConnection conn(s.server.port());
    REQUIRE(conn.connected());
    // A well-formed request after it must not be answered: the connection ends after the
    // refusal, since where the first request ended is what is in doubt.
    REQUIRE(conn.Send(bytes + RequestText("GET", "/healthz", "")));
    const HttpAnswer a = conn.Read();
    CheckProblem(a, 400, kMalformed);
    CHECK(a.Header("Connection") == "close");
    CHECK(conn.ClosedByServer());
  }
  CHECK(s.Head() == before);
  CHECK(s.officer.Get(WithMin(s, "/clients?q=Smuggled")).json["rows"].empty());

  // What is well framed still works: chunked alone, one Content-Length said twice alike.
  RawConnection ok(s.server.port());
  REQUIRE(ok.Send(start + "Transfer-Encoding: chunked\r\n\r\n" + chunked(body)));
  Done(ok.Read(), 201);
  RawConnection twice(s.server.port());
  REQUIRE(twice.Send(start + "Content-Length: " + len + "\r\nContent-Length: " + len + "\r\n\r\n" +
                     body));
  const HttpAnswer same = twice.Read();
  // Beast refuses a repeated Content-Length itself; either way it is not misread.
  CHECK((same.status == 201 || same.status == 400));
  CHECK(s.officer.Get("/healthz").status == 200);
}

TEST_CASE("casereplay export starts no cell as a formula", "[http][input][casereplay]") {
  Served s;
  // Typed text reaches the export inside the details' JSON (a cell starting with '{'); the
  // command id is the user's name and the Idempotency-Key ("officer/=..."). No cell may
  // start as a formula either way.
  Done(s.officer.Post("/clients", {{"surname", "-Minus"}, {"date_of_birth", "1980-01-01"}},
                      {{"Idempotency-Key", "=HYPERLINK(\"http://evil.example\")"}}),
       201);
  Done(s.officer.Post("/clients", {{"surname", "@At"}, {"date_of_birth", "1980-01-01"}},
                      {{"Idempotency-Key", "+1+1"}}),
       201);
  std::string out;
  REQUIRE(RunCommand({CASEREPLAY_PATH, "export", "--data", s.dir.Sub("data"), "--format", "csv"},
                     &out) == 0);
  INFO(out);
  CHECK(out.find("-Minus") != std::string::npos);
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    for (const std::string lead : {",", ",\""}) {
      for (char f : std::string("=+-@")) CHECK(line.find(lead + f) == std::string::npos);
    }
    start = end + 1;
  }
}

TEST_CASE(
    "http: a body field the command does not have is 422 naming it, and nothing is "
    "written",
    "[http][input]") {
  Served s;
  const std::string k = Register(s.officer, "Strict")["case_id"];
  const uint64_t before = s.Head();
  const std::string read_side = ReadSide(s, s.admin);
  // "alert": true would otherwise vanish, and the caseworker believe it was recorded.
  const HttpAnswer a = s.officer.Post("/cases/" + k + "/notes",
                                      {{"text", "Threatened by ex-partner"}, {"alert", true}});
  CheckProblem(a, 422, kValidation);
  REQUIRE(a.json["errors"].size() == 1);
  CHECK(a.json["errors"][0]["field"] == "alert");
  CHECK(a.json["errors"][0]["message"] == "is not a field of this command");
  CHECK(s.Head() == before);
  CHECK(ReadSide(s, s.admin) == read_side);
}

TEST_CASE("http: every invalid field of a body is named in one answer", "[http][input]") {
  Served s;
  const uint64_t before = s.Head();
  // A wrong type, an unknown field, a missing required field and a malformed one at once.
  const HttpAnswer a = s.officer.Post(
      "/clients", {{"surname", 42}, {"nickname", "Al"}, {"nino", "not a number"}, {"email", true}});
  CheckProblem(a, 422, kValidation);
  std::set<std::string> fields;
  for (const auto& e : a.json["errors"]) fields.insert(e["field"].get<std::string>());
  CHECK(fields == std::set<std::string>{"surname", "nickname", "email", "nino", "date_of_birth"});
  for (const auto& e : a.json["errors"]) {
    if (e["field"] == "surname") CHECK(e["message"] == "must be a string");
    if (e["field"] == "email") CHECK(e["message"] == "must be a string");
  }
  CHECK(s.Head() == before);
}

TEST_CASE("http: a query parameter the route does not take is 400 naming it", "[http][input]") {
  Served s;
  Register(s.officer, "Filtered");
  // A misspelt filter in a report must not return every case.
  for (const std::string& path : std::vector<std::string>{
           "/cases?group=x", "/cases?status=open&officr=me", "/case-people?client=1",
           "/clients/" + kUnknown + "?when=1", "/healthz?verbose=1"}) {
    INFO(path);
    const HttpAnswer a = s.officer.Get(path);
    CheckProblem(a, 400, "/problems/unknown-parameter");
    CHECK(a.json["parameters"].size() == 1);
  }
  // Commands too: DELETE takes mode, nothing else.
  const json r = Register(s.officer, "Deletable");
  const uint64_t before = s.Head();
  CheckProblem(s.supervisor.Delete("/clients/" + r["client_id"].get<std::string>() + "?mod=soft"),
               400, "/problems/unknown-parameter");
  CHECK(s.Head() == before);
}

TEST_CASE(
    "http: a date that is not on the calendar is refused alike in a command, a filter "
    "and an instant",
    "[http][input]") {
  Served s;
  const uint64_t before = s.Head();
  const HttpAnswer dob =
      s.officer.Post("/clients", {{"surname", "Leapless"}, {"date_of_birth", "1990-02-30"}});
  CheckProblem(dob, 422, kValidation);
  CHECK(dob.json["errors"][0]["field"] == "date_of_birth");
  CHECK(s.Head() == before);
  for (const std::string& path : std::vector<std::string>{
           "/cases?opened_from=2026-02-30", "/cases?closed_to=2026-04-31",
           "/cases?last_activity_from=yesterday", "/clients?date_of_birth=1990-02-30"}) {
    INFO(path);
    CheckProblem(s.officer.Get(path), 422, kValidation);
  }
  CheckProblem(s.auditor.Get("/audit?from=2026-02-30"), 422, kValidation);
  CHECK(s.officer.Get("/cases?opened_from=2024-02-29").status == 200);
}
