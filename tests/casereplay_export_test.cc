// casereplay export (docs/auditing.md): the CSV of every event recorded in a time range,
// --actor and --stream filters, --format jsonl, RFC 4180 quoting, and usage errors for a
// malformed time or format.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aggregates/config.h"
#include "base/time_format.h"
#include "events/event_view.h"
#include "projections/read_models.h"
#include "tests/casereplay_audit_support.h"
#include "tests/domain_fixture.h"
#include "tests/test_support.h"

namespace caseengine {

namespace {

using nlohmann::json;
using testing::TempDir;

using testing::casereplay_audit::Casereplay;
using testing::casereplay_audit::Clip;
using testing::casereplay_audit::Contains;
using testing::casereplay_audit::Instant;
using testing::casereplay_audit::IsRfc3339;
using testing::casereplay_audit::JsonLines;
using testing::casereplay_audit::kDay;
using testing::casereplay_audit::kHour;
using testing::casereplay_audit::kMonday;
using testing::casereplay_audit::Lines;
using testing::casereplay_audit::Office;
using testing::casereplay_audit::Ok;
using testing::casereplay_audit::Ran;
using testing::casereplay_audit::ReadFile;
using testing::casereplay_audit::ThreeDaysFolder;
using testing::casereplay_audit::Worked;
using testing::casereplay_audit::WorkThreeDays;

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180) as a strict reader: quoted cells may hold commas, quotes (doubled) and line
// breaks; a quote anywhere else is an error.

bool ParseCsv(const std::string& text, std::vector<std::vector<std::string>>* rows,
              std::string* error) {
  rows->clear();
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, was_quoted = false;
  auto end_cell = [&] {
    row.push_back(cell);
    cell.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        cell.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
        if (i + 1 < text.size() && text[i + 1] != ',' && text[i + 1] != '\n' &&
            text[i + 1] != '\r') {
          *error = "text after a closing quote at byte " + std::to_string(i);
          return false;
        }
      }
      continue;
    }
    if (c == '"') {
      if (!cell.empty() || was_quoted) {
        *error = "a quote inside an unquoted cell at byte " + std::to_string(i);
        return false;
      }
      quoted = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_cell();
      rows->push_back(std::move(row));
      row.clear();
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) {
    *error = "an unterminated quoted cell";
    return false;
  }
  if (!cell.empty() || !row.empty() || was_quoted) {
    end_cell();
    rows->push_back(std::move(row));
  }
  return true;
}

const char* kCsvHeader = "position,recorded_at,actor,stream,type,command_id,details";

// The rows of an export in CSV (the header checked and dropped).
std::vector<std::vector<std::string>> CsvRows(const std::string& out) {
  INFO("csv:\n" << Clip(out));
  REQUIRE(!out.empty());
  const std::string first = Lines(out)[0];
  CHECK(first == kCsvHeader);
  std::vector<std::vector<std::string>> rows;
  std::string error;
  const bool parsed = ParseCsv(out, &rows, &error);
  INFO(error);
  REQUIRE(parsed);
  REQUIRE(!rows.empty());
  rows.erase(rows.begin());
  for (const auto& row : rows) {
    INFO("row of " << row.size() << " cells: " << (row.empty() ? "" : row[0]));
    REQUIRE(row.size() == 7);
  }
  return rows;
}

// Checks export rows against the events expected, in order.
void CheckExportRows(Office& office, const std::vector<std::vector<std::string>>& rows,
                     const std::vector<RecordedEvent>& expected) {
  std::vector<uint64_t> got, want;
  for (const auto& row : rows) got.push_back(std::stoull(row[0]));
  for (const auto& r : expected) want.push_back(r.position);
  REQUIRE(got == want);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const RecordedEvent& r = expected[i];
    INFO("position " << r.position);
    CHECK(IsRfc3339(row[1]));
    CHECK(Instant(row[1]) == r.recorded_at);
    CHECK(row[2] == r.actor);
    CHECK(row[3] == r.stream);
    CHECK(row[4] == r.type);
    CHECK(row[5] == r.command_id);
    json details;
    REQUIRE_NOTHROW(details = json::parse(row[6]));
    CHECK(details == office.Fields(r));
    CHECK_FALSE(Contains(row[6], "\n"));  // compact
  }
}

std::vector<RecordedEvent> Between(const std::vector<RecordedEvent>& all, int64_t from,
                                   int64_t to) {
  std::vector<RecordedEvent> out;
  for (const auto& r : all) {
    if (r.recorded_at >= from && r.recorded_at <= to) out.push_back(r);
  }
  return out;
}

}  // namespace

// =======================================================================================
// Activity export.

TEST_CASE("casereplay export writes a CSV of every event recorded in the time range",
          "[audit][export]") {
  // Given three days of casework on a clock the test sets
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  WorkThreeDays(o);
  o.ReopenReadOnly();
  const auto all = o.All();
  REQUIRE(all.size() > 20);

  // When casereplay export runs with no range, instants, dates, one end, or a range with nothing in
  // it Then the CSV holds every event recorded in the range, both ends included
  SECTION("no range: everything") {
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir})), all);
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--format", "csv"})), all);
  }
  SECTION("instants: both ends included") {
    const int64_t t1 = all[4].recorded_at, t2 = all[all.size() - 5].recorded_at;
    const auto out =
        Ok({"export", "--data", dir, "--from", FormatMicrosUtc(t1), "--to", FormatMicrosUtc(t2)});
    CheckExportRows(o, CsvRows(out), Between(all, t1, t2));
    // A microsecond inside on both sides leaves the ends out.
    const auto inner = Ok({"export", "--data", dir, "--from", FormatMicrosUtc(t1 + 1), "--to",
                           FormatMicrosUtc(t2 - 1)});
    CheckExportRows(o, CsvRows(inner), Between(all, t1 + 1, t2 - 1));
    CHECK(Between(all, t1 + 1, t2 - 1).size() < Between(all, t1, t2).size());
  }
  SECTION("dates: the start of the first day to the end of the last") {
    const auto day2 = Ok({"export", "--data", dir, "--from", "2025-11-25", "--to", "2025-11-25"});
    const auto expected = Between(all, kMonday + kDay, kMonday + 2 * kDay - 1);
    REQUIRE(!expected.empty());
    REQUIRE(expected.front().recorded_at == kMonday + kDay);  // an event at midnight exactly
    CheckExportRows(o, CsvRows(day2), expected);
    const auto days12 = Ok({"export", "--data", dir, "--from", "2025-11-24", "--to", "2025-11-25"});
    CheckExportRows(o, CsvRows(days12), Between(all, kMonday, kMonday + 2 * kDay - 1));
  }
  SECTION("only one end") {
    const int64_t t = kMonday + kDay + 12 * kHour;
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--from", FormatMicrosUtc(t)})),
                    Between(all, t, INT64_MAX));
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--to", FormatMicrosUtc(t)})),
                    Between(all, INT64_MIN, t));
  }
  SECTION("a range with nothing in it is the header alone") {
    const Ran r =
        Casereplay({"export", "--data", dir, "--from", "2030-01-01", "--to", "2030-12-31"});
    INFO(r);
    CHECK(r.status == 0);
    const auto lines = Lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == kCsvHeader);
    const Ran before = Casereplay({"export", "--data", dir, "--to", "2020-01-01"});
    INFO(before);
    CHECK(before.status == 0);
    CHECK(Lines(before.out) == std::vector<std::string>{kCsvHeader});
  }
}

TEST_CASE("casereplay export --actor and --stream keep only that user's or stream's events",
          "[audit][export]") {
  // Given three days of casework by several users
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const auto all = o.All();
  auto only = [&](const std::function<bool(const RecordedEvent&)>& keep) {
    std::vector<RecordedEvent> out;
    for (const auto& r : all) {
      if (keep(r)) out.push_back(r);
    }
    return out;
  };
  // When casereplay export keeps one user's events
  // Then the CSV holds theirs alone, and none for an unknown user
  for (const char* actor : {"officer", "supervisor", "admin"}) {
    INFO("actor " << actor);
    const auto expected = only([&](const RecordedEvent& r) { return r.actor == actor; });
    REQUIRE(!expected.empty());
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--actor", actor})), expected);
  }
  CHECK(CsvRows(Ok({"export", "--data", dir, "--actor", "nobody"})).empty());
  // And --stream keeps one stream's events
  const std::string stream = "case-" + w.kase;
  CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--stream", stream})),
                  only([&](const RecordedEvent& r) { return r.stream == stream; }));
  // And so do both together, and with a range
  const int64_t from = kMonday + kDay, to = kMonday + 3 * kDay;
  CheckExportRows(o,
                  CsvRows(Ok({"export", "--data", dir, "--actor", "officer", "--stream", stream,
                              "--from", "2025-11-25", "--to", FormatMicrosUtc(to)})),
                  only([&](const RecordedEvent& r) {
                    return r.actor == "officer" && r.stream == stream && r.recorded_at >= from &&
                           r.recorded_at <= to;
                  }));
}

TEST_CASE("casereplay export --format jsonl writes the objects history writes", "[audit][export]") {
  // Given three days of casework, and the history of each of its streams as JSON lines
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  WorkThreeDays(o);
  o.ReopenReadOnly();
  const auto all = o.All();
  std::map<uint64_t, json> history;
  std::set<std::string> streams;
  for (const auto& r : all) streams.insert(r.stream);
  for (const auto& s : streams) {
    for (json& j : JsonLines(Ok({"history", "--data", dir, "--stream", s, "--format", "jsonl"}))) {
      const uint64_t position = j["position"].get<uint64_t>();
      history[position] = std::move(j);
    }
  }
  REQUIRE(history.size() == all.size());
  // When casereplay export --format jsonl runs over a time range
  const int64_t t1 = all[3].recorded_at, t2 = all[all.size() - 3].recorded_at;
  const auto lines = JsonLines(Ok({"export", "--data", dir, "--format", "jsonl", "--from",
                                   FormatMicrosUtc(t1), "--to", FormatMicrosUtc(t2)}));
  const auto expected = Between(all, t1, t2);
  // Then it writes the objects history writes, for the events in the range
  REQUIRE(lines.size() == expected.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i].dump());
    CHECK(lines[i]["position"] == expected[i].position);
    CHECK(lines[i] == history.at(expected[i].position));
  }
  // And --actor keeps one user's
  const auto by_actor =
      JsonLines(Ok({"export", "--data", dir, "--format", "jsonl", "--actor", "supervisor"}));
  REQUIRE(!by_actor.empty());
  for (const auto& j : by_actor) CHECK(j["actor"] == "supervisor");
}

TEST_CASE("casereplay export quotes a cell holding a comma and a quote as RFC 4180 says",
          "[audit][export]") {
  // Given a user whose name holds a comma and quotes, and a note with quotes
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  DomainConfig config = DomainConfig::Demo();
  const std::string odd = "smith, \"jo\"";
  config.users[odd] = {odd, "housing-options", {kCasework}};
  Office o(dir, &config);
  auto [client, kase] = o.Register(odd, "Plain", kMonday + 10 * kHour);
  o.Do(odd, AddNote{kase, "said \"no\", twice", ""}, kMonday + 11 * kHour);
  o.Do("officer", AddNote{kase, "plain note", ""}, kMonday + 12 * kHour);
  o.ReopenReadOnly();
  const auto all = o.All();

  // When casereplay export writes the CSV
  const std::string out = Ok({"export", "--data", dir});
  INFO(out);
  // Then the actor cell is quoted with its quotes doubled
  CHECK(Contains(out, ",\"smith, \"\"jo\"\"\","));
  // And details are JSON, so always hold quotes: quoted, and the note's own quotes escaped in
  // JSON and then doubled for CSV.
  CHECK(Contains(out, "said \\\"\"no\\\"\", twice"));
  const auto rows = CsvRows(out);
  CheckExportRows(o, rows, all);
  size_t by_odd = 0, expected_odd = 0;
  for (const auto& row : rows) by_odd += row[2] == odd;
  for (const auto& r : all) expected_odd += r.actor == odd;
  CHECK(expected_odd >= 3);  // the registration (a client and a case) and the note
  CHECK(by_odd == expected_odd);

  // And --out writes the same to a file
  const std::string file = tmp.Sub("export.csv");
  const Ran r = Casereplay({"export", "--data", dir, "--out", file});
  INFO(r);
  CHECK(r.status == 0);
  CHECK(ReadFile(file) == out);
  // And the jsonl form carries the actor as it is
  bool found = false;
  for (const auto& j : JsonLines(Ok({"export", "--data", dir, "--format", "jsonl"}))) {
    found = found || j["actor"] == odd;
  }
  CHECK(found);
}

TEST_CASE("casereplay export refuses a malformed time or format as a usage error",
          "[audit][export]") {
  // Given three days of casework
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const std::vector<std::vector<std::string>> variants = {
      {"--from", "last tuesday"}, {"--to", "2025-13-45"}, {"--format", "xlsx"}};
  // When casereplay export is given a malformed time or format, or a missing folder
  // Then each is a usage error (exit 2) with a message
  for (const auto& extra : variants) {
    std::vector<std::string> args{"export", "--data", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  const Ran missing = Casereplay({"export", "--data", tmp.Sub("nowhere")});
  INFO(missing);
  CHECK(missing.status == 2);
}

}  // namespace caseengine
