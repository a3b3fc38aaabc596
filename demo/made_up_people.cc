// Made-up people: see made_up_people.h.
#include "demo/made_up_people.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace caseengine::demo {
namespace {

constexpr const char* kEmailDomains[] = {"example.com", "example.org", "example.net",
                                         "mail.example.com", "post.example.org"};

// Drama ranges: 07700 900000-900999 and 0xx 496 0000-0999 style landlines.
constexpr const char* kLandlinePrefixes[] = {"020 7946 0", "0113 496 0", "0114 496 0", "0115 496 0",
                                             "0116 496 0", "0117 496 0", "0118 496 0", "0121 496 0",
                                             "0131 496 0", "0141 496 0", "0151 496 0", "0161 496 0",
                                             "0191 498 0", "029 2018 0", "028 9649 6"};

}  // namespace

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Folds the accented letters of the name lists to ASCII, for made-up email addresses.
std::string AsciiLower(std::string_view name) {
  static const std::pair<std::string_view, char> kFolds[] = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"ç", 'c'}, {"é", 'e'},
      {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"í", 'i'}, {"ï", 'i'}, {"ı", 'i'}, {"ł", 'l'},
      {"Ł", 'l'}, {"ñ", 'n'}, {"ń", 'n'}, {"ó", 'o'}, {"ö", 'o'}, {"ô", 'o'}, {"Ó", 'o'},
      {"Ö", 'o'}, {"ś", 's'}, {"ú", 'u'}, {"ü", 'u'}};
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
      ++i;  // apostrophes, hyphens and spaces drop out
      continue;
    }
    size_t width = 1;
    for (const auto& [from, to] : kFolds) {
      if (name.substr(i, from.size()) == from) {
        out.push_back(to);
        width = from.size();
        break;
      }
    }
    i += width;
  }
  return out;
}

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.Below(10)));
  return s;
}

// A National Insurance number HMRC could have issued, written the way people write it.
std::string MakeNino(Rng& rng) {
  static constexpr char kFirst[] = "ABCEGHJKLMNPRSTWXYZ";   // not D F I Q U V
  static constexpr char kSecond[] = "ABCEGHJKLMNPRSTWXYZ";  // nor O
  static constexpr std::string_view kNeverIssued[] = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"};
  std::string prefix;
  do {
    prefix = kFirst[rng.Below(sizeof kFirst - 1)];
    prefix += kSecond[rng.Below(sizeof kSecond - 1)];
  } while (std::find(std::begin(kNeverIssued), std::end(kNeverIssued), prefix) !=
           std::end(kNeverIssued));
  const std::string digits = Digits(rng, 6);
  const char suffix = "ABCD"[rng.Below(4)];
  if (rng.Chance(0.15)) {
    return prefix + " " + digits.substr(0, 2) + " " + digits.substr(2, 2) + " " +
           digits.substr(4, 2) + " " + suffix;
  }
  return prefix + digits + suffix;
}

std::string MakePhone(Rng& rng) {
  if (rng.Chance(0.7)) {
    const std::string tail = Digits(rng, 3);
    return rng.Chance(0.2) ? "+44 7700 900" + tail : "07700 900" + tail;
  }
  const std::string prefix = rng.Pick(kLandlinePrefixes);
  return prefix + Digits(rng, 3);
}

std::string MakePostcode(Rng& rng, const std::string& area) {
  std::string inward = Digits(rng, 1);
  inward.push_back(kInwardLetters[rng.Below(sizeof kInwardLetters - 1)]);
  inward.push_back(kInwardLetters[rng.Below(sizeof kInwardLetters - 1)]);
  return area + " " + inward;
}

std::string MakeEmail(Rng& rng, const std::string& forename, const std::string& surname,
                      int birth_year) {
  std::string first = AsciiLower(forename), last = AsciiLower(surname);
  if (first.empty()) first = "resident";
  if (last.empty()) last = "household";
  std::string local;
  switch (rng.Below(4)) {
    case 0:
      local = first + "." + last;
      break;
    case 1:
      local = first + last + Digits(rng, 2);
      break;
    case 2:
      local = first.substr(0, 1) + last + std::to_string(birth_year % 100);
      break;
    default:
      local = first + "_" + last.substr(0, 1) + Digits(rng, 3);
      break;
  }
  return local + "@" + rng.Pick(kEmailDomains);
}

}  // namespace caseengine::demo
