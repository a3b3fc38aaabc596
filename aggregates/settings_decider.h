// SettingsDecider: the rules of the commands on the settings stream (internal to
// aggregates/; see decide.h and settings_state.h): defining, changing and retiring task
// types and workflows, and importing the config file's first settings.
//
// Invariants: a command that changes nothing gives no events; a workflow names only task
// types that exist, are not retired and apply to its strand type; a task type a workflow
// in use names is not retired; the import writes only into an empty settings stream.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <optional>

#include "aggregates/decide.h"
#include "aggregates/decider_base.h"

namespace caseengine {

class SettingsDecider : public DeciderBase {
 public:
  SettingsDecider(const DecideContext& ctx, StateView* states) : DeciderBase(ctx, states) {}

  Outcome operator()(const DefineTaskType& c);
  Outcome operator()(const RetireTaskType& c);
  Outcome operator()(const DefineWorkflow& c);
  Outcome operator()(const RetireWorkflow& c);
  Outcome operator()(const ImportSettings& c);

 private:
  // The settings, with If-Match checked, in *out; or why not.
  std::optional<Outcome> Load(const SettingsState** out);
  static Event Defined(const TaskType& t);
  static Event Defined(const Workflow& w);
  // Why `w` cannot stand with these task types, or nothing.
  static std::optional<Outcome> CheckWorkflow(const Workflow& w,
                                              const std::map<std::string, TaskType>& types);
};

}  // namespace caseengine
