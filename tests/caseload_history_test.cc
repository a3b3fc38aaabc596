// Tests of the demo caseload's history: a seeded caseload spreads over the last two years
// on a clock that walks (SeedClock), so its cases open on many days, its log covers many
// months, nobody joins a case before it opened, nothing is dated after today but the due
// dates of open actions, the log's recorded times never go back and fall on the dates the
// decisions used, and each person's history is the same for the same seed. In memory, on
// the fixture's today (2026-11-22); the seeder's threads are joined before anything is
// asserted. `caseengine seed` seeds only an empty folder.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/time_format.h"
#include "demo/caseload_seeder.h"
#include "tests/domain_fixture.h"
#include "tests/seeded_domain.h"
#include "tests/test_support.h"

namespace caseengine::testing {
namespace {

constexpr const char* kToday = DomainFixture::kToday;

// The decoded events of a stream with their recorded dates.
std::vector<std::pair<Event, std::string>> DatedEvents(DomainFixture& d,
                                                       const std::string& stream) {
  std::vector<RecordedEvent> recorded;
  REQUIRE(d.log->ReadStream(stream, 1, 100000, &recorded).ok());
  std::vector<std::pair<Event, std::string>> out;
  for (const RecordedEvent& r : recorded) {
    Event e;
    REQUIRE(d.handler->codec().Decode(r.type, r.payload, &e).ok());
    out.emplace_back(std::move(e), MicrosToDate(r.recorded_at));
  }
  return out;
}

// Each client's history, keyed by who they are (ids differ between runs): the type, the
// actor, the business date and the recorded date of every event on their record and on
// their cases, in order. Sorted by person.
std::vector<std::pair<std::string, std::vector<std::string>>> Histories(DomainFixture& d) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const std::string& id : TakeCensus(*d.log).clients) {
    const ClientState client = d.Client(id);
    const PersonalFields& p = client.personal;
    const std::string who = p.surname.value_or("") + "|" + p.forenames.value_or("") + "|" +
                            p.date_of_birth.value_or("") + "|" + p.nino.value_or("");
    std::vector<std::string> history;
    std::vector<std::string> streams = {"client-" + id};
    for (const std::string& case_id : client.cases) streams.push_back("case-" + case_id);
    for (const std::string& stream : streams) {
      std::vector<RecordedEvent> recorded;
      REQUIRE(d.log->ReadStream(stream, 1, 100000, &recorded).ok());
      for (const RecordedEvent& r : recorded) {
        Event e;
        REQUIRE(d.handler->codec().Decode(r.type, r.payload, &e).ok());
        history.push_back(stream.substr(0, stream.find('-')) + " " + r.type + " " + r.actor + " " +
                          e.date + " " + MicrosToDate(r.recorded_at));
      }
    }
    out.emplace_back(who, std::move(history));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a seeded caseload's cases open over two years and its log covers the months",
          "[seeder][history]") {
  SeededDomain d;
  const SeedReport report = Seed(&d, d.Options(600, 5));
  INFO(Refusals(report));
  REQUIRE(report.refused == 0);
  CHECK(report.last_day == kToday);
  CHECK(DaysBetween(report.first_day, report.last_day) == 730);

  std::set<std::string> opened;
  std::set<int64_t> days_open;
  int closed = 0;
  for (const std::string& id : TakeCensus(*d.log).cases) {
    const CaseState kase = d.Case(id);
    opened.insert(kase.opened_on);
    days_open.insert(DaysBetween(kase.opened_on, kToday));
    if (kase.status == "closed") ++closed;
  }
  REQUIRE_FALSE(opened.empty());
  INFO("cases opened from " << *opened.begin() << " to " << *opened.rbegin());
  CHECK(DaysBetween(*opened.begin(), *opened.rbegin()) >= 600);
  CHECK(*opened.begin() >= report.first_day);
  CHECK(*opened.rbegin() <= kToday);
  CHECK(days_open.size() >= 200);  // ageing shows something
  CHECK(closed > 0);

  // The months of the log, and of the notes a journal shows.
  std::set<std::string> months, note_months;
  REQUIRE(d.log
              ->Scan(1, 0,
                     [&](const EventView& v) {
                       const std::string month = MicrosToDate(v.recorded_at()).substr(0, 7);
                       months.insert(month);
                       if (v.type() == "NoteAdded") note_months.insert(month);
                       return true;
                     })
              .ok());
  CHECK(months.size() >= 24);
  CHECK(note_months.size() >= 20);
}

TEST_CASE(
    "in a seeded caseload nobody joins a case before it opened and nothing is dated "
    "after today but open actions' due dates",
    "[seeder][history]") {
  SeededDomain d;
  const SeedReport report = Seed(&d, d.Options(400, 9));
  INFO(Refusals(report));
  REQUIRE(report.refused == 0);
  const Census census = TakeCensus(*d.log);
  int joined_later = 0, left = 0, open_actions = 0, done_actions = 0;
  for (const std::string& id : census.cases) {
    const CaseState kase = d.Case(id);
    INFO("case " << id << " opened on " << kase.opened_on);
    CHECK(kase.opened_on <= kToday);
    for (const CasePerson& person : kase.people) {
      INFO("person " << person.client_id << " joined " << person.date_joined << " left "
                     << person.date_left);
      CHECK(person.date_joined >= kase.opened_on);
      CHECK(person.date_joined <= kToday);
      if (person.date_joined > kase.opened_on) ++joined_later;
      if (!person.date_left.empty()) {
        ++left;
        CHECK(person.date_left >= person.date_joined);
        CHECK(person.date_left <= kToday);
      }
    }
    for (const CaseAction& action : kase.actions) {
      INFO("action " << action.id << " " << action.status << " due " << action.due);
      if (action.status == "open") {
        ++open_actions;
        CHECK(DaysBetween(kToday, action.due) <= 28);  // a little ahead at most
      } else {
        ++done_actions;
        CHECK(action.due <= kToday);
      }
    }
  }
  for (const std::string& id : census.clients) {
    const ClientState client = d.Client(id);
    CHECK(client.personal.date_of_birth.value_or("") <= kToday);
  }
  CHECK(joined_later > 0);  // members join in the weeks after the case opened
  CHECK(left > 0);
  CHECK(open_actions > 0);
  CHECK(done_actions > 0);
}

TEST_CASE("a seeded log's recorded times never go back and fall on the dates its decisions used",
          "[seeder][history]") {
  SeededDomain d;
  const SeedReport report = Seed(&d, d.Options(300, 13));
  INFO(Refusals(report));
  REQUIRE(report.refused == 0);
  CHECK_FALSE(d.clock.walking());

  int64_t last = 0;
  int dated = 0;
  std::vector<std::string> problems;
  REQUIRE(d.log
              ->Scan(1, 0,
                     [&](const EventView& v) {
                       const std::string at = MicrosToDate(v.recorded_at());
                       if (v.recorded_at() < last) problems.push_back("back in time");
                       if (at > kToday) problems.push_back("after today");
                       last = v.recorded_at();
                       Event e;
                       if (!d.handler->codec().Decode(v.type(), v.payload(), &e).ok()) {
                         problems.push_back("undecodable");
                         return true;
                       }
                       const std::string what =
                           std::string(v.type()) + " at " + at + " dated " + e.date;
                       if (e.type == EventType::kCaseOpened || e.type == EventType::kPersonAdded ||
                           e.type == EventType::kPersonLeft) {
                         ++dated;
                         if (e.date != at) problems.push_back(what);
                       }
                       if (e.type == EventType::kActionCreated && e.date < at) {
                         problems.push_back(what);
                       }
                       return true;
                     })
              .ok());
  for (const std::string& p : problems) INFO(p);
  CHECK(problems.empty());
  CHECK(dated > 0);
  // The seeding's times are history: the real time is later, and the log goes on from it.
  CHECK(last <= d.clock.RealMicros());
  const auto [client_id, case_id] = d.Register("Afterwards");
  const auto events = DatedEvents(d, "case-" + case_id);
  REQUIRE_FALSE(events.empty());
  CHECK(events.front().first.date == kToday);
  CHECK(events.front().second == kToday);
  RecordedEvent head;
  REQUIRE(d.log->ReadAt(d.Head(), &head).ok());
  CHECK(head.recorded_at > last);
}

TEST_CASE("seeding gives each person the same history for the same seed", "[seeder][history]") {
  SeededDomain first, second, other;
  Seed(&first, first.Options(200, 42));
  Seed(&second, second.Options(200, 42));
  Seed(&other, other.Options(200, 43));
  const auto a = Histories(first), b = Histories(second), c = Histories(other);
  REQUIRE(a.size() == 200);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE(
    "caseengine seed writes two years of history into an empty folder and refuses one "
    "with events",
    "[seeder][history]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::string output;
  REQUIRE(RunCommand({CASEENGINE_PATH, "seed", "--data", dir, "--clients", "40"}, &output) == 0);
  INFO(output);
  CHECK(output.find("(0 refused)") != std::string::npos);
  CHECK(output.find("from ") != std::string::npos);
  output.clear();
  CHECK(RunCommand({CASEENGINE_PATH, "seed", "--data", dir, "--clients", "40"}, &output) == 2);
  CHECK(output.find("already holds a log") != std::string::npos);
}

}  // namespace caseengine::testing
