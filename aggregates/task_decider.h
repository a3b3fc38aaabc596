// TaskDecider: the rules of the commands on a case's tasks (internal to aggregates/; see
// decide.h and task.h): adding a task by hand, assigning, starting, completing, reopening
// and cancelling one, and changing its due date.
//
// Invariants: a command that changes nothing gives no events; only open work (open or in
// progress) is assigned, started, completed, cancelled or given a new due date; a task is
// reopened only on an open case; a provider user acts only on the cases of its
// organisation and only on tasks whose provider access is full (a task it may not see
// answers as if it did not exist); a task is assigned only to a known user or team, or to
// the case's primary applicant.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <optional>
#include <string>

#include "aggregates/decide.h"
#include "aggregates/decider_base.h"

namespace caseengine {

class TaskDecider : public DeciderBase {
 public:
  TaskDecider(const DecideContext& ctx, StateView* states) : DeciderBase(ctx, states) {}

  Outcome operator()(const AddTask& c);
  Outcome operator()(const AssignTask& c);
  Outcome operator()(const StartTask& c);
  Outcome operator()(const CompleteTask& c);
  Outcome operator()(const ReopenTask& c);
  Outcome operator()(const CancelTask& c);
  Outcome operator()(const ChangeTaskDue& c);

 private:
  // The case and its task, in *state and *task, when the actor may change it; or why not.
  std::optional<Outcome> LoadTask(const std::string& case_id, const std::string& task_id,
                                  const CaseState** state, const CaseTask** task);
  // Why the task, not open work, cannot be changed, or nothing.
  static std::optional<Outcome> RequireOpen(const CaseTask& task);
  // The assignee `text` names on case `s`, in *out; or why it cannot be.
  std::optional<Outcome> Assignee(const std::string& text, const CaseState& s,
                                  TaskAssignee* out) const;
  static Event On(EventType type, const CaseTask& task);
};

}  // namespace caseengine
