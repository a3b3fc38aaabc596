// CaseList: the analysts' and caseworkers' list of cases, and CaseListProjection, which
// keeps it. One row per case with what a list shows and filters on (status, dates,
// team, officers, strands, people, last activity) and, per client, the applicant's name
// and client fields the rows show by joining on the primary applicant.
//
// Rows live in memory for fast filtering and sorting and are written back to the family:
//
//   rm.case_list  key := "c/" case-id     value := CaseListRow as JSON
//                 key := "p/" client-id   value := CaseListClient as JSON (personal)
//
// Soft-deleted cases stay as rows marked deleted (hidden from every query, back on
// restore); an erased client's row goes, with its cases' rows.
//
// Threading: the projection's thread applies; Query from any thread (a shared lock).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <vector>

#include "projections/list_query.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

struct CaseListClient {
  bool gone = false;
  std::string surname, forenames;
  std::string status = "active";
  std::string client_type, case_number;
  bool deleted = false;
};

struct CaseListOfficer {
  std::string user_id, role;
};

struct CaseListStrand {
  std::string id, type, status;
};

struct CaseListRow {
  bool gone = false;
  std::string case_id, client_id, primary_applicant;
  std::string status = "open";
  std::string opened_on, closed_on, close_reason, team_id;
  std::vector<CaseListOfficer> officers;
  std::vector<CaseListStrand> strands;
  int people = 0;  // on the case now (not left)
  int notes = 0, open_actions = 0;
  std::string last_activity;  // date of the last event on the case
  bool deleted = false;
  uint64_t version = 0;
  // Not stored: the primary applicant's client row (never null once applied or loaded).
  const CaseListClient* applicant = nullptr;
};

// Filters: exact matches unless the name ends in _from/_to (inclusive date ranges).
//   status, officer, role, team, strand_type, strand_status, client_id, client_status,
//   client_type, opened_from/_to, closed_from/_to, last_activity_from/_to
struct CaseListQuery {
  std::map<std::string, std::string> filters;
  ListRequest list;
  std::string today;  // YYYY-MM-DD, for days_open
};

class CaseList {
 public:
  static const std::vector<std::string>& FilterNames();
  static std::vector<std::string> ColumnNames();

  // InvalidArgument for an unknown filter, sort column, column or cursor.
  Status Query(const CaseListQuery& query, ListPage* page) const;
  size_t size() const;

 private:
  friend class CaseListProjection;
  mutable std::shared_mutex mu_;
  RowTable<CaseListRow> cases_{"c/"};
  RowTable<CaseListClient> clients_{"p/"};
};

class CaseListProjection : public Projection {
 public:
  const char* name() const override { return "case_list"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  void Reset() override;

  const CaseList& list() const { return list_; }

 private:
  CaseList list_;
};

}  // namespace caseengine
