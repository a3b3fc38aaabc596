// Time formats: see time_format.h.
#include "base/time_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace caseengine {
namespace {

// Days since 1970-01-01 of a civil date (proleptic Gregorian), valid for any year.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The civil date of a day count since 1970-01-01: the inverse of DaysFromCivil.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Writes `v` as exactly `n` decimal digits at p.
char* PutDigits(char* p, int64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

// Writes the UTC date of an instant (YYYY-MM-DD) at p and sets *in_day to its
// microsecond within that day; returns the end, or null for a year outside 0..9999.
char* PutDate(char* p, int64_t micros, int64_t* in_day) {
  constexpr int64_t kDay = 86400 * int64_t{1000000};
  int64_t days = micros / kDay;
  *in_day = micros % kDay;
  if (*in_day < 0) {
    *in_day += kDay;
    days -= 1;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  if (year < 0 || year > 9999) return nullptr;
  p = PutDigits(p, year, 4);
  *p++ = '-';
  p = PutDigits(p, month, 2);
  *p++ = '-';
  return PutDigits(p, day, 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// The date a text starts with (its first 10 bytes), a real one of the calendar.
bool ParseDatePrefix(std::string_view s, int64_t* days) {
  int y, m, d;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || m < 1 || m > 12 || d < 1) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return false;
  *days = DaysFromCivil(y, m, d);
  return true;
}

}  // namespace

bool ParseDate(std::string_view s, int64_t* days) {
  return s.size() == 10 && ParseDatePrefix(s, days);
}

bool IsDate(std::string_view s) {
  int64_t days;
  return ParseDate(s, &days);
}

// By arithmetic rather than gmtime_r and snprintf: projections format the time of nearly
// every event (journal, history, case list), and this took a tenth of their work.
std::string FormatMicrosUtc(int64_t micros) {
  int64_t in_day;
  char buf[27];
  char* p = PutDate(buf, micros, &in_day);
  if (p == nullptr) return FormatMicrosUtcSlow(micros);
  *p++ = 'T';
  const int64_t seconds = in_day / 1000000;
  p = PutDigits(p, seconds / 3600, 2);
  *p++ = ':';
  p = PutDigits(p, seconds / 60 % 60, 2);
  *p++ = ':';
  p = PutDigits(p, seconds % 60, 2);
  *p++ = '.';
  p = PutDigits(p, in_day % 1000000, 6);
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string MicrosToDate(int64_t micros) {
  int64_t in_day;
  char buf[10];
  char* p = PutDate(buf, micros, &in_day);
  if (p == nullptr) return FormatMicrosUtcSlow(micros).substr(0, 10);
  return std::string(buf, p);
}

std::string UtcToday() {
  return MicrosToDate(std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count());
}

std::string FormatMicrosUtcSlow(int64_t micros) {
  int64_t seconds = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

bool ParseInstant(std::string_view s, int64_t* micros) {
  int64_t days;
  if (!ParseDatePrefix(s, &days)) return false;
  int64_t seconds = days * 86400;
  if (s.size() == 10) {
    *micros = seconds * 1000000;
    return true;
  }
  int hh, mm, ss;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, &hh) || s.size() < 19 ||
      s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' || !Digits(s, 17, 2, &ss) || hh > 23 ||
      mm > 59 || ss > 60) {
    return false;
  }
  seconds += hh * 3600 + mm * 60 + ss;
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    int scale = 1000000;
    ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      scale /= 10;
      frac += (s[i] - '0') * scale;
      ++i;
    }
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &om)) {
      return false;
    }
    const int64_t offset = oh * 3600 + om * 60;
    seconds += s[i] == '+' ? -offset : offset;
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  *micros = seconds * 1000000 + frac;
  return true;
}

bool ParseInstantUntil(std::string_view s, int64_t* micros) {
  if (!ParseInstant(s, micros)) return false;
  if (s.size() == 10) *micros += 86400LL * 1000000 - 1;
  return true;
}

std::string DateFromDays(int64_t days) { return MicrosToDate(days * 86400LL * 1000000LL); }

std::string AddDays(std::string_view date, int64_t n) {
  int64_t days;
  if (!ParseDate(date, &days)) return std::string();
  return DateFromDays(days + n);
}

int64_t DaysBetween(std::string_view from, std::string_view to) {
  int64_t a, b;
  if (!ParseDate(from, &a) || !ParseDate(to, &b)) return 0;
  return b - a;
}

}  // namespace caseengine
