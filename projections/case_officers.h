// CaseOfficers: the list of officer assignments (a row per case, officer and role) and
// its grouping by officer (workload), and CaseOfficersProjection, which keeps it.
//
// A case's assignments live in its row, in memory and written back to the family:
//
//   rm.case_officers  key   := "k/" case-id
//                     value := CaseOfficersCase as JSON
//                              {case_id, client_id, status, team_id, opened_on,
//                               deleted? (true; absent: false),
//                               officers: [[user_id, role]...]}
//
// The list's rows are views of (case, assignment), with the id
//   assignment-id := case-id "/" user-id "/" role
// So every event changes one stored row, and the events of a case within one batch are
// written once.
//
// In memory only (rebuilt on Load): a flat copy of what filters and grouping read (a
// brief per case, a slot per assignment, officers and teams as numbers), so a pass over
// 200,000 assignments reads two compact arrays instead of chasing every case row.
//
// Invariants: a (user, role) appears at most once per case; every assignment has a live
// slot and one slot per (case, officer) is marked first. A soft-deleted case keeps its
// row, hidden from every query (back on restore); an erased case (CaseDeleted "erase", or
// its client erased) loses it. No personal data.
//
// Threading: the projection's thread applies; Query from any thread (a shared lock).
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "projections/list_query.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

struct CaseOfficerAssignment {
  std::string user_id, role;
  // Not stored: derived on apply and load.
  std::string assignment_id;
  uint32_t slot = 0;  // in CaseOfficers::slots_
};

struct CaseOfficersCase {
  bool gone = false;
  std::string case_id, client_id;
  std::string status = "open";
  std::string team_id, opened_on;
  bool deleted = false;
  std::vector<CaseOfficerAssignment> officers;
  // Not stored: its brief (in CaseOfficers::briefs_).
  uint32_t brief = 0;
};

// Rows as they are stored (RowTable).
void WriteJson(JsonWriter* w, const CaseOfficersCase& c);
void from_json(const nlohmann::json& j, CaseOfficersCase& c);

// A row of the list: one assignment of one case. Valid while the read model is locked.
struct CaseOfficerRow {
  const CaseOfficersCase* kase;
  const CaseOfficerAssignment* assignment;
};

// One officer's workload: a row of the grouped list.
struct OfficerWorkload {
  std::string officer;
  int64_t cases = 0, open_cases = 0;  // distinct cases
  int64_t assignments = 0, primary = 0, secondary = 0, supervisor = 0, other = 0;
  int64_t open_tasks = 0, overdue_tasks = 0;  // assigned to the officer (the task list's)
};

// An officer's open and overdue tasks, from the task list (projections/task_list.h).
struct OfficerTasks {
  int64_t open = 0, overdue = 0;
};

// Filters (exact matches): officer, case_id, role, team, case_status. With group_by
// "officer" the filtered assignments are counted per officer.
struct CaseOfficersQuery {
  std::map<std::string, std::string> filters;
  std::string group_by;  // "" or "officer"
  ListRequest list;
  // With group_by: each officer's tasks, shown beside their cases (by user id).
  std::map<std::string, OfficerTasks> tasks;
};

class CaseOfficers {
 public:
  static const std::vector<std::string>& FilterNames();
  static std::vector<std::string> ColumnNames();       // of the assignment rows
  static std::vector<std::string> GroupColumnNames();  // of the workload rows

  // InvalidArgument for an unknown filter, group_by, sort column, column or cursor.
  Status Query(const CaseOfficersQuery& query, ListPage* page) const;
  size_t size() const;  // cases, hidden ones included

 private:
  friend class CaseOfficersProjection;
  struct Brief {
    CaseOfficersCase* kase = nullptr;
    uint32_t team = 0;
    bool live = true, deleted = false, open = true;
  };
  struct Slot {
    uint32_t brief = 0, officer = 0;
    uint8_t role = 0;
    bool live = true;
    bool first = false;  // the officer's first live assignment on the case
  };

  static uint32_t Number(const std::string& name, std::vector<std::string>* names,
                         std::unordered_map<std::string, uint32_t>* numbers);
  void AddCase(CaseOfficersCase* c);
  void UpdateBrief(const CaseOfficersCase& c);
  void AddSlot(CaseOfficersCase* c, CaseOfficerAssignment* a);
  // After the assignment has left c.officers.
  void RemoveSlot(const CaseOfficersCase& c, uint32_t slot, const std::string& user_id);
  void CompactSlots();
  void RemoveCase(const std::string& case_id);
  void Clear();
  // Adds (sign +1) or takes away (-1) what a case gives its officers' workloads (Totals):
  // taken away before the case changes, added again after.
  void Count(const CaseOfficersCase& c, int sign);

  mutable std::shared_mutex mu_;
  RowTable<CaseOfficersCase> cases_{"k/"};
  // Not stored.
  std::vector<Brief> briefs_;
  std::vector<Slot> slots_;
  size_t dead_slots_ = 0;
  std::vector<std::string> officer_names_, team_names_;
  std::unordered_map<std::string, uint32_t> officer_numbers_, team_numbers_;
  // Cases by the client they were opened on, for an erasure of the client.
  std::unordered_map<std::string, std::vector<std::string>> cases_by_client_;
  // Each officer's workload over the live cases (kAll) and over the open ones (kOpen),
  // kept as cases change: a workload filtered by officer or case status alone is read
  // from here, its cost the officers', not the assignments' (a pass over a million
  // assignments took 50 ms). By officer number; officer names are set when read.
  enum TotalsOf { kAll, kOpen };
  std::vector<OfficerWorkload> totals_[2];
};

class CaseOfficersProjection : public Projection {
 public:
  const char* name() const override { return "case_officers"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  bool keeps_rows_in_memory() const override { return true; }
  bool reads_personal(EventType) const override { return false; }
  void Reset() override;
  bool personal() const override { return false; }

  const CaseOfficers& officers() const { return officers_; }

 private:
  CaseOfficers officers_;
};

}  // namespace caseengine
