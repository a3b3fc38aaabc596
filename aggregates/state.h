// The state of a client and of a case, folded from their streams by Evolve. Decide reads
// these; nothing else changes them. Plain values: copyable, no threading of their own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aggregates/event.h"
#include "aggregates/task.h"

namespace caseengine {

struct ClientState {
  bool exists = false;
  uint64_t version = 0;  // of its stream
  std::string id;
  PersonalFields personal;
  std::string status = "active";  // active | inactive | closed
  std::string client_type;
  std::string case_number;
  std::set<std::string> groups;
  std::set<std::string> navigators;
  std::string portal_status = "pending";  // pending | active | banned
  int invitations_sent = 0;
  std::optional<std::string> invitation_email;  // where the first invitation went
  std::vector<std::string> cases;               // live cases, in the order they were opened
  std::vector<std::string> deleted_cases;       // deleted on their own: an erasure reaches them too
  std::vector<std::string> lobby_records;       // referrals it was created from or assigned
  bool deleted = false;                         // soft-deleted (hidden) or erased
  bool erased = false;  // its key is destroyed: personal data is gone for good
};

struct CaseOfficer {
  std::string user_id;
  std::string role;  // primary | secondary | supervisor | other
  bool operator==(const CaseOfficer&) const = default;
};

struct CasePerson {
  std::string client_id;
  std::string relationship;  // to the primary applicant; "self" for them
  bool joint_applicant = false;
  std::string date_joined;
  std::string date_left;  // empty while on the case; people are never removed
};

struct CaseAction {
  std::string id;
  std::string title;
  std::string due;
  std::string strand_id;
  std::string status = "open";  // open | completed | closed
};

// An application or assessment on a case.
struct CaseStrand {
  std::string id;
  std::string type;                            // housing_register, homeless_application, ...
  std::string status = "open";                 // open | closed | cancelled | closed_moved
  std::string created_by;                      // the strand that created it automatically, if any
  std::string moved_to_case, moved_to_strand;  // when closed_moved
  std::string moved_from_case, moved_from_strand;  // when it arrived by a move
  bool Current() const { return status == "open"; }
};

struct JournalEntry {
  std::string text;
  std::string strand_id;
  std::string other_case_id, other_strand_id;
};

struct CaseState {
  bool exists = false;
  bool deleted = false;
  bool deleted_with_client = false;  // comes back when the client is restored
  uint64_t version = 0;
  std::string id;
  std::string client_id;          // the client record it was opened on
  std::string primary_applicant;  // a client id
  std::string status = "open";    // open | closed
  std::string opened_on;
  std::string close_reason;
  std::string team_id;
  std::vector<CaseOfficer> officers;
  std::vector<CasePerson> people;
  std::vector<CaseAction> actions;
  std::vector<CaseTask> tasks;
  std::vector<CaseStrand> strands;
  std::vector<JournalEntry> journal;
  int notes = 0;
  std::map<std::string, int> strand_notes;  // notes per strand id
  // Providers' organisations working on the case (it was opened from their referral).
  std::set<std::string> organisations;

  bool Active() const { return exists && !deleted && status == "open"; }
  const CaseStrand* Strand(const std::string& strand_id) const;

  const CasePerson* Person(const std::string& client_id) const;
  const CaseAction* Action(const std::string& action_id) const;
  const CaseTask* Task(const std::string& task_id) const;
  // The first primary officer's user id; "" when the case has none.
  std::string PrimaryOfficer() const;
  bool HasOfficer(const std::string& user_id, const std::string& role) const;
};

// A referral in the Lobby: not yet a client. Each record is worked once: claimed, then
// assigned to a client, made into a new client, or removed; none of those can be undone.
struct LobbyState {
  bool exists = false;
  uint64_t version = 0;
  std::string id;
  std::string source;  // self | duty_to_refer | third_party | provider
  std::string referrer;
  std::string organisation;  // the provider's that referred it, if one did
  PersonalFields personal;
  std::string status = "received";  // received | claimed | assigned | created | removed
  std::string claimed_by;
  std::string client_id, case_id;  // what it became
  bool Decided() const {
    return status == "assigned" || status == "created" || status == "removed";
  }
};

// Folds one event of the aggregate's stream into its state. Pure.
void Evolve(ClientState* state, const Event& event);
void Evolve(CaseState* state, const Event& event);
void Evolve(LobbyState* state, const Event& event);
// The part of Evolve(CaseState*) for the task events (evolve_tasks.cc); nothing for others.
void EvolveTasks(CaseState* state, const Event& event);

}  // namespace caseengine
