// The strand table: see strand_rules.h.
#include "aggregates/strand_rules.h"

namespace caseengine {

const StrandRules* StrandRules::Find(const std::string& type) {
  using C = Cardinality;
  static const StrandRules kTable[] = {
      {"housing_register", "Housing Register application", C::kOnePerApplicant, false,
       "bedroom_assessment"},
      {"homeless_application", "Homeless application", C::kOnePerApplicant, true, nullptr},
      {"homeless_application_legacy", "Homeless (legacy) application", C::kOnePerApplicant, true,
       nullptr},
      {"bedroom_assessment", "Bedroom assessment", C::kOnePerCase, false, nullptr},
      {"financial_assistance", "Financial assistance", C::kOnePerCase, false, nullptr},
      {"rough_sleeper", "Rough sleeper form", C::kOnePerCase, false, nullptr},
      {"health_assessment", "Health assessment", C::kMany, false, nullptr},
      {"risk_assessment", "Risk assessment", C::kMany, false, nullptr},
      {"review", "Review", C::kMany, false, nullptr},
      {"homeless_referral", "Homeless referral", C::kMany, true, nullptr},
  };
  for (const auto& r : kTable) {
    if (type == r.type) return &r;
  }
  return nullptr;
}

}  // namespace caseengine
