// LobbyDecider: the rules of the commands on the Lobby, where referrals wait for an
// officer (internal to aggregates/; see decide.h): receiving one, claiming it, and
// deciding what it becomes: a new case of a client, a new client, or nothing.
//
// Invariants: work on a record needs it claimed by the one doing the work; a decided
// record stays decided; a removed one answers as if it never was.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <optional>
#include <string>

#include "aggregates/decide.h"
#include "aggregates/decider_base.h"

namespace caseengine {

class LobbyDecider : public DeciderBase {
 public:
  LobbyDecider(const DecideContext& ctx, StateView* states) : DeciderBase(ctx, states) {}

  Outcome operator()(const ReceiveReferral& c);
  Outcome operator()(const ClaimLobbyRecord& c);
  Outcome operator()(const AssignLobbyRecord& c);
  Outcome operator()(const CreateClientFromLobby& c);
  Outcome operator()(const RemoveLobbyRecord& c);

 private:
  static Rejection AlreadyDecided(const LobbyState& s);
  // Work on a lobby record needs it claimed, by the one doing the work.
  std::optional<Outcome> RequireClaimed(const LobbyState& s) const;
};

}  // namespace caseengine
