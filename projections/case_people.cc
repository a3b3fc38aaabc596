// CasePeople and CasePeopleProjection: see case_people.h.
#include "projections/case_people.h"

#include <algorithm>
#include <mutex>

namespace caseengine {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CasePeopleClient, surname, forenames, deleted)

void WriteJson(JsonWriter* w, const CasePeopleClient& c) {
  w->BeginObject()
      .FieldIfSet("surname", c.surname)
      .FieldIfSet("forenames", c.forenames)
      .FlagIfSet("deleted", c.deleted)
      .EndObject();
}

// Defaults (deleted: false, joint_applicant: false, no date_left) are left out.
void WriteJson(JsonWriter* w, const CasePeopleCase& c) {
  w->BeginObject()
      .Field("case_id", c.case_id)
      .Field("client_id", c.client_id)
      .Field("primary_applicant", c.primary_applicant)
      .FlagIfSet("deleted", c.deleted);
  w->Key("people").BeginArray();
  for (const CasePersonStay& s : c.people) {
    w->BeginObject()
        .Field("client_id", s.client_id)
        .Field("relationship", s.relationship)
        .Field("date_joined", s.date_joined)
        .FlagIfSet("joint_applicant", s.joint_applicant)
        .FieldIfSet("date_left", s.date_left)
        .EndObject();
  }
  w->EndArray().EndObject();
}

void from_json(const nlohmann::json& j, CasePersonStay& s) {
  s = CasePersonStay();
  s.client_id = j.value("client_id", "");
  s.relationship = j.value("relationship", "");
  s.date_joined = j.value("date_joined", "");
  s.joint_applicant = j.value("joint_applicant", false);
  s.date_left = j.value("date_left", "");
}

void from_json(const nlohmann::json& j, CasePeopleCase& c) {
  c = CasePeopleCase();
  c.case_id = j.value("case_id", "");
  c.client_id = j.value("client_id", "");
  c.primary_applicant = j.value("primary_applicant", "");
  c.deleted = j.value("deleted", false);
  auto it = j.find("people");
  if (it != j.end()) it->get_to(c.people);
}

namespace {

const CasePeopleClient kNoPerson;

const CasePeopleClient& PersonOf(const CasePersonRow& r) {
  return r.stay->person != nullptr ? *r.stay->person : kNoPerson;
}

const std::vector<ListColumn<CasePersonRow>>& Columns() {
  using R = CasePersonRow;
  using S = CasePersonStay;
  auto text = [](std::string S::*field) {
    return [field](const R& r) { return Cell::Text(r.stay->*field); };
  };
  auto person_name = [](std::string CasePeopleClient::*field) {
    return [field](const R& r) { return Cell::Name(PersonOf(r).*field); };
  };
  static const std::vector<ListColumn<R>> kColumns = {
      {"stay_id", text(&S::stay_id), nullptr},
      {"case_id", [](const R& r) { return Cell::Text(r.kase->case_id); }, nullptr},
      {"client_id", text(&S::client_id), nullptr},
      {"surname", person_name(&CasePeopleClient::surname), nullptr},
      {"forenames", person_name(&CasePeopleClient::forenames), nullptr},
      {"relationship", text(&S::relationship), nullptr},
      {"joint_applicant", [](const R& r) { return Cell::Num(r.stay->joint_applicant ? 1 : 0); },
       [](const R& r, JsonWriter* w) { w->Bool(r.stay->joint_applicant); }},
      {"date_joined", text(&S::date_joined), nullptr},
      {"date_left", text(&S::date_left), nullptr},
      {"current", [](const R& r) { return Cell::Num(r.stay->current() ? 1 : 0); },
       [](const R& r, JsonWriter* w) { w->Bool(r.stay->current()); }},
  };
  return kColumns;
}

}  // namespace

const std::vector<std::string>& CasePeople::FilterNames() {
  static const std::vector<std::string> kNames = {"case_id", "client_id", "current"};
  return kNames;
}

std::vector<std::string> CasePeople::ColumnNames() { return ColumnNamesOf(Columns()); }

size_t CasePeople::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return cases_.size();
}

Status CasePeople::Query(const CasePeopleQuery& query, ListPage* page) const {
  Status checked = CheckFilters(query.filters, FilterNames());
  if (!checked.ok()) return checked;
  auto get = [&](const char* name) { return FilterValue(query.filters, name); };
  const std::string* case_id = get("case_id");
  const std::string* client_id = get("client_id");
  const std::string* current = get("current");
  if (current != nullptr && *current != "true" && *current != "false") {
    return Status::InvalidArgument("filter 'current' must be true or false, not '" + *current +
                                   "'");
  }
  const bool want_current = current != nullptr && *current == "true";

  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<CasePersonRow> views;
  auto consider = [&](const CasePeopleCase& c) {
    if (c.deleted) return;
    for (const CasePersonStay& s : c.people) {
      if (client_id && s.client_id != *client_id) continue;
      if (s.person != nullptr && s.person->deleted) continue;  // hidden until restored
      if (current && s.current() != want_current) continue;
      views.push_back({&c, &s});
    }
  };
  // The id filters pick their cases from an index; the rest walk every case.
  if (case_id != nullptr) {
    if (const CasePeopleCase* c = cases_.Find(*case_id)) consider(*c);
  } else if (client_id != nullptr) {
    auto it = cases_of_person_.find(*client_id);
    if (it != cases_of_person_.end()) {
      for (const CasePeopleCase* c : it->second) consider(*c);
    }
  } else {
    cases_.ForEach(consider);
  }
  return PageOfViews(views, Columns(), "case_id,date_joined", query.list, page);
}

void CasePeople::Derive(CasePeopleCase* c, size_t index) {
  CasePersonStay& s = c->people[index];
  int n = 1;
  for (size_t i = 0; i < index; ++i) n += c->people[i].client_id == s.client_id;
  s.stay_id.clear();
  s.stay_id.append(c->case_id)
      .append("/")
      .append(s.client_id)
      .append("/")
      .append(std::to_string(n));
  s.person = clients_.Find(s.client_id);
  auto& cases = cases_of_person_[s.client_id];
  if (std::find(cases.begin(), cases.end(), c) == cases.end()) cases.push_back(c);
}

void CasePeople::RemoveCase(const std::string& case_id) {
  CasePeopleCase* c = cases_.Find(case_id);
  if (c == nullptr) return;
  for (const CasePersonStay& s : c->people) {
    auto it = cases_of_person_.find(s.client_id);
    if (it == cases_of_person_.end()) continue;
    std::erase(it->second, c);
    if (it->second.empty()) cases_of_person_.erase(it);
  }
  cases_.Remove(case_id);
}

Status CasePeopleProjection::Load(const Store& store, FamilyId family) {
  auto& p = people_;
  std::unique_lock<std::shared_mutex> lock(p.mu_);
  p.cases_of_person_.clear();
  Status s = p.clients_.Load(store, family);
  if (s.ok()) s = p.cases_.Load(store, family);
  if (!s.ok()) return s;
  // What is derived is not stored. The rows are the table's own (non-const) objects,
  // handed out const by ForEach.
  p.cases_.ForEach([&](const CasePeopleCase& c) {
    for (size_t i = 0; i < c.people.size(); ++i) p.Derive(const_cast<CasePeopleCase*>(&c), i);
  });
  return Status::Ok();
}

void CasePeopleProjection::Reset() {
  auto& p = people_;
  std::unique_lock<std::shared_mutex> lock(p.mu_);
  p.cases_.Clear();
  p.clients_.Clear();
  p.cases_of_person_.clear();
}

void CasePeopleProjection::Flush(RowWriter* rows) {
  auto& p = people_;
  std::unique_lock<std::shared_mutex> lock(p.mu_);
  p.clients_.Flush(rows);
  p.cases_.Flush(rows);
}

void CasePeopleProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr) return;
  const Event& e = *pe.event;
  switch (e.type) {
    case EventType::kClientRegistered:
    case EventType::kClientDetailsCorrected:
    case EventType::kCaseOpened:
    case EventType::kPersonAdded:
    case EventType::kPersonLeft:
    case EventType::kPrimaryApplicantSwitched:
    case EventType::kCaseRestored:
    case EventType::kClientDeleted:
    case EventType::kClientRestored:
      break;
    case EventType::kCaseDeleted:
      break;
    default:
      return;  // before the lock: most events change nothing here
  }
  auto& p = people_;
  std::unique_lock<std::shared_mutex> lock(p.mu_);

  if (pe.kind == StreamKind::kClient) {
    const std::string id(pe.id);
    if (e.type == EventType::kClientDeleted && e.mode != DeleteMode::kErase) {
      if (CasePeopleClient* c = p.clients_.Change(id)) c->deleted = true;
      return;
    }
    if (e.type == EventType::kClientRestored) {
      if (CasePeopleClient* c = p.clients_.Change(id)) c->deleted = false;
      return;
    }
    if (e.type == EventType::kClientDeleted) {
      p.clients_.Remove(id);
      // Cases deleted earlier with a soft delete of the client get no CaseDeleted of their
      // own when the client is erased; they go with it here.
      auto it = p.cases_of_person_.find(id);
      if (it == p.cases_of_person_.end()) return;
      std::vector<std::string> owned;
      for (const CasePeopleCase* c : it->second) {
        if (c->client_id == id) owned.push_back(c->case_id);
      }
      for (const std::string& case_id : owned) p.RemoveCase(case_id);
      return;
    }
    CasePeopleClient* c =
        e.type == EventType::kClientRegistered ? p.clients_.Upsert(id) : p.clients_.Change(id);
    if (c == nullptr) return;
    if (e.personal.surname) c->surname = *e.personal.surname;
    if (e.personal.forenames) c->forenames = *e.personal.forenames;
    return;
  }
  if (pe.kind != StreamKind::kCase) return;
  const std::string id(pe.id);
  if (e.type == EventType::kCaseDeleted && e.mode == DeleteMode::kErase) {
    p.RemoveCase(id);
    return;
  }
  CasePeopleCase* c = e.type == EventType::kCaseOpened ? p.cases_.Upsert(id) : p.cases_.Change(id);
  if (c == nullptr) return;

  auto add_stay = [&](const std::string& client_id, const std::string& relationship, bool joint,
                      const std::string& date) {
    CasePersonStay& s = c->people.emplace_back();
    s.client_id = client_id;
    s.relationship = relationship;
    s.joint_applicant = joint;
    s.date_joined = date;
    p.Derive(c, c->people.size() - 1);
  };

  switch (e.type) {
    case EventType::kCaseOpened:
      c->case_id = id;
      c->client_id = e.client_id;
      c->primary_applicant = e.client_id;
      add_stay(e.client_id, "self", false, e.date);
      break;
    case EventType::kPersonAdded:
      add_stay(e.client_id, e.relationship, e.joint_applicant, e.date);
      break;
    case EventType::kPersonLeft:
      for (CasePersonStay& s : c->people) {
        if (s.client_id == e.client_id && s.current()) s.date_left = e.date;
      }
      break;
    case EventType::kPrimaryApplicantSwitched:
      // As Evolve does: only people still on the case change.
      for (CasePersonStay& s : c->people) {
        if (!s.current()) continue;
        if (s.client_id == c->primary_applicant) s.relationship = "other";
        if (s.client_id == e.client_id) {
          s.relationship = "self";
          s.joint_applicant = false;
        }
      }
      c->primary_applicant = e.client_id;
      break;
    case EventType::kCaseDeleted:
      c->deleted = true;
      break;
    case EventType::kCaseRestored:
      c->deleted = false;
      break;
    default:
      break;
  }
}

}  // namespace caseengine
