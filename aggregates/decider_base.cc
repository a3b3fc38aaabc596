// DeciderBase: see decider_base.h.
#include "aggregates/decider_base.h"

#include "aggregates/task_events.h"

namespace caseengine {

Event DeciderBase::Make(EventType type) {
  Event e;
  e.type = type;
  return e;
}

Event DeciderBase::CaseOpened(const std::string& case_id, const std::string& client_id,
                              const std::string& how, const std::string& organisation) {
  Event e = Make(EventType::kCaseOpened);
  e.case_id = case_id;
  e.client_id = client_id;
  e.user_id = ctx_.actor.user_id;  // the primary officer defaults to the current user
  auto team = ctx_.config->teams.find(ctx_.actor.team_id);
  if (team != ctx_.config->teams.end() && team->second.allows_cases) e.team_id = team->first;
  e.date = ctx_.today;
  e.reason = how;
  e.organisation = organisation;
  return e;
}

std::vector<Event> DeciderBase::NewCase(const std::string& case_id, const std::string& client_id,
                                        const std::string& how, const std::string& organisation) {
  std::vector<Event> events = EventList();
  events.push_back(CaseOpened(case_id, client_id, how, organisation));
  const TaskPlacement where{"", "", ctx_.actor.user_id, client_id, ctx_.today};
  LoadWorkflows(Settings(), WorkflowTrigger::kCaseOpened, where, ctx_.new_id, &events);
  return events;
}

const SettingsState& DeciderBase::Settings() const {
  static const SettingsState kNone;
  const SettingsState* s = states_->Settings();
  return s == nullptr ? kNone : *s;
}

std::optional<Outcome> DeciderBase::CheckVersion(const std::string& stream,
                                                 uint64_t version) const {
  if (ctx_.expected_version && *ctx_.expected_version != version) {
    return Outcome::Reject(Rejection::VersionMismatch(stream, *ctx_.expected_version, version));
  }
  return std::nullopt;
}

std::optional<Outcome> DeciderBase::CheckFirstVersion(const std::string& stream, uint64_t version) {
  if (checked_version_) return std::nullopt;
  checked_version_ = true;
  return CheckVersion(stream, version);
}

std::optional<Outcome> DeciderBase::LoadClient(const std::string& id, const ClientState** out) {
  *out = states_->Client(id);
  if (*out == nullptr || !(*out)->exists || (*out)->deleted) {
    return Outcome::Reject(Rejection::NotFound("no client " + id));
  }
  return CheckFirstVersion(ClientStream(id), (*out)->version);
}

std::optional<Outcome> DeciderBase::LoadCase(const std::string& id, const CaseState** out) {
  *out = states_->Case(id);
  if (*out == nullptr || !(*out)->exists || (*out)->deleted) {
    return Outcome::Reject(Rejection::NotFound("no case " + id));
  }
  return CheckFirstVersion(CaseStream(id), (*out)->version);
}

// A removed record is gone (from searches too): it answers as if it never was.
std::optional<Outcome> DeciderBase::LoadLobby(const std::string& id, const LobbyState** out) {
  *out = states_->Lobby(id);
  if (*out == nullptr || !(*out)->exists || (*out)->status == "removed") {
    return Outcome::Reject(Rejection::NotFound("no lobby record " + id));
  }
  return CheckFirstVersion(LobbyStream(id), (*out)->version);
}

std::optional<Outcome> DeciderBase::KnownUser(const std::string& user_id) const {
  if (!ctx_.config->users.count(user_id)) {
    return Outcome::Reject(Rejection::Validation("user_id", "is not a known user"));
  }
  return std::nullopt;
}

Outcome DeciderBase::OnClient(const ClientState& s, Event e) {
  Outcome o;
  o.Add(ClientStream(s.id), s.version, std::move(e));
  return o;
}

Outcome DeciderBase::OnCase(const CaseState& s, Event e) {
  Outcome o;
  o.Add(CaseStream(s.id), s.version, std::move(e));
  return o;
}

}  // namespace caseengine
