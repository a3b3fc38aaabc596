// Decide: see decide.h. Each command goes to the decider of its group (clients, cases,
// strands, the Lobby), made for this decision alone; each reads state, checks the rules
// named in the seed articles, and returns events or a rejection.
#include "aggregates/decide.h"

#include <type_traits>
#include <variant>

#include "aggregates/case_decider.h"
#include "aggregates/client_decider.h"
#include "aggregates/lobby_decider.h"
#include "aggregates/strand_decider.h"

namespace caseengine {
namespace {

template <class C>
Outcome DecideCommand(const C& command, const DecideContext& context, StateView* states) {
  constexpr bool kClient = std::is_invocable_v<ClientDecider&, const C&>;
  constexpr bool kCase = std::is_invocable_v<CaseDecider&, const C&>;
  constexpr bool kStrand = std::is_invocable_v<StrandDecider&, const C&>;
  constexpr bool kLobby = std::is_invocable_v<LobbyDecider&, const C&>;
  static_assert(kClient + kCase + kStrand + kLobby == 1, "every command has one decider");
  if constexpr (kClient) {
    return ClientDecider(context, states)(command);
  } else if constexpr (kCase) {
    return CaseDecider(context, states)(command);
  } else if constexpr (kStrand) {
    return StrandDecider(context, states)(command);
  } else {
    return LobbyDecider(context, states)(command);
  }
}

}  // namespace

Outcome Decide(const Command& command, const DecideContext& context, StateView* states) {
  if (!context.actor.Has(kCasework)) {
    return Outcome::Reject(Rejection::Forbidden(kCasework));
  }
  return std::visit([&](const auto& c) { return DecideCommand(c, context, states); }, command);
}

}  // namespace caseengine
