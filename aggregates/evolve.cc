// Evolve: see state.h. One switch per aggregate; events of other aggregates' types never
// reach them (each stream holds only its own).
#include <algorithm>

#include "aggregates/state.h"

namespace caseengine {

const CasePerson* CaseState::Person(const std::string& client_id) const {
  // The latest stay: someone who left and came back has an entry per stay.
  for (auto it = people.rbegin(); it != people.rend(); ++it) {
    if (it->client_id == client_id) return &*it;
  }
  return nullptr;
}

const CaseAction* CaseState::Action(const std::string& action_id) const {
  for (const auto& a : actions) {
    if (a.id == action_id) return &a;
  }
  return nullptr;
}

const CaseTask* CaseState::Task(const std::string& task_id) const {
  for (const auto& t : tasks) {
    if (t.id == task_id) return &t;
  }
  return nullptr;
}

std::string CaseState::PrimaryOfficer() const {
  for (const auto& o : officers) {
    if (o.role == "primary") return o.user_id;
  }
  return std::string();
}

const CaseStrand* CaseState::Strand(const std::string& strand_id) const {
  for (const auto& s : strands) {
    if (s.id == strand_id) return &s;
  }
  return nullptr;
}

bool CaseState::HasOfficer(const std::string& user_id, const std::string& role) const {
  return std::find(officers.begin(), officers.end(), CaseOfficer{user_id, role}) != officers.end();
}

void Evolve(ClientState* s, const Event& e) {
  s->version++;
  switch (e.type) {
    case EventType::kClientRegistered:
      s->exists = true;
      s->id = e.client_id;
      s->personal = e.personal;
      s->client_type = e.client_type;
      s->cases = {e.case_id};
      if (!e.item_id.empty()) s->lobby_records.push_back(e.item_id);
      break;
    case EventType::kClientDetailsCorrected:
      s->personal.Merge(e.personal);
      break;
    case EventType::kClientStatusChanged:
      s->status = e.status;
      break;
    case EventType::kClientTypeChanged:
      s->client_type = e.client_type;
      break;
    case EventType::kCaseNumberChanged:
      s->case_number = e.case_number;
      break;
    case EventType::kClientAddedToGroup:
      s->groups.insert(e.group);
      break;
    case EventType::kClientRemovedFromGroup:
      s->groups.erase(e.group);
      break;
    case EventType::kNavigatorAssigned:
      s->navigators.insert(e.user_id);
      break;
    case EventType::kNavigatorUnassigned:
      s->navigators.erase(e.user_id);
      break;
    case EventType::kPortalStatusChanged:
      s->portal_status = e.status;
      break;
    case EventType::kPortalInvitationSent:
      // A resend goes where the original went; remember that address.
      if (s->invitations_sent++ == 0 || !s->invitation_email) {
        s->invitation_email = e.personal.email;
      }
      break;
    case EventType::kClientCaseAdded:
      s->cases.push_back(e.case_id);
      if (!e.item_id.empty()) s->lobby_records.push_back(e.item_id);
      break;
    case EventType::kClientCaseDeleted:
      s->cases.erase(std::remove(s->cases.begin(), s->cases.end(), e.case_id), s->cases.end());
      s->deleted_cases.push_back(e.case_id);
      break;
    case EventType::kClientDeleted:
      s->deleted = true;
      if (e.mode == DeleteMode::kErase) {
        s->erased = true;
        s->personal = PersonalFields();
        s->personal.erased = true;
        s->invitation_email.reset();
      }
      break;
    case EventType::kClientRestored:
      s->deleted = false;
      break;
    default:
      break;
  }
}

void Evolve(CaseState* s, const Event& e) {
  s->version++;
  switch (e.type) {
    case EventType::kCaseOpened:
      s->exists = true;
      s->id = e.case_id;
      s->client_id = e.client_id;
      s->primary_applicant = e.client_id;
      s->opened_on = e.date;
      s->team_id = e.team_id;
      s->officers = {{e.user_id, "primary"}};
      s->people = {{e.client_id, "self", false, e.date, ""}};
      if (!e.organisation.empty()) s->organisations.insert(e.organisation);
      break;
    case EventType::kOfficerAssigned:
      s->officers.push_back({e.user_id, e.role});
      break;
    case EventType::kOfficerUnassigned:
      s->officers.erase(
          std::remove(s->officers.begin(), s->officers.end(), CaseOfficer{e.user_id, e.role}),
          s->officers.end());
      break;
    case EventType::kTeamAssigned:
      s->team_id = e.team_id;
      break;
    case EventType::kPersonAdded:
      // A new entry for every stay: the list keeps who was on the case at what time.
      s->people.push_back({e.client_id, e.relationship, e.joint_applicant, e.date, ""});
      break;
    case EventType::kPersonLeft:
      for (auto& p : s->people) {
        if (p.client_id == e.client_id && p.date_left.empty()) p.date_left = e.date;
      }
      break;
    case EventType::kPrimaryApplicantSwitched:
      for (auto& p : s->people) {
        if (!p.date_left.empty()) continue;
        if (p.client_id == s->primary_applicant) p.relationship = "other";
        if (p.client_id == e.client_id) {
          p.relationship = "self";
          p.joint_applicant = false;
        }
      }
      s->primary_applicant = e.client_id;
      break;
    case EventType::kCaseClosed:
      s->status = "closed";
      s->close_reason = e.reason;
      break;
    case EventType::kCaseReopened:
      s->status = "open";
      s->close_reason.clear();
      break;
    case EventType::kCaseDeleted:
      s->deleted = true;
      s->deleted_with_client = e.reason == "client deleted";
      break;
    case EventType::kCaseRestored:
      s->deleted = false;
      s->deleted_with_client = false;
      break;
    case EventType::kNoteAdded:
      s->notes++;
      if (!e.strand_id.empty()) s->strand_notes[e.strand_id]++;
      break;
    case EventType::kActionCreated:
      s->actions.push_back({e.item_id, e.title, e.date, e.strand_id, "open"});
      break;
    case EventType::kActionCompleted:
      for (auto& a : s->actions) {
        if (a.id == e.item_id) a.status = "completed";
      }
      break;
    case EventType::kActionClosed:
      for (auto& a : s->actions) {
        if (a.id == e.item_id) a.status = "closed";
      }
      break;
    case EventType::kStrandAdded: {
      CaseStrand strand;
      strand.id = e.item_id;
      strand.type = e.strand_type;
      strand.created_by = e.other_item_id;
      s->strands.push_back(strand);
      break;
    }
    case EventType::kStrandStatusChanged:
      for (auto& st : s->strands) {
        if (st.id == e.item_id) st.status = e.status;
      }
      break;
    case EventType::kStrandMovedOut:
      for (auto& st : s->strands) {
        if (st.id != e.item_id) continue;
        st.status = "closed_moved";
        st.moved_to_case = e.other_case_id;
        st.moved_to_strand = e.other_item_id;
      }
      break;
    case EventType::kStrandMovedIn: {
      CaseStrand strand;
      strand.id = e.item_id;
      strand.type = e.strand_type;
      strand.moved_from_case = e.other_case_id;
      strand.moved_from_strand = e.other_item_id;
      s->strands.push_back(strand);
      break;
    }
    case EventType::kJournalWritten:
      s->journal.push_back({e.title, e.strand_id, e.other_case_id, e.other_item_id});
      break;
    default:
      EvolveTasks(s, e);
      break;
  }
}

void Evolve(LobbyState* s, const Event& e) {
  s->version++;
  switch (e.type) {
    case EventType::kReferralReceived:
      s->exists = true;
      s->id = e.item_id;
      s->source = e.source;
      s->referrer = e.referrer;
      s->organisation = e.organisation;
      s->personal = e.personal;
      break;
    case EventType::kLobbyRecordClaimed:
      s->status = "claimed";
      s->claimed_by = e.user_id;
      break;
    case EventType::kLobbyRecordAssigned:
      s->status = "assigned";
      s->client_id = e.client_id;
      s->case_id = e.case_id;
      break;
    case EventType::kLobbyClientCreated:
      s->status = "created";
      s->client_id = e.client_id;
      s->case_id = e.case_id;
      break;
    case EventType::kLobbyRecordRemoved:
      s->status = "removed";
      s->personal = PersonalFields();
      s->personal.erased = true;
      break;
    default:
      break;
  }
}

}  // namespace caseengine
