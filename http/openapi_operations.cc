// What /openapi.json says of each operation beyond the route table (see openapi.h): the
// schema of its answer, the types of its body fields and query parameters (integers,
// enums, dates), and its tag. Keyed by operationId, the name the route table gives.
//
// Pure functions over constants: any thread.
#include <map>
#include <string>

#include "http/openapi.h"

namespace caseengine::openapi {
namespace {

using nlohmann::json;

const std::map<std::string_view, std::string_view>& AnswerSchemas() {
  // Commands answer a CommandResult, those that create with what they created.
  static const std::map<std::string_view, std::string_view> kSchemas = {
      {"RegisterClient", "ClientCreated"},
      {"CorrectClientDetails", "CommandResult"},
      {"ChangeClientStatus", "CommandResult"},
      {"ChangeClientType", "CommandResult"},
      {"ChangeCaseNumber", "CommandResult"},
      {"AddClientToGroup", "CommandResult"},
      {"RemoveClientFromGroup", "CommandResult"},
      {"AssignNavigator", "CommandResult"},
      {"UnassignNavigator", "CommandResult"},
      {"ChangePortalStatus", "CommandResult"},
      {"SendPortalInvitation", "CommandResult"},
      {"DeleteClient", "CommandResult"},
      {"RestoreClient", "CommandResult"},
      {"OpenCase", "CaseCreated"},
      {"AssignOfficer", "CommandResult"},
      {"UnassignOfficer", "CommandResult"},
      {"AssignTeam", "CommandResult"},
      {"AddPerson", "CommandResult"},
      {"PersonLeaves", "CommandResult"},
      {"SwitchPrimaryApplicant", "CommandResult"},
      {"CloseCase", "CommandResult"},
      {"ReopenCase", "CommandResult"},
      {"DeleteCase", "CommandResult"},
      {"AddStrand", "StrandCreated"},
      {"ChangeStrandStatus", "CommandResult"},
      {"MoveStrand", "StrandMoved"},
      {"AddNote", "NoteCreated"},
      {"CreateAction", "ActionCreated"},
      {"CompleteAction", "CommandResult"},
      {"ReceiveReferral", "ReferralReceived"},
      {"ClaimLobbyRecord", "CommandResult"},
      {"AssignLobbyRecord", "LobbyAssigned"},
      {"CreateClientFromLobby", "ClientCreated"},
      {"RemoveLobbyRecord", "CommandResult"},
      {"GetClient", "Client"},
      {"SearchClients", "ClientSearchResult"},
      {"GetCase", "Case"},
      {"ListCases", "CaseListPage"},
      {"ListCaseOfficers", "CaseOfficersPage"},
      {"ListCasePeople", "CasePeoplePage"},
      {"GetJournal", "JournalPage"},
      {"GetHistory", "HistoryPage"},
      {"GetAudit", "AuditPage"},
      {"GetAuditDigest", "LogDigest"},
      {"VerifyAudit", "AuditReport"},
      {"ListLobby", "LobbyPage"},
      {"GetLobbyRecord", "LobbyRecord"},
      {"GetLobbyMatches", "LobbyMatches"},
      {"GetStreamEvents", "StreamEvents"},
      {"GetEvents", "EventsPage"},
      {"CreateStreamTicket", "StreamTicket"},
      {"GetOpenApi", "OpenApiDocument"},
      {"Health", "Health"},
      {"Ready", "Ready"},
      {"AddTask", "TaskCreated"},
      {"AssignTask", "CommandResult"},
      {"StartTask", "CommandResult"},
      {"CompleteTask", "CommandResult"},
      {"ReopenTask", "CommandResult"},
      {"CancelTask", "CommandResult"},
      {"ChangeTaskDue", "CommandResult"},
      {"ListTasks", "TaskPage"},
      {"ListCaseTasks", "TaskPage"},
      {"ListTaskTypes", "TaskTypes"},
      {"DefineTaskType", "SettingDefined"},
      {"RetireTaskType", "CommandResult"},
      {"ListWorkflows", "Workflows"},
      {"DefineWorkflow", "SettingDefined"},
      {"RetireWorkflow", "CommandResult"},
  };
  return kSchemas;
}

json Str() { return {{"type", "string"}}; }
json Count(int64_t minimum) {
  return {{"type", "integer"}, {"format", "int64"}, {"minimum", minimum}};
}
json Enum(std::initializer_list<const char*> values) {
  return {{"type", "string"}, {"enum", json(values)}};
}
json Date() { return {{"type", "string"}, {"format", "date"}}; }

}  // namespace

json AnswerSchema(std::string_view operation) {
  // Text answers: Prometheus text, server-sent events.
  if (operation == "GetMetrics" || operation == "StreamEvents") return Str();
  auto it = AnswerSchemas().find(operation);
  return it == AnswerSchemas().end() ? json() : Ref(it->second);
}

std::string_view AnswerMediaType(std::string_view operation) {
  if (operation == "GetMetrics") return "text/plain";
  if (operation == "StreamEvents") return "text/event-stream";
  return "application/json";
}

bool AnswersCsv(std::string_view operation) {
  return operation == "ListCases" || operation == "ListCaseOfficers" ||
         operation == "ListCasePeople" || operation == "ListLobby" || operation == "ListTasks" ||
         operation == "ListCaseTasks";
}

json FieldSchema(std::string_view operation, std::string_view field) {
  if (field == "joint_applicant" || field == "client_task") return {{"type", "boolean"}};
  if (field == "provider_access") return Ref("ProviderAccess");
  if (field == "trigger") return Enum({"case_opened", "strand_added"});
  if (field == "strand_type") return Ref("StrandType");
  if (field == "strand_types") return {{"type", "array"}, {"items", Ref("StrandType")}};
  if (field == "task_types") {
    return {{"type", "array"}, {"items", Str()}, {"minItems", 1}};
  }
  if (field == "due_days") {
    return {{"type", "integer"}, {"minimum", 0}, {"maximum", 3650}, {"nullable", true}};
  }
  if (field == "assignee") {
    return {{"type", "string"}, {"description", "a user id, team:ID, or client"}};
  }
  if (field == "date_of_birth" || field == "date_joined" || field == "date_left" ||
      field == "due") {
    return Date();
  }
  if (field == "role") return Ref("OfficerRole");
  if (field == "type") return Ref("StrandType");
  if (field == "source") return Ref("LobbySource");
  if (field == "status") {
    if (operation == "ChangeClientStatus") return Enum({"active", "inactive", "closed"});
    if (operation == "ChangePortalStatus") return Enum({"pending", "active", "banned"});
    if (operation == "ChangeStrandStatus") return Enum({"open", "closed", "cancelled"});
  }
  json s = Str();
  if (field == "surname" || field == "text" || field == "reason" || field == "title") {
    s["minLength"] = 1;
  }
  return s;
}

json ParameterSchema(std::string_view operation, std::string_view name) {
  if (name == "min_position" || name == "at" || name == "from_version" || name == "position") {
    return Count(name == "min_position" ? 0 : 1);
  }
  if (name == "limit") {
    json s = Count(1);
    s["maximum"] = 1000;
    return s;
  }
  if (name == "from" || name == "to") {
    // Positions on the log's routes, instants or dates on the audit trail.
    if (operation != "GetAudit") return Count(name == "from" ? 1 : 0);
    return Str();
  }
  if (name == "total" || name == "bom") return {{"type", "boolean"}};
  if (name == "mode") return Enum({"soft", "erase"});
  if (name == "role") return Ref("OfficerRole");
  if (name == "group_by") return Enum({"officer"});
  if (name == "strand_type") return Ref("StrandType");
  if (name == "hash") return {{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}};
  if (name == "month") return {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}};
  if (name == "date_of_birth" || name.ends_with("_from") || name.ends_with("_to")) {
    return Date();
  }
  if (name == "status" && operation == "ListCases") return Enum({"open", "closed"});
  if (name == "status" && (operation == "ListTasks" || operation == "ListCaseTasks")) {
    return Enum({"open", "in_progress", "completed", "cancelled", "closed", "all"});
  }
  if (name == "overdue" || name == "client_task") return {{"type", "boolean"}};
  if (name == "due_before") return Date();
  if (name == "status" && operation == "ListLobby") {
    return Enum({"waiting", "all", "received", "claimed", "assigned", "created"});
  }
  return Str();
}

std::string ParameterDescription(std::string_view operation, std::string_view name) {
  if (name == "min_position") {
    return "wait (up to 5 s, then 503) until what the query reads has applied this position";
  }
  if (name == "limit") return "rows at most (1 to 1000)";
  if (name == "cursor") return "next_cursor of the page before";
  if (name == "sort") return "columns to sort on, comma-separated, '-' for descending";
  if (name == "columns") return "the columns to answer, comma-separated";
  if (name == "at") return "the record as it was at this log position";
  if (name == "as_of") return "the record as it was then: an RFC 3339 instant, or a date (its end)";
  if (name == "total") return "count the matching rows (visits every case)";
  if (name == "q") return "name words";
  if (name == "ticket") {
    return "a ticket from POST /events/stream/tickets, instead of the Authorization header "
           "(for a browser's EventSource); it opens one feed";
  }
  if (name == "bom") {
    return "with Accept: text/csv, start the CSV with a UTF-8 byte order mark (for Excel)";
  }
  if (name == "from" || name == "to") {
    return operation == "GetAudit" ? "an RFC 3339 instant or a date YYYY-MM-DD"
                                   : "a log position (inclusive)";
  }
  if (name == "mode") return "soft (undone by restore) or erase (needs administer; final)";
  if (name == "assignee") return "me, a user id, team:ID, or client";
  if (name == "overdue") return "true: open and due before today (the business date)";
  if (name == "due_before") return "due on or before this date";
  return "filter: " + std::string(name);
}

std::string_view Tag(std::string_view path) {
  if (path.starts_with("/clients")) return "Clients";
  if (path.find("/strands") != std::string_view::npos) return "Strands";
  if (path.starts_with("/tasks") || path.find("/tasks") != std::string_view::npos) return "Tasks";
  if (path.starts_with("/settings")) return "Settings";
  if (path.starts_with("/cases/") && path != "/cases/{id}") {
    if (path.ends_with("/journal") || path.ends_with("/history")) return "Lists";
    return "Cases";
  }
  if (path == "/cases/{id}") return "Cases";
  if (path.starts_with("/cases") || path.starts_with("/case-")) return "Lists";
  if (path.starts_with("/lobby")) return "Lobby";
  if (path.starts_with("/audit")) return "Audit";
  if (path.starts_with("/events") || path.starts_with("/streams")) return "Events";
  return "Service";
}

json Tags() {
  return json::array(
      {{{"name", "Clients"}, {"description", "Clients: registration, details, status, groups"}},
       {{"name", "Cases"}, {"description", "Cases: officers, team, people, notes, actions"}},
       {{"name", "Strands"}, {"description", "Applications and assessments on cases"}},
       {{"name", "Lists"},
        {"description", "Read models: lists, journals, histories (JSON or CSV)"}},
       {{"name", "Lobby"}, {"description", "Referrals waiting to become clients or cases"}},
       {{"name", "Tasks"}, {"description", "Tasks on cases and the to-do list"}},
       {{"name", "Settings"},
        {"description", "Task types and workflows (permission manage_settings to change)"}},
       {{"name", "Audit"}, {"description", "The audit trail, digests and chain verification"}},
       {{"name", "Events"}, {"description", "The raw log, paged or as server-sent events"}},
       {{"name", "Service"}, {"description", "Health, metrics and this document"}}});
}

}  // namespace caseengine::openapi
