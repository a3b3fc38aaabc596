// StrandCardinality: the cardinality rules of strands (strand_rules.h) as a decision
// checks them (internal to aggregates/): one current strand of a type per case, or one
// across all the active cases with the same primary applicant.
//
// Invariants: reads state only; a rejection names the rule ("one-current-per-case",
// "one-current-per-applicant") and the case that holds the current strand.
//
// Threading: one decision on one thread, as the deciders that use it.
#pragma once

#include <optional>
#include <string>

#include "aggregates/decide.h"

namespace caseengine {

class StrandCardinality {
 public:
  explicit StrandCardinality(StateView* states) : states_(states) {}

  // Whether `s` has a current strand of `type` other than `except` (a strand id).
  static bool HasCurrent(const CaseState& s, const std::string& type,
                         const std::string& except = "");

  // Refuses one more current strand of `type` on `kase` when the cardinality of the type
  // forbids it; `except` (a strand id) does not count, as a strand being moved or reopened.
  std::optional<Outcome> Check(const CaseState& kase, const std::string& type,
                               const std::string& except);

  // Refuses to make `applicant` the primary applicant of the active case `kase` when one
  // of its current one-per-applicant strands would give them a second current one.
  std::optional<Outcome> CheckApplicant(const CaseState& kase, const std::string& applicant);

 private:
  StateView* states_;
};

}  // namespace caseengine
