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
// Pages come from sorted indexes, one per sort asked for recently (at most
// kMaxSortIndexes, built on first use by a sort of every row, then kept up to date as
// rows change), so a page is a walk from the cursor that stops when the page is full:
// its cost follows the page and the filters' selectivity, not the caseload. Counting
// every match (`total`) is a pass over all rows, so it is done only when asked for.
//
// Threading: the projection's thread applies; Query from any thread (a shared lock on
// the rows; the list of indexes has a mutex of its own, held only to find an index, and
// each index one held while a query builds it: walking one needs only the shared lock on
// the rows, since indexes change only with the rows, under the exclusive lock).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <vector>

#include "projections/list_query.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

struct CaseListRow;

struct CaseListClient {
  bool gone = false;
  std::string surname, forenames;
  std::string status = "active";
  std::string client_type, case_number;
  bool deleted = false;
  // Not stored: the case rows it is the primary applicant of (they sort on its fields).
  std::vector<const CaseListRow*> rows;
};

struct CaseListOfficer {
  std::string user_id, role;
};

struct CaseListStrand {
  std::string id, type, status;
};

// A task of the case, for its counts and next due date.
struct CaseListTask {
  std::string id, due;
  bool open = true;
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
  std::vector<CaseListTask> tasks;
  std::string last_activity;  // date of the last event on the case
  bool deleted = false;
  uint64_t version = 0;
  // Not stored: the primary applicant's client row (never null once applied or loaded).
  const CaseListClient* applicant = nullptr;
};

// Rows as they are stored (RowTable).
void WriteJson(JsonWriter* w, const CaseListClient& c);
void WriteJson(JsonWriter* w, const CaseListRow& r);

// Filters: exact matches unless the name ends in _from/_to (inclusive date ranges).
//   status, officer, role, team, strand_type, strand_status, client_id, client_status,
//   client_type, opened_from/_to, closed_from/_to, last_activity_from/_to
struct CaseListQuery {
  std::map<std::string, std::string> filters;
  ListRequest list;
  std::string today;         // YYYY-MM-DD, for days_open
  bool count_total = false;  // count every matching row (a pass over all of them)
};

class CaseList {
 public:
  static constexpr size_t kMaxSortIndexes = 6;

  static const std::vector<std::string>& FilterNames();
  static std::vector<std::string> ColumnNames();

  // InvalidArgument for an unknown filter, sort column, column or cursor.
  Status Query(const CaseListQuery& query, ListPage* page) const;
  size_t size() const;

 private:
  friend class CaseListProjection;
  using Index = SortedIndex<CaseListRow>;
  // One sort's kept order. Built by the first query that needs it, under a lock of its
  // own: queries of other sorts go on meanwhile; those of the same sort wait for it.
  struct KeptIndex {
    explicit KeptIndex(std::string s) : sort(std::move(s)) {}
    const std::string sort;
    uint64_t last_used = 0;  // index_mu_
    std::mutex build_mu;
    // Guarded by build_mu, or by `mu_` held exclusive (rows changing: no query builds).
    std::string today;
    std::shared_ptr<Index> index;  // shared: a query may still walk one that was replaced
  };
  // The index for a sort (built when missing); `mu_` held shared or exclusive, and not
  // `index_mu_`.
  std::shared_ptr<const Index> IndexFor(const ListPlan<CaseListRow>& plan,
                                        const std::string& today) const;
  std::shared_ptr<Index> NewIndex(const ListPlan<CaseListRow>& plan,
                                  const std::string& today) const;
  // Out of the indexes (a row about to go, or one of several changing at once), and in its
  // place again after a change (`mu_` held exclusive).
  void Unindex(const CaseListRow* row);
  void Reindex(const CaseListRow* row);
  void DropIndexes();

  mutable std::shared_mutex mu_;
  mutable std::mutex index_mu_;
  // Shared: a query building one keeps it while another query evicts it from the list.
  mutable std::vector<std::shared_ptr<KeptIndex>> indexes_;
  mutable uint64_t index_clock_ = 0;
  RowTable<CaseListRow> cases_{"c/"};
  RowTable<CaseListClient> clients_{"p/"};
};

class CaseListProjection : public Projection {
 public:
  const char* name() const override { return "case_list"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  bool keeps_rows_in_memory() const override { return true; }
  // A client's names, a case's close reason.
  bool reads_personal(EventType type) const override {
    return type == EventType::kClientRegistered || type == EventType::kClientDetailsCorrected ||
           type == EventType::kCaseClosed || type == EventType::kCaseReopened;
  }
  void Reset() override;

  const CaseList& list() const { return list_; }

 private:
  CaseList list_;
};

}  // namespace caseengine
