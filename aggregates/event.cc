// Event type names: see event.h.
#include "aggregates/event.h"

#include <array>
#include <utility>

namespace caseengine {
namespace {

constexpr std::array<std::pair<EventType, const char*>, kEventTypeCount> kNames = {{
    {EventType::kClientRegistered, "ClientRegistered"},
    {EventType::kClientDetailsCorrected, "ClientDetailsCorrected"},
    {EventType::kClientStatusChanged, "ClientStatusChanged"},
    {EventType::kClientTypeChanged, "ClientTypeChanged"},
    {EventType::kCaseNumberChanged, "CaseNumberChanged"},
    {EventType::kClientAddedToGroup, "ClientAddedToGroup"},
    {EventType::kClientRemovedFromGroup, "ClientRemovedFromGroup"},
    {EventType::kNavigatorAssigned, "NavigatorAssigned"},
    {EventType::kNavigatorUnassigned, "NavigatorUnassigned"},
    {EventType::kPortalStatusChanged, "PortalStatusChanged"},
    {EventType::kPortalInvitationSent, "PortalInvitationSent"},
    {EventType::kClientCaseAdded, "ClientCaseAdded"},
    {EventType::kClientCaseDeleted, "ClientCaseDeleted"},
    {EventType::kCaseOpened, "CaseOpened"},
    {EventType::kOfficerAssigned, "OfficerAssigned"},
    {EventType::kOfficerUnassigned, "OfficerUnassigned"},
    {EventType::kTeamAssigned, "TeamAssigned"},
    {EventType::kPersonAdded, "PersonAdded"},
    {EventType::kPersonLeft, "PersonLeft"},
    {EventType::kPrimaryApplicantSwitched, "PrimaryApplicantSwitched"},
    {EventType::kCaseClosed, "CaseClosed"},
    {EventType::kCaseReopened, "CaseReopened"},
    {EventType::kCaseDeleted, "CaseDeleted"},
    {EventType::kNoteAdded, "NoteAdded"},
    {EventType::kActionCreated, "ActionCreated"},
    {EventType::kActionCompleted, "ActionCompleted"},
    {EventType::kStrandAdded, "StrandAdded"},
    {EventType::kStrandStatusChanged, "StrandStatusChanged"},
    {EventType::kStrandMovedOut, "StrandMovedOut"},
    {EventType::kStrandMovedIn, "StrandMovedIn"},
    {EventType::kActionClosed, "ActionClosed"},
    {EventType::kJournalWritten, "JournalWritten"},
    {EventType::kClientDeleted, "ClientDeleted"},
    {EventType::kClientRestored, "ClientRestored"},
    {EventType::kCaseRestored, "CaseRestored"},
    {EventType::kReferralReceived, "ReferralReceived"},
    {EventType::kLobbyRecordClaimed, "LobbyRecordClaimed"},
    {EventType::kLobbyRecordAssigned, "LobbyRecordAssigned"},
    {EventType::kLobbyClientCreated, "LobbyClientCreated"},
    {EventType::kLobbyRecordRemoved, "LobbyRecordRemoved"},
    {EventType::kTaskTypeDefined, "TaskTypeDefined"},
    {EventType::kTaskTypeRetired, "TaskTypeRetired"},
    {EventType::kWorkflowDefined, "WorkflowDefined"},
    {EventType::kWorkflowRetired, "WorkflowRetired"},
    {EventType::kTaskCreated, "TaskCreated"},
    {EventType::kTaskAssigned, "TaskAssigned"},
    {EventType::kTaskStarted, "TaskStarted"},
    {EventType::kTaskCompleted, "TaskCompleted"},
    {EventType::kTaskReopened, "TaskReopened"},
    {EventType::kTaskCancelled, "TaskCancelled"},
    {EventType::kTaskDueChanged, "TaskDueChanged"},
    {EventType::kTaskClosed, "TaskClosed"},
}};

}  // namespace

static_assert(kNames.size() == kEventTypeCount, "every event type has a name, and only those");

const char* EventTypeName(EventType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "Unknown";
}

const char* DeleteModeName(DeleteMode mode) {
  switch (mode) {
    case DeleteMode::kSoft:
      return "soft";
    case DeleteMode::kErase:
      return "erase";
    case DeleteMode::kNone:
      break;
  }
  return "";
}

bool ParseDeleteMode(std::string_view name, DeleteMode* mode) {
  for (DeleteMode m : {DeleteMode::kNone, DeleteMode::kSoft, DeleteMode::kErase}) {
    if (name == DeleteModeName(m)) {
      *mode = m;
      return true;
    }
  }
  return false;
}

bool HasFreeText(EventType type) {
  return type == EventType::kActionCreated || type == EventType::kCaseClosed ||
         type == EventType::kCaseReopened || type == EventType::kReferralReceived ||
         type == EventType::kTaskCreated || type == EventType::kTaskCancelled;
}

bool ParseEventType(std::string_view name, EventType* type) {
  for (const auto& [t, n] : kNames) {
    if (name == n) {
      *type = t;
      return true;
    }
  }
  return false;
}

void PersonalFields::Merge(const PersonalFields& o) {
  for (auto [dst, src] : {std::pair{&surname, &o.surname},
                          {&forenames, &o.forenames},
                          {&date_of_birth, &o.date_of_birth},
                          {&nino, &o.nino},
                          {&email, &o.email},
                          {&phone, &o.phone},
                          {&postcode, &o.postcode},
                          {&text, &o.text}}) {
    if (*src) *dst = *src;
  }
  if (o.erased) erased = true;
}

std::string ClientStream(const std::string& client_id) { return "client-" + client_id; }
std::string CaseStream(const std::string& case_id) { return "case-" + case_id; }
std::string LobbyStream(const std::string& lobby_id) { return "lobby-" + lobby_id; }

StreamKind ParseStream(std::string_view stream, std::string_view* id) {
  static constexpr std::pair<std::string_view, StreamKind> kPrefixes[] = {
      {"client-", StreamKind::kClient},
      {"case-", StreamKind::kCase},
      {"lobby-", StreamKind::kLobby}};
  if (stream == kSettingsStream) {
    *id = {};
    return StreamKind::kSettings;
  }
  for (const auto& [prefix, kind] : kPrefixes) {
    if (stream.starts_with(prefix)) {
      *id = stream.substr(prefix.size());
      return kind;
    }
  }
  *id = {};
  return StreamKind::kOther;
}

}  // namespace caseengine
