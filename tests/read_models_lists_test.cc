// The list read models (case officers, case people, client search, Lobby queue): driven
// through the real command path (DomainFixture), projected by a ProjectionRunner into a
// store of their own, and queried as the HTTP layer does. Also: their rows survive a
// restart and a rebuild gives the same rows, byte for byte.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aggregates/lobby_matcher.h"
#include "projections/case_officers.h"
#include "projections/case_people.h"
#include "projections/client_search.h"
#include "projections/lobby_queue.h"
#include "projections/projection_runner.h"
#include "storage/memory_store.h"
#include "tests/domain_fixture.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

// The four read models and a runner over the fixture's log, with their rows in a store of
// their own (the fixture's store has the log's families only).
struct Lists {
  CaseOfficersProjection officers;
  CasePeopleProjection people;
  ClientSearchProjection search;
  LobbyQueueProjection lobby;

  std::vector<Projection*> All() { return {&officers, &people, &search, &lobby}; }
};

class Harness {
 public:
  Harness() {
    store = std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames(lists.All()));
    runner = OpenRunner(&lists);
  }

  // A runner over the same log and store for `other`, opened (rows loaded) and caught up.
  std::unique_ptr<ProjectionRunner> OpenRunner(Lists* other) {
    auto r = std::make_unique<ProjectionRunner>(fx.log.get(), &fx.handler->codec(), store.get(),
                                                other->All());
    Status s = r->Open();
    INFO(s.ToString());
    REQUIRE(s.ok());
    s = r->CatchUp();
    INFO(s.ToString());
    REQUIRE(s.ok());
    return r;
  }

  void Sync() {
    Status s = runner->CatchUp();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  CommandResult Ok(const std::string& user, Command command) {
    CommandResult r = fx.Run(user, std::move(command));
    INFO(r.rejection.message << " " << r.status.ToString());
    REQUIRE(Kind(r) == "ok");
    return r;
  }

  std::pair<std::string, std::string> Register(const std::string& surname,
                                               const std::string& forenames = "Alex",
                                               const std::string& dob = "1985-04-12",
                                               PersonalFields extra = PersonalFields()) {
    extra.forenames = forenames;
    return fx.Register(surname, dob, extra);
  }

  std::string Referral(const std::string& source, const std::string& surname) {
    ReceiveReferral r;
    r.source = source;
    r.personal.surname = surname;
    r.personal.forenames = "Sam";
    r.personal.date_of_birth = "1992-09-09";
    r.personal.postcode = "n1 9gu";
    r.referrer = "Probation Service";
    return Ok("officer", r).response["lobby_id"];
  }

  // Every key and value of a read model's family.
  std::map<std::string, std::string> Family(const Projection& p) const {
    FamilyId family;
    REQUIRE(store->Family(ReadModelFamily(p), &family).ok());
    std::map<std::string, std::string> out;
    auto it = store->NewIterator(family, ReadPattern::kScan);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace(std::string(it->key()), std::string(it->value()));
    }
    REQUIRE(it->status().ok());
    return out;
  }

  bool AnyValueHas(const Projection& p, const std::string& text) const {
    for (const auto& [key, value] : Family(p)) {
      if (value.find(text) != std::string::npos) return true;
    }
    return false;
  }

  DomainFixture fx;
  Lists lists;
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<ProjectionRunner> runner;
};

ListPage Officers(const Lists& l, std::map<std::string, std::string> filters = {},
                  const std::string& group_by = "", ListRequest list = ListRequest()) {
  CaseOfficersQuery q{std::move(filters), group_by, std::move(list)};
  ListPage page;
  Status s = l.officers.officers().Query(q, &page);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return page;
}

ListPage People(const Lists& l, std::map<std::string, std::string> filters = {},
                ListRequest list = ListRequest()) {
  CasePeopleQuery q{std::move(filters), std::move(list)};
  ListPage page;
  Status s = l.people.people().Query(q, &page);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return page;
}

ListPage Lobby(const Lists& l, std::map<std::string, std::string> filters = {},
               ListRequest list = ListRequest()) {
  LobbyQueueQuery q{std::move(filters), std::move(list)};
  ListPage page;
  Status s = l.lobby.queue().Query(q, &page);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return page;
}

nlohmann::json Search(const Lists& l, ClientSearchQuery q) {
  nlohmann::json results;
  Status s = l.search.search().Search(q, &results);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return results;
}

ClientSearchQuery ByName(const std::string& q) {
  ClientSearchQuery query;
  query.q = q;
  return query;
}

std::vector<std::string> Column(const ListPage& page, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& row : page.rows) out.push_back(row.at(name).get<std::string>());
  return out;
}

std::vector<std::string> ClientIds(const nlohmann::json& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.at("client_id").get<std::string>());
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

nlohmann::json GroupOf(const ListPage& page, const std::string& officer) {
  for (const auto& row : page.rows) {
    if (row.at("officer") == officer) return row;
  }
  FAIL("no workload row for " << officer);
  return {};
}

// A caseload touching every read model: officers and teams, people who join, leave and
// come back, a primary applicant switch, corrections, soft deletes and a restore, an
// erasure, and Lobby records in every state (one removed).
void Scenario(Harness& h) {
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03");
  auto [b, cb] = h.Register("Okafor", "Tunde", "1982-07-01");
  auto [c, cc] = h.Register("Nowak", "Ewa", "1990-11-30");
  auto [d, cd] = h.Register("Quillfeather", "Rowan", "1975-05-05");
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  h.Ok("officer", AssignOfficer{ca, "admin", "supervisor"});
  h.Ok("officer", AssignOfficer{cc, "supervisor", "other"});
  h.Ok("officer", AssignTeam{cc, "allocations"});
  h.Ok("officer", AddPerson{ca, b, "partner", true, "2026-01-10"});
  h.Ok("officer", AddPerson{ca, d, "other", false, "2026-01-10"});
  h.Ok("officer", PersonLeaves{ca, b, "2026-03-01"});
  h.Ok("officer", AddPerson{ca, b, "partner", false, "2026-05-01"});
  h.Ok("officer", SwitchPrimaryApplicant{ca, b});
  h.Ok("officer", CloseCase{cb, "housed"});
  CorrectClientDetails fix;
  fix.client_id = c;
  fix.personal.surname = "Nowak-Lis";
  h.Ok("officer", fix);
  const std::string second = h.Ok("officer", OpenCase{c}).response["case_id"];
  h.Ok("supervisor", DeleteCase{second});
  h.Ok("supervisor", DeleteClient{b, "soft"});
  h.Ok("admin", RestoreClient{b});
  h.Ok("supervisor", DeleteClient{c, "soft"});
  h.Ok("admin", DeleteClient{d, "erase"});
  const std::string l1 = h.Referral("self", "Ashdown");
  const std::string l2 = h.Referral("duty_to_refer", "Brightwell");
  const std::string l3 = h.Referral("third_party", "Calloway");
  const std::string l4 = h.Referral("provider", "Dunmore");
  h.Referral("self", "Everly");
  h.Ok("officer", ClaimLobbyRecord{l1});
  h.Ok("officer", ClaimLobbyRecord{l2});
  h.Ok("officer", AssignLobbyRecord{l2, a});
  h.Ok("supervisor", ClaimLobbyRecord{l3});
  h.Ok("supervisor", CreateClientFromLobby{l3});
  h.Ok("officer", ClaimLobbyRecord{l4});
  h.Ok("officer", RemoveLobbyRecord{l4});
}

// What each read model answers to a spread of queries, as JSON, for comparisons.
nlohmann::json Answers(const Lists& l) {
  nlohmann::json out = nlohmann::json::array();
  auto page = [](const ListPage& p) {
    return nlohmann::json{{"rows", p.rows}, {"total", p.total}, {"next", p.next_cursor}};
  };
  out.push_back(page(Officers(l)));
  out.push_back(page(Officers(l, {{"officer", "supervisor"}})));
  out.push_back(page(Officers(l, {}, "officer")));
  out.push_back(page(People(l)));
  out.push_back(page(People(l, {{"current", "true"}})));
  out.push_back(page(Lobby(l, {{"status", "all"}})));
  out.push_back(Search(l, ByName("okafor")));
  out.push_back(Search(l, ByName("Nowak")));
  ClientSearchQuery dob;
  dob.date_of_birth = "1980-02-03";
  out.push_back(Search(l, dob));
  PersonalFields referral;
  referral.surname = "Okafore";
  referral.date_of_birth = "1980-03-02";
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& [id, p] : l.search.search().Candidates(referral)) candidates.push_back(id);
  out.push_back(candidates);
  return out;
}

}  // namespace

TEST_CASE("case officers list has a row per assignment and each filter narrows it",
          "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  auto [b, cb] = h.Register("Nowak");
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  h.Ok("officer", AssignOfficer{ca, "admin", "supervisor"});
  h.Ok("officer", AssignOfficer{cb, "supervisor", "other"});
  h.Ok("officer", AssignTeam{cb, "allocations"});
  h.Ok("officer", CloseCase{cb, "housed"});
  h.Sync();

  ListPage all = Officers(h.lists);
  CHECK(all.total == 5);
  CHECK(all.columns == CaseOfficers::ColumnNames());
  CHECK(all.columns.front() == "assignment_id");
  ListPage one = Officers(h.lists, {{"case_id", ca}, {"officer", "supervisor"}});
  REQUIRE(one.rows.size() == 1);
  const auto& row = one.rows[0];
  CHECK(row["assignment_id"] == ca + "/supervisor/secondary");
  CHECK(row["case_id"] == ca);
  CHECK(row["user_id"] == "supervisor");
  CHECK(row["role"] == "secondary");
  CHECK(row["case_status"] == "open");
  CHECK(row["team_id"] == "housing-options");
  CHECK(row["client_id"] == a);
  CHECK(row["opened_on"] == DomainFixture::kToday);

  CHECK(Officers(h.lists, {{"officer", "supervisor"}}).total == 2);
  CHECK(Officers(h.lists, {{"officer", "nobody"}}).total == 0);
  CHECK(Officers(h.lists, {{"case_id", ca}}).total == 3);
  CHECK(Officers(h.lists, {{"role", "primary"}}).total == 2);
  CHECK(Column(Officers(h.lists, {{"role", "primary"}}), "user_id") ==
        std::vector<std::string>{"officer", "officer"});
  CHECK(Column(Officers(h.lists, {{"team", "allocations"}}), "case_id") ==
        std::vector<std::string>{cb, cb});
  CHECK(Column(Officers(h.lists, {{"case_status", "closed"}}), "case_id") ==
        std::vector<std::string>{cb, cb});
  CHECK(Officers(h.lists, {{"case_status", "open"}, {"role", "supervisor"}}).total == 1);

  // Reopening, a new team and an unassignment show in every row of the case.
  h.Ok("officer", ReopenCase{cb, "back"});
  h.Ok("officer", AssignTeam{cb, "housing-options"});
  h.Ok("officer", UnassignOfficer{ca, "admin", "supervisor"});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_status", "closed"}}).total == 0);
  CHECK(Officers(h.lists, {{"team", "allocations"}}).total == 0);
  CHECK(Officers(h.lists).total == 4);
  CHECK(Officers(h.lists, {{"officer", "admin"}}).total == 0);

  CaseOfficersQuery bad;
  ListPage page;
  bad.filters = {{"colour", "red"}};
  CHECK(h.lists.officers.officers().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters.clear();
  bad.group_by = "team";
  CHECK(h.lists.officers.officers().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  CHECK_FALSE(h.lists.officers.personal());
}

TEST_CASE("case officers grouped by officer give workload counts", "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  auto [b, cb] = h.Register("Nowak");
  h.Ok("officer", AssignOfficer{ca, "officer", "secondary"});  // a second role, same case
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  h.Ok("officer", AssignOfficer{cb, "supervisor", "other"});
  h.Ok("officer", AssignOfficer{ca, "admin", "supervisor"});
  h.Ok("officer", CloseCase{cb, "housed"});
  h.Sync();

  ListPage groups = Officers(h.lists, {}, "officer");
  CHECK(groups.columns == CaseOfficers::GroupColumnNames());
  CHECK(Column(groups, "officer") == std::vector<std::string>{"admin", "officer", "supervisor"});
  const auto officer = GroupOf(groups, "officer");
  CHECK(officer["cases"] == 2);
  CHECK(officer["open_cases"] == 1);
  CHECK(officer["assignments"] == 3);
  CHECK(officer["primary"] == 2);
  CHECK(officer["secondary"] == 1);
  CHECK(officer["supervisor"] == 0);
  CHECK(officer["other"] == 0);
  const auto supervisor = GroupOf(groups, "supervisor");
  CHECK(supervisor["cases"] == 2);
  CHECK(supervisor["open_cases"] == 1);
  CHECK(supervisor["assignments"] == 2);
  CHECK(supervisor["secondary"] == 1);
  CHECK(supervisor["other"] == 1);
  const auto admin = GroupOf(groups, "admin");
  CHECK(admin["cases"] == 1);
  CHECK(admin["open_cases"] == 1);
  CHECK(admin["supervisor"] == 1);

  // Filters apply before grouping.
  ListPage open = Officers(h.lists, {{"case_status", "open"}}, "officer");
  CHECK(GroupOf(open, "officer")["assignments"] == 2);
  CHECK(GroupOf(open, "supervisor")["cases"] == 1);
  ListPage primary = Officers(h.lists, {{"role", "primary"}}, "officer");
  CHECK(Column(primary, "officer") == std::vector<std::string>{"officer"});

  // Sorted and paged like any list.
  ListRequest by_load;
  by_load.sort = "-assignments";
  CHECK(Column(Officers(h.lists, {}, "officer", by_load), "officer") ==
        std::vector<std::string>{"officer", "supervisor", "admin"});
  ListRequest paged;
  paged.sort = "-open_cases,officer";
  paged.limit = 2;
  paged.columns = "officer,open_cases";
  ListPage first = Officers(h.lists, {}, "officer", paged);
  CHECK(first.columns == std::vector<std::string>{"officer", "open_cases"});
  CHECK(Column(first, "officer") == std::vector<std::string>{"admin", "officer"});
  REQUIRE_FALSE(first.next_cursor.empty());
  paged.cursor = first.next_cursor;
  ListPage second = Officers(h.lists, {}, "officer", paged);
  CHECK(Column(second, "officer") == std::vector<std::string>{"supervisor"});
  CHECK(second.next_cursor.empty());
}

TEST_CASE("case officers stay exact through many unassignments", "[read-models]") {
  // Enough unassignments that the read model compacts what it scans at least once.
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  auto [b, cb] = h.Register("Nowak");
  for (int i = 0; i < 1100; ++i) {
    const std::string& kase = i % 2 == 0 ? ca : cb;
    const std::string role = i % 3 == 0 ? "secondary" : "other";
    h.Ok("officer", AssignOfficer{kase, "supervisor", role});
    h.Ok("officer", AssignOfficer{kase, "officer", "supervisor"});
    h.Ok("officer", UnassignOfficer{kase, "supervisor", role});
    h.Ok("officer", UnassignOfficer{kase, "officer", "supervisor"});
    if (i % 200 == 0) h.Sync();
  }
  h.Ok("officer", AssignOfficer{ca, "officer", "secondary"});
  h.Ok("officer", AssignOfficer{cb, "supervisor", "other"});
  h.Ok("officer", UnassignOfficer{ca, "officer", "primary"});  // the case's first for officer
  h.Sync();

  CHECK(Column(Officers(h.lists), "assignment_id") ==
        std::vector<std::string>{ca + "/officer/secondary", cb + "/officer/primary",
                                 cb + "/supervisor/other"});
  ListPage groups = Officers(h.lists, {}, "officer");
  CHECK(GroupOf(groups, "officer")["cases"] == 2);
  CHECK(GroupOf(groups, "officer")["assignments"] == 2);
  CHECK(GroupOf(groups, "supervisor")["cases"] == 1);

  Lists fresh;
  auto second = h.OpenRunner(&fresh);
  CHECK(Officers(fresh, {}, "officer").rows == groups.rows);
  CHECK(Officers(fresh).rows == Officers(h.lists).rows);
}

TEST_CASE("case officers paging with a cursor neither repeats nor skips rows while writes happen",
          "[read-models]") {
  Harness h;
  std::vector<std::string> cases;
  for (int i = 0; i < 12; ++i)
    cases.push_back(h.Register("Client" + std::string(1, 'a' + i)).second);
  for (int i = 0; i < 12; i += 2) h.Ok("officer", AssignOfficer{cases[i], "supervisor", "other"});
  h.Sync();
  ListRequest everything;
  everything.limit = 1000;
  std::set<std::string> before;
  for (const auto& id : Column(Officers(h.lists, {}, "", everything), "assignment_id")) {
    before.insert(id);
  }
  REQUIRE(before.size() == 18);

  ListRequest req;
  req.limit = 5;
  req.sort = "-case_id";
  std::vector<std::string> seen;
  int pages = 0, extra = 0;
  while (true) {
    ListPage page = Officers(h.lists, {}, "", req);
    for (const auto& id : Column(page, "assignment_id")) seen.push_back(id);
    ++pages;
    // Writes between pages: new rows on both sides of the cursor, and changes to rows
    // (a closed case) that do not move them in this order.
    auto [client, kase] = h.Register("Later" + std::string(1, 'a' + extra++));
    h.Ok("officer", AssignOfficer{cases[pages % 12], "admin", "secondary"});
    h.Ok("officer", CloseCase{cases[(pages * 5) % 12], "done"});
    h.Sync();
    if (page.next_cursor.empty()) break;
    req.cursor = page.next_cursor;
    REQUIRE(pages < 50);
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());  // nothing repeated
  for (const auto& id : before) {
    INFO(id);
    CHECK(unique.count(id) == 1);  // nothing that was there before was skipped
  }
}

TEST_CASE("case people list follows stays and the primary applicant switch", "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Okafor", "Grace");
  auto [b, cb] = h.Register("Okafor", "Tunde");
  auto [c, cc] = h.Register("Okafor", "Ada");
  h.Ok("officer", AddPerson{ca, b, "partner", true, "2026-01-10"});
  h.Ok("officer", AddPerson{ca, c, "child", false, "2026-01-10"});
  h.Ok("officer", PersonLeaves{ca, c, "2026-03-01"});
  h.Ok("officer", AddPerson{ca, c, "child", false, "2026-05-01"});
  h.Sync();

  ListPage all = People(h.lists, {{"case_id", ca}});
  CHECK(all.columns == CasePeople::ColumnNames());
  CHECK(all.total == 4);
  ListPage stays = People(h.lists, {{"case_id", ca}, {"client_id", c}});
  REQUIRE(stays.rows.size() == 2);
  CHECK(stays.rows[0]["stay_id"] == ca + "/" + c + "/1");
  CHECK(stays.rows[0]["date_joined"] == "2026-01-10");
  CHECK(stays.rows[0]["date_left"] == "2026-03-01");
  CHECK(stays.rows[0]["current"] == false);
  CHECK(stays.rows[1]["stay_id"] == ca + "/" + c + "/2");
  CHECK(stays.rows[1]["current"] == true);
  CHECK(stays.rows[1]["relationship"] == "child");
  CHECK(stays.rows[1]["surname"] == "Okafor");
  CHECK(stays.rows[1]["forenames"] == "Ada");
  CHECK(People(h.lists, {{"client_id", c}}).total == 3);  // two stays here, self on cc
  CHECK(People(h.lists, {{"case_id", ca}, {"current", "true"}}).total == 3);
  CHECK(People(h.lists, {{"current", "false"}}).total == 1);

  h.Ok("officer", SwitchPrimaryApplicant{ca, b});
  CorrectClientDetails fix;
  fix.client_id = b;
  fix.personal.forenames = "Babatunde";
  h.Ok("officer", fix);
  h.Sync();
  ListRequest by_client;
  by_client.sort = "client_id,date_joined";
  ListPage after = People(h.lists, {{"case_id", ca}, {"current", "true"}}, by_client);
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& r : after.rows) by_id[r["client_id"]] = r;
  CHECK(by_id[a]["relationship"] == "other");
  CHECK(by_id[b]["relationship"] == "self");
  CHECK(by_id[b]["joint_applicant"] == false);
  CHECK(by_id[b]["forenames"] == "Babatunde");  // joined from the client row
  // Those who left keep what they had.
  CHECK(People(h.lists, {{"case_id", ca}, {"current", "false"}}).rows[0]["relationship"] ==
        "child");

  CasePeopleQuery bad;
  ListPage page;
  bad.filters = {{"current", "maybe"}};
  CHECK(h.lists.people.people().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters = {{"officer", "x"}};
  CHECK(h.lists.people.people().Query(bad, &page).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("soft delete hides rows and restore brings them back", "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03");
  auto [b, cb] = h.Register("Nowak", "Ewa");
  h.Ok("officer", AddPerson{cb, a, "sibling", false, "2026-01-10"});
  const std::string extra = h.Ok("officer", OpenCase{b}).response["case_id"];
  h.Sync();
  REQUIRE(Officers(h.lists, {{"case_id", ca}}).total == 1);
  REQUIRE(People(h.lists, {{"client_id", a}}).total == 2);
  REQUIRE(ClientIds(Search(h.lists, ByName("okafor"))) == std::vector<std::string>{a});

  // A case on its own.
  h.Ok("supervisor", DeleteCase{extra});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_id", extra}}).total == 0);
  CHECK(People(h.lists, {{"case_id", extra}}).total == 0);
  CHECK(Officers(h.lists, {{"case_id", cb}}).total == 1);

  // A client with its cases.
  h.Ok("supervisor", DeleteClient{a, "soft"});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_id", ca}}).total == 0);
  CHECK(Officers(h.lists, {}, "officer").rows[0]["cases"] == 1);
  CHECK(People(h.lists, {{"case_id", ca}}).total == 0);
  // Nor on another client's live case: a soft-deleted person is in no list.
  CHECK(People(h.lists, {{"client_id", a}}).total == 0);
  CHECK(People(h.lists, {{"case_id", cb}}).total == 1);
  CHECK(Search(h.lists, ByName("okafor")).empty());
  ClientSearchQuery dob;
  dob.date_of_birth = "1980-02-03";
  CHECK(Search(h.lists, dob).empty());
  PersonalFields referral;
  referral.surname = "Okafor";
  CHECK(h.lists.search.search().Candidates(referral).empty());

  h.Ok("admin", RestoreClient{a});
  h.Sync();
  CHECK(Officers(h.lists, {{"case_id", ca}}).total == 1);
  CHECK(Officers(h.lists, {}, "officer").rows[0]["cases"] == 2);
  CHECK(People(h.lists, {{"case_id", ca}}).total == 1);
  CHECK(People(h.lists, {{"client_id", a}}).total == 2);
  CHECK(ClientIds(Search(h.lists, ByName("okafor"))) == std::vector<std::string>{a});
  CHECK(ClientIds(Search(h.lists, dob)) == std::vector<std::string>{a});
}

TEST_CASE("erasure removes rows and leaves the name nowhere in the read models", "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Zyxwarden", "Grace", "1980-02-03");
  auto [b, cb] = h.Register("Nowak", "Ewa");
  auto [c, cc] = h.Register("Xylocarp", "Ira");
  h.Ok("officer", AddPerson{cb, a, "sibling", false, "2026-01-10"});
  h.Ok("officer", AssignOfficer{ca, "supervisor", "secondary"});
  const std::string second = h.Ok("officer", OpenCase{a}).response["case_id"];
  // A client that came from the Lobby, then erased: its referral's row keeps no name.
  const std::string lobby = h.Referral("self", "Vantablack");
  h.Ok("officer", ClaimLobbyRecord{lobby});
  const std::string from_lobby =
      h.Ok("officer", CreateClientFromLobby{lobby}).response["client_id"];
  h.Sync();
  REQUIRE(h.AnyValueHas(h.lists.people, "Zyxwarden"));
  REQUIRE(h.AnyValueHas(h.lists.search, "Zyxwarden"));
  REQUIRE(h.AnyValueHas(h.lists.lobby, "Vantablack"));

  h.Ok("admin", DeleteClient{a, "erase"});
  // Soft-deleted first, then erased: its cases get no CaseDeleted of their own.
  h.Ok("supervisor", DeleteClient{c, "soft"});
  h.Ok("admin", DeleteClient{c, "erase"});
  h.Ok("admin", DeleteClient{from_lobby, "erase"});
  h.Sync();

  for (const std::string& kase : {ca, second, cc}) {
    INFO(kase);
    CHECK(Officers(h.lists, {{"case_id", kase}}).total == 0);
    CHECK(People(h.lists, {{"case_id", kase}}).total == 0);
    for (const auto& [key, value] : h.Family(h.lists.officers)) {
      CHECK(key.find(kase + "/") == std::string::npos);
      CHECK(key != "k/" + kase);
    }
  }
  CHECK(Officers(h.lists, {{"case_id", cb}}).total == 1);
  // The erased person's stay on someone else's case stays, without a name.
  ListPage stay = People(h.lists, {{"client_id", a}});
  REQUIRE(stay.rows.size() == 1);
  CHECK(stay.rows[0]["case_id"] == cb);
  CHECK(stay.rows[0]["surname"] == "");
  CHECK(Search(h.lists, ByName("Zyxwarden")).empty());
  CHECK(Search(h.lists, ByName("Xylocarp")).empty());
  CHECK(h.lists.search.search().size() == 1);  // b alone
  // The referral the client came from is erased with it, and leaves the queue.
  nlohmann::json row;
  CHECK_FALSE(h.lists.lobby.queue().Get(lobby, &row));
  for (const Projection* p : h.lists.All()) {
    INFO(p->name());
    CHECK_FALSE(h.AnyValueHas(*p, "Zyxwarden"));
    CHECK_FALSE(h.AnyValueHas(*p, "Xylocarp"));
    CHECK_FALSE(h.AnyValueHas(*p, "Vantablack"));
  }
}

TEST_CASE("client search finds names regardless of accents and case", "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Müller", "José");
  auto [b, cb] = h.Register("Mueller", "Anna");
  auto [c, cc] = h.Register("Smith-Jones", "Mary Ann");
  auto [d, cd] = h.Register("Okafor", "Grace");
  h.Sync();

  for (const std::string q : {"muller", "MÜLLER", "Muller", "mULLer"}) {
    INFO(q);
    const auto ids = ClientIds(Search(h.lists, ByName(q)));
    REQUIRE_FALSE(ids.empty());
    CHECK(ids[0] == a);
    CHECK_FALSE(Contains(ids, d));
  }
  const auto full = Search(h.lists, ByName("jose muller"));
  REQUIRE_FALSE(full.empty());
  CHECK(full[0]["client_id"] == a);
  CHECK(full[0]["score"] == 1.0);
  CHECK(full[0]["matched"] == nlohmann::json{"surname", "forenames"});
  CHECK(full[0]["surname"] == "Müller");
  CHECK(ClientIds(Search(h.lists, ByName("Müller José")))[0] == a);  // surname first
  CHECK(Contains(ClientIds(Search(h.lists, ByName("Mul"))), a));     // a prefix
  CHECK(Contains(ClientIds(Search(h.lists, ByName("Muler"))), a));   // a typo
  CHECK(Contains(ClientIds(Search(h.lists, ByName("Muler"))), b));
  CHECK(ClientIds(Search(h.lists, ByName("jones"))) == std::vector<std::string>{c});
  CHECK(ClientIds(Search(h.lists, ByName("smith-jones"))) == std::vector<std::string>{c});
  CHECK(ClientIds(Search(h.lists, ByName("ann")))[0] == c);  // a forename (and a prefix of Anna)
  CHECK(ClientIds(Search(h.lists, ByName("Grace Okafor"))) == std::vector<std::string>{d});
  CHECK(Search(h.lists, ByName("Wojcik")).empty());
  ClientSearchQuery limited = ByName("m");
  limited.limit = 1;
  CHECK(Search(h.lists, limited).size() == 1);

  // A correction moves the client in the index.
  CorrectClientDetails fix;
  fix.client_id = d;
  fix.personal.surname = "Adeyemi";
  h.Ok("officer", fix);
  h.Sync();
  CHECK(Search(h.lists, ByName("okafor")).empty());
  CHECK(ClientIds(Search(h.lists, ByName("adeyemi"))) == std::vector<std::string>{d});
}

TEST_CASE("client search compares identifiers in their normal form", "[read-models]") {
  Harness h;
  PersonalFields extra;
  extra.nino = "AB123456C";
  extra.postcode = "SW1A 1AA";
  extra.phone = "07700 900123";
  extra.email = "Grace.Okafor@Example.org";
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03", extra);
  auto [b, cb] = h.Register("Nowak", "Ewa", "1980-02-03");
  h.Sync();

  auto find = [&](auto set) {
    ClientSearchQuery q;
    set(q);
    return ClientIds(Search(h.lists, q));
  };
  using V = std::vector<std::string>;
  CHECK(find([](auto& q) { q.nino = "ab 12 34 56 c"; }) == V{a});
  CHECK(find([](auto& q) { q.postcode = "sw1a1aa"; }) == V{a});
  CHECK(find([](auto& q) { q.phone = "07700-900-123"; }) == V{a});
  CHECK(find([](auto& q) { q.email = " grace.okafor@EXAMPLE.org"; }) == V{a});
  CHECK(find([](auto& q) { q.nino = "CE123456A"; }).empty());
  CHECK(find([](auto& q) { q.date_of_birth = "1980-02-03"; }).size() == 2);
  // The client matching most comes first; status only filters.
  const auto both = Search(h.lists, [] {
    ClientSearchQuery q;
    q.date_of_birth = "1980-02-03";
    q.postcode = "SW1A 1AA";
    return q;
  }());
  REQUIRE(both.size() == 2);
  CHECK(both[0]["client_id"] == a);
  CHECK(both[0]["matched"] == nlohmann::json{"date_of_birth", "postcode"});
  CHECK(both[0]["score"] == 1.0);
  CHECK(both[1]["matched"] == nlohmann::json{"date_of_birth"});
  CHECK(both[1]["score"].get<double>() < 1.0);
  h.Ok("officer", ChangeClientStatus{b, "inactive"});
  h.Sync();
  CHECK(find([](auto& q) {
          q.date_of_birth = "1980-02-03";
          q.status = "inactive";
        }) == V{b});

  nlohmann::json results;
  ClientSearchQuery bad;
  CHECK(h.lists.search.search().Search(bad, &results).code() == Status::Code::kInvalidArgument);
  bad.nino = "not a nino";
  CHECK(h.lists.search.search().Search(bad, &results).code() == Status::Code::kInvalidArgument);
  bad = ClientSearchQuery();
  bad.date_of_birth = "03/02/1980";
  CHECK(h.lists.search.search().Search(bad, &results).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("client search gives lobby candidates sharing a blocking key", "[read-models]") {
  Harness h;
  PersonalFields extra;
  extra.postcode = "N1 9GU";
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03", extra);
  auto [b, cb] = h.Register("Nowak", "Ewa", "1980-03-02");  // day and month swapped
  auto [c, cc] = h.Register("Okafore", "Tunde", "1971-01-01");
  auto [d, cd] = h.Register("Wojcik", "Piotr", "1960-06-06");
  h.Sync();

  PersonalFields referral;
  referral.surname = "Okafor";
  referral.forenames = "Grace";
  referral.date_of_birth = "1980-02-03";
  referral.postcode = "n1 9gu";
  const auto candidates = h.lists.search.search().Candidates(referral);
  std::vector<std::string> ids;
  for (const auto& [id, p] : candidates) ids.push_back(id);
  CHECK(ids.size() == 3);
  CHECK(ids[0] == a);  // shares the most keys
  CHECK(Contains(ids, b));
  CHECK(Contains(ids, c));
  CHECK_FALSE(Contains(ids, d));
  CHECK(candidates[0].second.surname == "Okafor");
  CHECK(candidates[0].second.postcode == "N1 9GU");
  CHECK(h.lists.search.search().Candidates(referral, 1).size() == 1);

  const std::vector<Match> ranked = RankMatches(referral, candidates);
  REQUIRE_FALSE(ranked.empty());
  CHECK(ranked[0].client_id == a);
}

TEST_CASE("lobby queue shows waiting records oldest first and a removed record leaves it",
          "[read-models]") {
  Harness h;
  auto [client, kase] = h.Register("Okafor");
  const std::string l1 = h.Referral("self", "Ashdown");
  const std::string l2 = h.Referral("duty_to_refer", "Brightwell");
  const std::string l3 = h.Referral("third_party", "Calloway");
  const std::string l4 = h.Referral("provider", "Dunmore");
  const std::string l5 = h.Referral("self", "Everly");
  h.Ok("officer", ClaimLobbyRecord{l1});
  h.Ok("officer", ClaimLobbyRecord{l2});
  h.Ok("officer", AssignLobbyRecord{l2, client});
  h.Ok("supervisor", ClaimLobbyRecord{l3});
  const std::string created = h.Ok("supervisor", CreateClientFromLobby{l3}).response["client_id"];
  h.Sync();

  ListPage waiting = Lobby(h.lists);
  CHECK(waiting.columns == LobbyQueue::ColumnNames());
  CHECK(Column(waiting, "lobby_id") == std::vector<std::string>{l1, l4, l5});
  const auto times = Column(waiting, "received_at");
  CHECK(std::is_sorted(times.begin(), times.end()));
  for (const auto& t : times) {
    CHECK(t.size() == 27);  // 2026-11-22T10:15:30.123456Z
    CHECK(t.back() == 'Z');
  }
  CHECK(waiting.rows[0]["status"] == "claimed");
  CHECK(waiting.rows[0]["claimed_by"] == "officer");
  CHECK(waiting.rows[0]["surname"] == "Ashdown");
  CHECK(waiting.rows[0]["forenames"] == "Sam");
  CHECK(waiting.rows[0]["date_of_birth"] == "1992-09-09");
  CHECK(waiting.rows[0]["postcode"] == "N1 9GU");
  CHECK(waiting.rows[0]["referrer"] == "Probation Service");
  CHECK(Lobby(h.lists, {{"status", "all"}}).total == 5);
  CHECK(Lobby(h.lists, {{"status", "received"}}).total == 2);
  ListPage assigned = Lobby(h.lists, {{"status", "assigned"}});
  REQUIRE(assigned.rows.size() == 1);
  CHECK(assigned.rows[0]["client_id"] == client);
  CHECK(assigned.rows[0]["case_id"] != "");
  ListPage made = Lobby(h.lists, {{"status", "created"}});
  REQUIRE(made.rows.size() == 1);
  CHECK(made.rows[0]["client_id"] == created);
  CHECK(Column(Lobby(h.lists, {{"source", "self"}}), "lobby_id") ==
        std::vector<std::string>{l1, l5});
  CHECK(Column(Lobby(h.lists, {{"status", "all"}, {"claimed_by", "supervisor"}}), "lobby_id") ==
        std::vector<std::string>{l3});
  nlohmann::json row;
  REQUIRE(h.lists.lobby.queue().Get(l4, &row));
  CHECK(row["source"] == "provider");
  CHECK(row["status"] == "received");
  CHECK_FALSE(h.lists.lobby.queue().Get("no-such-record", &row));

  h.Ok("officer", ClaimLobbyRecord{l4});
  h.Ok("officer", RemoveLobbyRecord{l4});
  h.Sync();
  CHECK(Column(Lobby(h.lists), "lobby_id") == std::vector<std::string>{l1, l5});
  CHECK(Lobby(h.lists, {{"status", "all"}}).total == 4);
  CHECK_FALSE(h.lists.lobby.queue().Get(l4, &row));
  CHECK_FALSE(h.AnyValueHas(h.lists.lobby, "Dunmore"));
  for (const auto& [key, value] : h.Family(h.lists.lobby)) CHECK(key != "l/" + l4);

  LobbyQueueQuery bad;
  ListPage page;
  bad.filters = {{"status", "removed"}};
  CHECK(h.lists.lobby.queue().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad.filters = {{"officer", "x"}};
  CHECK(h.lists.lobby.queue().Query(bad, &page).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("list read models skip events they cannot decode", "[read-models]") {
  Harness h;
  auto [a, ca] = h.Register("Okafor");
  h.Sync();
  const nlohmann::json before = Answers(h.lists);
  // An event type this build does not know, and a known type whose payload is not one.
  for (const auto& [stream, type] :
       std::vector<std::pair<std::string, std::string>>{{"client-" + a, "SomethingHappened"},
                                                        {"case-" + ca, "CaseDeleted"},
                                                        {"client-" + a, "ClientDeleted"},
                                                        {"lobby-none", "LobbyRecordRemoved"}}) {
    REQUIRE(
        h.fx.log->Append(OneEvent(stream, ExpectedVersion::Any(), type, "not a body")).status.ok());
  }
  h.Sync();
  CHECK(h.runner->Stats().undecodable == 4);
  CHECK(h.runner->Applied() == h.fx.Head());
  CHECK(Answers(h.lists).dump() == before.dump());
}

TEST_CASE("list read models load their rows after a restart and answer the same", "[read-models]") {
  Harness h;
  Scenario(h);
  h.Sync();
  const nlohmann::json before = Answers(h.lists);

  Lists fresh;
  auto second = h.OpenRunner(&fresh);
  CHECK(Answers(fresh).dump() == before.dump());
  CHECK(fresh.officers.officers().size() == h.lists.officers.officers().size());
  CHECK(fresh.people.people().size() == h.lists.people.people().size());
  CHECK(fresh.search.search().size() == h.lists.search.search().size());
  CHECK(fresh.lobby.queue().size() == h.lists.lobby.queue().size());

  // Both go on from there alike (the first runner stops writing: one writer per store).
  h.runner.reset();
  auto [client, kase] = h.Register("Okafor", "Ngozi", "1980-02-03");
  auto [child, child_case] = h.Register("Okafor", "Chidi", "2015-06-01");
  h.Ok("officer", AssignOfficer{kase, "supervisor", "other"});
  h.Ok("officer", AddPerson{kase, child, "child", false, ""});
  REQUIRE(second->CatchUp().ok());
  Lists third;
  auto third_runner = h.OpenRunner(&third);
  CHECK(Answers(third).dump() == Answers(fresh).dump());
}

TEST_CASE("a rebuild of the list read models gives identical rows", "[read-models]") {
  Harness h;
  Scenario(h);
  h.Sync();
  std::vector<std::map<std::string, std::string>> before;
  for (const Projection* p : h.lists.All()) before.push_back(h.Family(*p));
  const nlohmann::json answers = Answers(h.lists);
  REQUIRE_FALSE(before[0].empty());

  Status s = h.runner->Rebuild({});
  INFO(s.ToString());
  REQUIRE(s.ok());
  for (size_t i = 0; i < before.size(); ++i) {
    INFO(h.lists.All()[i]->name());
    const auto after = h.Family(*h.lists.All()[i]);
    CHECK(after.size() == before[i].size());
    CHECK(after == before[i]);
  }
  CHECK(Answers(h.lists).dump() == answers.dump());
}
