// DomainConfig: who the users are (team, permissions), which teams exist and whether they
// take cases, client types, and the settings that change rules. Actor: who sends a
// command. Immutable once built; shared freely across threads.
#pragma once

#include <map>
#include <set>
#include <string>

#include "aggregates/event.h"

namespace caseengine {

// Named permissions (docs/http_api.md). `casework` lets a user send commands at
// all.
inline constexpr const char* kCasework = "casework";
inline constexpr const char* kDeleteClients = "delete_clients";
inline constexpr const char* kDeleteCases = "delete_cases";
inline constexpr const char* kMoveStrands = "move_strands";
inline constexpr const char* kChangeCaseNumbers = "change_case_numbers";
inline constexpr const char* kSendPortalInvitations = "send_portal_invitations";
inline constexpr const char* kAdminister = "administer";
// Reads the audit trail and the raw log (/audit, /streams, /events); sends no command.
inline constexpr const char* kAudit = "audit";

struct Actor {
  std::string user_id;
  std::string team_id;
  std::set<std::string> permissions;
  bool Has(const std::string& permission) const {
    return permissions.count(permission) > 0 || permissions.count(kAdminister) > 0;
  }
};

struct TeamConfig {
  std::string name;
  bool allows_cases = true;
};

struct DomainConfig {
  std::map<std::string, Actor> users;  // by user id
  std::map<std::string, TeamConfig> teams;
  std::set<std::string> client_types;
  DeleteMode delete_mode = DeleteMode::kSoft;  // what DELETE /clients/{id} means by default
  bool lobby_assign_closes_open_case = true;   // HPA2's rule

  // The configuration of docs/http_api.md's demo (users admin, officer,
  // supervisor, auditor).
  static DomainConfig Demo();
};

}  // namespace caseengine
