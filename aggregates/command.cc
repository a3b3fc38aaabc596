// Command names: see command.h.
#include "aggregates/command.h"

namespace caseengine {

const char* CommandName(const Command& command) {
  static const char* const kNames[] = {"RegisterClient",
                                       "CorrectClientDetails",
                                       "ChangeClientStatus",
                                       "ChangeClientType",
                                       "ChangeCaseNumber",
                                       "AddClientToGroup",
                                       "RemoveClientFromGroup",
                                       "AssignNavigator",
                                       "UnassignNavigator",
                                       "ChangePortalStatus",
                                       "SendPortalInvitation",
                                       "OpenCase",
                                       "AssignOfficer",
                                       "UnassignOfficer",
                                       "AssignTeam",
                                       "AddPerson",
                                       "PersonLeaves",
                                       "SwitchPrimaryApplicant",
                                       "CloseCase",
                                       "ReopenCase",
                                       "DeleteCase",
                                       "AddNote",
                                       "CreateAction",
                                       "CompleteAction",
                                       "AddStrand",
                                       "ChangeStrandStatus",
                                       "MoveStrand",
                                       "DeleteClient",
                                       "RestoreClient",
                                       "ReceiveReferral",
                                       "ClaimLobbyRecord",
                                       "AssignLobbyRecord",
                                       "CreateClientFromLobby",
                                       "RemoveLobbyRecord",
                                       "DefineTaskType",
                                       "RetireTaskType",
                                       "DefineWorkflow",
                                       "RetireWorkflow",
                                       "ImportSettings",
                                       "AddTask",
                                       "AssignTask",
                                       "StartTask",
                                       "CompleteTask",
                                       "ReopenTask",
                                       "CancelTask",
                                       "ChangeTaskDue"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == std::variant_size_v<Command>);
  return kNames[command.index()];
}

}  // namespace caseengine
