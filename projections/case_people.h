// CasePeople: the list of people on cases (a row per stay of a person on a case: someone
// who leaves and comes back has two), and CasePeopleProjection, which keeps it. Names are
// joined at query time from the person's client row, so a correction is one row.
//
// A case's stays live in its row, in memory and written back to the family:
//
//   rm.case_people  key   := "k/" case-id
//                   value := CasePeopleCase as JSON
//                            {case_id, client_id, primary_applicant,
//                             deleted? (true; absent: false),
//                             people: [{client_id, relationship, date_joined,
//                                       joint_applicant? (true), date_left?}...]}
//                                                                  (in order of joining)
//                   key   := "p/" client-id
//                   value := CasePeopleClient as JSON {surname, forenames,
//                                                      deleted? (true)}   (personal)
//
// The list's rows are views of (case, stay), with the id
//   stay-id := case-id "/" client-id "/" n      (n: 1 for the person's first stay, ...)
//
// Invariants: relationships follow Evolve (a switch of primary applicant makes the new
// one "self" and the old one "other"); current means no date left. A soft-deleted case
// keeps its row, hidden (back on restore); a soft-deleted client's stays, on any case,
// are hidden too (back on restore); an erased case, or every case of an erased client,
// loses it, and an erased client's names go.
//
// Threading: the projection's thread applies; Query from any thread (a shared lock).
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "projections/list_query.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

struct CasePeopleClient {
  bool gone = false;
  bool deleted = false;  // soft-deleted: the person's stays are hidden until a restore
  std::string surname, forenames;
};

struct CasePersonStay {
  std::string client_id, relationship;
  bool joint_applicant = false;
  std::string date_joined, date_left;
  // Not stored: derived on apply and load. The person's client row is null when there is
  // none (after an erasure, it is an emptied row until a restart).
  std::string stay_id;
  const CasePeopleClient* person = nullptr;
  bool current() const { return date_left.empty(); }
};

struct CasePeopleCase {
  bool gone = false;
  std::string case_id, client_id, primary_applicant;
  bool deleted = false;
  std::vector<CasePersonStay> people;
};

// A row of the list: one stay on one case. Valid while the read model is locked.
struct CasePersonRow {
  const CasePeopleCase* kase;
  const CasePersonStay* stay;
};

// Filters (exact matches): case_id, client_id, current ("true" | "false").
struct CasePeopleQuery {
  std::map<std::string, std::string> filters;
  ListRequest list;
};

class CasePeople {
 public:
  static const std::vector<std::string>& FilterNames();
  static std::vector<std::string> ColumnNames();

  // InvalidArgument for an unknown filter or value, sort column, column or cursor.
  Status Query(const CasePeopleQuery& query, ListPage* page) const;
  size_t size() const;  // cases, hidden ones included

 private:
  friend class CasePeopleProjection;
  void Derive(CasePeopleCase* c, size_t index);
  void RemoveCase(const std::string& case_id);

  mutable std::shared_mutex mu_;
  RowTable<CasePeopleCase> cases_{"k/"};
  RowTable<CasePeopleClient> clients_{"p/"};
  // Not stored: the cases each person has stays on, for the client_id filter and for an
  // erasure (the client a case was opened on has a stay on it from the start).
  std::unordered_map<std::string, std::vector<const CasePeopleCase*>> cases_of_person_;
};

class CasePeopleProjection : public Projection {
 public:
  const char* name() const override { return "case_people"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  bool keeps_rows_in_memory() const override { return true; }
  // A client's names.
  bool reads_personal(EventType type) const override {
    return type == EventType::kClientRegistered || type == EventType::kClientDetailsCorrected;
  }
  // 2: a soft-deleted client's row is marked deleted.
  uint64_t layout() const override { return 2; }
  void Reset() override;

  const CasePeople& people() const { return people_; }

 private:
  CasePeople people_;
};

}  // namespace caseengine
