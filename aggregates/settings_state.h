// The deployment's settings that shape casework, folded from the settings stream: task
// types and workflows. They change at runtime by commands that need manage_settings
// (SettingsDecider), so every change is an event in the log, audited and replayable; the
// config file gives the first values (ImportSettings, once, while the stream is empty).
//
// A change applies to what is created after it: tasks already on cases keep what they
// were created with (aggregates/task.h). A task type or workflow is never deleted, only
// retired (no longer offered or loaded), so older tasks can still name it.
//
// Plain values; no threading of their own.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "aggregates/event.h"
#include "aggregates/task.h"

namespace caseengine {

// When a workflow loads its tasks: on every new case, or when a strand of its type is
// added to a case. Stored by name: case_opened, strand_added.
enum class WorkflowTrigger : uint8_t { kCaseOpened, kStrandAdded };
const char* WorkflowTriggerName(WorkflowTrigger trigger);
bool ParseWorkflowTrigger(std::string_view name, WorkflowTrigger* trigger);

struct TaskType {
  std::string id, name;
  // The strand types whose tasks it makes; none: a task of the case itself.
  std::vector<std::string> strand_types;
  bool client_task = false;  // assigned to the client when a workflow loads it
  ProviderAccess access = ProviderAccess::kNone;
  int due_days = -1;  // due this many days after it is created; -1: no due date
  bool retired = false;
  // Whether a task of this type may belong to a strand of `strand_type` ("": the case).
  bool AppliesTo(const std::string& strand_type) const;
};

struct Workflow {
  std::string id, name;
  WorkflowTrigger trigger = WorkflowTrigger::kCaseOpened;
  std::string strand_type;              // with kStrandAdded
  std::vector<std::string> task_types;  // in the order their tasks are created
  bool retired = false;
};

struct SettingsState {
  bool exists = false;
  uint64_t version = 0;
  std::map<std::string, TaskType> task_types;  // by id
  std::map<std::string, Workflow> workflows;   // by id: the order workflows load in
  // A task type that is not retired, or null.
  const TaskType* ActiveTaskType(const std::string& id) const;
};

void Evolve(SettingsState* state, const Event& event);

}  // namespace caseengine
