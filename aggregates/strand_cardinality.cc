// StrandCardinality: see strand_cardinality.h.
#include "aggregates/strand_cardinality.h"

#include <vector>

#include "aggregates/strand_rules.h"

namespace caseengine {

bool StrandCardinality::HasCurrent(const CaseState& s, const std::string& type,
                                   const std::string& except) {
  for (const auto& st : s.strands) {
    if (st.type == type && st.Current() && st.id != except) return true;
  }
  return false;
}

std::optional<Outcome> StrandCardinality::Check(const CaseState& kase, const std::string& type,
                                                const std::string& except) {
  const StrandRules* rules = StrandRules::Find(type);
  switch (rules->cardinality) {
    case StrandRules::Cardinality::kMany:
      return std::nullopt;
    case StrandRules::Cardinality::kOnePerCase:
      if (!HasCurrent(kase, type, except)) return std::nullopt;
      return Outcome::Reject(Rejection::Rule(
          "one-current-per-case", "the case already has a current " + std::string(rules->name)));
    case StrandRules::Cardinality::kOnePerApplicant: {
      // Across all active cases with the same primary applicant, this one included.
      std::vector<const CaseState*> cases =
          states_->CasesOfPrimaryApplicant(kase.primary_applicant);
      cases.push_back(&kase);
      for (const CaseState* other : cases) {
        if (!other->Active() || !HasCurrent(*other, type, except)) continue;
        return Outcome::Reject(Rejection::Rule(
            "one-current-per-applicant", "the primary applicant already has a current " +
                                             std::string(rules->name) + " (case " + other->id +
                                             ")"));
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Outcome> StrandCardinality::CheckApplicant(const CaseState& kase,
                                                         const std::string& applicant) {
  for (const auto& strand : kase.strands) {
    const StrandRules* rules = StrandRules::Find(strand.type);
    if (!strand.Current() || rules->cardinality != StrandRules::Cardinality::kOnePerApplicant) {
      continue;
    }
    for (const CaseState* other : states_->CasesOfPrimaryApplicant(applicant)) {
      if (other->id == kase.id || !other->Active() || !HasCurrent(*other, strand.type)) continue;
      return Outcome::Reject(Rejection::Rule(
          "one-current-per-applicant", "the primary applicant would have two current " +
                                           std::string(rules->name) + "s (this case and case " +
                                           other->id + ")"));
    }
  }
  return std::nullopt;
}

}  // namespace caseengine
