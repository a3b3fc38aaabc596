// CaseMarks: what a read model whose entries come from the log keeps about cases, so that
// its queries hide deleted and erased ones (the journal and the case history keep them
// in their own families, each in its own rows).
//
//   key := 'd' case-id                  value := ""   soft-deleted, until restored
//        | 'x' case-id                  value := ""   erased, for good
//        | 'o' client-id 0x00 case-id   value := ""   a case opened on the client
//
// 'o' lets the client's erasure find its cases by a range scan (also those deleted before
// it, for which the domain writes no CaseDeleted(erase)), with nothing held in memory.
//
// Threading: Apply on the runner's thread (it reads committed rows: a client's erasure
// deletes rows, so the runner has committed everything before it); Check from any.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "projections/projection.h"

namespace caseengine {

class CaseMarks {
 public:
  // Called for each case erased, after its marks are set: the read model drops the rows
  // it keeps of the case.
  using Erased = std::function<void(std::string_view case_id, RowWriter* rows)>;

  // Sets the marks an event of a case or client stream changes; calls `erased` for each
  // case it erases.
  static void Apply(const ProjectedEvent& pe, RowWriter* rows, const Erased& erased);
  // Whether Apply reads committed rows for this event: at a client's erasure (a scan for
  // its cases) and a case's (`erased` may read the case's rows).
  static bool ReadsRows(const ProjectedEvent& pe);
  // NotFound when the case is erased ("no <what> for case ...") or soft-deleted; reads the
  // marks with `it`.
  static Status Check(StoreIterator* it, const std::string& case_id, const char* what);
};

}  // namespace caseengine
