// Decide: see decide.h. One visitor over the commands; each branch reads state, checks
// the rules named in the seed articles, and returns events or a rejection.
#include "aggregates/decide.h"

#include <algorithm>

#include "aggregates/strand_rules.h"

namespace caseengine {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Event Make(EventType type) {
  Event e;
  e.type = type;
  return e;
}

class Decider {
 public:
  Decider(const DecideContext& ctx, StateView* states) : ctx_(ctx), states_(states) {}

  Outcome operator()(const RegisterClient& c) {
    const std::string client_id = ctx_.new_id(), case_id = ctx_.new_id();
    Event registered = Make(EventType::kClientRegistered);
    registered.client_id = client_id;
    registered.case_id = case_id;
    registered.client_type = c.client_type;
    registered.subject = ClientStream(client_id);
    registered.personal = c.personal;
    Outcome o;
    o.Add(ClientStream(client_id), 0, std::move(registered));
    // Registering a client creates its first case, assigned to the registering officer.
    o.Add(CaseStream(case_id), 0, CaseOpened(case_id, client_id, "registration"));
    o.response = {{"client_id", client_id}, {"case_id", case_id}};
    return o;
  }

  Outcome operator()(const CorrectClientDetails& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    Event e = Make(EventType::kClientDetailsCorrected);
    e.subject = ClientStream(c.client_id);
    // Only what really changes is recorded.
    auto changed = [&](const std::optional<std::string>& now,
                       const std::optional<std::string>& want, std::optional<std::string>* out) {
      if (want && want != now) *out = want;
    };
    changed(s->personal.surname, c.personal.surname, &e.personal.surname);
    changed(s->personal.forenames, c.personal.forenames, &e.personal.forenames);
    changed(s->personal.date_of_birth, c.personal.date_of_birth, &e.personal.date_of_birth);
    changed(s->personal.nino, c.personal.nino, &e.personal.nino);
    changed(s->personal.email, c.personal.email, &e.personal.email);
    changed(s->personal.phone, c.personal.phone, &e.personal.phone);
    changed(s->personal.postcode, c.personal.postcode, &e.personal.postcode);
    if (e.personal.Empty()) return Unchanged();
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const ChangeClientStatus& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (s->status == c.status) return Unchanged();
    Event e = Make(EventType::kClientStatusChanged);
    e.status = c.status;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const ChangeClientType& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (s->client_type == c.client_type) return Unchanged();
    Event e = Make(EventType::kClientTypeChanged);
    e.client_type = c.client_type;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const ChangeCaseNumber& c) {
    if (!ctx_.actor.Has(kChangeCaseNumbers))
      return Outcome::Reject(Rejection::Forbidden(kChangeCaseNumbers));
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (s->case_number == c.case_number) return Unchanged();
    Event e = Make(EventType::kCaseNumberChanged);
    e.case_number = c.case_number;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const AddClientToGroup& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (s->groups.count(c.group)) return Unchanged();
    Event e = Make(EventType::kClientAddedToGroup);
    e.group = c.group;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const RemoveClientFromGroup& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (!s->groups.count(c.group)) {
      return Outcome::Reject(Rejection::NotFound("client is not in group " + c.group));
    }
    Event e = Make(EventType::kClientRemovedFromGroup);
    e.group = c.group;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const AssignNavigator& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (auto r = KnownUser(c.user_id)) return *r;
    if (s->navigators.count(c.user_id)) return Unchanged();
    Event e = Make(EventType::kNavigatorAssigned);
    e.user_id = c.user_id;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const UnassignNavigator& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (!s->navigators.count(c.user_id)) {
      return Outcome::Reject(Rejection::NotFound(c.user_id + " is not a navigator of the client"));
    }
    Event e = Make(EventType::kNavigatorUnassigned);
    e.user_id = c.user_id;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const ChangePortalStatus& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    if (s->portal_status == c.status) return Unchanged();
    Event e = Make(EventType::kPortalStatusChanged);
    e.status = c.status;
    return OnClient(*s, std::move(e));
  }

  Outcome operator()(const SendPortalInvitation& c) {
    if (!ctx_.actor.Has(kSendPortalInvitations)) {
      return Outcome::Reject(Rejection::Forbidden(kSendPortalInvitations));
    }
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    // The email becomes the portal username: no email, no invitation.
    if (!s->personal.email) {
      return Outcome::Reject(Rejection::Rule("invitation-needs-email",
                                             "a portal invitation needs the client's email"));
    }
    if (s->portal_status == "banned") {
      return Outcome::Reject(
          Rejection::Rule("portal-banned", "the client's portal account is banned"));
    }
    Event e = Make(EventType::kPortalInvitationSent);
    e.resend = s->invitations_sent > 0;
    e.subject = ClientStream(c.client_id);
    // A resend goes to the address the original invitation was sent to.
    e.personal.email = e.resend && s->invitation_email ? s->invitation_email : s->personal.email;
    const bool resend = e.resend;
    Outcome o = OnClient(*s, std::move(e));
    o.response = {{"resend", resend}};
    return o;
  }

  Outcome operator()(const OpenCase& c) {
    const ClientState* s;
    if (auto r = LoadClient(c.client_id, &s)) return *r;
    const std::string case_id = ctx_.new_id();
    Event added = Make(EventType::kClientCaseAdded);
    added.case_id = case_id;
    Outcome o = OnClient(*s, std::move(added));
    o.Add(CaseStream(case_id), 0, CaseOpened(case_id, c.client_id, "new_case"));
    o.response = {{"case_id", case_id}};
    return o;
  }

  Outcome operator()(const AssignOfficer& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    if (auto r = KnownUser(c.user_id)) return *r;
    if (s->HasOfficer(c.user_id, c.role)) return Unchanged();
    Event e = Make(EventType::kOfficerAssigned);
    e.user_id = c.user_id;
    e.role = c.role;
    return OnCase(*s, std::move(e));
  }

  Outcome operator()(const UnassignOfficer& c) {
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

  Outcome operator()(const AssignTeam& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    auto team = ctx_.config->teams.find(c.team_id);
    if (team == ctx_.config->teams.end()) {
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

  Outcome operator()(const AddPerson& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    const ClientState* person;
    if (auto r = LoadClient(c.client_id, &person)) return *r;
    const CasePerson* on = s->Person(c.client_id);
    if (on != nullptr && on->date_left.empty()) {
      return Outcome::Reject(
          Rejection::Rule("person-already-on-case", "the person is already on the case"));
    }
    const std::string joined = c.date_joined.empty() ? ctx_.today : c.date_joined;
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

  Outcome operator()(const PersonLeaves& c) {
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

  Outcome operator()(const SwitchPrimaryApplicant& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    const ClientState* person = states_->Client(c.client_id);
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
      if (auto r = CheckApplicantStrands(*s, c.client_id)) return *r;
    }
    Event e = Make(EventType::kPrimaryApplicantSwitched);
    e.client_id = c.client_id;
    return OnCase(*s, std::move(e));
  }

  Outcome operator()(const CloseCase& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    if (s->status == "closed") {
      return Outcome::Reject(Rejection::Rule("case-already-closed", "the case is already closed"));
    }
    Event e = Make(EventType::kCaseClosed);
    e.reason = c.reason;
    e.subject = CaseStream(s->id);  // the reason is sealed with the case's key
    return OnCase(*s, std::move(e));
  }

  Outcome operator()(const ReopenCase& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    if (s->status == "open") {
      return Outcome::Reject(Rejection::Rule("case-already-open", "the case is already open"));
    }
    // Reopened, its current applications count again against its primary applicant.
    if (auto r = CheckApplicantStrands(*s, s->primary_applicant)) return *r;
    Event e = Make(EventType::kCaseReopened);
    e.reason = c.reason;
    e.subject = CaseStream(s->id);
    return OnCase(*s, std::move(e));
  }

  Outcome operator()(const DeleteCase& c) {
    if (!ctx_.actor.Has(kDeleteCases)) return Outcome::Reject(Rejection::Forbidden(kDeleteCases));
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    const ClientState* client = states_->Client(s->client_id);
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

  Outcome operator()(const AddNote& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    if (auto r = KnownStrand(*s, c.strand_id)) return *r;
    Event e = Make(EventType::kNoteAdded);
    const std::string note_id = ctx_.new_id();
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

  Outcome operator()(const CreateAction& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    if (auto r = KnownStrand(*s, c.strand_id)) return *r;
    Event e = Make(EventType::kActionCreated);
    const std::string action_id = ctx_.new_id();
    e.item_id = action_id;
    e.title = c.title;
    e.subject = CaseStream(s->id);
    e.date = c.due;
    e.strand_id = c.strand_id;
    Outcome o = OnCase(*s, std::move(e));
    o.response = {{"action_id", action_id}};
    return o;
  }

  Outcome operator()(const AddStrand& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    if (!s->Active()) {
      return Outcome::Reject(
          Rejection::Rule("case-not-active", "applications and assessments go on open cases"));
    }
    if (auto r = CheckCardinality(*s, c.type, "")) return *r;
    const StrandRules* rules = StrandRules::Find(c.type);
    const std::string strand_id = ctx_.new_id();
    Event added = Make(EventType::kStrandAdded);
    added.item_id = strand_id;
    added.strand_type = c.type;
    Outcome o = OnCase(*s, std::move(added));
    o.response = {{"strand_id", strand_id}};
    // A Housing Register application brings its Bedroom assessment, unless the case has
    // an active one already.
    if (rules->creates != nullptr && !HasCurrent(*s, rules->creates)) {
      Event created = Make(EventType::kStrandAdded);
      created.item_id = ctx_.new_id();
      created.strand_type = rules->creates;
      created.other_item_id = strand_id;
      o.response["created"] = {{{"strand_id", created.item_id}, {"type", rules->creates}}};
      o.streams[0].events.push_back(std::move(created));
    }
    return o;
  }

  Outcome operator()(const ChangeStrandStatus& c) {
    const CaseState* s;
    if (auto r = LoadCase(c.case_id, &s)) return *r;
    const CaseStrand* strand = s->Strand(c.strand_id);
    if (strand == nullptr) return Outcome::Reject(Rejection::NotFound("no strand " + c.strand_id));
    if (strand->status == "closed_moved") {
      return Outcome::Reject(
          Rejection::Rule("moved-strand-is-final", "a strand closed by a move keeps that status"));
    }
    if (strand->status == c.status) return Unchanged();
    if (c.status == "open") {
      if (!s->Active()) {
        return Outcome::Reject(
            Rejection::Rule("case-not-active", "applications and assessments go on open cases"));
      }
      if (auto r = CheckCardinality(*s, strand->type, strand->id)) return *r;
    }
    Event e = Make(EventType::kStrandStatusChanged);
    e.item_id = c.strand_id;
    e.status = c.status;
    return OnCase(*s, std::move(e));
  }

  Outcome operator()(const MoveStrand& c) {
    if (!ctx_.actor.Has(kMoveStrands)) return Outcome::Reject(Rejection::Forbidden(kMoveStrands));
    const CaseState* source;
    if (auto r = LoadCase(c.case_id, &source)) return *r;
    const CaseStrand* strand = source->Strand(c.strand_id);
    if (strand == nullptr) return Outcome::Reject(Rejection::NotFound("no strand " + c.strand_id));
    const StrandRules* rules = StrandRules::Find(strand->type);
    if (!rules->movable) {
      return Outcome::Reject(Rejection::Rule("strand-type-does-not-move",
                                             std::string(rules->name) + "s cannot be moved"));
    }
    if (!strand->Current()) {
      return Outcome::Reject(
          Rejection::Rule("only-current-strands-move", "only an open application can be moved"));
    }
    const CaseState* target = states_->Case(c.target_case_id);
    if (target == nullptr || !target->exists || target->deleted) {
      return Outcome::Reject(Rejection::NotFound("no case " + c.target_case_id));
    }
    if (!target->Active()) {
      return Outcome::Reject(Rejection::Rule(
          "target-case-not-active", "applications move only to another existing open case"));
    }
    // The target must have room for it, the moving strand itself not counting.
    if (auto r = CheckCardinality(*target, strand->type, strand->id)) return *r;

    const std::string new_id = ctx_.new_id();
    Event out = Make(EventType::kStrandMovedOut);
    out.item_id = strand->id;
    out.other_case_id = target->id;
    out.other_item_id = new_id;
    StreamEvents from{CaseStream(source->id), source->version, EventList()};
    from.events.push_back(std::move(out));
    int closed_actions = 0;
    for (const CaseAction& a : source->actions) {
      if (a.strand_id != strand->id || a.status != "open") continue;
      Event closed = Make(EventType::kActionClosed);
      closed.item_id = a.id;
      closed.reason = "the " + std::string(rules->name) + " moved to case " + target->id;
      from.events.push_back(std::move(closed));
      ++closed_actions;
    }
    Event journal_out = Make(EventType::kJournalWritten);
    journal_out.title = std::string(rules->name) + " " + strand->id + " moved to case " +
                        target->id + " as " + new_id;
    journal_out.strand_id = strand->id;
    journal_out.other_case_id = target->id;
    journal_out.other_item_id = new_id;
    from.events.push_back(std::move(journal_out));

    Event in = Make(EventType::kStrandMovedIn);
    in.item_id = new_id;
    in.strand_type = strand->type;
    in.other_case_id = source->id;
    in.other_item_id = strand->id;
    Event journal_in = Make(EventType::kJournalWritten);
    journal_in.title = std::string(rules->name) + " " + new_id + " moved from case " + source->id +
                       " (was " + strand->id + ")";
    journal_in.strand_id = new_id;
    journal_in.other_case_id = source->id;
    journal_in.other_item_id = strand->id;

    Outcome o;
    o.streams.push_back(std::move(from));
    o.Add(CaseStream(target->id), target->version, std::move(in));
    o.Add(CaseStream(target->id), target->version, std::move(journal_in));
    nlohmann::json warnings = nlohmann::json::array();
    if (closed_actions > 0) {
      warnings.push_back(std::to_string(closed_actions) +
                         " open action(s) of the original were closed: create them again on "
                         "the new application by hand if they are still needed");
    }
    auto notes = source->strand_notes.find(strand->id);
    if (notes != source->strand_notes.end()) {
      warnings.push_back(std::to_string(notes->second) +
                         " note(s) stay with the original application: copy what is needed by "
                         "hand");
    }
    o.response = {{"new_strand_id", new_id}, {"warnings", warnings}};
    return o;
  }

  Outcome operator()(const DeleteClient& c) {
    if (!ctx_.actor.Has(kDeleteClients)) {
      return Outcome::Reject(Rejection::Forbidden(kDeleteClients));
    }
    const std::string mode = c.mode.empty() ? ctx_.config->delete_mode : c.mode;
    // Erasure cannot be undone: it needs an administrator as well.
    if (mode == "erase" && !ctx_.actor.Has(kAdminister)) {
      return Outcome::Reject(Rejection::Forbidden(kAdminister));
    }
    const ClientState* s = states_->Client(c.client_id);
    // A soft-deleted client is hidden, but an administrator may still erase it.
    if (s == nullptr || !s->exists || s->erased || (s->deleted && mode == "soft")) {
      return Outcome::Reject(Rejection::NotFound("no client " + c.client_id));
    }
    if (auto r = CheckVersion(ClientStream(c.client_id), s->version)) return *r;
    Event deleted = Make(EventType::kClientDeleted);
    deleted.mode = mode;
    Outcome o = OnClient(*s, std::move(deleted));
    if (mode == "erase") {
      // Its key and the keys of all its cases, deleted before or not, which sealed their
      // notes, titles and reasons.
      o.destroy_keys.push_back(ClientStream(c.client_id));
      for (const auto* list : {&s->cases, &s->deleted_cases}) {
        for (const std::string& case_id : *list) o.destroy_keys.push_back(CaseStream(case_id));
      }
    }
    // Its cases, journals and communications go with it.
    for (const std::string& case_id : s->cases) {
      const CaseState* k = states_->Case(case_id);
      if (k == nullptr || !k->exists || k->deleted) continue;
      Event gone = Make(EventType::kCaseDeleted);
      gone.mode = mode;
      gone.reason = "client deleted";
      o.Add(CaseStream(case_id), k->version, std::move(gone));
    }
    const size_t cases_deleted = o.streams.size() - 1;
    // Erasure reaches the referrals the client came from: the same person's details,
    // sealed with the lobby record's own key.
    size_t referrals = 0;
    if (mode == "erase") {
      for (const std::string& lobby_id : s->lobby_records) {
        const LobbyState* l = states_->Lobby(lobby_id);
        if (l == nullptr || !l->exists || l->status == "removed") continue;
        Event removed = Make(EventType::kLobbyRecordRemoved);
        removed.reason = "client erased";
        o.Add(LobbyStream(lobby_id), l->version, std::move(removed));
        o.destroy_keys.push_back(LobbyStream(lobby_id));
        ++referrals;
      }
    }
    o.response = {{"mode", mode}, {"cases_deleted", cases_deleted}};
    if (referrals > 0) o.response["lobby_records_erased"] = referrals;
    return o;
  }

  Outcome operator()(const RestoreClient& c) {
    if (!ctx_.actor.Has(kAdminister)) return Outcome::Reject(Rejection::Forbidden(kAdminister));
    const ClientState* s = states_->Client(c.client_id);
    if (s == nullptr || !s->exists)
      return Outcome::Reject(Rejection::NotFound("no client " + c.client_id));
    if (s->erased) {
      return Outcome::Reject(
          Rejection::Rule("erasure-is-final", "an erased client cannot be restored"));
    }
    if (!s->deleted) {
      return Outcome::Reject(Rejection::Rule("client-not-deleted", "the client is not deleted"));
    }
    if (auto r = CheckVersion(ClientStream(c.client_id), s->version)) return *r;
    Outcome o = OnClient(*s, Make(EventType::kClientRestored));
    for (const std::string& case_id : s->cases) {
      const CaseState* k = states_->Case(case_id);
      if (k == nullptr || !k->deleted_with_client) continue;
      o.Add(CaseStream(case_id), k->version, Make(EventType::kCaseRestored));
    }
    o.response = {{"cases_restored", o.streams.size() - 1}};
    return o;
  }

  Outcome operator()(const ReceiveReferral& c) {
    // Referrals land in the Lobby, not as clients: an officer decides what they become.
    Event e = Make(EventType::kReferralReceived);
    e.item_id = ctx_.new_id();
    e.source = c.source;
    e.referrer = c.referrer;
    e.subject = LobbyStream(e.item_id);
    e.personal = c.personal;
    Outcome o;
    o.response = {{"lobby_id", e.item_id}};
    std::string stream = LobbyStream(e.item_id);  // before `e` is moved from
    o.Add(std::move(stream), 0, std::move(e));
    return o;
  }

  Outcome operator()(const ClaimLobbyRecord& c) {
    const LobbyState* s;
    if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
    if (s->Decided()) return Outcome::Reject(AlreadyDecided(*s));
    if (s->status == "claimed") {
      if (s->claimed_by == ctx_.actor.user_id) return Unchanged();
      return Outcome::Reject(Rejection::Rule("lobby-claimed-by-another",
                                             "the lobby record is claimed by " + s->claimed_by));
    }
    Event e = Make(EventType::kLobbyRecordClaimed);
    e.user_id = ctx_.actor.user_id;
    Outcome o;
    o.Add(LobbyStream(s->id), s->version, std::move(e));
    return o;
  }

  Outcome operator()(const AssignLobbyRecord& c) {
    const LobbyState* s;
    if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
    if (auto r = RequireClaimed(*s)) return *r;
    const ClientState* client = states_->Client(c.client_id);
    if (client == nullptr || !client->exists || client->deleted) {
      return Outcome::Reject(Rejection::NotFound("no client " + c.client_id));
    }
    bool has_open_case = false;
    for (const std::string& id : client->cases) {
      const CaseState* k = states_->Case(id);
      if (k != nullptr && k->Active()) has_open_case = true;
    }
    // The referral becomes a new case on the client; with the client already open
    // elsewhere, the new case is closed at once (HPA2's rule; a setting).
    const bool close_now = has_open_case && ctx_.config->lobby_assign_closes_open_case;
    const std::string case_id = ctx_.new_id();
    Event added = Make(EventType::kClientCaseAdded);
    added.case_id = case_id;
    added.item_id = s->id;  // the referral it came from
    StreamEvents kase{CaseStream(case_id), 0, {CaseOpened(case_id, client->id, "lobby")}};
    if (close_now) {
      Event closed = Make(EventType::kCaseClosed);
      closed.reason = "closed on assignment from the Lobby: the client already has an open case";
      kase.events.push_back(std::move(closed));
    }
    Event assigned = Make(EventType::kLobbyRecordAssigned);
    assigned.client_id = client->id;
    assigned.case_id = case_id;
    assigned.status = close_now ? "closed" : "open";
    Outcome o;
    o.Add(LobbyStream(s->id), s->version, std::move(assigned));
    o.Add(ClientStream(client->id), client->version, std::move(added));
    o.streams.push_back(std::move(kase));
    o.response = {{"case_id", case_id}, {"case_closed_automatically", close_now}};
    return o;
  }

  Outcome operator()(const CreateClientFromLobby& c) {
    const LobbyState* s;
    if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
    if (auto r = RequireClaimed(*s)) return *r;
    const std::string client_id = ctx_.new_id(), case_id = ctx_.new_id();
    Event registered = Make(EventType::kClientRegistered);
    registered.client_id = client_id;
    registered.case_id = case_id;
    registered.subject = ClientStream(client_id);
    registered.personal = s->personal;  // sealed again, now with the client's own key
    registered.personal.erased = false;
    registered.item_id = s->id;  // the referral it came from
    Event created = Make(EventType::kLobbyClientCreated);
    created.client_id = client_id;
    created.case_id = case_id;
    Outcome o;
    o.Add(LobbyStream(s->id), s->version, std::move(created));
    o.Add(ClientStream(client_id), 0, std::move(registered));
    o.Add(CaseStream(case_id), 0, CaseOpened(case_id, client_id, "lobby"));
    o.response = {{"client_id", client_id}, {"case_id", case_id}};
    return o;
  }

  Outcome operator()(const RemoveLobbyRecord& c) {
    const LobbyState* s;
    if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
    if (auto r = RequireClaimed(*s)) return *r;
    Outcome o;
    o.Add(LobbyStream(s->id), s->version, Make(EventType::kLobbyRecordRemoved));
    o.destroy_keys.push_back(LobbyStream(s->id));  // gone from searches and reports
    return o;
  }

  Outcome operator()(const CompleteAction& c) {
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

 private:
  Event CaseOpened(const std::string& case_id, const std::string& client_id,
                   const std::string& how) {
    Event e = Make(EventType::kCaseOpened);
    e.case_id = case_id;
    e.client_id = client_id;
    e.user_id = ctx_.actor.user_id;  // the primary officer defaults to the current user
    auto team = ctx_.config->teams.find(ctx_.actor.team_id);
    if (team != ctx_.config->teams.end() && team->second.allows_cases) e.team_id = team->first;
    e.date = ctx_.today;
    e.reason = how;
    return e;
  }

  static Outcome Unchanged() { return Outcome(); }

  // The version check of If-Match, on the command's own stream.
  std::optional<Outcome> CheckVersion(const std::string& stream, uint64_t version) const {
    if (ctx_.expected_version && *ctx_.expected_version != version) {
      return Outcome::Reject(Rejection::VersionMismatch(stream, *ctx_.expected_version, version));
    }
    return std::nullopt;
  }

  // If-Match applies to the first stream a command loads, and only to it.
  std::optional<Outcome> CheckFirstVersion(const std::string& stream, uint64_t version) {
    if (checked_version_) return std::nullopt;
    checked_version_ = true;
    return CheckVersion(stream, version);
  }

  std::optional<Outcome> LoadClient(const std::string& id, const ClientState** out) {
    *out = states_->Client(id);
    if (*out == nullptr || !(*out)->exists || (*out)->deleted) {
      return Outcome::Reject(Rejection::NotFound("no client " + id));
    }
    return CheckFirstVersion(ClientStream(id), (*out)->version);
  }

  std::optional<Outcome> LoadCase(const std::string& id, const CaseState** out) {
    *out = states_->Case(id);
    if (*out == nullptr || !(*out)->exists || (*out)->deleted) {
      return Outcome::Reject(Rejection::NotFound("no case " + id));
    }
    return CheckFirstVersion(CaseStream(id), (*out)->version);
  }

  // A removed record is gone (from searches too): it answers as if it never was.
  std::optional<Outcome> LoadLobby(const std::string& id, const LobbyState** out) {
    *out = states_->Lobby(id);
    if (*out == nullptr || !(*out)->exists || (*out)->status == "removed") {
      return Outcome::Reject(Rejection::NotFound("no lobby record " + id));
    }
    return CheckFirstVersion(LobbyStream(id), (*out)->version);
  }

  static Rejection AlreadyDecided(const LobbyState& s) {
    return Rejection::Rule("lobby-already-decided",
                           "the lobby record was already " + s.status + ": that cannot be undone");
  }

  // Work on a lobby record needs it claimed, by the one doing the work.
  std::optional<Outcome> RequireClaimed(const LobbyState& s) const {
    if (s.Decided()) return Outcome::Reject(AlreadyDecided(s));
    if (s.status != "claimed") {
      return Outcome::Reject(
          Rejection::Rule("lobby-not-claimed", "claim the lobby record before working on it"));
    }
    if (s.claimed_by != ctx_.actor.user_id) {
      return Outcome::Reject(Rejection::Rule("lobby-claimed-by-another",
                                             "the lobby record is claimed by " + s.claimed_by));
    }
    return std::nullopt;
  }

  std::optional<Outcome> KnownUser(const std::string& user_id) const {
    if (!ctx_.config->users.count(user_id)) {
      return Outcome::Reject(Rejection::Validation("user_id", "is not a known user"));
    }
    return std::nullopt;
  }

  std::optional<Outcome> KnownStrand(const CaseState& s, const std::string& strand_id) const {
    if (strand_id.empty() || s.Strand(strand_id) != nullptr) return std::nullopt;
    return Outcome::Reject(Rejection::NotFound("no strand " + strand_id + " on the case"));
  }

  static bool HasCurrent(const CaseState& s, const std::string& type,
                         const std::string& except = "") {
    for (const auto& st : s.strands) {
      if (st.type == type && st.Current() && st.id != except) return true;
    }
    return false;
  }

  // Refuses to make `applicant` the primary applicant of the active case `kase` when one of
  // its current one-per-applicant strands would give them a second current one.
  std::optional<Outcome> CheckApplicantStrands(const CaseState& kase,
                                               const std::string& applicant) {
    for (const auto& strand : kase.strands) {
      const StrandRules* rules = StrandRules::Find(strand.type);
      if (!strand.Current() || rules->cardinality != StrandRules::Cardinality::kOnePerApplicant) {
        continue;
      }
      for (const CaseState* other : states_->CasesOfPrimaryApplicant(applicant)) {
        if (other->id == kase.id || !other->Active() || !HasCurrent(*other, strand.type)) continue;
        return Outcome::Reject(Rejection::Rule(
            "one-current-per-applicant", "the primary applicant would have two current " +
                                             std::string(rules->name) + "s (this case and case " +
                                             other->id + ")"));
      }
    }
    return std::nullopt;
  }

  // Refuses one more current strand of `type` on `kase` when the cardinality of the type
  // forbids it; `except` (a strand id) does not count, as a strand being moved or reopened.
  std::optional<Outcome> CheckCardinality(const CaseState& kase, const std::string& type,
                                          const std::string& except) {
    const StrandRules* rules = StrandRules::Find(type);
    switch (rules->cardinality) {
      case StrandRules::Cardinality::kMany:
        return std::nullopt;
      case StrandRules::Cardinality::kOnePerCase:
        if (!HasCurrent(kase, type, except)) return std::nullopt;
        return Outcome::Reject(Rejection::Rule(
            "one-current-per-case", "the case already has a current " + std::string(rules->name)));
      case StrandRules::Cardinality::kOnePerApplicant: {
        // Across all active cases with the same primary applicant, this one included.
        std::vector<const CaseState*> cases =
            states_->CasesOfPrimaryApplicant(kase.primary_applicant);
        cases.push_back(&kase);
        for (const CaseState* other : cases) {
          if (!other->Active() || !HasCurrent(*other, type, except)) continue;
          return Outcome::Reject(Rejection::Rule(
              "one-current-per-applicant", "the primary applicant already has a current " +
                                               std::string(rules->name) + " (case " + other->id +
                                               ")"));
        }
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  Outcome OnClient(const ClientState& s, Event e) {
    Outcome o;
    o.Add(ClientStream(s.id), s.version, std::move(e));
    return o;
  }
  Outcome OnCase(const CaseState& s, Event e) {
    Outcome o;
    o.Add(CaseStream(s.id), s.version, std::move(e));
    return o;
  }

  const DecideContext& ctx_;
  StateView* states_;
  bool checked_version_ = false;  // If-Match applies to the first stream the command loads
};

}  // namespace

Outcome Decide(const Command& command, const DecideContext& context, StateView* states) {
  if (!context.actor.Has(kCasework)) {
    return Outcome::Reject(Rejection::Forbidden(kCasework));
  }
  Decider decider(context, states);
  return std::visit(decider, command);
}

}  // namespace caseengine
