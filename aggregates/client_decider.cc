// ClientDecider: see client_decider.h.
#include "aggregates/client_decider.h"

namespace caseengine {

Outcome ClientDecider::operator()(const RegisterClient& c) {
  const std::string client_id = ctx().new_id(), case_id = ctx().new_id();
  Event registered = Make(EventType::kClientRegistered);
  registered.client_id = client_id;
  registered.case_id = case_id;
  registered.client_type = c.client_type;
  registered.subject = ClientStream(client_id);
  registered.personal = c.personal;
  Outcome o;
  o.Add(ClientStream(client_id), 0, std::move(registered));
  // Registering a client creates its first case, assigned to the registering officer.
  o.streams.push_back({CaseStream(case_id), 0, NewCase(case_id, client_id, "registration")});
  o.response = {{"client_id", client_id}, {"case_id", case_id}};
  return o;
}

Outcome ClientDecider::operator()(const CorrectClientDetails& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  Event e = Make(EventType::kClientDetailsCorrected);
  e.subject = ClientStream(c.client_id);
  // Only what really changes is recorded.
  auto changed = [&](const std::optional<std::string>& now, const std::optional<std::string>& want,
                     std::optional<std::string>* out) {
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

Outcome ClientDecider::operator()(const ChangeClientStatus& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (s->status == c.status) return Unchanged();
  Event e = Make(EventType::kClientStatusChanged);
  e.status = c.status;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const ChangeClientType& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (s->client_type == c.client_type) return Unchanged();
  Event e = Make(EventType::kClientTypeChanged);
  e.client_type = c.client_type;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const ChangeCaseNumber& c) {
  if (!ctx().actor.Has(kChangeCaseNumbers))
    return Outcome::Reject(Rejection::Forbidden(kChangeCaseNumbers));
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (s->case_number == c.case_number) return Unchanged();
  Event e = Make(EventType::kCaseNumberChanged);
  e.case_number = c.case_number;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const AddClientToGroup& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (s->groups.count(c.group)) return Unchanged();
  Event e = Make(EventType::kClientAddedToGroup);
  e.group = c.group;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const RemoveClientFromGroup& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (!s->groups.count(c.group)) {
    return Outcome::Reject(Rejection::NotFound("client is not in group " + c.group));
  }
  Event e = Make(EventType::kClientRemovedFromGroup);
  e.group = c.group;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const AssignNavigator& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (auto r = KnownUser(c.user_id)) return *r;
  if (s->navigators.count(c.user_id)) return Unchanged();
  Event e = Make(EventType::kNavigatorAssigned);
  e.user_id = c.user_id;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const UnassignNavigator& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (!s->navigators.count(c.user_id)) {
    return Outcome::Reject(Rejection::NotFound(c.user_id + " is not a navigator of the client"));
  }
  Event e = Make(EventType::kNavigatorUnassigned);
  e.user_id = c.user_id;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const ChangePortalStatus& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  if (s->portal_status == c.status) return Unchanged();
  Event e = Make(EventType::kPortalStatusChanged);
  e.status = c.status;
  return OnClient(*s, std::move(e));
}

Outcome ClientDecider::operator()(const SendPortalInvitation& c) {
  if (!ctx().actor.Has(kSendPortalInvitations)) {
    return Outcome::Reject(Rejection::Forbidden(kSendPortalInvitations));
  }
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  // The email becomes the portal username: no email, no invitation.
  if (!s->personal.email) {
    return Outcome::Reject(
        Rejection::Rule("invitation-needs-email", "a portal invitation needs the client's email"));
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

Outcome ClientDecider::operator()(const OpenCase& c) {
  const ClientState* s;
  if (auto r = LoadClient(c.client_id, &s)) return *r;
  const std::string case_id = ctx().new_id();
  Event added = Make(EventType::kClientCaseAdded);
  added.case_id = case_id;
  Outcome o = OnClient(*s, std::move(added));
  o.streams.push_back({CaseStream(case_id), 0, NewCase(case_id, c.client_id, "new_case")});
  o.response = {{"case_id", case_id}};
  return o;
}

Outcome ClientDecider::operator()(const DeleteClient& c) {
  if (!ctx().actor.Has(kDeleteClients)) {
    return Outcome::Reject(Rejection::Forbidden(kDeleteClients));
  }
  const DeleteMode mode = c.mode == DeleteMode::kNone ? ctx().config->delete_mode : c.mode;
  // Erasure cannot be undone: it needs an administrator as well.
  if (mode == DeleteMode::kErase && !ctx().actor.Has(kAdminister)) {
    return Outcome::Reject(Rejection::Forbidden(kAdminister));
  }
  const ClientState* s = states()->Client(c.client_id);
  // A soft-deleted client is hidden, but an administrator may still erase it.
  if (s == nullptr || !s->exists || s->erased || (s->deleted && mode == DeleteMode::kSoft)) {
    return Outcome::Reject(Rejection::NotFound("no client " + c.client_id));
  }
  if (auto r = CheckVersion(ClientStream(c.client_id), s->version)) return *r;
  Event deleted = Make(EventType::kClientDeleted);
  deleted.mode = mode;
  Outcome o = OnClient(*s, std::move(deleted));
  if (mode == DeleteMode::kErase) {
    // Its key and the keys of all its cases, deleted before or not, which sealed their
    // notes, titles and reasons.
    o.destroy_keys.push_back(ClientStream(c.client_id));
    for (const auto* list : {&s->cases, &s->deleted_cases}) {
      for (const std::string& case_id : *list) o.destroy_keys.push_back(CaseStream(case_id));
    }
  }
  // Its cases, journals and communications go with it.
  for (const std::string& case_id : s->cases) {
    const CaseState* k = states()->Case(case_id);
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
  if (mode == DeleteMode::kErase) {
    for (const std::string& lobby_id : s->lobby_records) {
      const LobbyState* l = states()->Lobby(lobby_id);
      if (l == nullptr || !l->exists || l->status == "removed") continue;
      Event removed = Make(EventType::kLobbyRecordRemoved);
      removed.reason = "client erased";
      o.Add(LobbyStream(lobby_id), l->version, std::move(removed));
      o.destroy_keys.push_back(LobbyStream(lobby_id));
      ++referrals;
    }
  }
  o.response = {{"mode", DeleteModeName(mode)}, {"cases_deleted", cases_deleted}};
  if (referrals > 0) o.response["lobby_records_erased"] = referrals;
  return o;
}

Outcome ClientDecider::operator()(const RestoreClient& c) {
  if (!ctx().actor.Has(kAdminister)) return Outcome::Reject(Rejection::Forbidden(kAdminister));
  const ClientState* s = states()->Client(c.client_id);
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
    const CaseState* k = states()->Case(case_id);
    if (k == nullptr || !k->deleted_with_client) continue;
    o.Add(CaseStream(case_id), k->version, Make(EventType::kCaseRestored));
  }
  o.response = {{"cases_restored", o.streams.size() - 1}};
  return o;
}

}  // namespace caseengine
