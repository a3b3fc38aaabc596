// ClientSearch: see client_search.h. The searches: a query's criteria checked and put in
// normal form, the rows they find gathered from the indexes, scored and ranked.
#include "projections/client_search.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <mutex>

#include "aggregates/lobby_matcher.h"
#include "aggregates/validate.h"
#include "projections/collation.h"

namespace caseengine {
namespace {

constexpr double kSimilar = NameTokenIndex::kSimilar;
constexpr size_t kMaxQueryWords = 4;

// A query value in normal form; false when it cannot be one.
bool Normal(const std::string& value, std::optional<std::string> (*normalize)(const std::string&),
            std::string* out) {
  if (value.empty()) return true;
  std::optional<std::string> n = normalize(value);
  if (!n) return false;
  *out = std::move(*n);
  return true;
}

// "1985-04-12" -> "1985-12-04": the slip of writing the day for the month.
std::string SwapDayMonth(const std::string& date) {
  if (date.size() != 10) return {};
  return date.substr(0, 5) + date.substr(8, 2) + "-" + date.substr(5, 2);
}

// Per-criterion weights of the search score: identifiers that rarely agree by chance
// count most.
constexpr double kNameWeight = 3, kDobWeight = 3, kNinoWeight = 5, kEmailWeight = 4,
                 kPhoneWeight = 3, kPostcodeWeight = 2;

// Which keys a row matched on, as bits.
enum KeyBit : uint32_t {
  kDob = 1,
  kNino = 2,
  kEmail = 4,
  kPhone = 8,
  kPostcode = 16,
  kDobSwapped = 32,
  kSurnameKey = 64
};

struct Hit {
  std::array<float, kMaxQueryWords> surname{}, forenames{};  // best similarity per q word
  uint32_t exact = 0;                                        // KeyBit bits
};

// How well the q words match a row's names, 0..1. One word matches either name; with
// more, one of the first or last word is the surname (both orders are common) and the
// others should match the remaining names.
double NameScore(const Hit& h, size_t n) {
  if (n == 1) return std::max(h.surname[0], h.forenames[0]);
  double best = 0;
  for (size_t s : {n - 1, size_t{0}}) {
    double others = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i != s) others += std::max(h.surname[i], h.forenames[i]);
    }
    best = std::max(best, 0.6 * h.surname[s] + 0.4 * others / static_cast<double>(n - 1));
  }
  return best;
}

}  // namespace

template <class Fn>
void ClientSearch::ForKeyIndexes(const ClientSearchRow& r, Fn&& fn) {
  fn(&by_dob_, r.date_of_birth);
  fn(&by_nino_, r.nino);
  fn(&by_email_, r.email);
  fn(&by_phone_, r.phone);
  fn(&by_postcode_, r.postcode);
}

void ClientSearch::ClearIndexes() {
  by_dob_.Clear();
  by_nino_.Clear();
  by_email_.Clear();
  by_phone_.Clear();
  by_postcode_.Clear();
  names_.Clear();
}

void ClientSearch::Index(const ClientSearchRow& r) {
  ForKeyIndexes(r, [&](ClientKeyIndex* index, const std::string& key) { index->Add(key, &r); });
  names_.Add(r);
}

void ClientSearch::Unindex(const ClientSearchRow& r) {
  ForKeyIndexes(r, [&](ClientKeyIndex* index, const std::string& key) { index->Remove(key, &r); });
  names_.Remove(r);
}

size_t ClientSearch::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return rows_.size();
}

Status ClientSearch::Search(const ClientSearchQuery& query, nlohmann::json* results) const {
  *results = nlohmann::json::array();
  if (query.limit < 1 || query.limit > 1000) {
    return Status::InvalidArgument("limit must be between 1 and 1000");
  }
  if (!query.date_of_birth.empty() && !ValidDate(query.date_of_birth)) {
    return Status::InvalidArgument("date_of_birth '" + query.date_of_birth +
                                   "' is not a date (YYYY-MM-DD)");
  }
  std::string nino, email, phone, postcode;
  if (!Normal(query.nino, NormalizeNino, &nino)) {
    return Status::InvalidArgument("nino '" + query.nino + "' is not a National Insurance number");
  }
  if (!Normal(query.email, NormalizeEmail, &email)) {
    return Status::InvalidArgument("email '" + query.email + "' is not an email address");
  }
  if (!Normal(query.phone, NormalizePhone, &phone)) {
    return Status::InvalidArgument("phone '" + query.phone + "' is not a phone number");
  }
  if (!Normal(query.postcode, NormalizePostcode, &postcode)) {
    return Status::InvalidArgument("postcode '" + query.postcode + "' is not a UK postcode");
  }
  std::vector<std::string> words = SplitWords(FoldName(query.q));
  if (words.size() > kMaxQueryWords) {
    // Middle names matter least: keep the first words and the last.
    words.erase(words.begin() + (kMaxQueryWords - 1), words.end() - 1);
  }
  const bool by_name = !query.q.empty();
  if (!by_name && query.date_of_birth.empty() && nino.empty() && email.empty() && phone.empty() &&
      postcode.empty()) {
    return Status::InvalidArgument(
        "give at least one of q, date_of_birth, nino, postcode, email and phone");
  }
  double total_weight = 0;
  if (by_name) total_weight += kNameWeight;
  if (!query.date_of_birth.empty()) total_weight += kDobWeight;
  if (!nino.empty()) total_weight += kNinoWeight;
  if (!email.empty()) total_weight += kEmailWeight;
  if (!phone.empty()) total_weight += kPhoneWeight;
  if (!postcode.empty()) total_weight += kPostcodeWeight;

  std::shared_lock<std::shared_mutex> lock(mu_);
  std::unordered_map<const ClientSearchRow*, Hit> hits;
  auto exact = [&](const ClientKeyIndex& index, const std::string& key, uint32_t bit) {
    for (const ClientSearchRow* r : index.Rows(key)) hits[r].exact |= bit;
  };
  exact(by_dob_, query.date_of_birth, kDob);
  exact(by_nino_, nino, kNino);
  exact(by_email_, email, kEmail);
  exact(by_phone_, phone, kPhone);
  exact(by_postcode_, postcode, kPostcode);
  for (size_t i = 0; i < words.size(); ++i) {
    names_.ForSimilar(words[i], /*prefixes=*/true,
                      [&](const NameTokenIndex::NameToken& t, double sim) {
                        const float s = static_cast<float>(sim);
                        for (const NameTokenIndex::TokenRef& ref : t.refs) {
                          Hit& h = hits[ref.row];
                          if (ref.where & NameTokenIndex::kInSurname)
                            h.surname[i] = std::max(h.surname[i], s);
                          if (ref.where & NameTokenIndex::kInForenames)
                            h.forenames[i] = std::max(h.forenames[i], s);
                        }
                      });
  }

  struct Scored {
    const ClientSearchRow* row;
    double score;
    const Hit* hit;
  };
  std::vector<Scored> scored;
  scored.reserve(hits.size());
  const double name_floor = words.size() > 1 ? 0.8 : kSimilar;
  for (const auto& [row, h] : hits) {
    if (row->deleted) continue;
    if (!query.status.empty() && row->status != query.status) continue;
    const double name = words.empty() ? 0 : NameScore(h, words.size());
    if (h.exact == 0 && name < name_floor) continue;
    double sum = kNameWeight * name;
    if (h.exact & kDob) sum += kDobWeight;
    if (h.exact & kNino) sum += kNinoWeight;
    if (h.exact & kEmail) sum += kEmailWeight;
    if (h.exact & kPhone) sum += kPhoneWeight;
    if (h.exact & kPostcode) sum += kPostcodeWeight;
    scored.push_back({row, sum / total_weight, &h});
  }
  const size_t n = std::min(query.limit, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + n, scored.end(),
                    [](const Scored& a, const Scored& b) {
                      if (a.score != b.score) return a.score > b.score;
                      // Equal scores in the order a reader looks for names.
                      if (const int c = CollateNames(a.row->surname, b.row->surname)) return c < 0;
                      if (const int c = CollateNames(a.row->forenames, b.row->forenames)) {
                        return c < 0;
                      }
                      return a.row->client_id < b.row->client_id;
                    });
  scored.resize(n);
  for (const Scored& s : scored) {
    const ClientSearchRow& r = *s.row;
    const Hit& h = *s.hit;
    nlohmann::json matched = nlohmann::json::array();
    auto any_at_least = [&](const std::array<float, kMaxQueryWords>& sims) {
      return std::any_of(sims.begin(), sims.end(), [](float x) { return x >= kSimilar; });
    };
    if (any_at_least(h.surname)) matched.push_back("surname");
    if (any_at_least(h.forenames)) matched.push_back("forenames");
    if (h.exact & kDob) matched.push_back("date_of_birth");
    if (h.exact & kNino) matched.push_back("nino");
    if (h.exact & kEmail) matched.push_back("email");
    if (h.exact & kPhone) matched.push_back("phone");
    if (h.exact & kPostcode) matched.push_back("postcode");
    results->push_back({{"client_id", r.client_id},
                        {"surname", r.surname},
                        {"forenames", r.forenames},
                        {"date_of_birth", r.date_of_birth},
                        {"postcode", r.postcode},
                        {"status", r.status},
                        {"client_type", r.client_type},
                        {"case_number", r.case_number},
                        {"cases", r.cases},
                        {"score", std::round(s.score * 1000) / 1000},
                        {"matched", std::move(matched)}});
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, PersonalFields>> ClientSearch::Candidates(
    const PersonalFields& referral, size_t max) const {
  // Referrals are normalised when received; a value that is not in normal form is
  // looked up as given.
  auto normal = [](const std::optional<std::string>& v,
                   std::optional<std::string> (*normalize)(const std::string&)) {
    if (!v || v->empty()) return std::string();
    return normalize(*v).value_or(*v);
  };
  const std::string dob = referral.date_of_birth.value_or("");
  const std::string swapped = SwapDayMonth(dob);
  const std::string nino = normal(referral.nino, NormalizeNino);
  const std::string email = normal(referral.email, NormalizeEmail);
  const std::string phone = normal(referral.phone, NormalizePhone);
  const std::string postcode = normal(referral.postcode, NormalizePostcode);
  const std::vector<std::string> surname_words =
      SplitWords(FoldName(referral.surname.value_or("")));

  std::shared_lock<std::shared_mutex> lock(mu_);
  std::unordered_map<const ClientSearchRow*, uint32_t> keys;
  auto exact = [&](const ClientKeyIndex& index, const std::string& key, uint32_t bit) {
    for (const ClientSearchRow* r : index.Rows(key)) keys[r] |= bit;
  };
  exact(by_dob_, dob, kDob);
  if (swapped != dob) exact(by_dob_, swapped, kDobSwapped);
  exact(by_nino_, nino, kNino);
  exact(by_email_, email, kEmail);
  exact(by_phone_, phone, kPhone);
  exact(by_postcode_, postcode, kPostcode);
  for (const std::string& word : surname_words) {
    names_.ForSimilar(word, /*prefixes=*/false, [&](const NameTokenIndex::NameToken& t, double) {
      for (const NameTokenIndex::TokenRef& ref : t.refs) {
        if (ref.where & NameTokenIndex::kInSurname) keys[ref.row] |= kSurnameKey;
      }
    });
  }

  std::vector<std::pair<const ClientSearchRow*, int>> ranked;
  ranked.reserve(keys.size());
  for (const auto& [row, bits] : keys) {
    if (!row->deleted) ranked.emplace_back(row, std::popcount(bits));
  }
  const size_t n = std::min(max, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(),
                    [](const auto& a, const auto& b) {
                      if (a.second != b.second) return a.second > b.second;
                      return a.first->client_id < b.first->client_id;
                    });
  std::vector<std::pair<std::string, PersonalFields>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const ClientSearchRow& r = *ranked[i].first;
    PersonalFields p;
    auto set = [](std::optional<std::string>* field, const std::string& v) {
      if (!v.empty()) *field = v;
    };
    set(&p.surname, r.surname);
    set(&p.forenames, r.forenames);
    set(&p.date_of_birth, r.date_of_birth);
    set(&p.nino, r.nino);
    set(&p.email, r.email);
    set(&p.phone, r.phone);
    set(&p.postcode, r.postcode);
    out.emplace_back(r.client_id, std::move(p));
  }
  return out;
}

}  // namespace caseengine
