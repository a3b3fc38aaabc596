// CaseOfficers and CaseOfficersProjection: see case_officers.h.
#include "projections/case_officers.h"

#include <algorithm>
#include <mutex>

namespace caseengine {

// A default (deleted: false) is left out, and the officers are [user_id, role] pairs.
void WriteJson(JsonWriter* w, const CaseOfficersCase& c) {
  w->BeginObject()
      .Field("case_id", c.case_id)
      .Field("client_id", c.client_id)
      .Field("status", c.status)
      .Field("team_id", c.team_id)
      .Field("opened_on", c.opened_on)
      .FlagIfSet("deleted", c.deleted);
  w->Key("officers").BeginArray();
  for (const CaseOfficerAssignment& a : c.officers) {
    w->BeginArray().String(a.user_id).String(a.role).EndArray();
  }
  w->EndArray().EndObject();
}

void from_json(const nlohmann::json& j, CaseOfficersCase& c) {
  c = CaseOfficersCase();
  c.case_id = j.value("case_id", "");
  c.client_id = j.value("client_id", "");
  c.status = j.value("status", "open");
  c.team_id = j.value("team_id", "");
  c.opened_on = j.value("opened_on", "");
  c.deleted = j.value("deleted", false);
  auto it = j.find("officers");
  if (it == j.end() || !it->is_array()) return;
  for (const nlohmann::json& pair : *it) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      continue;
    }
    CaseOfficerAssignment& a = c.officers.emplace_back();
    a.user_id = pair[0].get<std::string>();
    a.role = pair[1].get<std::string>();
  }
}

namespace {

enum RoleCode : uint8_t { kPrimary, kSecondary, kSupervisor, kOther, kUnknown };

uint8_t RoleCodeOf(const std::string& role) {
  if (role == "primary") return kPrimary;
  if (role == "secondary") return kSecondary;
  if (role == "supervisor") return kSupervisor;
  if (role == "other") return kOther;
  return kUnknown;  // a role a later configuration may add: counted with "other"
}

const std::vector<ListColumn<CaseOfficerRow>>& Columns() {
  using R = CaseOfficerRow;
  using C = CaseOfficersCase;
  using A = CaseOfficerAssignment;
  auto text = [](std::string A::*field) {
    return [field](const R& r) { return Cell::Text(r.assignment->*field); };
  };
  auto case_text = [](std::string C::*field) {
    return [field](const R& r) { return Cell::Text(r.kase->*field); };
  };
  static const std::vector<ListColumn<R>> kColumns = {
      {"assignment_id", text(&A::assignment_id), nullptr},
      {"case_id", case_text(&C::case_id), nullptr},
      {"user_id", text(&A::user_id), nullptr},
      {"role", text(&A::role), nullptr},
      {"case_status", case_text(&C::status), nullptr},
      {"team_id", case_text(&C::team_id), nullptr},
      {"client_id", case_text(&C::client_id), nullptr},
      {"opened_on", case_text(&C::opened_on), nullptr},
  };
  return kColumns;
}

void WithTasks(const CaseOfficersQuery& query, OfficerWorkload* w) {
  auto it = query.tasks.find(w->officer);
  if (it == query.tasks.end()) return;
  w->open_tasks = it->second.open;
  w->overdue_tasks = it->second.overdue;
}

const std::vector<ListColumn<OfficerWorkload>>& GroupColumns() {
  using W = OfficerWorkload;
  auto num = [](int64_t W::*field) { return [field](const W& w) { return Cell::Num(w.*field); }; };
  static const std::vector<ListColumn<W>> kColumns = {
      {"officer", [](const W& w) { return Cell::Text(w.officer); }, nullptr},
      {"cases", num(&W::cases), nullptr},
      {"open_cases", num(&W::open_cases), nullptr},
      {"assignments", num(&W::assignments), nullptr},
      {"primary", num(&W::primary), nullptr},
      {"secondary", num(&W::secondary), nullptr},
      {"supervisor", num(&W::supervisor), nullptr},
      {"other", num(&W::other), nullptr},
      {"open_tasks", num(&W::open_tasks), nullptr},
      {"overdue_tasks", num(&W::overdue_tasks), nullptr},
  };
  return kColumns;
}

}  // namespace

const std::vector<std::string>& CaseOfficers::FilterNames() {
  static const std::vector<std::string> kNames = {"officer", "case_id", "role", "team",
                                                  "case_status"};
  return kNames;
}

std::vector<std::string> CaseOfficers::ColumnNames() { return ColumnNamesOf(Columns()); }

std::vector<std::string> CaseOfficers::GroupColumnNames() { return ColumnNamesOf(GroupColumns()); }

size_t CaseOfficers::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return cases_.size();
}

Status CaseOfficers::Query(const CaseOfficersQuery& query, ListPage* page) const {
  Status checked = CheckFilters(query.filters, FilterNames());
  if (!checked.ok()) return checked;
  if (!query.group_by.empty() && query.group_by != "officer") {
    return Status::InvalidArgument("cannot group by '" + query.group_by +
                                   "'; the case officers list groups by officer");
  }
  auto get = [&](const char* name) { return FilterValue(query.filters, name); };
  const std::string* officer = get("officer");
  const std::string* case_id = get("case_id");
  const std::string* role = get("role");
  const std::string* team = get("team");
  const std::string* status = get("case_status");
  const bool grouped = !query.group_by.empty();

  std::shared_lock<std::shared_mutex> lock(mu_);
  // Filters become numbers once, so the pass below compares numbers. A value nothing has
  // (an officer with no assignment, an unknown team) matches nothing.
  bool none = false;
  auto number = [&](const std::string* value,
                    const std::unordered_map<std::string, uint32_t>& numbers) -> uint32_t {
    if (value == nullptr) return 0;
    auto it = numbers.find(*value);
    if (it != numbers.end()) return it->second;
    none = true;
    return 0;
  };
  const uint32_t officer_number = number(officer, officer_numbers_);
  const uint32_t team_number = number(team, team_numbers_);
  const uint8_t role_code = role == nullptr ? 0 : RoleCodeOf(*role);
  if (role != nullptr && role_code == kUnknown) none = true;
  if (status != nullptr && *status != "open" && *status != "closed") none = true;
  const bool want_open = status != nullptr && *status == "open";
  auto brief_matches = [&](const Brief& b) {
    return b.live && !b.deleted && (!team || b.team == team_number) &&
           (!status || b.open == want_open);
  };
  auto slot_matches = [&](const Slot& s) {
    return s.live && (!officer || s.officer == officer_number) && (!role || s.role == role_code);
  };
  // Calls fn(slot number) for every assignment that passes the filters.
  auto for_each = [&](auto&& fn) {
    if (none) return;
    if (case_id != nullptr) {
      const CaseOfficersCase* c = cases_.Find(*case_id);
      if (c == nullptr || !brief_matches(briefs_[c->brief])) return;
      for (const CaseOfficerAssignment& a : c->officers) {
        if (slot_matches(slots_[a.slot])) fn(a.slot);
      }
      return;
    }
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (slot_matches(s) && brief_matches(briefs_[s.brief])) fn(i);
    }
  };

  if (!grouped) {
    std::vector<CaseOfficerRow> views;
    for_each([&](uint32_t i) {
      const CaseOfficersCase* c = briefs_[slots_[i].brief].kase;
      for (const CaseOfficerAssignment& a : c->officers) {
        if (a.slot == i) views.push_back({c, &a});
      }
    });
    return PageOfViews(views, Columns(), "user_id,case_id", query.list, page);
  }

  if (case_id == nullptr && role == nullptr && team == nullptr) {
    // Read from the kept totals.
    std::vector<OfficerWorkload> kept;
    if (!none) {
      const std::vector<OfficerWorkload>& totals =
          totals_[status != nullptr && want_open ? kOpen : kAll];
      for (size_t i = 0; i < totals.size(); ++i) {
        if (totals[i].assignments <= 0 || (officer && i != officer_number)) continue;
        if (status != nullptr && !want_open) {
          // Closed cases: all less open.
          OfficerWorkload w = totals_[kAll][i];
          const OfficerWorkload& open =
              i < totals_[kOpen].size() ? totals_[kOpen][i] : OfficerWorkload();
          w.cases -= open.cases;
          w.open_cases = 0;
          w.assignments -= open.assignments;
          w.primary -= open.primary;
          w.secondary -= open.secondary;
          w.supervisor -= open.supervisor;
          w.other -= open.other;
          if (w.assignments <= 0) continue;
          kept.push_back(std::move(w));
        } else {
          kept.push_back(totals[i]);
        }
        kept.back().officer = officer_names_[i];
      }
    }
    for (OfficerWorkload& w : kept) WithTasks(query, &w);
    return PageOfViews(kept, GroupColumns(), "officer", query.list, page);
  }
  std::vector<OfficerWorkload> by_officer(officer_names_.size());
  std::vector<bool> seen(officer_names_.size(), false);
  for_each([&](uint32_t i) {
    const Slot& s = slots_[i];
    OfficerWorkload& w = by_officer[s.officer];
    seen[s.officer] = true;
    ++w.assignments;
    switch (s.role) {
      case kPrimary:
        ++w.primary;
        break;
      case kSecondary:
        ++w.secondary;
        break;
      case kSupervisor:
        ++w.supervisor;
        break;
      default:
        ++w.other;
        break;
    }
    // A case counts once per officer. With a role filter, an officer has at most one
    // matching assignment per case; without, the first one stands for the case.
    if (role != nullptr || s.first) {
      ++w.cases;
      if (briefs_[s.brief].open) ++w.open_cases;
    }
  });
  std::vector<const OfficerWorkload*> rows;
  for (size_t i = 0; i < by_officer.size(); ++i) {
    if (!seen[i]) continue;
    by_officer[i].officer = officer_names_[i];
    WithTasks(query, &by_officer[i]);
    rows.push_back(&by_officer[i]);
  }
  return PageOf(std::move(rows), GroupColumns(), "officer", query.list, page);
}

uint32_t CaseOfficers::Number(const std::string& name, std::vector<std::string>* names,
                              std::unordered_map<std::string, uint32_t>* numbers) {
  auto [it, added] = numbers->try_emplace(name, static_cast<uint32_t>(names->size()));
  if (added) names->push_back(name);
  return it->second;
}

void CaseOfficers::AddCase(CaseOfficersCase* c) {
  c->brief = static_cast<uint32_t>(briefs_.size());
  briefs_.push_back({c, 0, true, false, true});
  UpdateBrief(*c);
  cases_by_client_[c->client_id].push_back(c->case_id);
  for (CaseOfficerAssignment& a : c->officers) AddSlot(c, &a);
  Count(*c, +1);
}

void CaseOfficers::Count(const CaseOfficersCase& c, int sign) {
  const Brief& b = briefs_[c.brief];
  if (!b.live || b.deleted) return;
  for (auto& totals : totals_) totals.resize(officer_names_.size());
  for (const CaseOfficerAssignment& a : c.officers) {
    const Slot& s = slots_[a.slot];
    if (!s.live) continue;
    for (TotalsOf of : {kAll, kOpen}) {
      if (of == kOpen && !b.open) continue;
      OfficerWorkload& w = totals_[of][s.officer];
      w.assignments += sign;
      switch (s.role) {
        case kPrimary:
          w.primary += sign;
          break;
        case kSecondary:
          w.secondary += sign;
          break;
        case kSupervisor:
          w.supervisor += sign;
          break;
        default:
          w.other += sign;
          break;
      }
      if (s.first) {
        w.cases += sign;
        if (b.open) w.open_cases += sign;
      }
    }
  }
}

void CaseOfficers::UpdateBrief(const CaseOfficersCase& c) {
  Brief& b = briefs_[c.brief];
  b.team = Number(c.team_id, &team_names_, &team_numbers_);
  b.deleted = c.deleted;
  b.open = c.status == "open";
}

void CaseOfficers::AddSlot(CaseOfficersCase* c, CaseOfficerAssignment* a) {
  a->assignment_id.clear();
  a->assignment_id.append(c->case_id).append("/").append(a->user_id).append("/").append(a->role);
  Slot s;
  s.brief = c->brief;
  s.officer = Number(a->user_id, &officer_names_, &officer_numbers_);
  s.role = RoleCodeOf(a->role);
  // The officer's earliest assignment on the case stands for it (see RemoveSlot).
  s.first = true;
  for (const CaseOfficerAssignment* other = c->officers.data(); other != a; ++other) {
    if (other->user_id == a->user_id) s.first = false;
  }
  a->slot = static_cast<uint32_t>(slots_.size());
  slots_.push_back(s);
}

void CaseOfficers::RemoveSlot(const CaseOfficersCase& c, uint32_t slot,
                              const std::string& user_id) {
  Slot& s = slots_[slot];
  s.live = false;
  ++dead_slots_;
  if (s.first) {
    s.first = false;
    for (const CaseOfficerAssignment& other : c.officers) {
      if (other.user_id == user_id) {
        slots_[other.slot].first = true;
        break;
      }
    }
  }
  CompactSlots();
}

void CaseOfficers::CompactSlots() {
  // Unassignments and erasures leave dead slots; past half, the array is rebuilt.
  if (dead_slots_ <= 1024 || dead_slots_ * 2 <= slots_.size()) return;
  slots_.clear();
  dead_slots_ = 0;
  for (const Brief& b : briefs_) {
    if (!b.live) continue;
    for (CaseOfficerAssignment& a : b.kase->officers) AddSlot(b.kase, &a);
  }
}

void CaseOfficers::RemoveCase(const std::string& case_id) {
  CaseOfficersCase* c = cases_.Find(case_id);
  if (c == nullptr) return;
  auto it = cases_by_client_.find(c->client_id);
  if (it != cases_by_client_.end()) {
    std::erase(it->second, case_id);
    if (it->second.empty()) cases_by_client_.erase(it);
  }
  Count(*c, -1);
  Brief& b = briefs_[c->brief];
  b.live = false;
  b.kase = nullptr;
  for (const CaseOfficerAssignment& a : c->officers) {
    slots_[a.slot].live = false;
    ++dead_slots_;
  }
  cases_.Remove(case_id);
  CompactSlots();
}

void CaseOfficers::Clear() {
  cases_.Clear();
  briefs_.clear();
  slots_.clear();
  dead_slots_ = 0;
  officer_names_.clear();
  officer_numbers_.clear();
  team_names_.clear();
  team_numbers_.clear();
  cases_by_client_.clear();
  for (auto& totals : totals_) totals.clear();
}

}  // namespace caseengine
