// The projection runner and the case list: rows and checkpoints written together, resume
// after a restart, rebuilds identical to live rows, and the case list's filters, sorting
// and paging by key. Events come from the real command path (DomainFixture); the read
// models live in a separate in-memory store, as a rebuild into another folder does.
#include "projections/projection_runner.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "base/coding.h"
#include "projections/case_list.h"
#include "projections/case_officers.h"
#include "projections/read_models.h"
#include "tests/domain_fixture.h"

namespace caseengine::testing {
namespace {

std::unique_ptr<MemoryStore> ReadModelStore(Projection* p) {
  return std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames({p}));
}

// Every key and value of a family.
std::map<std::string, std::string> Dump(const Store& store, const std::string& family) {
  FamilyId id;
  REQUIRE(store.Family(family, &id).ok());
  std::map<std::string, std::string> out;
  auto it = store.NewIterator(id);
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = it->value();
  return out;
}

ListPage Cases(const CaseListProjection& p, std::map<std::string, std::string> filters = {},
               std::string sort = "", size_t limit = 50, std::string cursor = "") {
  CaseListQuery q;
  q.filters = std::move(filters);
  q.list.sort = std::move(sort);
  q.list.limit = limit;
  q.list.cursor = std::move(cursor);
  q.today = DomainFixture::kToday;
  q.count_total = true;
  ListPage page;
  Status s = p.list().Query(q, &page);
  REQUIRE(s.ok());
  return page;
}

std::vector<std::string> Ids(const ListPage& page) {
  std::vector<std::string> ids;
  for (const auto& row : page.rows) ids.push_back(row["case_id"]);
  return ids;
}

// A small caseload: clients, second cases, strands, closures, officers.
void Workload(DomainFixture& d, int clients) {
  for (int i = 0; i < clients; ++i) {
    auto [client, kase] =
        d.Register("Client" + std::to_string(i % 7), "1980-01-0" + std::to_string(1 + i % 9));
    if (i % 3 == 0) d.Run("officer", AddStrand{kase, "housing_register"});
    if (i % 4 == 0) d.Run("officer", AssignOfficer{kase, "supervisor", "secondary"});
    if (i % 5 == 0) d.Run("officer", CloseCase{kase, "housed"});
    if (i % 6 == 0) d.Run("officer", OpenCase{client});
  }
}

// A runner over `p`, its rows in `store`, caught up with the log in batches of 5 events.
std::unique_ptr<ProjectionRunner> CaughtUp(DomainFixture& d, Projection* p, Store* store) {
  auto runner =
      std::make_unique<ProjectionRunner>(d.log.get(), &d.handler->codec(), store,
                                         std::vector<Projection*>{p}, ProjectionRunnerOptions{5});
  REQUIRE(runner->Open().ok());
  REQUIRE(runner->CatchUp().ok());
  return runner;
}

// Waits (up to 10 s) until the runner has written every read model up to `position`;
// returns Written().
uint64_t WaitForWritten(const ProjectionRunner& runner, uint64_t position) {
  const auto start = std::chrono::steady_clock::now();
  while (runner.Written() < position &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return runner.Written();
}

// A client registered and erased (another one kept), with the case list caught up: its
// purges so far, and the erased client's key as it was.
struct ErasedClient {
  ErasedClient()
      : store(ReadModelStore(&live)),
        runner(d.log.get(), &d.handler->codec(), store.get(), {&live}) {
    REQUIRE(runner.Open().ok());
    client = d.Register("Zanzibarova").first;
    d.Register("Other");
    REQUIRE(d.keys->KeyFor("client-" + client, false, &key).ok());
    REQUIRE(Kind(d.Run("admin", DeleteClient{client, "erase"})) == "ok");
    REQUIRE(runner.CatchUp().ok());
    purges = runner.Stats().purges;
  }
  DomainFixture d;
  CaseListProjection live;
  std::unique_ptr<MemoryStore> store;
  ProjectionRunner runner;
  std::string client, key;
  uint64_t purges = 0;
};

}  // namespace

TEST_CASE("a read model's rows and checkpoint are written in one batch", "[projections]") {
  DomainFixture d;
  Workload(d, 10);
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live});
  REQUIRE(runner.Open().ok());
  store->FailNextWrites(1);
  CHECK_FALSE(runner.CatchUp().ok());
  CHECK_FALSE(runner.error().ok());
  // Nothing of the failed batch is there: no rows, no checkpoint (only the layout that
  // Open recorded for the empty read model).
  CHECK(Dump(*store, "rm.case_list").empty());
  CHECK(Dump(*store, kCheckpointsFamily) ==
        std::map<std::string, std::string>{{LayoutKey(live), BigEndian64(live.layout())}});

  CaseListProjection again;
  ProjectionRunner second(d.log.get(), &d.handler->codec(), store.get(), {&again});
  REQUIRE(second.Open().ok());
  REQUIRE(second.CatchUp().ok());
  CHECK(second.Applied() == d.Head());
  CHECK(Cases(again).total == 12);
}

TEST_CASE("a read model resumes from its checkpoint after a restart", "[projections]") {
  DomainFixture d;
  Workload(d, 12);
  auto first_store = [&] {
    CaseListProjection p;
    return ReadModelStore(&p);
  }();
  {
    CaseListProjection p;
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), first_store.get(), {&p});
    REQUIRE(runner.Open().ok());
    REQUIRE(runner.CatchUp().ok());
  }
  const uint64_t before = d.Head();
  Workload(d, 5);
  CaseListProjection resumed;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), first_store.get(), {&resumed});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Applied() == before);
  REQUIRE(runner.CatchUp().ok());
  // Only the new events were applied.
  CHECK(runner.Stats().events == d.Head() - before);

  // The same rows as one pass over the whole log.
  CaseListProjection fresh;
  auto fresh_store = ReadModelStore(&fresh);
  ProjectionRunner full(d.log.get(), &d.handler->codec(), fresh_store.get(), {&fresh});
  REQUIRE(full.Open().ok());
  REQUIRE(full.CatchUp().ok());
  CHECK(Dump(*first_store, "rm.case_list") == Dump(*fresh_store, "rm.case_list"));
  CHECK(Cases(resumed, {}, "case_id", 1000).rows == Cases(fresh, {}, "case_id", 1000).rows);
}

TEST_CASE("a rebuild gives rows identical to the live ones", "[projections]") {
  DomainFixture d;
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live},
                          ProjectionRunnerOptions{7});  // many small batches
  REQUIRE(runner.Open().ok());
  runner.Start();
  Workload(d, 30);
  CHECK(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  runner.Stop();
  const auto before = Dump(*store, "rm.case_list");
  const auto page = Cases(live, {}, "case_id", 1000).rows;
  REQUIRE(runner.Rebuild({}).ok());
  CHECK(Dump(*store, "rm.case_list") == before);
  CHECK(Cases(live, {}, "case_id", 1000).rows == page);
  CHECK(runner.Rebuild({"no_such_model"}).code() == Status::Code::kNotFound);
}

TEST_CASE("a read model kept in memory is written once per write interval while the log is tailed",
          "[projections]") {
  DomainFixture d;
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunnerOptions options;
  options.max_batch_events = 3;  // many small chunks
  options.write_interval = std::chrono::seconds(1);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live}, options);
  REQUIRE(runner.Open().ok());
  runner.Start();
  Workload(d, 10);
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  // Queries see every event at once; the store has its rows later, with their checkpoint.
  CHECK(Cases(live).total == 12);
  CHECK(WaitForWritten(runner, d.Head()) == d.Head());
  // Far fewer batches than chunks: each changed row went once per write.
  CHECK(runner.Stats().batches <= 4);
  // What a stop would have written anyway, and what one pass over the log writes.
  CaseListProjection fresh;
  auto fresh_store = ReadModelStore(&fresh);
  CaughtUp(d, &fresh, fresh_store.get()).reset();
  CHECK(Dump(*store, "rm.case_list") == Dump(*fresh_store, "rm.case_list"));

  // Stopped before its interval is up: everything applied is written first.
  Workload(d, 3);
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  runner.Stop();
  CHECK(runner.Written() == d.Head());
  CaseListProjection reopened;
  ProjectionRunner next(d.log.get(), &d.handler->codec(), store.get(), {&reopened});
  REQUIRE(next.Open().ok());
  CHECK(next.Applied() == d.Head());
  CHECK(Cases(reopened).total == Cases(live).total);
}

TEST_CASE("read models kept in memory take turns to be written and all get written",
          "[projections]") {
  DomainFixture d;
  CaseListProjection list;
  CaseOfficersProjection officers;
  auto store = std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames({&list, &officers}));
  ProjectionRunnerOptions options;
  options.max_batch_events = 1;
  options.write_interval = std::chrono::milliseconds(0);  // both due at every chunk
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&list, &officers},
                          options);
  REQUIRE(runner.Open().ok());
  runner.Start();
  Workload(d, 10);
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  CHECK(WaitForWritten(runner, d.Head()) == d.Head());
  runner.Stop();
  CaseListProjection fresh_list;
  CaseOfficersProjection fresh_officers;
  auto fresh =
      std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames({&fresh_list, &fresh_officers}));
  ProjectionRunner full(d.log.get(), &d.handler->codec(), fresh.get(),
                        {&fresh_list, &fresh_officers});
  REQUIRE(full.Open().ok());
  REQUIRE(full.CatchUp().ok());
  for (const char* family : {"rm.case_list", "rm.case_officers"}) {
    INFO(family);
    CHECK(Dump(*store, family) == Dump(*fresh, family));
  }
}

TEST_CASE("a read model kept in memory writes an erasure at once while the log is tailed",
          "[projections][erasure]") {
  DomainFixture d;
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live});
  REQUIRE(runner.Open().ok());
  const std::string client = d.Register("Zanzibarova").first;
  REQUIRE(runner.CatchUp().ok());  // written: the name is in the store
  auto has_name = [&] {
    for (const auto& [key, value] : Dump(*store, "rm.case_list")) {
      if (value.find("Zanzibarova") != std::string::npos) return true;
    }
    return false;
  };
  REQUIRE(has_name());
  runner.Start();
  const uint64_t erasure = d.Head() + 1;  // ClientDeleted(erase), then its case's deletion
  REQUIRE(Kind(d.Run("admin", DeleteClient{client, "erase"})) == "ok");
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  // Not a second later: written with the erasure itself.
  CHECK(runner.Written() >= erasure);
  CHECK_FALSE(has_name());
  runner.Stop();
}

TEST_CASE(
    "a rebuild after an erasure whose key is gone writes none of the person's details "
    "and needs no purge",
    "[projections][erasure]") {
  ErasedClient e;
  CHECK(e.purges == 1);  // live, the erasure's purge is needed: rows held the name
  REQUIRE(e.runner.Rebuild({}).ok());
  CHECK(e.runner.Stats().purges == e.purges);
  for (const auto& [key, value] : Dump(*e.store, "rm.case_list")) {
    CHECK(value.find("Zanzibarova") == std::string::npos);
  }
  CHECK(Cases(e.live).rows.size() == 1);
}

TEST_CASE(
    "a rebuild that opened an erased person's details because their key outlived a "
    "crash purges them",
    "[projections][erasure]") {
  ErasedClient e;
  // As if the process had died between recording the erasure and destroying the key.
  FamilyId keys_family;
  REQUIRE(e.d.store->Family(kKeysFamily, &keys_family).ok());
  e.d.store->RawPut(keys_family, "client-" + e.client, e.key);
  // The next process's key store finds the key; the one that destroyed it remembers that.
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(e.d.store.get(), TestKek(), &keys).ok());
  EventCodec codec(keys.get());
  CaseListProjection after;
  ProjectionRunner runner(e.d.log.get(), &codec, e.store.get(), {&after});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.Rebuild({}).ok());
  CHECK(runner.Stats().purges == 1);
}

TEST_CASE("a power cut loses read model rows and checkpoint together", "[projections]") {
  DomainFixture d;
  Workload(d, 8);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  CaughtUp(d, &p, store.get()).reset();
  store->SimulatePowerLoss();  // batches are unsynced: all of them go
  CaseListProjection after;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&after});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Applied() == 0);
  REQUIRE(runner.CatchUp().ok());
  CHECK(Cases(after).total == 10);
}

TEST_CASE("a rebuild cut short by a power cut is done again when the runner next opens",
          "[projections]") {
  DomainFixture d;
  Workload(d, 30);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  std::map<std::string, std::string> whole;
  size_t total = 0;
  {
    auto runner = CaughtUp(d, &p, store.get());
    whole = Dump(*store, "rm.case_list");
    total = Cases(p).total;
    // The synced batch that empties and marks it, then a failed write (the read model
    // is kept in memory: its rows go in one batch at the end of the catch-up): the
    // rebuild stops half way, and the power goes.
    store->FailNextWrites(1000, 1);
    CHECK_FALSE(runner->Rebuild({}).ok());
    CHECK(runner->Interrupted() == std::vector<std::string>{"case_list"});
  }
  store->FailNextWrites(0);
  store->SimulatePowerLoss();  // the unlogged rows were never flushed
  CHECK(Dump(*store, "rm.case_list").empty());
  CaseListProjection after;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&after});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Interrupted() == std::vector<std::string>{"case_list"});
  CHECK(runner.Applied() == 0);
  REQUIRE(runner.CatchUp().ok());
  CHECK(runner.Interrupted().empty());
  CHECK(Dump(*store, "rm.case_list") == whole);
  CHECK(Cases(after).total == total);
  // Done and flushed: a power cut now keeps it all, marker gone.
  store->SimulatePowerLoss();
  CHECK(Dump(*store, "rm.case_list") == whole);
  FamilyId checkpoints;
  REQUIRE(store->Family(kCheckpointsFamily, &checkpoints).ok());
  std::string value;
  CHECK(store->Get(checkpoints, "rebuilding/case_list", &value).code() == Status::Code::kNotFound);
}

TEST_CASE("a rebuild that failed half way is done again by the next catch-up", "[projections]") {
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  auto runner = CaughtUp(d, &p, store.get());
  const auto whole = Dump(*store, "rm.case_list");
  store->FailNextWrites(1, 1);  // the marking batch goes, the rows do not
  CHECK_FALSE(runner->Rebuild({}).ok());
  CHECK(runner->Interrupted() == std::vector<std::string>{"case_list"});
  CHECK_FALSE(runner->error().ok());
  REQUIRE(runner->CatchUp().ok());
  CHECK(runner->Interrupted().empty());
  CHECK(runner->error().ok());  // whole again
  CHECK(runner->Applied() == d.Head());
  CHECK(Dump(*store, "rm.case_list") == whole);
}

// The case list as a later build would write it, in another layout.
struct CaseListLayout2 : CaseListProjection {
  uint64_t layout() const override { return 2; }
};

TEST_CASE("rows of another layout are rebuilt when the runner opens", "[projections]") {
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  FamilyId checkpoints, rows;
  REQUIRE(store->Family(kCheckpointsFamily, &checkpoints).ok());
  REQUIRE(store->Family("rm.case_list", &rows).ok());
  std::map<std::string, std::string> whole;
  {
    auto runner = CaughtUp(d, &p, store.get());
    whole = Dump(*store, "rm.case_list");
  }
  std::string value;
  REQUIRE(store->Get(checkpoints, "layout/case_list", &value).ok());
  CHECK(value == BigEndian64(1));
  // A row only the old layout had: the new one never writes it.
  WriteBatch stale;
  stale.Put(rows, "zz-old-layout", "1");
  REQUIRE(store->Write(stale, true).ok());

  CaseListLayout2 next;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&next});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Interrupted() == std::vector<std::string>{"case_list"});
  CHECK(runner.Applied() == 0);
  REQUIRE(runner.CatchUp().ok());
  CHECK(runner.Interrupted().empty());
  CHECK(runner.Applied() == d.Head());
  CHECK(Dump(*store, "rm.case_list") == whole);
  CHECK(Cases(next).total == Cases(p).total);
  REQUIRE(store->Get(checkpoints, "layout/case_list", &value).ok());
  CHECK(value == BigEndian64(2));

  // Opened again by the same build: nothing to rebuild.
  CaseListLayout2 again;
  ProjectionRunner reopened(d.log.get(), &d.handler->codec(), store.get(), {&again});
  REQUIRE(reopened.Open().ok());
  CHECK(reopened.Interrupted().empty());
  CHECK(reopened.Applied() == d.Head());
}

TEST_CASE("a read model written before layouts were recorded is layout 1", "[projections]") {
  DomainFixture d;
  Workload(d, 5);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  { auto runner = CaughtUp(d, &p, store.get()); }
  FamilyId checkpoints;
  REQUIRE(store->Family(kCheckpointsFamily, &checkpoints).ok());
  WriteBatch old;
  old.Delete(checkpoints, "layout/case_list");
  REQUIRE(store->Write(old, true).ok());
  {
    CaseListProjection same;
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&same});
    REQUIRE(runner.Open().ok());
    CHECK(runner.Interrupted().empty());
    CHECK(runner.Applied() == d.Head());
  }
  CaseListLayout2 next;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&next});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Interrupted() == std::vector<std::string>{"case_list"});
}

TEST_CASE("a read model ahead of its log is refused", "[projections]") {
  DomainFixture d;
  Workload(d, 3);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  {
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
    REQUIRE(runner.Open().ok());
    REQUIRE(runner.CatchUp().ok());
  }
  DomainFixture other;  // a shorter log: as if restored from an older backup
  other.Register();
  CaseListProjection q;
  ProjectionRunner runner(other.log.get(), &other.handler->codec(), store.get(), {&q});
  CHECK(runner.Open().code() == Status::Code::kFailedPrecondition);
}

TEST_CASE("the case list filters on status officer role team and strands", "[projections]") {
  DomainFixture d;
  Workload(d, 30);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());

  CHECK(Cases(p).total == 35);
  CHECK(Cases(p, {{"status", "closed"}}).total == 6);
  CHECK(Cases(p, {{"status", "open"}}).total == 29);
  CHECK(Cases(p, {{"officer", "supervisor"}}).total == 8);
  CHECK(Cases(p, {{"officer", "supervisor"}, {"role", "primary"}}).total == 0);
  CHECK(Cases(p, {{"role", "secondary"}}).total == 8);
  CHECK(Cases(p, {{"strand_type", "housing_register"}}).total == 10);
  // A Housing Register brings a Bedroom assessment with it.
  CHECK(Cases(p, {{"strand_type", "bedroom_assessment"}, {"strand_status", "open"}}).total == 10);
  CHECK(Cases(p, {{"team", "housing-options"}}).total == 35);
  CHECK(Cases(p, {{"opened_from", "2026-11-22"}, {"opened_to", "2026-11-22"}}).total == 35);
  CHECK(Cases(p, {{"opened_to", "2026-11-21"}}).total == 0);
  for (const auto& row : Cases(p, {{"status", "closed"}}).rows) {
    CHECK(row["close_reason"] == "housed");
    CHECK(row["days_open"] == 0);
    CHECK(row["surname"].get<std::string>().rfind("Client", 0) == 0);
  }
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
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());                         // nothing repeated
  for (const auto& id : before) CHECK(unique.count(id) == 1);  // nothing skipped
}

TEST_CASE("case list rows are sorted on any column and show chosen columns", "[projections]") {
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());
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
  CaseListQuery q;
  q.list.columns = "case_id,surname,days_open";
  ListPage page;
  REQUIRE(p.list().Query(q, &page).ok());
  CHECK(page.columns == std::vector<std::string>{"case_id", "surname", "days_open"});
  CHECK(page.rows[0].size() == 3);
}

}  // namespace caseengine::testing

namespace caseengine::testing {

TEST_CASE("case list sort indexes follow rows as they change", "[projections]") {
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

  // Changes to what rows sort on: cases, and clients (a case sorts on its applicant).
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
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 200; ++i) {
      Command c = RandomCommand(known, rng);
      if (i % 61 == 0 && !known.clients.empty()) {
        c = DeleteClient{known.Pick(known.clients, rng), i % 2 ? "erase" : "soft"};
      }
      CommandResult r = d.Run("admin", c);
      REQUIRE(r.status.ok());
      if (!r.ok()) continue;
      if (r.response.contains("client_id")) known.Add(known.clients, r.response["client_id"]);
      if (r.response.contains("case_id")) known.Add(known.cases, r.response["case_id"]);
    }
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

}  // namespace caseengine::testing

namespace caseengine::testing {

// Every read model, applied by one thread, by two, and in steps that mix chunks too small
// to share with large ones, over a random workload with erasures and deletions between
// chunk boundaries: the same rows and checkpoints every time.
// A projection that says it reads every personal field: a runner over these opens every
// sealed field, as a runner did before projections declared what they read.
class ReadsAllPersonal : public Projection {
 public:
  explicit ReadsAllPersonal(Projection* inner) : inner_(inner) {}
  const char* name() const override { return inner_->name(); }
  Status Load(const Store& store, FamilyId family) override { return inner_->Load(store, family); }
  void Apply(const ProjectedEvent& e, RowWriter* rows) override { inner_->Apply(e, rows); }
  void Flush(RowWriter* rows) override { inner_->Flush(rows); }
  void Reset() override { inner_->Reset(); }
  bool personal() const override { return inner_->personal(); }
  bool reads_personal(EventType) const override { return true; }
  bool keeps_rows_in_memory() const override { return inner_->keeps_rows_in_memory(); }
  uint64_t layout() const override { return inner_->layout(); }

 private:
  Projection* inner_;
};

TEST_CASE(
    "two threads applying chunks write the same read models as one and as a runner that "
    "opens every sealed field",
    "[projections]") {
  DomainFixture d;
  KnownIds known;
  std::mt19937 rng(77);
  int erased = 0;
  for (int i = 0; i < 2400; ++i) {
    Command c = RandomCommand(known, rng);
    if (i % 97 == 0 && !known.clients.empty()) {  // erasures: purges and rows deleted
      c = DeleteClient{known.Pick(known.clients, rng), "erase"};
    }
    CommandResult r = d.Run("admin", c);
    REQUIRE(r.status.ok());
    if (!r.ok()) continue;
    if (std::holds_alternative<DeleteClient>(c)) ++erased;
    if (r.response.contains("client_id")) known.Add(known.clients, r.response["client_id"]);
    if (r.response.contains("case_id")) known.Add(known.cases, r.response["case_id"]);
  }
  REQUIRE(d.Head() > 1500);
  CHECK(erased > 3);

  auto build = [&](int threads, uint64_t step, bool open_all = false) {
    ReadModels models;
    std::vector<std::unique_ptr<ReadsAllPersonal>> wrapped;
    std::vector<Projection*> projections = models.All();
    if (open_all) {
      for (Projection*& p : projections) {
        wrapped.push_back(std::make_unique<ReadsAllPersonal>(p));
        p = wrapped.back().get();
      }
    }
    auto store = std::make_unique<MemoryStore>(ReadModels::FamilyNames());
    ProjectionRunnerOptions options;
    options.threads = threads;
    options.max_batch_events = 600;
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), projections, options);
    REQUIRE(runner.Open().ok());
    for (uint64_t to = step; to < d.Head() + step; to += step) {
      REQUIRE(runner.CatchUp(std::min(to, d.Head())).ok());
    }
    CHECK(runner.Applied() == d.Head());
    std::map<std::string, std::map<std::string, std::string>> all;
    for (const std::string& family : ReadModels::FamilyNames()) all[family] = Dump(*store, family);
    return all;
  };
  const auto one = build(1, 100000);
  CHECK(one.at("rm.case_list").size() > 100);
  CHECK(build(2, 100000) == one);
  CHECK(build(2, 700) == one);  // chunks of 600 and 100: shared and not
  CHECK(build(2, 37) == one);   // a live runner's small steps
  // What each projection says it reads is all it reads: opening every sealed field
  // changes no row.
  CHECK(build(1, 100000, /*open_all=*/true) == one);
}

TEST_CASE(
    "a catch-up that reads the log ahead on a thread of its own stops at a failed write "
    "and the next one finishes it",
    "[projections]") {
  DomainFixture d;
  Workload(d, 30);
  REQUIRE(d.Head() > 100);
  auto caught_up = [&](bool fail) {
    ReadModels models;
    auto store = std::make_unique<MemoryStore>(ReadModels::FamilyNames());
    ProjectionRunnerOptions options;
    options.max_batch_events = 8;  // a range of 16 events or more is read ahead
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), models.All(), options);
    REQUIRE(runner.Open().ok());
    if (fail) {
      store->FailNextWrites(1, /*after=*/5);
      CHECK_FALSE(runner.CatchUp().ok());
      CHECK(runner.Applied() < d.Head());
    }
    REQUIRE(runner.CatchUp().ok());
    CHECK(runner.Applied() == d.Head());
    // Decoding is part of the time applying, and the lists were written at the end.
    const ProjectionStats stats = runner.Stats();
    CHECK(stats.decode_micros <= stats.apply_micros);
    CHECK(stats.deferred_write_micros > 0);
    std::map<std::string, std::map<std::string, std::string>> all;
    for (const std::string& family : ReadModels::FamilyNames()) all[family] = Dump(*store, family);
    return all;
  };
  CHECK(caught_up(/*fail=*/true) == caught_up(/*fail=*/false));
}

}  // namespace caseengine::testing
