// Decide: see decide.h. Each command goes to the decider of its group (clients, cases,
// strands, the Lobby), made for this decision alone; each reads state, checks the rules
// named in the seed articles, and returns events or a rejection.
#include "aggregates/decide.h"

#include <type_traits>
#include <variant>

#include "aggregates/case_decider.h"
#include "aggregates/client_decider.h"
#include "aggregates/lobby_decider.h"
#include "aggregates/settings_decider.h"
#include "aggregates/strand_decider.h"
#include "aggregates/task_decider.h"

namespace caseengine {
namespace {

template <class C>
Outcome DecideCommand(const C& command, const DecideContext& context, StateView* states) {
  constexpr bool kClient = std::is_invocable_v<ClientDecider&, const C&>;
  constexpr bool kCase = std::is_invocable_v<CaseDecider&, const C&>;
  constexpr bool kStrand = std::is_invocable_v<StrandDecider&, const C&>;
  constexpr bool kLobby = std::is_invocable_v<LobbyDecider&, const C&>;
  constexpr bool kSettings = std::is_invocable_v<SettingsDecider&, const C&>;
  constexpr bool kTask = std::is_invocable_v<TaskDecider&, const C&>;
  static_assert(kClient + kCase + kStrand + kLobby + kSettings + kTask == 1,
                "every command has one decider");
  if constexpr (kClient) {
    return ClientDecider(context, states)(command);
  } else if constexpr (kCase) {
    return CaseDecider(context, states)(command);
  } else if constexpr (kStrand) {
    return StrandDecider(context, states)(command);
  } else if constexpr (kSettings) {
    return SettingsDecider(context, states)(command);
  } else if constexpr (kTask) {
    return TaskDecider(context, states)(command);
  } else {
    return LobbyDecider(context, states)(command);
  }
}

}  // namespace

std::optional<Rejection> MayCommand(const Actor& actor, const Command& command) {
  const bool settings = std::holds_alternative<DefineTaskType>(command) ||
                        std::holds_alternative<RetireTaskType>(command) ||
                        std::holds_alternative<DefineWorkflow>(command) ||
                        std::holds_alternative<RetireWorkflow>(command) ||
                        std::holds_alternative<ImportSettings>(command);
  const bool task_work =
      std::holds_alternative<StartTask>(command) || std::holds_alternative<CompleteTask>(command);
  switch (actor.kind) {
    case ActorKind::kProvider:
      if (task_work || std::holds_alternative<ReceiveReferral>(command)) return std::nullopt;
      return Rejection::Forbidden(kCasework);
    case ActorKind::kClient:
      if (task_work) return std::nullopt;
      return Rejection::Forbidden(kCasework);
    case ActorKind::kStaff:
      break;
  }
  if (settings) {
    if (actor.Has(kManageSettings)) return std::nullopt;
    return Rejection::Forbidden(kManageSettings);
  }
  if (!actor.Has(kCasework)) return Rejection::Forbidden(kCasework);
  return std::nullopt;
}

Outcome Decide(const Command& command, const DecideContext& context, StateView* states) {
  if (auto refused = MayCommand(context.actor, command)) return Outcome::Reject(*refused);
  return std::visit([&](const auto& c) { return DecideCommand(c, context, states); }, command);
}

}  // namespace caseengine
