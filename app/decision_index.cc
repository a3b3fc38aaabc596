// DecisionIndex: see decision_index.h.
#include "app/decision_index.h"

#include <unordered_map>

#include "aggregates/event.h"
#include "events/log_store.h"

namespace caseengine {
namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormat = "1";
// Rows written per batch while building from the log.
constexpr size_t kBuildBatchRows = 20000;

std::string LinkKey(std::string_view client_id, std::string_view case_id) {
  std::string key = "p/";
  key.append(client_id).append("/").append(case_id);
  return key;
}

std::string ErasureKey(std::string_view stream) { return "e/" + std::string(stream); }

// Calls fn(rest of the key) for every key that starts with `prefix`.
template <class Fn>
Status ForEachWithPrefix(const Store& store, FamilyId family, const std::string& prefix, Fn&& fn) {
  auto it = store.NewIterator(family);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    fn(it->key().substr(prefix.size()));
  }
  return it->status();
}

}  // namespace

DecisionIndex::DecisionIndex(Store* store) : store_(store) {
  if (!store_->Family(kDecisionFamily, &family_).ok()) {
    family_status_ =
        Status::FailedPrecondition("the data folder was opened without its 'decision' family");
  }
}

Status DecisionIndex::Built(bool* built) const {
  if (!Ready().ok()) return Ready();
  std::string value;
  Status s = store_->Get(family_, kFormatKey, &value);
  if (s.code() == Status::Code::kNotFound) {
    *built = false;
    return Status::Ok();
  }
  if (!s.ok()) return s;
  if (value != kFormat) {
    return Status::Corruption("the decision index's format '" + value +
                              "' is not one this build reads");
  }
  *built = true;
  return Status::Ok();
}

Status DecisionIndex::Build(const EventLog& log, const EventCodec& codec) {
  if (!Ready().ok()) return Ready();
  std::unordered_map<std::string, std::string> primary;                 // case -> client
  std::unordered_map<std::string, std::set<std::string>> cases_of;      // client -> cases
  std::unordered_map<std::string, std::vector<std::string>> opened_on;  // client -> cases
  std::vector<std::string> erased;
  Status error;
  auto unlink = [&](const std::string& case_id) {
    auto it = primary.find(case_id);
    if (it == primary.end()) return;
    cases_of[it->second].erase(case_id);
    primary.erase(it);
  };
  auto link = [&](const std::string& case_id, const std::string& client_id) {
    unlink(case_id);
    primary[case_id] = client_id;
    cases_of[client_id].insert(case_id);
  };
  Status s = log.Scan(1, 0, [&](const EventView& v) {
    EventType type;
    if (!ParseEventType(v.type(), &type)) return true;  // a later build's event: not ours
    if (type == EventType::kLobbyRecordRemoved) {
      erased.emplace_back(v.stream());
      return true;
    }
    if (type != EventType::kCaseOpened && type != EventType::kPrimaryApplicantSwitched &&
        type != EventType::kCaseDeleted && type != EventType::kClientDeleted) {
      return true;
    }
    Event e;
    error = codec.Decode(v.type(), v.payload(), &e);
    if (!error.ok()) return false;
    std::string_view id_view;
    ParseStream(v.stream(), &id_view);
    const std::string id(id_view);
    switch (e.type) {
      case EventType::kCaseOpened:
        link(id, e.client_id);
        opened_on[e.client_id].push_back(id);
        break;
      case EventType::kPrimaryApplicantSwitched:
        link(id, e.client_id);
        break;
      case EventType::kCaseDeleted:
        if (e.mode == DeleteMode::kErase) unlink(id);
        break;
      case EventType::kClientDeleted:
        if (e.mode != DeleteMode::kErase) break;
        // Its key and the keys of every case opened on it go (they sealed the cases'
        // notes, titles and reasons), and it is no case's applicant any more.
        erased.emplace_back(v.stream());
        for (const auto& case_id : opened_on[id]) erased.push_back(CaseStream(case_id));
        for (const auto& case_id : std::set<std::string>(cases_of[id])) unlink(case_id);
        break;
      default:
        break;
    }
    return true;
  });
  if (!error.ok()) return error;
  if (!s.ok()) return s;
  // Whatever rows are there go first (an index built again because it was unreadable, or
  // a build a crash cut short), in a batch of their own.
  WriteBatch empty;
  empty.DeleteAll(family_);
  s = store_->Write(empty, /*sync=*/false);
  if (!s.ok()) return s;
  WriteBatch batch;
  size_t rows = 0;
  auto put = [&](const std::string& key) -> Status {
    batch.Put(family_, key, "");
    if (++rows % kBuildBatchRows != 0) return Status::Ok();
    Status w = store_->Write(batch, /*sync=*/false);
    batch.Clear();
    return w;
  };
  for (const auto& [client_id, cases] : cases_of) {
    for (const auto& case_id : cases) {
      s = put(LinkKey(client_id, case_id));
      if (!s.ok()) return s;
    }
  }
  for (const auto& stream : erased) {
    s = put(ErasureKey(stream));
    if (!s.ok()) return s;
  }
  // The marker last, synced: a crash before it builds the rows again (the same rows).
  batch.Put(family_, kFormatKey, kFormat);
  return store_->Write(batch, /*sync=*/true);
}

Status DecisionIndex::CasesOf(const std::string& client_id, std::set<std::string>* cases) const {
  if (!Ready().ok()) return Ready();
  cases->clear();
  return ForEachWithPrefix(*store_, family_, LinkKey(client_id, ""),
                           [&](std::string_view case_id) { cases->emplace(case_id); });
}

Status DecisionIndex::PendingErasures(std::vector<std::string>* streams) const {
  if (!Ready().ok()) return Ready();
  streams->clear();
  return ForEachWithPrefix(*store_, family_, "e/",
                           [&](std::string_view stream) { streams->emplace_back(stream); });
}

void DecisionIndex::Rows(const std::vector<IndexChange>& changes,
                         const std::vector<std::string>& erasures, WriteBatch* rows) const {
  if (!Ready().ok()) return;
  for (const IndexChange& c : changes) {
    if (c.linked) {
      rows->Put(family_, LinkKey(c.client_id, c.case_id), "");
    } else {
      rows->Delete(family_, LinkKey(c.client_id, c.case_id));
    }
  }
  for (const std::string& stream : erasures) rows->Put(family_, ErasureKey(stream), "");
}

Status DecisionIndex::ErasuresDone(const std::vector<std::string>& streams) {
  if (!Ready().ok()) return Ready();
  if (streams.empty()) return Status::Ok();
  WriteBatch batch;
  for (const std::string& stream : streams) batch.Delete(family_, ErasureKey(stream));
  // Not synced: a crash that loses it only destroys the same keys again.
  return store_->Write(batch, /*sync=*/false);
}

}  // namespace caseengine
