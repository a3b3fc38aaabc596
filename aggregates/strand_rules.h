// The strand types (applications and assessments on a case) and their cardinality, from
// the case strands table of the seed articles:
//
//   housing_register, homeless_application, homeless_application_legacy
//       one current across all active cases with the same primary applicant
//   bedroom_assessment
//       one active per case; created automatically with a housing register application
//   financial_assistance, rough_sleeper
//       one current per case
//   health_assessment, risk_assessment, review, homeless_referral
//       many per case
//
// and which types can move to another case (homeless applications and referrals).
#pragma once

#include <string>

namespace caseengine {

struct StrandRules {
  enum class Cardinality { kOnePerApplicant, kOnePerCase, kMany };
  const char* type;
  const char* name;  // for journals and messages
  Cardinality cardinality;
  bool movable;
  const char* creates;  // a type created automatically with this one, or nullptr

  // Null for a type that does not exist.
  static const StrandRules* Find(const std::string& type);
};

}  // namespace caseengine
