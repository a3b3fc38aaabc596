// Commands: what a caseworker asks for, in the imperative. Plain values; Validate (in
// validate.h) checks their fields, Decide (decide.h) their rules against state.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "aggregates/event.h"
#include "aggregates/settings_state.h"

namespace caseengine {

struct RegisterClient {
  PersonalFields personal;  // surname and date_of_birth required
  std::string client_type;  // optional
};
struct CorrectClientDetails {
  std::string client_id;
  PersonalFields personal;  // the fields to change
};
struct ChangeClientStatus {
  std::string client_id, status;
};
struct ChangeClientType {
  std::string client_id, client_type;
};
struct ChangeCaseNumber {
  std::string client_id, case_number;
};
struct AddClientToGroup {
  std::string client_id, group;
};
struct RemoveClientFromGroup {
  std::string client_id, group;
};
struct AssignNavigator {
  std::string client_id, user_id;
};
struct UnassignNavigator {
  std::string client_id, user_id;
};
struct ChangePortalStatus {
  std::string client_id, status;
};
struct SendPortalInvitation {
  std::string client_id;
};
struct OpenCase {
  std::string client_id;
};
struct AssignOfficer {
  std::string case_id, user_id, role;
};
struct UnassignOfficer {
  std::string case_id, user_id, role;
};
struct AssignTeam {
  std::string case_id, team_id;
};
struct AddPerson {
  std::string case_id, client_id, relationship;
  bool joint_applicant = false;
  std::string date_joined;  // empty: today
};
struct PersonLeaves {
  std::string case_id, client_id, date_left;
};
struct SwitchPrimaryApplicant {
  std::string case_id, client_id;
};
struct CloseCase {
  std::string case_id, reason;
};
struct ReopenCase {
  std::string case_id, reason;
};
struct DeleteCase {
  std::string case_id;
};
struct AddNote {
  std::string case_id, text, strand_id;
};
struct CreateAction {
  std::string case_id, title, due, strand_id;
};
struct CompleteAction {
  std::string case_id, action_id;
};

struct AddStrand {
  std::string case_id, type;
};
struct ChangeStrandStatus {
  std::string case_id, strand_id, status;
};
struct MoveStrand {
  std::string case_id, strand_id, target_case_id;
};

struct DeleteClient {
  std::string client_id;
  DeleteMode mode = DeleteMode::kNone;  // kNone: the deployment's setting
};
struct RestoreClient {
  std::string client_id;
};

struct ReceiveReferral {
  std::string source;       // self | duty_to_refer | third_party | provider
  PersonalFields personal;  // surname required
  std::string referrer;
};
struct ClaimLobbyRecord {
  std::string lobby_id;
};
struct AssignLobbyRecord {
  std::string lobby_id, client_id;
};
struct CreateClientFromLobby {
  std::string lobby_id;
};
struct RemoveLobbyRecord {
  std::string lobby_id;
};

// Settings (permission manage_settings).
struct DefineTaskType {  // a new task type, or a change to one (applies to new tasks)
  TaskType type;
  std::string provider_access;  // none | read_only | full, as sent
};
struct RetireTaskType {
  std::string id;
};
struct DefineWorkflow {  // a new workflow, or a change to one (applies to new cases)
  Workflow workflow;
  std::string trigger;  // case_opened | strand_added, as sent
};
struct RetireWorkflow {
  std::string id;
};
// The config file's first settings, while the settings stream is empty (else nothing).
struct ImportSettings {
  std::vector<TaskType> task_types;
  std::vector<Workflow> workflows;
};

// Tasks on a case (aggregates/task.h). Assignees are written "USER", "team:ID" or "client".
struct AddTask {
  std::string case_id, task_type, title, due, strand_id, assignee;
  std::string provider_access;  // none | read_only | full; "" : the task type's (or none)
  bool client_task = false;
};
struct AssignTask {
  std::string case_id, task_id, assignee;
};
struct StartTask {
  std::string case_id, task_id;
};
struct CompleteTask {
  std::string case_id, task_id;
};
struct ReopenTask {
  std::string case_id, task_id;
};
struct CancelTask {
  std::string case_id, task_id, reason;
};
struct ChangeTaskDue {
  std::string case_id, task_id, due;  // "": no due date
};

using Command = std::variant<
    RegisterClient, CorrectClientDetails, ChangeClientStatus, ChangeClientType, ChangeCaseNumber,
    AddClientToGroup, RemoveClientFromGroup, AssignNavigator, UnassignNavigator, ChangePortalStatus,
    SendPortalInvitation, OpenCase, AssignOfficer, UnassignOfficer, AssignTeam, AddPerson,
    PersonLeaves, SwitchPrimaryApplicant, CloseCase, ReopenCase, DeleteCase, AddNote, CreateAction,
    CompleteAction, AddStrand, ChangeStrandStatus, MoveStrand, DeleteClient, RestoreClient,
    ReceiveReferral, ClaimLobbyRecord, AssignLobbyRecord, CreateClientFromLobby, RemoveLobbyRecord,
    DefineTaskType, RetireTaskType, DefineWorkflow, RetireWorkflow, ImportSettings, AddTask,
    AssignTask, StartTask, CompleteTask, ReopenTask, CancelTask, ChangeTaskDue>;

// The command's name, e.g. "RegisterClient".
const char* CommandName(const Command& command);

}  // namespace caseengine
