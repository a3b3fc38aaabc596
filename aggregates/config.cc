// DomainConfig::Demo: the demo configuration of docs/http_api.md, exactly.
#include "aggregates/config.h"

namespace caseengine {

DomainConfig DomainConfig::Demo() {
  DomainConfig c;
  c.teams = {{"housing-options", {"Housing Options", true}},
             {"allocations", {"Allocations", true}},
             {"admin-team", {"Administration", false}}};
  c.client_types = {"potential_client", "direct_service_client", "case_management"};
  c.users["admin"] = {"admin", "housing-options", {kCasework, kAdminister}};
  c.users["officer"] = {"officer", "housing-options", {kCasework}};
  c.users["supervisor"] = {"supervisor",
                           "housing-options",
                           {kCasework, kDeleteClients, kDeleteCases, kMoveStrands,
                            kChangeCaseNumbers, kSendPortalInvitations}};
  c.users["auditor"] = {"auditor", "", {kAudit}};
  // A referral partner: refers into the Lobby and works on its cases' tasks as each
  // task's provider access allows.
  Actor provider{"provider", "", {}};
  provider.kind = ActorKind::kProvider;
  provider.organisation = "partner-shelter";
  c.users["provider"] = provider;
  c.users["admin"].permissions.insert(kManageSettings);
  c.task_types = DemoTaskTypes();
  c.workflows = DemoWorkflows();
  return c;
}

}  // namespace caseengine
