// LoadTaskSettings: see task_settings_config.h.
#include "http/task_settings_config.h"

#include <string>

#include "base/business_date.h"

namespace caseengine {
namespace {

// The first key of `object` that is not in `known`, or "".
std::string Unknown(const nlohmann::json& object, std::initializer_list<const char*> known) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return it.key();
  }
  return "";
}

}  // namespace

Status LoadTaskSettings(const nlohmann::json& j, DomainConfig* domain) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  try {
    if (j.contains("time_zone")) {
      const std::string zone = j["time_zone"].get<std::string>();
      if (!KnownTimeZone(zone)) {
        return bad("time_zone '" + zone + "' is not a time zone such as Europe/London");
      }
      domain->time_zone = zone;
    }
    if (j.contains("task_types")) {
      domain->task_types.clear();
      for (const auto& t : j["task_types"]) {
        const std::string unknown = Unknown(
            t, {"id", "name", "strand_types", "client_task", "provider_access", "due_days"});
        if (!unknown.empty()) return bad("a task type has an unknown key '" + unknown + "'");
        TaskType type;
        type.id = t.at("id").get<std::string>();
        type.name = t.at("name").get<std::string>();
        type.strand_types = t.value("strand_types", std::vector<std::string>());
        type.client_task = t.value("client_task", false);
        if (!ParseProviderAccess(t.value("provider_access", "none"), &type.access)) {
          return bad("task type " + type.id + ": provider_access must be none, read_only or full");
        }
        type.due_days =
            t.contains("due_days") && !t["due_days"].is_null() ? t["due_days"].get<int>() : -1;
        domain->task_types.push_back(std::move(type));
      }
    }
    if (j.contains("workflows")) {
      domain->workflows.clear();
      for (const auto& w : j["workflows"]) {
        const std::string unknown =
            Unknown(w, {"id", "name", "trigger", "strand_type", "task_types"});
        if (!unknown.empty()) return bad("a workflow has an unknown key '" + unknown + "'");
        Workflow flow;
        flow.id = w.at("id").get<std::string>();
        flow.name = w.at("name").get<std::string>();
        if (!ParseWorkflowTrigger(w.value("trigger", "case_opened"), &flow.trigger)) {
          return bad("workflow " + flow.id + ": trigger must be case_opened or strand_added");
        }
        flow.strand_type = w.value("strand_type", "");
        flow.task_types = w.at("task_types").get<std::vector<std::string>>();
        domain->workflows.push_back(std::move(flow));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  return Status::Ok();
}

}  // namespace caseengine
