// Decide: the rules of the casework, as one pure function of a command and the state it
// reads. It never writes; it says which events to append to which streams (with the
// versions it saw), or why not. Fields are already valid (validate.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aggregates/command.h"
#include "aggregates/config.h"
#include "aggregates/outcome.h"
#include "aggregates/settings_state.h"
#include "aggregates/state.h"

namespace caseengine {

// The states Decide may read; null for a stream with no events.
class StateView {
 public:
  virtual ~StateView() = default;
  virtual const ClientState* Client(const std::string& client_id) = 0;
  virtual const CaseState* Case(const std::string& case_id) = 0;
  virtual const LobbyState* Lobby(const std::string& lobby_id) = 0;
  // The settings stream's state (an empty one before its first event); null on a failed
  // read.
  virtual const SettingsState* Settings() = 0;
  // Every case (deleted ones excepted) whose primary applicant is `client_id`.
  virtual std::vector<const CaseState*> CasesOfPrimaryApplicant(const std::string& client_id) = 0;
};

// What a decision needs besides state. References: a decision is made on the writer
// thread for every command, and copying an actor's permissions each time would cost.
struct DecideContext {
  const Actor& actor;
  const DomainConfig* config = nullptr;
  const std::string& today;                    // YYYY-MM-DD
  const std::function<std::string()>& new_id;  // fresh ids for clients, cases, notes, actions
  std::optional<uint64_t> expected_version;    // If-Match on the command's own stream
};

// Who may send the command at all (the deciders check the rest): the settings need
// manage_settings; a provider refers and works on tasks; a client works on the tasks
// assigned to them; staff need casework. Nothing when the actor may.
std::optional<Rejection> MayCommand(const Actor& actor, const Command& command);

Outcome Decide(const Command& command, const DecideContext& context, StateView* states);

}  // namespace caseengine
