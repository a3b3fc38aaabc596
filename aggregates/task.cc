// Task names: see task.h.
#include "aggregates/task.h"

#include <array>
#include <utility>

namespace caseengine {
namespace {

template <class E, size_t N>
const char* NameOf(const std::array<std::pair<E, const char*>, N>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "";
}
template <class E, size_t N>
bool Parse(const std::array<std::pair<E, const char*>, N>& names, std::string_view text, E* out) {
  for (const auto& [v, name] : names) {
    if (text == name) {
      *out = v;
      return true;
    }
  }
  return false;
}

constexpr std::array<std::pair<TaskStatus, const char*>, 5> kStatuses = {{
    {TaskStatus::kOpen, "open"},
    {TaskStatus::kInProgress, "in_progress"},
    {TaskStatus::kCompleted, "completed"},
    {TaskStatus::kCancelled, "cancelled"},
    {TaskStatus::kClosed, "closed"},
}};
constexpr std::array<std::pair<AssigneeKind, const char*>, 4> kKinds = {{
    {AssigneeKind::kNone, ""},
    {AssigneeKind::kUser, "user"},
    {AssigneeKind::kTeam, "team"},
    {AssigneeKind::kClient, "client"},
}};
constexpr std::array<std::pair<TaskDoneBy, const char*>, 4> kDoneBy = {{
    {TaskDoneBy::kNone, ""},
    {TaskDoneBy::kOfficer, "officer"},
    {TaskDoneBy::kClient, "client"},
    {TaskDoneBy::kProvider, "provider"},
}};
constexpr std::array<std::pair<ProviderAccess, const char*>, 3> kAccess = {{
    {ProviderAccess::kNone, "none"},
    {ProviderAccess::kReadOnly, "read_only"},
    {ProviderAccess::kFull, "full"},
}};

}  // namespace

const char* TaskStatusName(TaskStatus s) { return NameOf(kStatuses, s); }
bool ParseTaskStatus(std::string_view n, TaskStatus* s) { return Parse(kStatuses, n, s); }
const char* AssigneeKindName(AssigneeKind k) { return NameOf(kKinds, k); }
bool ParseAssigneeKind(std::string_view n, AssigneeKind* k) { return Parse(kKinds, n, k); }
const char* TaskDoneByName(TaskDoneBy b) { return NameOf(kDoneBy, b); }
bool ParseTaskDoneBy(std::string_view n, TaskDoneBy* b) { return Parse(kDoneBy, n, b); }
const char* ProviderAccessName(ProviderAccess a) { return NameOf(kAccess, a); }
bool ParseProviderAccess(std::string_view n, ProviderAccess* a) { return Parse(kAccess, n, a); }

bool ParseAssignee(std::string_view text, const std::string& client_id, TaskAssignee* out) {
  auto valid_id = [](std::string_view id) {
    if (id.empty() || id.size() > 100) return false;
    for (char c : id) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '@';
      if (!ok) return false;
    }
    return true;
  };
  if (text == "client") {
    *out = {AssigneeKind::kClient, client_id};
    return true;
  }
  if (text.starts_with("team:")) {
    text.remove_prefix(5);
    if (!valid_id(text)) return false;
    *out = {AssigneeKind::kTeam, std::string(text)};
    return true;
  }
  if (!valid_id(text)) return false;
  *out = {AssigneeKind::kUser, std::string(text)};
  return true;
}

std::string AssigneeText(const TaskAssignee& a) {
  switch (a.kind) {
    case AssigneeKind::kUser:
      return a.id;
    case AssigneeKind::kTeam:
      return "team:" + a.id;
    case AssigneeKind::kClient:
      return "client";
    case AssigneeKind::kNone:
      break;
  }
  return std::string();
}

}  // namespace caseengine
