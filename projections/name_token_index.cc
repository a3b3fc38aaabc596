// NameTokenIndex: see name_token_index.h.
#include "projections/name_token_index.h"

#include <utility>

namespace caseengine {
namespace {

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

}  // namespace

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

uint32_t NameTokenIndex::LetterMask(const std::string& word) {
  uint32_t mask = 0;
  for (char c : word) mask |= 1u << LetterBit(c);
  return mask;
}

void NameTokenIndex::Add(const ClientSearchRow& r) {
  for (auto& [word, where] : RowWords(r, kInSurname, kInForenames)) {
    auto [it, added] = token_slots_.try_emplace(word, tokens_.size());
    if (added) tokens_.push_back({word, LetterMask(word), {}});
    tokens_[it->second].refs.push_back({&r, where});
  }
}

void NameTokenIndex::Remove(const ClientSearchRow& r) {
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

void NameTokenIndex::Clear() {
  tokens_.clear();
  token_slots_.clear();
}

}  // namespace caseengine
