// The route table's command routes (see routes.cc, which puts the table together).
#include <algorithm>
#include <string_view>

#include "http/api.h"
#include "http/api_internal.h"
#include "http/json_body.h"

namespace caseengine {

using P = std::vector<std::string>;  // path parameters
using B = JsonBody;

std::vector<Route> Api::CommandRoutes() {
  // A command route: `build` turns the path and body into the command.
  // Fields and parameters a route does not list are refused, never ignored: a filter
  // misspelt in a report would otherwise return every case.
  auto cmd = [this](int status, auto build) { return CommandHandler(status, build); };
  const Access C = Access::kCommand;
  const std::vector<const char*> kPersonal = {"surname", "forenames", "date_of_birth", "nino",
                                              "email",   "phone",     "postcode"};
  auto with = [](std::vector<const char*> a, const std::vector<const char*>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  return {
      // Clients.
      {"POST",
       "/clients",
       "RegisterClient",
       "Register a client and its first case",
       C,
       201,
       {},
       with({"surname*", "date_of_birth*", "client_type"}, kPersonal),
       cmd(201,
           [](const P&, const B& b, const HttpRequest&) -> Command {
             return RegisterClient{b.Personal(), b.Str("client_type")};
           })},
      {"PATCH",
       "/clients/{id}",
       "CorrectClientDetails",
       "Correct a client's personal details",
       C,
       200,
       {},
       kPersonal,
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return CorrectClientDetails{p[0], b.Personal()};
           })},
      {"POST",
       "/clients/{id}/status",
       "ChangeClientStatus",
       "Set a client's status: active, inactive or closed",
       C,
       200,
       {},
       {"status*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return ChangeClientStatus{p[0], b.Str("status")};
           })},
      {"POST",
       "/clients/{id}/client-type",
       "ChangeClientType",
       "Set a client's type",
       C,
       200,
       {},
       {"client_type*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return ChangeClientType{p[0], b.Str("client_type")};
           })},
      {"POST",
       "/clients/{id}/case-number",
       "ChangeCaseNumber",
       "Change a client's case number (permission change_case_numbers)",
       C,
       200,
       {},
       {"case_number*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return ChangeCaseNumber{p[0], b.Str("case_number")};
           })},
      {"POST",
       "/clients/{id}/groups",
       "AddClientToGroup",
       "Add a client to a group",
       C,
       200,
       {},
       {"group*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AddClientToGroup{p[0], b.Str("group")};
           })},
      {"DELETE",
       "/clients/{id}/groups/{group}",
       "RemoveClientFromGroup",
       "Remove a client from a group",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return RemoveClientFromGroup{p[0], p[1]};
           })},
      {"POST",
       "/clients/{id}/navigators",
       "AssignNavigator",
       "Make a user a navigator of the client (notifications go only to navigators)",
       C,
       200,
       {},
       {"user_id*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AssignNavigator{p[0], b.Str("user_id")};
           })},
      {"DELETE",
       "/clients/{id}/navigators/{user_id}",
       "UnassignNavigator",
       "Stop a user being a navigator of the client",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return UnassignNavigator{p[0], p[1]};
           })},
      {"POST",
       "/clients/{id}/portal/status",
       "ChangePortalStatus",
       "Set the client's portal status: pending, active or banned",
       C,
       200,
       {},
       {"status*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return ChangePortalStatus{p[0], b.Str("status")};
           })},
      {"POST",
       "/clients/{id}/portal/invitations",
       "SendPortalInvitation",
       "Send or resend a portal invitation (permission send_portal_invitations; needs an email)",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return SendPortalInvitation{p[0]};
           })},
      {"DELETE",
       "/clients/{id}",
       "DeleteClient",
       "Delete a client with its cases (permission delete_clients; mode=erase also needs "
       "administer and cannot be undone)",
       C,
       200,
       {"mode"},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest& r) -> Command {
             DeleteMode mode;
             if (!ParseDeleteMode(r.Param("mode"), &mode)) {
               throw Problem::Invalid("mode", "must be soft or erase");
             }
             return DeleteClient{p[0], mode};
           })},
      {"POST",
       "/clients/{id}/restore",
       "RestoreClient",
       "Undo a soft delete (permission administer)",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return RestoreClient{p[0]};
           })},
      {"POST",
       "/clients/{id}/cases",
       "OpenCase",
       "Open another case for the client",
       C,
       201,
       {},
       {},
       cmd(201,
           [](const P& p, const B&, const HttpRequest&) -> Command { return OpenCase{p[0]}; })},
      // Cases.
      {"POST",
       "/cases/{id}/officers",
       "AssignOfficer",
       "Assign an officer in a role: primary, secondary, supervisor or other",
       C,
       200,
       {},
       {"user_id*", "role*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AssignOfficer{p[0], b.Str("user_id"), b.Str("role")};
           })},
      {"DELETE",
       "/cases/{id}/officers/{user_id}",
       "UnassignOfficer",
       "Unassign an officer from a role",
       C,
       200,
       {"role"},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest& r) -> Command {
             return UnassignOfficer{p[0], p[1], r.Param("role")};
           })},
      {"POST",
       "/cases/{id}/team",
       "AssignTeam",
       "Make a team responsible (only teams that allow case assignment)",
       C,
       200,
       {},
       {"team_id*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AssignTeam{p[0], b.Str("team_id")};
           })},
      {"POST",
       "/cases/{id}/people",
       "AddPerson",
       "Add a person (a client) to the case",
       C,
       200,
       {},
       {"client_id*", "relationship*", "joint_applicant", "date_joined"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AddPerson{p[0], b.Str("client_id"), b.Str("relationship"),
                              b.Bool("joint_applicant"), b.Str("date_joined")};
           })},
      {"POST",
       "/cases/{id}/people/{client_id}/leave",
       "PersonLeaves",
       "Record the date a person left (people are never removed)",
       C,
       200,
       {},
       {"date_left*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return PersonLeaves{p[0], p[1], b.Str("date_left")};
           })},
      {"POST",
       "/cases/{id}/primary-applicant",
       "SwitchPrimaryApplicant",
       "Make another person on the case its primary applicant",
       C,
       200,
       {},
       {"client_id*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return SwitchPrimaryApplicant{p[0], b.Str("client_id")};
           })},
      {"POST",
       "/cases/{id}/close",
       "CloseCase",
       "Close a case with a reason",
       C,
       200,
       {},
       {"reason*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return CloseCase{p[0], b.Str("reason")};
           })},
      {"POST",
       "/cases/{id}/reopen",
       "ReopenCase",
       "Reopen a closed case",
       C,
       200,
       {},
       {"reason*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return ReopenCase{p[0], b.Str("reason")};
           })},
      {"DELETE",
       "/cases/{id}",
       "DeleteCase",
       "Delete a case (permission delete_cases; never the client's last case)",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command { return DeleteCase{p[0]}; })},
      {"POST",
       "/cases/{id}/strands",
       "AddStrand",
       "Add an application or assessment (strand) of a type",
       C,
       201,
       {},
       {"type*"},
       cmd(201,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AddStrand{p[0], b.Str("type")};
           })},
      {"POST",
       "/cases/{id}/strands/{strand_id}/status",
       "ChangeStrandStatus",
       "Set a strand's status: open, closed or cancelled",
       C,
       200,
       {},
       {"status*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return ChangeStrandStatus{p[0], p[1], b.Str("status")};
           })},
      {"POST",
       "/cases/{id}/strands/{strand_id}/move",
       "MoveStrand",
       "Move a strand to another active case (permission move_strands)",
       C,
       200,
       {},
       {"target_case_id*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return MoveStrand{p[0], p[1], b.Str("target_case_id")};
           })},
      {"POST",
       "/cases/{id}/notes",
       "AddNote",
       "Add a note to the case or one of its strands",
       C,
       201,
       {},
       {"text*", "strand_id"},
       cmd(201,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AddNote{p[0], b.Str("text"), b.Str("strand_id")};
           })},
      {"POST",
       "/cases/{id}/actions",
       "CreateAction",
       "Create an action",
       C,
       201,
       {},
       {"title*", "due", "strand_id"},
       cmd(201,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return CreateAction{p[0], b.Str("title"), b.Str("due"), b.Str("strand_id")};
           })},
      {"POST",
       "/cases/{id}/actions/{action_id}/complete",
       "CompleteAction",
       "Complete an action",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return CompleteAction{p[0], p[1]};
           })},
      // The Lobby.
      {"POST",
       "/lobby",
       "ReceiveReferral",
       "Receive a referral into the Lobby (source: self, duty_to_refer, third_party, provider)",
       C,
       201,
       {},
       with({"source*", "surname*", "referrer"}, kPersonal),
       cmd(201,
           [](const P&, const B& b, const HttpRequest&) -> Command {
             return ReceiveReferral{b.Str("source"), b.Personal(), b.Str("referrer")};
           })},
      {"POST",
       "/lobby/{id}/claim",
       "ClaimLobbyRecord",
       "Claim a lobby record before working on it",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return ClaimLobbyRecord{p[0]};
           })},
      {"POST",
       "/lobby/{id}/assign",
       "AssignLobbyRecord",
       "Assign the record to a client: a new case on it (closed at once when the client has "
       "an open case, by the deployment's setting)",
       C,
       200,
       {},
       {"client_id*"},
       cmd(200,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AssignLobbyRecord{p[0], b.Str("client_id")};
           })},
      {"POST",
       "/lobby/{id}/create-client",
       "CreateClientFromLobby",
       "Make the record a new client with its first case",
       C,
       201,
       {},
       {},
       cmd(201,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return CreateClientFromLobby{p[0]};
           })},
      {"DELETE",
       "/lobby/{id}",
       "RemoveLobbyRecord",
       "Remove the referral: gone from searches, exports and reports",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return RemoveLobbyRecord{p[0]};
           })},

  };
}

}  // namespace caseengine
