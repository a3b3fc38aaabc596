// LobbyDecider: see lobby_decider.h.
#include "aggregates/lobby_decider.h"

namespace caseengine {

Outcome LobbyDecider::operator()(const ReceiveReferral& c) {
  // Referrals land in the Lobby, not as clients: an officer decides what they become.
  Event e = Make(EventType::kReferralReceived);
  e.item_id = ctx().new_id();
  e.source = c.source;
  e.referrer = c.referrer;
  // A provider refers for its organisation, which then sees the record and what it becomes.
  if (ctx().actor.Provider()) {
    if (c.source != "provider") {
      return Outcome::Reject(
          Rejection::Validation("source", "a provider's referral has source provider"));
    }
    e.organisation = ctx().actor.organisation;
  }
  e.subject = LobbyStream(e.item_id);
  e.personal = c.personal;
  Outcome o;
  o.response = {{"lobby_id", e.item_id}};
  std::string stream = LobbyStream(e.item_id);  // before `e` is moved from
  o.Add(std::move(stream), 0, std::move(e));
  return o;
}

Outcome LobbyDecider::operator()(const ClaimLobbyRecord& c) {
  const LobbyState* s;
  if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
  if (s->Decided()) return Outcome::Reject(AlreadyDecided(*s));
  if (s->status == "claimed") {
    if (s->claimed_by == ctx().actor.user_id) return Unchanged();
    return Outcome::Reject(Rejection::Rule("lobby-claimed-by-another",
                                           "the lobby record is claimed by " + s->claimed_by));
  }
  Event e = Make(EventType::kLobbyRecordClaimed);
  e.user_id = ctx().actor.user_id;
  Outcome o;
  o.Add(LobbyStream(s->id), s->version, std::move(e));
  return o;
}

Outcome LobbyDecider::operator()(const AssignLobbyRecord& c) {
  const LobbyState* s;
  if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
  if (auto r = RequireClaimed(*s)) return *r;
  const ClientState* client = states()->Client(c.client_id);
  if (client == nullptr || !client->exists || client->deleted) {
    return Outcome::Reject(Rejection::NotFound("no client " + c.client_id));
  }
  bool has_open_case = false;
  for (const std::string& id : client->cases) {
    const CaseState* k = states()->Case(id);
    if (k != nullptr && k->Active()) has_open_case = true;
  }
  // The referral becomes a new case on the client; with the client already open
  // elsewhere, the new case is closed at once (HPA2's rule; a setting).
  const bool close_now = has_open_case && ctx().config->lobby_assign_closes_open_case;
  const std::string case_id = ctx().new_id();
  Event added = Make(EventType::kClientCaseAdded);
  added.case_id = case_id;
  added.item_id = s->id;  // the referral it came from
  // A case closed at once has nothing to do: no workflow loads on it.
  StreamEvents kase{
      CaseStream(case_id), 0,
      close_now ? std::vector<Event>{CaseOpened(case_id, client->id, "lobby", s->organisation)}
                : NewCase(case_id, client->id, "lobby", s->organisation)};
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

Outcome LobbyDecider::operator()(const CreateClientFromLobby& c) {
  const LobbyState* s;
  if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
  if (auto r = RequireClaimed(*s)) return *r;
  const std::string client_id = ctx().new_id(), case_id = ctx().new_id();
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
  o.streams.push_back(
      {CaseStream(case_id), 0, NewCase(case_id, client_id, "lobby", s->organisation)});
  o.response = {{"client_id", client_id}, {"case_id", case_id}};
  return o;
}

Outcome LobbyDecider::operator()(const RemoveLobbyRecord& c) {
  const LobbyState* s;
  if (auto r = LoadLobby(c.lobby_id, &s)) return *r;
  if (auto r = RequireClaimed(*s)) return *r;
  Outcome o;
  o.Add(LobbyStream(s->id), s->version, Make(EventType::kLobbyRecordRemoved));
  o.destroy_keys.push_back(LobbyStream(s->id));  // gone from searches and reports
  return o;
}

Rejection LobbyDecider::AlreadyDecided(const LobbyState& s) {
  return Rejection::Rule("lobby-already-decided",
                         "the lobby record was already " + s.status + ": that cannot be undone");
}

std::optional<Outcome> LobbyDecider::RequireClaimed(const LobbyState& s) const {
  if (s.Decided()) return Outcome::Reject(AlreadyDecided(s));
  if (s.status != "claimed") {
    return Outcome::Reject(
        Rejection::Rule("lobby-not-claimed", "claim the lobby record before working on it"));
  }
  if (s.claimed_by != ctx().actor.user_id) {
    return Outcome::Reject(Rejection::Rule("lobby-claimed-by-another",
                                           "the lobby record is claimed by " + s.claimed_by));
  }
  return std::nullopt;
}

}  // namespace caseengine
