// Domain events: what happened to a client, a case, a lobby record or the settings, in the
// past tense.
// In memory an Event holds every field in the clear; event_codec.h stores it as a Body
// (domain.fbs) with the personal fields sealed.
//
// Each type lists the Body fields it uses. Type names are stored in every envelope: never
// rename one, never change what it means, only add new ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caseengine {

enum class EventType {
  // Stream client-<id>.
  kClientRegistered,        // client_id, case_id (its first case), client_type, personal,
                            // item_id (the lobby record it was created from, if any)
  kClientDetailsCorrected,  // personal (the fields present replace the old ones)
  kClientStatusChanged,     // status: active | inactive | closed
  kClientTypeChanged,       // client_type
  kCaseNumberChanged,       // case_number
  kClientAddedToGroup,      // group
  kClientRemovedFromGroup,  // group
  kNavigatorAssigned,       // user_id
  kNavigatorUnassigned,     // user_id
  kPortalStatusChanged,     // status: pending | active | banned
  kPortalInvitationSent,    // resend, personal (the email it went to)
  kClientCaseAdded,         // case_id (another case opened for the client), item_id (the
                            // lobby record assigned to it, if any)
  kClientCaseDeleted,       // case_id
  // Stream case-<id>.
  kCaseOpened,                // case_id, client_id (primary applicant), user_id (primary
                              // officer), team_id, date (opened on), reason (how opened)
  kOfficerAssigned,           // user_id, role: primary | secondary | supervisor | other
  kOfficerUnassigned,         // user_id, role
  kTeamAssigned,              // team_id
  kPersonAdded,               // client_id, relationship, joint_applicant, date (joined)
  kPersonLeft,                // client_id, date (left)
  kPrimaryApplicantSwitched,  // client_id (the new primary applicant)
  kCaseClosed,                // reason
  kCaseReopened,              // reason
  kCaseDeleted,               // mode, reason ("client deleted" when it went with its client)
  kNoteAdded,                 // item_id, strand_id, personal (text, sealed for the primary
                              // applicant)
  kActionCreated,             // item_id, title, date (due), strand_id
  kActionCompleted,           // item_id
  kStrandAdded,               // item_id (strand), strand_type, other_item_id (the strand that
                              // created it automatically, if one did)
  kStrandStatusChanged,       // item_id, status: open | closed | cancelled
  kStrandMovedOut,            // item_id, other_case_id, other_item_id (the new strand); the
                              // strand becomes closed_moved
  kStrandMovedIn,             // item_id (new strand), strand_type, other_case_id,
                              // other_item_id (the strand it came from)
  kActionClosed,              // item_id (action), reason
  kJournalWritten,            // title (the entry), strand_id, other_case_id, other_item_id
  kClientDeleted,             // mode: soft (hidden, restorable) | erase (its key destroyed)
  kClientRestored,            // (none)
  kCaseRestored,              // (none): a case deleted with its client comes back with it
  // Stream lobby-<id>.
  kReferralReceived,     // item_id (lobby id), source, referrer, personal
  kLobbyRecordClaimed,   // user_id
  kLobbyRecordAssigned,  // client_id, case_id, status (the new case's: open | closed)
  kLobbyClientCreated,   // client_id, case_id
  kLobbyRecordRemoved,   // reason ("client erased" when it went with its client's erasure);
                         // its key is destroyed: gone from searches and reports
  // Stream settings (the deployment's settings: aggregates/settings_state.h).
  kTaskTypeDefined,  // item_id (task type), title (its name), list (the strand types it
                     // belongs to; none: the case), client_task, access, due_days
  kTaskTypeRetired,  // item_id
  kWorkflowDefined,  // item_id (workflow), title (its name), trigger, strand_type (with
                     // trigger strand_added), list (its task types, in order)
  kWorkflowRetired,  // item_id
  // Stream case-<id>: tasks (aggregates/task.h). A task keeps what its type said when it
  // was created; a later change to the settings does not reach it.
  kTaskCreated,     // item_id (task), other_item_id (its task type; none: ad hoc), title
                    // (sealed with the case's key when a person typed it), date (due),
                    // strand_id, workflow, role (assignee kind: user | team | client) with
                    // user_id, team_id or client_id, client_task, access
  kTaskAssigned,    // item_id, role (assignee kind) with user_id, team_id or client_id
  kTaskStarted,     // item_id
  kTaskCompleted,   // item_id, role (by: officer | client | provider), user_id (who),
                    // organisation (a provider's)
  kTaskReopened,    // item_id
  kTaskCancelled,   // item_id, reason (sealed)
  kTaskDueChanged,  // item_id, date (due; none: no due date)
  kTaskClosed,      // item_id, reason (the engine's: the case closed, the strand moved or
                    // closed)
};

// How many event types this build knows: EventType values are 0 .. kEventTypeCount - 1
// (the last one above is the last value).
inline constexpr size_t kEventTypeCount = static_cast<size_t>(EventType::kTaskClosed) + 1;

// What a deletion does (the `mode` of ClientDeleted and CaseDeleted, stored by name).
enum class DeleteMode : uint8_t {
  kNone,   // not a deletion
  kSoft,   // hidden, restorable by an administrator
  kErase,  // the subject's keys destroyed: gone for good
};
// "soft", "erase" ("" for kNone).
const char* DeleteModeName(DeleteMode mode);
// False for a name that is none of them ("" is kNone).
bool ParseDeleteMode(std::string_view name, DeleteMode* mode);

// Streams: client-<id>, case-<id>, lobby-<id>, and the one settings stream.
enum class StreamKind { kOther, kClient, kCase, kLobby, kSettings };
inline constexpr const char* kSettingsStream = "settings";
std::string ClientStream(const std::string& client_id);
std::string CaseStream(const std::string& case_id);
std::string LobbyStream(const std::string& lobby_id);
// The kind of a stream and the id in it ("case-42": kCase, "42"); kOther and an empty id
// for a stream of no aggregate. `id` points into `stream`.
StreamKind ParseStream(std::string_view stream, std::string_view* id);

const char* EventTypeName(EventType type);
// Events whose free text (title, reason, referrer) a person typed, and which are therefore
// sealed with their subject's key (event_codec.h): an action's title, a case's close and
// reopen reasons, a referral's referrer. Readers that show the text open these.
bool HasFreeText(EventType type);
// False for a name this build does not know.
bool ParseEventType(std::string_view name, EventType* type);

// Personal data of one subject. Absent fields were not given (or not changed); `erased`
// means the subject's key is gone and the fields can no longer be read.
struct PersonalFields {
  std::optional<std::string> surname, forenames, date_of_birth, nino, email, phone, postcode, text;
  bool erased = false;

  bool Empty() const {
    return !surname && !forenames && !date_of_birth && !nino && !email && !phone && !postcode &&
           !text;
  }
  // Sets the fields present in `other`.
  void Merge(const PersonalFields& other);
};

struct Event {
  EventType type = EventType::kClientRegistered;
  std::string client_id, case_id, user_id, role, team_id, status, client_type, case_number, group,
      relationship, date, reason, title, item_id, strand_id, strand_type, other_case_id,
      other_item_id, source, referrer;
  // Settings and tasks (see the event types above).
  std::string workflow, trigger, access, organisation;
  std::vector<std::string> list;
  int due_days = -1;  // -1: none
  bool client_task = false;
  DeleteMode mode = DeleteMode::kNone;
  bool joint_applicant = false;
  bool resend = false;
  std::string subject;  // the stream whose key seals `personal` ("client-<id>")
  PersonalFields personal;
};

}  // namespace caseengine
