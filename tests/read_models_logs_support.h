// Helpers of the tests of the read models that grow with every event (the journal, the case
// history and the audit trail; tests/read_model_journal_test.cc and its neighbours): a
// harness of real commands folded into a store of their own, the rows of a store, the
// entries of a page, and the expected answers of audit trail queries.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "projections/audit_trail.h"
#include "projections/case_history.h"
#include "projections/journal.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/test_support.h"

namespace caseengine::testing::read_models_logs {

using Rows = std::map<std::string, std::string>;

struct LogModels {
  JournalProjection journal;
  CaseHistoryProjection history;
  AuditTrailProjection audit;
  std::vector<Projection*> All() { return {&journal, &history, &audit}; }
};

std::unique_ptr<MemoryStore> NewModelStore();

// The three read models over the fixture's log, in a store of their own.
struct Harness {
  DomainFixture f;
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<LogModels> models;
  std::unique_ptr<ProjectionRunner> runner;

  // The read models' store in memory, or in a RocksDB folder of its own.
  explicit Harness(bool rocks = false) {
    if (rocks) {
      dir = std::make_unique<testing::TempDir>();
      RocksStoreOptions options;
      options.path = dir->Sub("models");
      LogModels names;
      options.families = ProjectionRunner::FamilyNames(names.All());
      Status s = OpenRocksStore(options, &store);
      INFO(s.ToString());
      REQUIRE(s.ok());
    } else {
      store = NewModelStore();
    }
    Restart();
  }
  ~Harness() {
    runner.reset();
    store.reset();
  }
  // A new runner with fresh projections over the same store, as after a restart.
  void Restart() {
    runner.reset();
    models = std::make_unique<LogModels>();
    models->audit.SetLog(f.log.get());
    models->history.SetLog(f.log.get(), &f.handler->codec());
    models->journal.SetLog(f.log.get(), &f.handler->codec());
    runner = std::make_unique<ProjectionRunner>(f.log.get(), &f.handler->codec(), store.get(),
                                                models->All());
    Status s = runner->Open();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  void CatchUp() {
    Status s = runner->CatchUp();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  nlohmann::json Run(const std::string& user, Command command) {
    CommandResult r = f.Run(user, std::move(command));
    INFO(r.rejection.message << " " << r.status.ToString());
    REQUIRE(r.ok());
    return r.response;
  }
  const Journal& journal() const { return models->journal.journal(); }
  const CaseHistory& history() const { return models->history.history(); }
  const AuditTrail& audit() const { return models->audit.trail(); }
  nlohmann::json JournalOf(const std::string& case_id) {
    nlohmann::json page;
    Status s = journal().Read(case_id, Journal::kMaxLimit, "", &page);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(page["next_cursor"] == "");
    return page["entries"];
  }
  nlohmann::json HistoryOf(const std::string& case_id, const std::string& month = "",
                           const std::string& type = "") {
    nlohmann::json page;
    Status s = history().Read(case_id, month, type, CaseHistory::kMaxLimit, "", &page);
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(page["next_cursor"] == "");
    return page["entries"];
  }
};

Rows FamilyRows(const Store& store, const std::string& family);

std::map<std::string, Rows> AllRows(const Store& store);

// The rows a runner writes from nothing over the whole log.
std::map<std::string, Rows> FreshRows(DomainFixture* f);

// The three read models over a fixture's log in a store of their own, applied `chunk`
// events at a time.
struct ChunkedModels {
  ChunkedModels(DomainFixture* f, size_t chunk)
      : store(NewModelStore()),
        runner(f->log.get(), &f->handler->codec(), store.get(), models.All(), Options(chunk)) {}
  static ProjectionRunnerOptions Options(size_t chunk) {
    ProjectionRunnerOptions options;
    options.max_batch_events = chunk;
    return options;
  }
  std::unique_ptr<MemoryStore> store;
  LogModels models;
  ProjectionRunner runner;
};

bool AnyRowContains(const Rows& rows, const std::string& text);

const nlohmann::json* FindEntry(const nlohmann::json& entries, const std::string& type);

std::vector<uint64_t> Positions(const nlohmann::json& entries);

struct Recorded {
  uint64_t position;
  int64_t at;
  std::string actor, stream;
};

std::vector<Recorded> WholeLog(const EventLog& log);

// Every position the query matches, read in pages of three.
std::vector<uint64_t> AuditPositions(const AuditTrail& trail, AuditQuery q);

AuditQuery Audit(const std::string& actor, const std::string& stream = "", int64_t from_micros = 0,
                 int64_t to_micros = 0);

std::vector<uint64_t> Expected(const std::vector<Recorded>& log, const AuditQuery& q);

}  // namespace caseengine::testing::read_models_logs
