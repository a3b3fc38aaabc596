// DomainConfig: who the users are (team, permissions), which teams exist and whether they
// take cases, client types, and the settings that change rules. Actor: who sends a
// command. Immutable once built; shared freely across threads.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "aggregates/event.h"
#include "aggregates/settings_state.h"

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
// Changes the settings (task types, workflows): the Super User's permission.
inline constexpr const char* kManageSettings = "manage_settings";

// Staff work on every case their permissions allow; a provider user (a referral partner)
// acts for an organisation, only on its referrals and the cases made of them, and on
// tasks only as each task's provider access allows (docs/http_api.md, "Provider users");
// a client (through the portal; user_id is the client's id) only on the tasks assigned
// to them.
enum class ActorKind : uint8_t { kStaff, kProvider, kClient };

struct Actor {
  std::string user_id;
  std::string team_id;
  std::set<std::string> permissions;
  ActorKind kind = ActorKind::kStaff;
  std::string organisation;  // a provider's
  bool Provider() const { return kind == ActorKind::kProvider; }
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
  // The IANA time zone business dates are counted in (base/business_date.h): today, due
  // dates, overdue.
  std::string time_zone = "Europe/London";
  // The first settings: imported onto the settings stream while it is empty
  // (ImportSettings); after that the settings stream is the truth.
  std::vector<TaskType> task_types;
  std::vector<Workflow> workflows;

  // The configuration of docs/http_api.md's demo (users admin, officer, supervisor,
  // auditor, provider; the demo's task types and workflows, demo_settings.cc).
  static DomainConfig Demo();
};

// The demo's task types and workflows (demo_settings.cc): a homeless application, a
// housing register application and the client's own tasks.
std::vector<TaskType> DemoTaskTypes();
std::vector<Workflow> DemoWorkflows();

}  // namespace caseengine
