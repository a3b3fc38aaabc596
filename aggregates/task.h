// Tasks: the work to be done on a case, by an officer, a team or the client. A task is
// created by a workflow (aggregates/settings_state.h) when a case opens or a strand is
// added, or by hand; it keeps what its task type said when it was created (name, client
// task, provider access, due date), so a later change to the settings never reaches it.
//
// Lifecycle: open -> in_progress -> completed; open or in_progress -> cancelled (by a
// person) or closed (by the engine: the case closed, the task's strand moved or closed);
// completed, cancelled and closed tasks may be reopened while the case is open. The
// enums below are stored by name: never rename a name, only add new ones.
//
// Plain values; no threading of their own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace caseengine {

enum class TaskStatus : uint8_t { kOpen, kInProgress, kCompleted, kCancelled, kClosed };
// Who a task is for: an officer (a user), a team, or the case's primary applicant.
enum class AssigneeKind : uint8_t { kNone, kUser, kTeam, kClient };
// Who completed a task.
enum class TaskDoneBy : uint8_t { kNone, kOfficer, kClient, kProvider };
// What a provider user may do with a task (each task type says; HRS Lobby's Provider
// Access): nothing (the task is invisible to them), read it, or update and complete it.
enum class ProviderAccess : uint8_t { kNone, kReadOnly, kFull };

// open, in_progress, completed, cancelled, closed.
const char* TaskStatusName(TaskStatus status);
bool ParseTaskStatus(std::string_view name, TaskStatus* status);
// "", user, team, client.
const char* AssigneeKindName(AssigneeKind kind);
bool ParseAssigneeKind(std::string_view name, AssigneeKind* kind);
// "", officer, client, provider.
const char* TaskDoneByName(TaskDoneBy by);
bool ParseTaskDoneBy(std::string_view name, TaskDoneBy* by);
// none, read_only, full.
const char* ProviderAccessName(ProviderAccess access);
bool ParseProviderAccess(std::string_view name, ProviderAccess* access);

struct TaskAssignee {
  AssigneeKind kind = AssigneeKind::kNone;
  std::string id;  // the user or team id; the client's id for kClient
  bool operator==(const TaskAssignee&) const = default;
};
// How the API writes an assignee: "USER", "team:ID" or "client" (the case's primary
// applicant; `client_id` fills in its id). False for an empty or malformed text.
bool ParseAssignee(std::string_view text, const std::string& client_id, TaskAssignee* out);
// "USER", "team:ID" or "client"; "" for none.
std::string AssigneeText(const TaskAssignee& assignee);

struct CaseTask {
  std::string id;
  std::string type_id;  // its task type; "" for a task added by hand without one
  std::string name;
  std::string due;  // YYYY-MM-DD or ""
  std::string strand_id;
  std::string workflow;  // the workflow that loaded it, if one did
  TaskAssignee assignee;
  bool client_task = false;
  ProviderAccess access = ProviderAccess::kNone;
  TaskStatus status = TaskStatus::kOpen;
  TaskDoneBy done_by = TaskDoneBy::kNone;
  std::string done_by_user;
  // Open work: open or in progress.
  bool Open() const { return status == TaskStatus::kOpen || status == TaskStatus::kInProgress; }
};

}  // namespace caseengine
