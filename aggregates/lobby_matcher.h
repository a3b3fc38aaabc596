// LobbyMatcher: how likely a Lobby referral is an existing client, as a confidence a
// caseworker can read, with what each field contributed.
//
// Fellegi–Sunter record linkage: each field compares as agree, partial, disagree or
// missing; agreement adds log2(m/u) and disagreement log2((1-m)/(1-u)) to a weight, where
// m is how often the field agrees for the same person and u for different people. The
// weight plus the prior odds of a match gives a probability. Names compare by Jaro-Winkler
// similarity, case- and accent-insensitive; NI numbers, emails, phones and postcodes in
// their normal forms (validate.h); dates of birth exactly or with day and month swapped;
// postcodes partly on the outward code. When several candidates match, each one's
// confidence is lowered in proportion, as the seed's rating counts how many results came.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "aggregates/event.h"
#include "base/status.h"

namespace caseengine {

struct FieldContribution {
  std::string field;       // surname, forenames, date_of_birth, nino, email, phone, postcode
  std::string comparison;  // agree | partial | disagree | missing
  double weight = 0;       // log2 likelihood ratio added
};

struct Match {
  std::string client_id;
  double probability = 0;  // from the fields alone
  double confidence = 0;   // 0..1, lowered when several candidates match
  std::vector<FieldContribution> fields;
};

// Jaro-Winkler similarity of two strings, 0..1 (1: equal).
double JaroWinkler(const std::string& a, const std::string& b);
// Lower case, accents folded to their base letters, anything but letters, spaces and
// hyphens dropped: "José-Álvarez " -> "jose-alvarez".
std::string FoldName(const std::string& name);

// The fields of one comparison, with its probability (confidence not yet shared out).
Match Compare(const PersonalFields& referral, const PersonalFields& candidate);

// Scores candidates, shares confidence among those that match, and returns the best
// `max` with a confidence of at least `floor`, best first.
std::vector<Match> RankMatches(
    const PersonalFields& referral,
    const std::vector<std::pair<std::string, PersonalFields>>& candidates, size_t max = 10,
    double floor = 0.01);

}  // namespace caseengine
