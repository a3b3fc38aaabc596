// Tests of the case list read model: filters on status, officer role, team and strands,
// paging by key across writes, sorting on any column with chosen columns, and sort indexes
// that follow rows as they change.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "projections/case_list.h"
#include "projections/case_officers.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/projection_runner_support.h"

namespace caseengine::testing {

namespace {

using projection_runner::Cases;
using projection_runner::CaughtUp;
using projection_runner::ReadModelStore;
using projection_runner::Workload;

std::vector<std::string> Ids(const ListPage& page) {
  std::vector<std::string> ids;
  for (const auto& row : page.rows) ids.push_back(row["case_id"]);
  return ids;
}

}  // namespace

TEST_CASE("the case list filters on status officer role team and strands", "[projections]") {
  // Given a case list caught up with a workload of 35 cases
  DomainFixture d;
  Workload(d, 30);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());

  // When it is read whole and by each filter
  // Then each filter narrows it to its cases
  CHECK(Cases(p).total == 35);
  CHECK(Cases(p, {{"status", "closed"}}).total == 6);
  CHECK(Cases(p, {{"status", "open"}}).total == 29);
  CHECK(Cases(p, {{"officer", "supervisor"}}).total == 8);
  CHECK(Cases(p, {{"officer", "supervisor"}, {"role", "primary"}}).total == 0);
  CHECK(Cases(p, {{"role", "secondary"}}).total == 8);
  CHECK(Cases(p, {{"strand_type", "housing_register"}}).total == 10);
  // (a Housing Register brings a Bedroom assessment with it)
  CHECK(Cases(p, {{"strand_type", "bedroom_assessment"}, {"strand_status", "open"}}).total == 10);
  CHECK(Cases(p, {{"team", "housing-options"}}).total == 35);
  CHECK(Cases(p, {{"opened_from", "2026-11-22"}, {"opened_to", "2026-11-22"}}).total == 35);
  CHECK(Cases(p, {{"opened_to", "2026-11-21"}}).total == 0);
  for (const auto& row : Cases(p, {{"status", "closed"}}).rows) {
    CHECK(row["close_reason"] == "housed");
    CHECK(row["days_open"] == 0);
    CHECK(row["surname"].get<std::string>().rfind("Client", 0) == 0);
  }
  // And unknown filters, sorts and cursors are refused
  CaseListQuery bad;
  bad.filters = {{"colour", "red"}};
  ListPage page;
  CHECK(p.list().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters.clear();
  bad.list.sort = "-nonsense";
  CHECK(p.list().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.list.sort = "";
  bad.list.cursor = "not-a-cursor";
  CHECK(p.list().Query(bad, &page).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("case list pages by key never repeat or skip a row while writes happen",
          "[projections]") {
  // Given a case list caught up with a workload
  DomainFixture d;
  Workload(d, 40);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());
  const std::set<std::string> before = [&] {
    auto ids = Ids(Cases(p, {}, "case_id", 1000));
    return std::set<std::string>(ids.begin(), ids.end());
  }();

  // When it is paged seven rows at a time, with writes between the pages
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    ListPage page = Cases(p, {}, "-surname,opened_on", 7, cursor);
    for (const auto& id : Ids(page)) seen.push_back(id);
    cursor = page.next_cursor;
    // Writes between pages: new cases, and changes that do not move rows in this order.
    Workload(d, 2);
    REQUIRE(runner.CatchUp().ok());
    ++pages;
  } while (!cursor.empty() && pages < 100);
  // Then nothing is repeated and nothing that was there before is skipped
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());                         // nothing repeated
  for (const auto& id : before) CHECK(unique.count(id) == 1);  // nothing skipped
}

TEST_CASE("case list rows are sorted on any column and show chosen columns", "[projections]") {
  // Given a case list caught up with a workload
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());
  // When it is sorted on each column, up and down
  // Then the rows come in that order
  for (const std::string& column : CaseList::ColumnNames()) {
    for (const std::string& sort : {column, "-" + column}) {
      ListPage page = Cases(p, {}, sort, 1000);
      REQUIRE(page.rows.size() == 24);
      for (size_t i = 1; i < page.rows.size(); ++i) {
        const auto& a = page.rows[i - 1][column];
        const auto& b = page.rows[i][column];
        if (a.is_array()) continue;  // sorted by their count
        if (sort[0] == '-') {
          CHECK_FALSE(a < b);
        } else {
          CHECK_FALSE(b < a);
        }
      }
    }
  }
  // And chosen columns are the only ones shown
  CaseListQuery q;
  q.list.columns = "case_id,surname,days_open";
  ListPage page;
  REQUIRE(p.list().Query(q, &page).ok());
  CHECK(page.columns == std::vector<std::string>{"case_id", "surname", "days_open"});
  CHECK(page.rows[0].size() == 3);
}

TEST_CASE("case list sort indexes follow rows as they change", "[projections]") {
  // Given a case list caught up with a workload, read once in four sort orders (the indexes exist
  // from here on)
  DomainFixture d;
  Workload(d, 25);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());
  const std::vector<std::string> sorts = {"-last_activity", "surname,-version", "status,-people",
                                          "-open_strands,client_status"};
  for (const auto& sort : sorts) Cases(p, {}, sort, 5);  // the indexes exist from here on

  // When what rows sort on changes: cases, and clients (a case sorts on its applicant)
  auto [client, kase] = d.Register("Aardvark");
  d.Run("officer", CloseCase{kase, "moved away"});
  for (const auto& row : Cases(p, {}, "case_id", 1000).rows) {
    const std::string id = row["case_id"];
    if (id < "4") d.Run("officer", AddStrand{id, "review"});
  }
  auto first = Cases(p, {}, "case_id", 3).rows;
  d.Run("officer", CorrectClientDetails{first[0]["client_id"], [] {
                                          PersonalFields f;
                                          f.surname = "Zyzzyva";
                                          return f;
                                        }()});
  d.Run("officer", ChangeClientStatus{first[1]["client_id"], "inactive"});
  REQUIRE(runner.CatchUp().ok());

  // Then each order, whole and page by page, is that of a freshly built case list
  CaseListProjection fresh;
  auto fresh_store = ReadModelStore(&fresh);
  ProjectionRunner full(d.log.get(), &d.handler->codec(), fresh_store.get(), {&fresh});
  REQUIRE(full.Open().ok());
  REQUIRE(full.CatchUp().ok());
  for (const auto& sort : sorts) {
    for (const std::map<std::string, std::string>& f :
         std::vector<std::map<std::string, std::string>>{{}, {{"status", "open"}}}) {
      CHECK(Cases(p, f, sort, 1000).rows == Cases(fresh, f, sort, 1000).rows);
      // Page by page too.
      std::vector<nlohmann::json> paged;
      std::string cursor;
      do {
        ListPage page = Cases(p, f, sort, 4, cursor);
        for (const auto& row : page.rows) paged.push_back(row);
        cursor = page.next_cursor;
      } while (!cursor.empty());
      CHECK(nlohmann::json(paged) == Cases(fresh, f, sort, 1000).rows);
    }
  }
}

TEST_CASE("case list sort indexes kept through random casework sort as freshly built ones",
          "[projections]") {
  // Given a case list over an empty log, read in six sort orders after the first round
  DomainFixture d;
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  auto runner = CaughtUp(d, &p, store.get());  // from an empty log
  const std::vector<std::string> sorts = {"-last_activity",   "surname,-version",
                                          "status,-people",   "-open_strands,client_status",
                                          "notes,-opened_on", "client_type,officers"};
  auto all_rows = [](const CaseListProjection& list, const std::string& sort) {
    std::vector<nlohmann::json> rows;
    std::string cursor;
    do {
      ListPage page = Cases(list, {}, sort, 1000, cursor);
      for (const auto& row : page.rows) rows.push_back(row);
      cursor = page.next_cursor;
    } while (!cursor.empty());
    return rows;
  };
  KnownIds known;
  std::mt19937 rng(2026);
  // When rounds of random casework with deletions and erasures are applied
  // Then after each, every order is that of a freshly built case list
  for (int round = 0; round < 6; ++round) {
    RandomCasework(d, known, rng, 200, 61);
    REQUIRE(runner->CatchUp().ok());
    if (round == 0) {
      for (const auto& sort : sorts) Cases(p, {}, sort, 5);  // kept from here on
      continue;
    }
    CaseListProjection fresh;
    auto fresh_store = ReadModelStore(&fresh);
    auto full = CaughtUp(d, &fresh, fresh_store.get());
    for (const auto& sort : sorts) {
      INFO("round " << round << " sort " << sort);
      CHECK(all_rows(p, sort) == all_rows(fresh, sort));
    }
  }
}

TEST_CASE("case list pages asked for in many sorts at once answer as one at a time",
          "[projections]") {
  // Given a case list caught up with a workload, and each sort's first page read alone
  DomainFixture d;
  Workload(d, 40);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  auto runner = CaughtUp(d, &p, store.get());
  const std::vector<std::string> sorts = {"-last_activity", "surname,forenames", "-days_open",
                                          "status,-people", "notes,-opened_on",  "client_type",
                                          "-version",       "open_strands"};
  std::map<std::string, std::vector<std::string>> alone;
  {
    CaseListProjection reference;
    auto reference_store = ReadModelStore(&reference);
    auto reference_runner = CaughtUp(d, &reference, reference_store.get());
    for (const auto& sort : sorts) alone[sort] = Ids(Cases(reference, {}, sort, 20));
  }

  // When eight threads each ask for every sort, in different orders, more sorts than the
  // list keeps orders for, so that orders are built and evicted while others are walked
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        const std::string& sort = sorts[(t + round) % sorts.size()];
        if (Ids(Cases(p, {}, sort, 20)) != alone[sort]) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();

  // Then every page is the one the sort gives alone
  CHECK(wrong == 0);
}

TEST_CASE("a case list page written as text is the page as a document", "[projections]") {
  // Given a case list caught up with a workload
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  auto runner = CaughtUp(d, &p, store.get());

  // When a page of every column is asked for as a document and as text after a head
  CaseListQuery query;
  query.today = "2026-12-07";
  query.list.sort = "surname";
  ListPage as_document;
  REQUIRE(p.list().Query(query, &as_document).ok());
  query.list.as_text = true;
  ListPage as_text;
  as_text.rows_text = "head:";
  REQUIRE(p.list().Query(query, &as_text).ok());

  // Then the text follows the head, and parses to the document's rows (officers and
  // strands as arrays, counts as numbers)
  REQUIRE(as_text.rows_text.starts_with("head:"));
  const auto rows = nlohmann::json::parse(as_text.rows_text.substr(5));
  CHECK(rows == as_document.rows);
  CHECK(rows.size() == 24);  // every case of the 20 clients (some have two)
  CHECK(rows[0]["officers"].is_array());
  CHECK(rows[0]["people"].is_number());
}

}  // namespace caseengine::testing
