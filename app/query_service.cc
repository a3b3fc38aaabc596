// QueryService: see query_service.h.
#include "app/query_service.h"

namespace caseengine {
namespace {

// What a read hides: deleted clients and cases from all but administrators, removed
// Lobby records from everyone; from a provider, every client record, and the cases and
// Lobby records of other organisations (as if they did not exist).
bool Hidden(const ClientState& s, const Actor& actor) {
  return actor.Provider() || (s.deleted && !actor.Has(kAdminister));
}
bool Hidden(const CaseState& s, const Actor& actor) {
  if (actor.Provider()) return s.deleted || !s.organisations.count(actor.organisation);
  return s.deleted && !actor.Has(kAdminister);
}
bool Hidden(const LobbyState& s, const Actor& actor) {
  return s.status == "removed" || (actor.Provider() && s.organisation != actor.organisation);
}

}  // namespace

QueryService::QueryService(const EventLog* log, const EventCodec* codec,
                           const ProjectionRunner* runner, const ReadModels* models,
                           std::function<std::string()> today)
    : log_(log), codec_(codec), runner_(runner), models_(models), today_(std::move(today)) {}

bool QueryService::Reached(uint64_t want, bool log_only) const {
  if (log_only) return log_->HeadPosition() >= want;
  return runner_->Applied() >= want || !runner_->error().ok();
}

ReadPosition QueryService::WaitForReadModels(uint64_t want, std::chrono::milliseconds wait) const {
  ReadPosition at;
  at.applied = runner_->Applied();
  if (want > at.applied && wait.count() > 0) at.applied = runner_->WaitForApplied(want, wait);
  at.head = log_->HeadPosition();
  return at;
}

uint64_t QueryService::WaitForLog(uint64_t want, std::chrono::milliseconds wait) const {
  if (want == 0 || wait.count() == 0) return log_->HeadPosition();
  return log_->WaitForPosition(want - 1, wait);
}

template <class State>
Status QueryService::ReadVisible(const Actor& actor, const std::string& stream,
                                 const std::string& what, const AsOf& as_of, State* state) const {
  // Hidden or not is decided at the head: history as of an earlier position never shows
  // what a later delete hid.
  Status s = ReadState(*log_, *codec_, stream, what, AsOf(), state);
  if (!s.ok()) return s;
  if (Hidden(*state, actor)) return Status::NotFound("no " + what);
  if (as_of.position == 0 && as_of.micros == 0) return s;
  return ReadState(*log_, *codec_, stream, what, as_of, state);
}

Status QueryService::ReadClient(const Actor& actor, const std::string& id, const AsOf& as_of,
                                ClientState* state) const {
  return ReadVisible(actor, ClientStream(id), "client " + id, as_of, state);
}

Status QueryService::ReadCase(const Actor& actor, const std::string& id, const AsOf& as_of,
                              CaseState* state) const {
  return ReadVisible(actor, CaseStream(id), "case " + id, as_of, state);
}

Status QueryService::ReadLobby(const Actor& actor, const std::string& id, const AsOf& as_of,
                               LobbyState* state) const {
  return ReadVisible(actor, LobbyStream(id), "lobby record " + id, as_of, state);
}

Status QueryService::ReadSettings(SettingsState* state) const {
  *state = SettingsState();
  return FoldStream(*log_, *codec_, kSettingsStream, AsOf(), state);
}

Status QueryService::CheckLoaded() const {
  if (loaded()) return Status::Ok();
  const Status failed = runner_->error();
  if (!failed.ok())
    return Status::Unavailable("the read models could not be loaded: " + failed.ToString());
  return Status::Unavailable(
      "the engine has just started and is loading its read models; retry in a moment");
}

Status QueryService::ListCases(CaseListQuery query, ListPage* page) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  query.today = today_();
  return models_->case_list.list().Query(query, page);
}

Status QueryService::ListCaseOfficers(CaseOfficersQuery query, ListPage* page) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  if (!query.group_by.empty()) {
    for (const auto& [user, c] : models_->task_list.list().CountsByUser(today_())) {
      query.tasks[user] = {c.open, c.overdue};
    }
  }
  return models_->case_officers.officers().Query(query, page);
}

Status QueryService::ListCasePeople(const CasePeopleQuery& query, ListPage* page) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  return models_->case_people.people().Query(query, page);
}

Status QueryService::ListLobby(const LobbyQueueQuery& query, ListPage* page) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  return models_->lobby_queue.queue().Query(query, page);
}

Status QueryService::ListTasks(TaskListQuery query, ListPage* page) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  query.today = today_();
  return models_->task_list.list().Query(query, page);
}

Status QueryService::SearchClients(const ClientSearchQuery& query, nlohmann::json* rows) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  return models_->client_search.search().Search(query, rows);
}

Status QueryService::CheckNotDeletedSince(const Actor& actor, const std::string& case_id,
                                          uint64_t applied) const {
  // The events after `applied` are few, and only their types are read.
  if (actor.Has(kAdminister)) return Status::Ok();
  bool deleted = false;
  Status s = log_->ScanStreamBack(CaseStream(case_id), UINT64_MAX, [&](const EventView& v) {
    if (v.position() <= applied) return false;
    EventType type;
    if (!ParseEventType(v.type(), &type)) return true;
    deleted = type == EventType::kCaseDeleted;
    return !deleted && type != EventType::kCaseRestored;
  });
  if (!s.ok()) return s;
  return deleted ? Status::NotFound("no case " + case_id) : Status::Ok();
}

Status QueryService::Journal(const Actor& actor, const std::string& case_id, size_t limit,
                             const std::string& cursor, uint64_t applied,
                             nlohmann::json* page) const {
  Status s = CheckNotDeletedSince(actor, case_id, applied);
  if (!s.ok()) return s;
  return models_->journal.journal().Read(case_id, limit, cursor, page, applied);
}

Status QueryService::History(const Actor& actor, const std::string& case_id,
                             const std::string& month, const std::string& type, size_t limit,
                             const std::string& cursor, uint64_t applied,
                             nlohmann::json* page) const {
  Status s = CheckNotDeletedSince(actor, case_id, applied);
  if (!s.ok()) return s;
  return models_->case_history.history().Read(case_id, month, type, limit, cursor, page, applied);
}

Status QueryService::AuditTrail(const AuditQuery& query, nlohmann::json* page) const {
  return models_->audit_trail.trail().Query(query, page);
}

Status QueryService::MatchLobbyRecord(const Actor& actor, const std::string& id, size_t limit,
                                      LobbyMatches* out) const {
  if (Status s = CheckLoaded(); !s.ok()) return s;
  LobbyState record;
  Status s = ReadLobby(actor, id, AsOf(), &record);
  if (!s.ok()) return s;
  out->candidates = models_->client_search.search().Candidates(record.personal);
  out->matches = RankMatches(record.personal, out->candidates, limit);
  return Status::Ok();
}

Status QueryService::Digest(LogDigest* digest) const {
  return DigestAt(*log_, log_->HeadPosition(), digest);
}

Status QueryService::Verify(uint64_t from, uint64_t to, const std::optional<LogDigest>& digest,
                            AuditReport* report) const {
  Status range = CheckRange(log_->HeadPosition(), from, to);
  if (!range.ok()) return range;
  std::lock_guard<std::mutex> lock(verify_mu_);
  *report = Audit(*log_, from, to, digest);
  return Status::Ok();
}

Status QueryService::StreamEvents(const std::string& stream, uint64_t from_version, size_t limit,
                                  const std::function<void(const EventView&)>& each) const {
  size_t n = 0;
  return log_->ScanStream(stream, from_version, [&](const EventView& v) {
    each(v);
    return ++n < limit;
  });
}

Status QueryService::LogEvents(uint64_t from, size_t limit,
                               const std::function<void(const EventView&)>& each) const {
  size_t n = 0;
  return log_->Scan(from, 0, [&](const EventView& v) {
    each(v);
    return ++n < limit;
  });
}

}  // namespace caseengine
