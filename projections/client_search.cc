// ClientSearch and ClientSearchProjection: see client_search.h.
#include "projections/client_search.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <mutex>

#include "aggregates/lobby_matcher.h"
#include "aggregates/validate.h"

namespace caseengine {

// Empty fields and deleted: false are left out.
void WriteJson(JsonWriter* w, const ClientSearchRow& r) {
  w->BeginObject()
      .Field("client_id", r.client_id)
      .FieldIfSet("surname", r.surname)
      .FieldIfSet("forenames", r.forenames)
      .FieldIfSet("date_of_birth", r.date_of_birth)
      .FieldIfSet("nino", r.nino)
      .FieldIfSet("email", r.email)
      .FieldIfSet("phone", r.phone)
      .FieldIfSet("postcode", r.postcode)
      .Field("status", r.status)
      .FieldIfSet("client_type", r.client_type)
      .FieldIfSet("case_number", r.case_number)
      .FlagIfSet("deleted", r.deleted);
  w->Key("cases").BeginArray();
  for (const std::string& c : r.cases) w->String(c);
  w->EndArray().EndObject();
}

void from_json(const nlohmann::json& j, ClientSearchRow& r) {
  r = ClientSearchRow();
  auto get = [&](const char* key, std::string* value) { *value = j.value(key, ""); };
  get("client_id", &r.client_id);
  get("surname", &r.surname);
  get("forenames", &r.forenames);
  get("date_of_birth", &r.date_of_birth);
  get("nino", &r.nino);
  get("email", &r.email);
  get("phone", &r.phone);
  get("postcode", &r.postcode);
  r.status = j.value("status", "active");
  get("client_type", &r.client_type);
  get("case_number", &r.case_number);
  r.deleted = j.value("deleted", false);
  auto it = j.find("cases");
  if (it != j.end()) it->get_to(r.cases);
}

namespace {

constexpr double kSimilar = 0.85;  // Jaro-Winkler at which two name words match
constexpr size_t kMaxQueryWords = 4;

// Letters a-z are bits 0-25, the hyphen 26, anything else 27.
int LetterBit(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  return c == '-' ? 26 : 27;
}

uint32_t LetterMask(const std::string& word) {
  uint32_t mask = 0;
  for (char c : word) mask |= 1u << LetterBit(c);
  return mask;
}

std::vector<std::string> SplitWords(const std::string& folded) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    if (end > start) words.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// The distinct words of a row's names and where each occurs; a hyphenated word also
// stands for its parts, so "jones" finds "smith-jones".
std::vector<std::pair<std::string, uint8_t>> RowWords(const ClientSearchRow& r, uint8_t in_surname,
                                                      uint8_t in_forenames) {
  std::vector<std::pair<std::string, uint8_t>> out;
  auto add = [&](const std::string& word, uint8_t where) {
    if (word.empty() || word == "-") return;
    for (auto& [w, bits] : out) {
      if (w == word) {
        bits |= where;
        return;
      }
    }
    out.emplace_back(word, where);
  };
  auto add_all = [&](const std::string& folded, uint8_t where) {
    for (const std::string& word : SplitWords(folded)) {
      add(word, where);
      if (word.find('-') == std::string::npos) continue;
      size_t start = 0;
      while (start <= word.size()) {
        size_t end = word.find('-', start);
        if (end == std::string::npos) end = word.size();
        if (end > start) add(word.substr(start, end - start), where);
        start = end + 1;
      }
    }
  };
  add_all(r.folded_surname, in_surname);
  add_all(r.folded_forenames, in_forenames);
  return out;
}

template <class T>
void EraseOne(std::vector<T>* v, const T& x) {
  auto it = std::find(v->begin(), v->end(), x);
  if (it == v->end()) return;
  *it = v->back();  // order within a list does not matter: results are sorted
  v->pop_back();
}

using KeyIndex = std::unordered_map<std::string, std::vector<const ClientSearchRow*>>;

void AddTo(KeyIndex* index, const std::string& key, const ClientSearchRow* row) {
  if (!key.empty()) (*index)[key].push_back(row);
}

void RemoveFrom(KeyIndex* index, const std::string& key, const ClientSearchRow* row) {
  if (key.empty()) return;
  auto it = index->find(key);
  if (it == index->end()) return;
  EraseOne(&it->second, row);
  if (it->second.empty()) index->erase(it);
}

// The rows with `key` in `index`; none for an empty key.
const std::vector<const ClientSearchRow*>& RowsWith(const KeyIndex& index, const std::string& key) {
  static const std::vector<const ClientSearchRow*> kNone;
  if (key.empty()) return kNone;
  auto it = index.find(key);
  return it == index.end() ? kNone : it->second;
}

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
void ClientSearch::ForSimilarTokens(const std::string& a, bool prefixes, Fn&& fn) const {
  const int la = static_cast<int>(a.size());
  if (la == 0) return;
  std::array<int, 28> counts{};
  for (char c : a) counts[LetterBit(c)]++;
  const uint32_t mask = LetterMask(a);
  for (const NameToken& t : tokens_) {
    if (t.refs.empty()) continue;
    const std::string& b = t.text;
    const int lb = static_cast<int>(b.size());
    if (prefixes && lb >= la && b.compare(0, la, a) == 0) {
      // A word being typed: the longer the part given, the closer.
      fn(t, lb == la ? 1.0 : kSimilar + (1 - kSimilar) * la / lb);
      continue;
    }
    // Letters of `a` that `b` lacks can never match, which bounds the Jaro matches m and so
    // the similarity: most words are ruled out without computing it.
    int missing = 0;
    for (uint32_t bits = mask & ~t.letters; bits != 0; bits &= bits - 1) {
      missing += counts[std::countr_zero(bits)];
    }
    const int m = std::min(la - missing, lb);
    if (m <= 0) continue;
    const double jaro = (static_cast<double>(m) / la + static_cast<double>(m) / lb + 1) / 3;
    int prefix = 0;
    while (prefix < std::min({4, la, lb}) && a[prefix] == b[prefix]) ++prefix;
    if (jaro + prefix * 0.1 * (1 - jaro) < kSimilar) continue;
    const double sim = JaroWinkler(a, b);
    if (sim >= kSimilar) fn(t, sim);
  }
}

template <class Fn>
void ClientSearch::ForKeyIndexes(const ClientSearchRow& r, Fn&& fn) {
  fn(&by_dob_, r.date_of_birth);
  fn(&by_nino_, r.nino);
  fn(&by_email_, r.email);
  fn(&by_phone_, r.phone);
  fn(&by_postcode_, r.postcode);
}

void ClientSearch::ClearIndexes() {
  by_dob_.clear();
  by_nino_.clear();
  by_email_.clear();
  by_phone_.clear();
  by_postcode_.clear();
  tokens_.clear();
  token_slots_.clear();
}

void ClientSearch::Index(const ClientSearchRow& r) {
  ForKeyIndexes(r, [&](KeyIndex* index, const std::string& key) { AddTo(index, key, &r); });
  for (auto& [word, where] : RowWords(r, kInSurname, kInForenames)) {
    auto [it, added] = token_slots_.try_emplace(word, tokens_.size());
    if (added) tokens_.push_back({word, LetterMask(word), {}});
    tokens_[it->second].refs.push_back({&r, where});
  }
}

void ClientSearch::Unindex(const ClientSearchRow& r) {
  ForKeyIndexes(r, [&](KeyIndex* index, const std::string& key) { RemoveFrom(index, key, &r); });
  for (auto& [word, where] : RowWords(r, kInSurname, kInForenames)) {
    auto it = token_slots_.find(word);
    if (it == token_slots_.end()) continue;
    auto& refs = tokens_[it->second].refs;
    auto ref =
        std::find_if(refs.begin(), refs.end(), [&](const TokenRef& x) { return x.row == &r; });
    if (ref == refs.end()) continue;
    *ref = refs.back();
    refs.pop_back();
  }
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
  auto exact = [&](const KeyIndex& index, const std::string& key, uint32_t bit) {
    for (const ClientSearchRow* r : RowsWith(index, key)) hits[r].exact |= bit;
  };
  exact(by_dob_, query.date_of_birth, kDob);
  exact(by_nino_, nino, kNino);
  exact(by_email_, email, kEmail);
  exact(by_phone_, phone, kPhone);
  exact(by_postcode_, postcode, kPostcode);
  for (size_t i = 0; i < words.size(); ++i) {
    ForSimilarTokens(words[i], /*prefixes=*/true, [&](const NameToken& t, double sim) {
      const float s = static_cast<float>(sim);
      for (const TokenRef& ref : t.refs) {
        Hit& h = hits[ref.row];
        if (ref.where & kInSurname) h.surname[i] = std::max(h.surname[i], s);
        if (ref.where & kInForenames) h.forenames[i] = std::max(h.forenames[i], s);
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
                      if (a.row->folded_surname != b.row->folded_surname) {
                        return a.row->folded_surname < b.row->folded_surname;
                      }
                      if (a.row->folded_forenames != b.row->folded_forenames) {
                        return a.row->folded_forenames < b.row->folded_forenames;
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
  auto exact = [&](const KeyIndex& index, const std::string& key, uint32_t bit) {
    for (const ClientSearchRow* r : RowsWith(index, key)) keys[r] |= bit;
  };
  exact(by_dob_, dob, kDob);
  if (swapped != dob) exact(by_dob_, swapped, kDobSwapped);
  exact(by_nino_, nino, kNino);
  exact(by_email_, email, kEmail);
  exact(by_phone_, phone, kPhone);
  exact(by_postcode_, postcode, kPostcode);
  for (const std::string& word : surname_words) {
    ForSimilarTokens(word, /*prefixes=*/false, [&](const NameToken& t, double) {
      for (const TokenRef& ref : t.refs) {
        if (ref.where & kInSurname) keys[ref.row] |= kSurnameKey;
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

Status ClientSearchProjection::Load(const Store& store, FamilyId family) {
  auto& s = search_;
  std::unique_lock<std::shared_mutex> lock(s.mu_);
  s.ClearIndexes();
  Status st = s.rows_.Load(store, family);
  if (!st.ok()) return st;
  // Folded names and indexes are not stored. The rows are the table's own (non-const)
  // objects, handed out const by ForEach.
  s.rows_.ForEach([&](const ClientSearchRow& r) {
    auto* row = const_cast<ClientSearchRow*>(&r);
    row->folded_surname = FoldName(r.surname);
    row->folded_forenames = FoldName(r.forenames);
    s.Index(r);
  });
  return Status::Ok();
}

void ClientSearchProjection::Reset() {
  auto& s = search_;
  std::unique_lock<std::shared_mutex> lock(s.mu_);
  s.rows_.Clear();
  s.ClearIndexes();
}

void ClientSearchProjection::Flush(RowWriter* rows) {
  std::unique_lock<std::shared_mutex> lock(search_.mu_);
  search_.rows_.Flush(rows);
}

void ClientSearchProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr) return;
  const Event& e = *pe.event;
  switch (e.type) {
    case EventType::kClientRegistered:
    case EventType::kClientDetailsCorrected:
    case EventType::kClientStatusChanged:
    case EventType::kClientTypeChanged:
    case EventType::kCaseNumberChanged:
    case EventType::kClientCaseAdded:
    case EventType::kClientCaseDeleted:
    case EventType::kClientDeleted:
    case EventType::kClientRestored:
      break;
    default:
      return;  // before the lock: most events change nothing here
  }
  if (pe.kind != StreamKind::kClient) return;
  const std::string id(pe.id);
  auto& s = search_;
  std::unique_lock<std::shared_mutex> lock(s.mu_);

  if (e.type == EventType::kClientDeleted && e.mode == DeleteMode::kErase) {
    if (const ClientSearchRow* r = s.rows_.Find(id)) s.Unindex(*r);
    s.rows_.Remove(id);
    return;
  }
  ClientSearchRow* r =
      e.type == EventType::kClientRegistered ? s.rows_.Upsert(id) : s.rows_.Change(id);
  if (r == nullptr) return;
  auto set_personal = [&](bool replace_all) {
    s.Unindex(*r);
    const PersonalFields& p = e.personal;
    auto set = [&](std::string* field, const std::optional<std::string>& v) {
      if (v) {
        *field = *v;
      } else if (replace_all) {
        field->clear();
      }
    };
    set(&r->surname, p.surname);
    set(&r->forenames, p.forenames);
    set(&r->date_of_birth, p.date_of_birth);
    set(&r->nino, p.nino);
    set(&r->email, p.email);
    set(&r->phone, p.phone);
    set(&r->postcode, p.postcode);
    r->folded_surname = FoldName(r->surname);
    r->folded_forenames = FoldName(r->forenames);
    s.Index(*r);
  };
  switch (e.type) {
    case EventType::kClientRegistered:
      r->client_id = id;
      r->client_type = e.client_type;
      r->cases = {e.case_id};
      set_personal(/*replace_all=*/true);
      break;
    case EventType::kClientDetailsCorrected:
      set_personal(/*replace_all=*/false);
      break;
    case EventType::kClientStatusChanged:
      r->status = e.status;
      break;
    case EventType::kClientTypeChanged:
      r->client_type = e.client_type;
      break;
    case EventType::kCaseNumberChanged:
      r->case_number = e.case_number;
      break;
    case EventType::kClientCaseAdded:
      r->cases.push_back(e.case_id);
      break;
    case EventType::kClientCaseDeleted:
      std::erase(r->cases, e.case_id);
      break;
    case EventType::kClientDeleted:
      r->deleted = true;
      break;
    case EventType::kClientRestored:
      r->deleted = false;
      break;
    default:
      break;
  }
}

}  // namespace caseengine
