// Helpers of the log read model tests (see read_models_logs_support.h).
#include "tests/read_models_logs_support.h"

namespace caseengine::testing::read_models_logs {

std::unique_ptr<MemoryStore> NewModelStore() {
  LogModels models;
  return std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames(models.All()));
}

Rows FamilyRows(const Store& store, const std::string& family) {
  FamilyId id;
  REQUIRE(store.Family(family, &id).ok());
  Rows rows;
  auto it = store.NewIterator(id, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) rows[std::string(it->key())] = it->value();
  REQUIRE(it->status().ok());
  return rows;
}

std::map<std::string, Rows> AllRows(const Store& store) {
  std::map<std::string, Rows> out;
  for (const char* family : {"rm.journal", "rm.case_history", "rm.audit_trail"}) {
    out[family] = FamilyRows(store, family);
  }
  return out;
}

std::map<std::string, Rows> FreshRows(DomainFixture* f) {
  std::unique_ptr<MemoryStore> store = NewModelStore();
  LogModels models;
  ProjectionRunner runner(f->log.get(), &f->handler->codec(), store.get(), models.All());
  REQUIRE(runner.Open().ok());
  REQUIRE(runner.CatchUp().ok());
  return AllRows(*store);
}

bool AnyRowContains(const Rows& rows, const std::string& text) {
  for (const auto& [key, value] : rows) {
    if (value.find(text) != std::string::npos || key.find(text) != std::string::npos) return true;
  }
  return false;
}

const nlohmann::json* FindEntry(const nlohmann::json& entries, const std::string& type) {
  for (const auto& e : entries) {
    if (e["type"] == type) return &e;
  }
  return nullptr;
}

std::vector<uint64_t> Positions(const nlohmann::json& entries) {
  std::vector<uint64_t> out;
  for (const auto& e : entries) out.push_back(e["position"].get<uint64_t>());
  return out;
}

std::vector<Recorded> WholeLog(const EventLog& log) {
  std::vector<Recorded> out;
  REQUIRE(log.Scan(1, 0,
                   [&](const EventView& v) {
                     out.push_back({v.position(), v.recorded_at(), std::string(v.actor()),
                                    std::string(v.stream())});
                     return true;
                   })
              .ok());
  return out;
}

std::vector<uint64_t> AuditPositions(const AuditTrail& trail, AuditQuery q) {
  q.limit = 3;
  q.cursor.clear();
  std::vector<uint64_t> out;
  for (int pages = 0; pages < 1000; ++pages) {
    nlohmann::json page;
    Status s = trail.Query(q, &page);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(page["entries"].size() <= 3);
    for (uint64_t p : Positions(page["entries"])) out.push_back(p);
    q.cursor = page["next_cursor"];
    if (q.cursor.empty()) return out;
    CHECK(page["entries"].size() == 3);
  }
  FAIL("the audit trail's cursor does not end");
  return out;
}

AuditQuery Audit(const std::string& actor, const std::string& stream, int64_t from_micros,
                 int64_t to_micros) {
  AuditQuery q;
  q.actor = actor;
  q.stream = stream;
  q.from_micros = from_micros;
  q.to_micros = to_micros;
  return q;
}

std::vector<uint64_t> Expected(const std::vector<Recorded>& log, const AuditQuery& q) {
  std::vector<uint64_t> out;
  for (const Recorded& r : log) {
    if (!q.actor.empty() && r.actor != q.actor) continue;
    if (!q.stream.empty() && r.stream != q.stream) continue;
    if (q.from_micros > 0 && r.at < q.from_micros) continue;
    if (q.to_micros > 0 && r.at > q.to_micros) continue;
    out.push_back(r.position);
  }
  return out;
}

}  // namespace caseengine::testing::read_models_logs
