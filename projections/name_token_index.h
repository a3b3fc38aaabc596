// NameTokenIndex: the client search's index of names (client_search.h): every distinct
// word of the rows' folded surnames and forenames (FoldName; a hyphenated word also by its
// parts, so "jones" finds "smith-jones"), each with the rows that have it and where. A
// fuzzy query compares its words with the distinct words only (a few tens of thousands
// for a large caseload), pruned by letter counts before Jaro-Winkler, so it never walks
// the rows.
//
// Invariants: a row is referenced by the words of its folded names as they were when it
// was added, until it is removed with the same names; a word's slot is reused by the same
// word and never freed.
//
// Threading: none of its own; the ClientSearch that holds it guards it.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregates/lobby_matcher.h"
#include "projections/client_search_row.h"

namespace caseengine {

// The words of a folded name, in order.
std::vector<std::string> SplitWords(const std::string& folded);

class NameTokenIndex {
 public:
  static constexpr double kSimilar = 0.85;  // Jaro-Winkler at which two name words match
  // Where a word occurs in a row's names.
  static constexpr uint8_t kInSurname = 1, kInForenames = 2;
  struct TokenRef {
    const ClientSearchRow* row;
    uint8_t where;
  };
  struct NameToken {
    std::string text;
    uint32_t letters = 0;  // which letters it has: a cheap bound before Jaro-Winkler
    std::vector<TokenRef> refs;
  };

  void Add(const ClientSearchRow& row);
  void Remove(const ClientSearchRow& row);
  void Clear();

  // Calls fn(token, similarity) for each distinct word similar to `word` (Jaro-Winkler of
  // at least kSimilar, or `word` a prefix of it when `prefixes`).
  template <class Fn>
  void ForSimilar(const std::string& word, bool prefixes, Fn&& fn) const;

 private:
  // Letters a-z are bits 0-25, the hyphen 26, anything else 27.
  static int LetterBit(char c) {
    if (c >= 'a' && c <= 'z') return c - 'a';
    return c == '-' ? 26 : 27;
  }
  static uint32_t LetterMask(const std::string& word);

  std::vector<NameToken> tokens_;  // slots are reused by the same word, never freed
  std::unordered_map<std::string, size_t> token_slots_;
};

template <class Fn>
void NameTokenIndex::ForSimilar(const std::string& a, bool prefixes, Fn&& fn) const {
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

}  // namespace caseengine
