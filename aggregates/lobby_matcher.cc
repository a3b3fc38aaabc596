// LobbyMatcher: see lobby_matcher.h.
#include "aggregates/lobby_matcher.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace caseengine {
namespace {

// m and u per field: how often it agrees for the same person, and by chance.
struct FieldModel {
  const char* field;
  double m, u;
  double Agree() const { return std::log2(m / u); }
  double Disagree() const { return std::log2((1 - m) / (1 - u)); }
};

constexpr FieldModel kSurname{"surname", 0.95, 0.01};
constexpr FieldModel kForenames{"forenames", 0.90, 0.02};
constexpr FieldModel kDob{"date_of_birth", 0.97, 0.001};
constexpr FieldModel kNino{"nino", 0.98, 0.0001};
constexpr FieldModel kEmail{"email", 0.90, 0.0005};
constexpr FieldModel kPhone{"phone", 0.85, 0.0005};
constexpr FieldModel kPostcode{"postcode", 0.80, 0.005};
// Prior odds that a referral is a given client, before any field is compared.
constexpr double kPriorLog2Odds = -10;  // about 1 in 1,000

// Accented Latin letters (UTF-8) and their base letters.
const std::map<std::string, std::string>& Accents() {
  static const std::map<std::string, std::string> kMap = {
      {"à", "a"}, {"á", "a"},  {"â", "a"}, {"ã", "a"}, {"ä", "a"}, {"å", "a"}, {"æ", "ae"},
      {"ç", "c"}, {"è", "e"},  {"é", "e"}, {"ê", "e"}, {"ë", "e"}, {"ì", "i"}, {"í", "i"},
      {"î", "i"}, {"ï", "i"},  {"ñ", "n"}, {"ò", "o"}, {"ó", "o"}, {"ô", "o"}, {"õ", "o"},
      {"ö", "o"}, {"ø", "o"},  {"ù", "u"}, {"ú", "u"}, {"û", "u"}, {"ü", "u"}, {"ý", "y"},
      {"ÿ", "y"}, {"ß", "ss"}, {"À", "a"}, {"Á", "a"}, {"Â", "a"}, {"Ã", "a"}, {"Ä", "a"},
      {"Å", "a"}, {"Ç", "c"},  {"È", "e"}, {"É", "e"}, {"Ê", "e"}, {"Ë", "e"}, {"Ì", "i"},
      {"Í", "i"}, {"Î", "i"},  {"Ï", "i"}, {"Ñ", "n"}, {"Ò", "o"}, {"Ó", "o"}, {"Ô", "o"},
      {"Õ", "o"}, {"Ö", "o"},  {"Ø", "o"}, {"Ù", "u"}, {"Ú", "u"}, {"Û", "u"}, {"Ü", "u"},
      {"Ý", "y"}, {"ł", "l"},  {"Ł", "l"}, {"ś", "s"}, {"Ś", "s"}, {"ź", "z"}, {"ż", "z"},
      {"Ż", "z"}, {"č", "c"},  {"Č", "c"}, {"š", "s"}, {"Š", "s"}, {"ž", "z"}, {"Ž", "z"}};
  return kMap;
}

void Add(Match* m, const FieldModel& f, const char* comparison, double weight) {
  m->fields.push_back({f.field, comparison, weight});
}

// Exact comparison of two optional normal-form values.
void Exact(Match* m, const FieldModel& f, const std::optional<std::string>& a,
           const std::optional<std::string>& b) {
  if (!a || !b) return Add(m, f, "missing", 0);
  if (*a == *b) return Add(m, f, "agree", f.Agree());
  Add(m, f, "disagree", f.Disagree());
}

// Names: Jaro-Winkler on folded names; close but unequal names count in part.
void Name(Match* m, const FieldModel& f, const std::optional<std::string>& a,
          const std::optional<std::string>& b) {
  if (!a || !b) return Add(m, f, "missing", 0);
  const double sim = JaroWinkler(FoldName(*a), FoldName(*b));
  if (sim >= 0.97) return Add(m, f, "agree", f.Agree());
  if (sim >= 0.85) {
    // Linear between disagreement (0.85) and agreement (0.97).
    const double t = (sim - 0.85) / 0.12;
    return Add(m, f, "partial", f.Disagree() + t * (f.Agree() - f.Disagree()));
  }
  Add(m, f, "disagree", f.Disagree());
}

}  // namespace

std::string FoldName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (std::isalpha(c)) out.push_back(static_cast<char>(std::tolower(c)));
      if (c == ' ' || c == '-') out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    auto it = Accents().find(name.substr(i, len));
    if (it != Accents().end()) out += it->second;
    i += len;
  }
  return out;
}

double JaroWinkler(const std::string& a, const std::string& b) {
  if (a.empty() && b.empty()) return 1;
  if (a.empty() || b.empty()) return 0;
  const int la = static_cast<int>(a.size()), lb = static_cast<int>(b.size());
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  std::vector<bool> ma(la, false), mb(lb, false);
  int matches = 0;
  for (int i = 0; i < la; ++i) {
    for (int j = std::max(0, i - window); j < std::min(lb, i + window + 1); ++j) {
      if (mb[j] || a[i] != b[j]) continue;
      ma[i] = mb[j] = true;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0;
  int transpositions = 0;
  for (int i = 0, j = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[j]) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  const double m = matches;
  const double jaro = (m / la + m / lb + (m - transpositions / 2.0) / m) / 3.0;
  int prefix = 0;
  while (prefix < std::min({4, la, lb}) && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1 - jaro);
}

Match Compare(const PersonalFields& r, const PersonalFields& c) {
  Match m;
  Name(&m, kSurname, r.surname, c.surname);
  Name(&m, kForenames, r.forenames, c.forenames);
  // Dates of birth: exact, or day and month swapped (a common slip), in part.
  if (!r.date_of_birth || !c.date_of_birth) {
    Add(&m, kDob, "missing", 0);
  } else if (*r.date_of_birth == *c.date_of_birth) {
    Add(&m, kDob, "agree", kDob.Agree());
  } else {
    const std::string& x = *r.date_of_birth;
    const std::string& y = *c.date_of_birth;
    const bool swapped = x.size() == 10 && y.size() == 10 && x.substr(0, 4) == y.substr(0, 4) &&
                         x.substr(5, 2) == y.substr(8, 2) && x.substr(8, 2) == y.substr(5, 2);
    if (swapped) {
      Add(&m, kDob, "partial", kDob.Agree() / 2);
    } else {
      Add(&m, kDob, "disagree", kDob.Disagree());
    }
  }
  Exact(&m, kNino, r.nino, c.nino);
  Exact(&m, kEmail, r.email, c.email);
  Exact(&m, kPhone, r.phone, c.phone);
  // Postcodes: the same outward code ("N1" of "N1 9GU") is a neighbour, in part.
  if (r.postcode && c.postcode && *r.postcode != *c.postcode &&
      r.postcode->substr(0, r.postcode->find(' ')) ==
          c.postcode->substr(0, c.postcode->find(' '))) {
    Add(&m, kPostcode, "partial", kPostcode.Agree() / 3);
  } else {
    Exact(&m, kPostcode, r.postcode, c.postcode);
  }
  double weight = kPriorLog2Odds;
  for (const auto& f : m.fields) weight += f.weight;
  m.probability = 1 / (1 + std::exp2(-weight));
  return m;
}

std::vector<Match> RankMatches(
    const PersonalFields& referral,
    const std::vector<std::pair<std::string, PersonalFields>>& candidates, size_t max,
    double floor) {
  std::vector<Match> matches;
  double total = 0;
  for (const auto& [id, person] : candidates) {
    Match m = Compare(referral, person);
    m.client_id = id;
    total += m.probability;
    matches.push_back(std::move(m));
  }
  // Several strong candidates share the confidence: one of them at most is the person.
  for (auto& m : matches) m.confidence = total > 1 ? m.probability / total : m.probability;
  std::sort(matches.begin(), matches.end(),
            [](const Match& a, const Match& b) { return a.confidence > b.confidence; });
  matches.erase(std::remove_if(matches.begin(), matches.end(),
                               [&](const Match& m) { return m.confidence < floor; }),
                matches.end());
  if (matches.size() > max) matches.resize(max);
  return matches;
}

}  // namespace caseengine
