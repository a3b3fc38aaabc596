// CaseDecider: see case_decider.h.
#include "aggregates/case_decider.h"

#include "aggregates/task_events.h"

namespace caseengine {

Outcome CaseDecider::operator()(const AssignOfficer& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (auto r = KnownUser(c.user_id)) return *r;
  if (s->HasOfficer(c.user_id, c.role)) return Unchanged();
  Event e = Make(EventType::kOfficerAssigned);
  e.user_id = c.user_id;
  e.role = c.role;
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const UnassignOfficer& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (!s->HasOfficer(c.user_id, c.role)) {
    return Outcome::Reject(
        Rejection::NotFound(c.user_id + " is not a " + c.role + " officer of the case"));
  }
  Event e = Make(EventType::kOfficerUnassigned);
  e.user_id = c.user_id;
  e.role = c.role;
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const AssignTeam& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  auto team = ctx().config->teams.find(c.team_id);
  if (team == ctx().config->teams.end()) {
    return Outcome::Reject(Rejection::Validation("team_id", "is not a known team"));
  }
  if (!team->second.allows_cases) {
    return Outcome::Reject(
        Rejection::Rule("team-does-not-take-cases",
                        "team " + c.team_id + " does not allow cases to be assigned to it"));
  }
  if (s->team_id == c.team_id) return Unchanged();
  Event e = Make(EventType::kTeamAssigned);
  e.team_id = c.team_id;
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const AddPerson& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  const ClientState* person;
  if (auto r = LoadClient(c.client_id, &person)) return *r;
  const CasePerson* on = s->Person(c.client_id);
  if (on != nullptr && on->date_left.empty()) {
    return Outcome::Reject(
        Rejection::Rule("person-already-on-case", "the person is already on the case"));
  }
  const std::string joined = c.date_joined.empty() ? ctx().today : c.date_joined;
  if (on != nullptr && joined < on->date_left) {
    return Outcome::Reject(
        Rejection::Validation("date_joined", "is before the person's earlier stay ended"));
  }
  Event e = Make(EventType::kPersonAdded);
  e.client_id = c.client_id;
  e.relationship = c.relationship;
  e.joint_applicant = c.joint_applicant;
  e.date = joined;
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const PersonLeaves& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  const CasePerson* on = s->Person(c.client_id);
  if (on == nullptr || !on->date_left.empty()) {
    return Outcome::Reject(Rejection::NotFound("the person is not on the case"));
  }
  if (c.client_id == s->primary_applicant) {
    return Outcome::Reject(Rejection::Rule(
        "primary-applicant-stays",
        "the primary applicant cannot leave the case: switch the primary applicant first"));
  }
  if (c.date_left < on->date_joined) {
    return Outcome::Reject(Rejection::Validation("date_left", "is before the date joined"));
  }
  Event e = Make(EventType::kPersonLeft);
  e.client_id = c.client_id;
  e.date = c.date_left;
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const SwitchPrimaryApplicant& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  const ClientState* person = states()->Client(c.client_id);
  if (person == nullptr || !person->exists || person->deleted) {
    return Outcome::Reject(Rejection::NotFound("no client " + c.client_id));
  }
  const CasePerson* on = s->Person(c.client_id);
  if (on == nullptr || !on->date_left.empty()) {
    return Outcome::Reject(Rejection::Rule(
        "primary-applicant-on-case", "only a person on the case can be its primary applicant"));
  }
  if (s->primary_applicant == c.client_id) return Unchanged();
  // The case's current applications become the new primary applicant's.
  if (s->Active()) {
    if (auto r = cardinality_.CheckApplicant(*s, c.client_id)) return *r;
  }
  Event e = Make(EventType::kPrimaryApplicantSwitched);
  e.client_id = c.client_id;
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const CloseCase& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (s->status == "closed") {
    return Outcome::Reject(Rejection::Rule("case-already-closed", "the case is already closed"));
  }
  Event e = Make(EventType::kCaseClosed);
  e.reason = c.reason;
  e.subject = CaseStream(s->id);  // the reason is sealed with the case's key
  Outcome o = OnCase(*s, std::move(e));
  // A closed case has nothing left to do: its open tasks close with it (reopening the case
  // does not reopen them; each may be reopened by hand).
  const int closed = CloseOpenTasks(*s, "", "the case closed", &o.streams[0].events);
  if (closed > 0) o.response = {{"tasks_closed", closed}};
  return o;
}

Outcome CaseDecider::operator()(const ReopenCase& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (s->status == "open") {
    return Outcome::Reject(Rejection::Rule("case-already-open", "the case is already open"));
  }
  // Reopened, its current applications count again against its primary applicant.
  if (auto r = cardinality_.CheckApplicant(*s, s->primary_applicant)) return *r;
  Event e = Make(EventType::kCaseReopened);
  e.reason = c.reason;
  e.subject = CaseStream(s->id);
  return OnCase(*s, std::move(e));
}

Outcome CaseDecider::operator()(const DeleteCase& c) {
  if (!ctx().actor.Has(kDeleteCases)) return Outcome::Reject(Rejection::Forbidden(kDeleteCases));
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  const ClientState* client = states()->Client(s->client_id);
  if (client == nullptr)
    return Outcome::Reject(Rejection::NotFound("the case's client is missing"));
  // A client keeps at least one case: the last goes only with the client.
  if (client->cases.size() <= 1) {
    return Outcome::Reject(Rejection::Rule(
        "last-case-stays", "a client's last case cannot be deleted: delete the client instead"));
  }
  Outcome o = OnCase(*s, Make(EventType::kCaseDeleted));
  Event removed = Make(EventType::kClientCaseDeleted);
  removed.case_id = c.case_id;
  o.Add(ClientStream(s->client_id), client->version, std::move(removed));
  return o;
}

Outcome CaseDecider::operator()(const AddNote& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (auto r = KnownStrand(*s, c.strand_id)) return *r;
  Event e = Make(EventType::kNoteAdded);
  const std::string note_id = ctx().new_id();
  e.item_id = note_id;
  e.strand_id = c.strand_id;
  // A note is free text about the household: sealed with the case's own key, which goes
  // when the case is erased (with the client who owns it).
  e.subject = CaseStream(s->id);
  e.personal.text = c.text;
  Outcome o = OnCase(*s, std::move(e));
  o.response = {{"note_id", note_id}};
  return o;
}

Outcome CaseDecider::operator()(const CreateAction& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (auto r = KnownStrand(*s, c.strand_id)) return *r;
  Event e = Make(EventType::kActionCreated);
  const std::string action_id = ctx().new_id();
  e.item_id = action_id;
  e.title = c.title;
  e.subject = CaseStream(s->id);
  e.date = c.due;
  e.strand_id = c.strand_id;
  Outcome o = OnCase(*s, std::move(e));
  o.response = {{"action_id", action_id}};
  return o;
}

Outcome CaseDecider::operator()(const CompleteAction& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  const CaseAction* a = s->Action(c.action_id);
  if (a == nullptr) return Outcome::Reject(Rejection::NotFound("no action " + c.action_id));
  if (a->status != "open") {
    return Outcome::Reject(Rejection::Rule("action-not-open", "the action is " + a->status));
  }
  Event e = Make(EventType::kActionCompleted);
  e.item_id = c.action_id;
  return OnCase(*s, std::move(e));
}

std::optional<Outcome> CaseDecider::KnownStrand(const CaseState& s,
                                                const std::string& strand_id) const {
  if (strand_id.empty() || s.Strand(strand_id) != nullptr) return std::nullopt;
  return Outcome::Reject(Rejection::NotFound("no strand " + strand_id + " on the case"));
}

}  // namespace caseengine
