// JSON shapes of aggregates: see state_json.h.
#include "aggregates/state_json.h"

namespace caseengine {

nlohmann::json PersonalToJson(const PersonalFields& p) {
  nlohmann::json j = nlohmann::json::object();
  if (p.erased) {
    j["erased"] = true;
    return j;
  }
  auto put = [&](const char* name, const std::optional<std::string>& v) {
    if (v) j[name] = *v;
  };
  put("surname", p.surname);
  put("forenames", p.forenames);
  put("date_of_birth", p.date_of_birth);
  put("nino", p.nino);
  put("email", p.email);
  put("phone", p.phone);
  put("postcode", p.postcode);
  put("text", p.text);
  return j;
}

nlohmann::json ClientToJson(const ClientState& s) {
  nlohmann::json j = {{"client_id", s.id}};
  j.update(PersonalToJson(s.personal));
  j["status"] = s.status;
  j["client_type"] = s.client_type;
  j["case_number"] = s.case_number;
  j["groups"] = s.groups;
  j["navigators"] = s.navigators;
  j["portal_status"] = s.portal_status;
  j["invitations_sent"] = s.invitations_sent;
  j["cases"] = s.cases;
  j["deleted"] = s.deleted;
  // The details are gone once the key is, also in the state as it was before the erasure.
  j["erased"] = s.erased || s.personal.erased;
  j["version"] = s.version;
  return j;
}

nlohmann::json CaseToJson(const CaseState& s) {
  nlohmann::json j = {
      {"case_id", s.id},     {"client_id", s.client_id}, {"primary_applicant", s.primary_applicant},
      {"status", s.status},  {"opened_on", s.opened_on}, {"close_reason", s.close_reason},
      {"team_id", s.team_id}};
  j["officers"] = nlohmann::json::array();
  for (const auto& o : s.officers)
    j["officers"].push_back({{"user_id", o.user_id}, {"role", o.role}});
  j["people"] = nlohmann::json::array();
  for (const auto& p : s.people) {
    nlohmann::json person = {{"client_id", p.client_id},
                             {"relationship", p.relationship},
                             {"joint_applicant", p.joint_applicant},
                             {"date_joined", p.date_joined}};
    person["date_left"] = p.date_left.empty() ? nlohmann::json() : nlohmann::json(p.date_left);
    j["people"].push_back(std::move(person));
  }
  j["strands"] = nlohmann::json::array();
  for (const auto& st : s.strands) {
    nlohmann::json strand = {{"strand_id", st.id}, {"type", st.type}, {"status", st.status}};
    if (!st.created_by.empty()) strand["created_by"] = st.created_by;
    if (!st.moved_to_case.empty()) {
      strand["moved_to"] = {{"case_id", st.moved_to_case}, {"strand_id", st.moved_to_strand}};
    }
    if (!st.moved_from_case.empty()) {
      strand["moved_from"] = {{"case_id", st.moved_from_case}, {"strand_id", st.moved_from_strand}};
    }
    auto notes = s.strand_notes.find(st.id);
    strand["notes"] = notes == s.strand_notes.end() ? 0 : notes->second;
    j["strands"].push_back(std::move(strand));
  }
  j["actions"] = nlohmann::json::array();
  for (const auto& a : s.actions) {
    j["actions"].push_back({{"action_id", a.id},
                            {"title", a.title},
                            {"due", a.due},
                            {"strand_id", a.strand_id},
                            {"status", a.status}});
  }
  j["tasks"] = nlohmann::json::array();
  for (const auto& t : s.tasks) j["tasks"].push_back(TaskToJson(t));
  if (!s.organisations.empty()) j["organisations"] = s.organisations;
  j["notes"] = s.notes;
  j["deleted"] = s.deleted;
  j["version"] = s.version;
  return j;
}

nlohmann::json TaskToJson(const CaseTask& t) {
  nlohmann::json j = {{"task_id", t.id},
                      {"name", t.name},
                      {"status", TaskStatusName(t.status)},
                      {"due", t.due},
                      {"assignee", AssigneeText(t.assignee)},
                      {"client_task", t.client_task},
                      {"provider_access", ProviderAccessName(t.access)}};
  if (!t.type_id.empty()) j["task_type"] = t.type_id;
  if (!t.strand_id.empty()) j["strand_id"] = t.strand_id;
  if (!t.workflow.empty()) j["workflow"] = t.workflow;
  if (t.done_by != TaskDoneBy::kNone) {
    j["done_by"] = TaskDoneByName(t.done_by);
    j["done_by_user"] = t.done_by_user;
  }
  return j;
}

nlohmann::json TaskTypeToJson(const TaskType& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"strand_types", t.strand_types},
          {"client_task", t.client_task},
          {"provider_access", ProviderAccessName(t.access)},
          {"due_days", t.due_days < 0 ? nlohmann::json() : nlohmann::json(t.due_days)},
          {"retired", t.retired}};
}

nlohmann::json WorkflowToJson(const Workflow& w) {
  nlohmann::json j = {{"id", w.id},
                      {"name", w.name},
                      {"trigger", WorkflowTriggerName(w.trigger)},
                      {"task_types", w.task_types},
                      {"retired", w.retired}};
  if (!w.strand_type.empty()) j["strand_type"] = w.strand_type;
  return j;
}

nlohmann::json LobbyToJson(const LobbyState& s) {
  nlohmann::json j = {{"lobby_id", s.id}, {"source", s.source}, {"referrer", s.referrer}};
  j.update(PersonalToJson(s.personal));
  j["status"] = s.status;
  j["claimed_by"] = s.claimed_by;
  j["client_id"] = s.client_id;
  j["case_id"] = s.case_id;
  j["version"] = s.version;
  return j;
}

nlohmann::json EventFieldsToJson(const Event& e) {
  nlohmann::json j = nlohmann::json::object();
  auto put = [&](const char* name, const std::string& v) {
    if (!v.empty()) j[name] = v;
  };
  put("client_id", e.client_id);
  put("case_id", e.case_id);
  put("user_id", e.user_id);
  put("role", e.role);
  put("team_id", e.team_id);
  put("status", e.status);
  put("client_type", e.client_type);
  put("case_number", e.case_number);
  put("group", e.group);
  put("relationship", e.relationship);
  put("date", e.date);
  put("reason", e.reason);
  put("title", e.title);
  put("item_id", e.item_id);
  put("strand_id", e.strand_id);
  put("strand_type", e.strand_type);
  put("other_case_id", e.other_case_id);
  put("other_item_id", e.other_item_id);
  put("mode", DeleteModeName(e.mode));
  put("source", e.source);
  put("referrer", e.referrer);
  if (e.joint_applicant) j["joint_applicant"] = true;
  if (e.resend) j["resend"] = true;
  if (!e.personal.Empty() || e.personal.erased) j["personal"] = PersonalToJson(e.personal);
  return j;
}

}  // namespace caseengine
