// The JSON shapes of a client, a case (with its tasks), a lobby record and the settings, as GET
// /clients/{id}, GET /cases/{id} and GET /lobby/{id} answer them and `casereplay state` prints
// them: one function per aggregate, so the live answer and the replayed one cannot drift. Pure
// functions, thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "aggregates/settings_state.h"
#include "aggregates/state.h"

namespace caseengine {

// Personal fields present; erased ones as {"erased": true}.
nlohmann::json PersonalToJson(const PersonalFields& p);
nlohmann::json ClientToJson(const ClientState& s);
nlohmann::json CaseToJson(const CaseState& s);
nlohmann::json LobbyToJson(const LobbyState& s);
// A task as a case shows it; task types and workflows as GET /settings/... list them.
nlohmann::json TaskToJson(const CaseTask& t);
nlohmann::json TaskTypeToJson(const TaskType& t);
nlohmann::json WorkflowToJson(const Workflow& w);
// A domain event's fields that are set (personal ones under "personal").
nlohmann::json EventFieldsToJson(const Event& e);

}  // namespace caseengine
