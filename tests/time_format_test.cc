// Time formats: instants written by arithmetic agree with gmtime_r and snprintf at every
// kind of boundary (days, leap days, centuries, before the epoch), and dates and ranges
// parse back to what was written.
#include "base/time_format.h"

#include <catch2/catch.hpp>
#include <random>

#include "aggregates/validate.h"

namespace caseengine {
namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kDay = 86400 * kSecond;

TEST_CASE("an instant is written as RFC 3339 UTC with six fraction digits") {
  CHECK(FormatMicrosUtc(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(FormatMicrosUtc(1795370892633762) == "2026-11-22T18:08:12.633762Z");
  CHECK(FormatMicrosUtc(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(MicrosToDate(-1) == "1969-12-31");
  CHECK(MicrosToDate(1795370892633762) == "2026-11-22");
}

TEST_CASE("instants written by arithmetic equal those gmtime_r gives at every boundary") {
  // Midnights and the microseconds around them, over leap days and century years.
  for (int64_t day = -800000; day <= 2933000; day += day > 0 && day < 30000 ? 1 : 13) {
    for (int64_t micros :
         {day * kDay, day * kDay - 1, day * kDay + 1, day * kDay + 43200 * kSecond}) {
      INFO(micros);
      REQUIRE(FormatMicrosUtc(micros) == FormatMicrosUtcSlow(micros));
      REQUIRE(MicrosToDate(micros) == FormatMicrosUtcSlow(micros).substr(0, 10));
    }
  }
  for (const char* date : {"2000-02-29", "1900-03-01", "2100-02-28", "2100-03-01", "2400-02-29",
                           "0000-01-01", "9999-12-31", "1600-02-29"}) {
    int64_t micros = 0;
    REQUIRE(ParseInstant(date, &micros));
    INFO(date);
    CHECK(FormatMicrosUtc(micros).substr(0, 10) == date);
    CHECK(FormatMicrosUtc(micros) == FormatMicrosUtcSlow(micros));
  }
  std::mt19937_64 random(5);
  std::uniform_int_distribution<int64_t> any(-62167219200 * kSecond, 253402300799 * kSecond);
  for (int i = 0; i < 200000; ++i) {
    const int64_t micros = any(random);
    INFO(micros);
    REQUIRE(FormatMicrosUtc(micros) == FormatMicrosUtcSlow(micros));
  }
}

TEST_CASE("an instant parses back to the microsecond it was written from") {
  std::mt19937_64 random(9);
  std::uniform_int_distribution<int64_t> any(0, 253402300799 * kSecond);
  for (int i = 0; i < 20000; ++i) {
    const int64_t micros = any(random);
    int64_t back = 0;
    REQUIRE(ParseInstant(FormatMicrosUtc(micros), &back));
    REQUIRE(back == micros);
  }
}

TEST_CASE("years past 9999 are written as gmtime_r gives them") {
  const int64_t micros = 253402300800 * kSecond;  // 10000-01-01
  CHECK(FormatMicrosUtc(micros) == FormatMicrosUtcSlow(micros));
  CHECK(MicrosToDate(micros) == FormatMicrosUtcSlow(micros).substr(0, 10));
  CHECK(FormatMicrosUtc(micros).rfind("10000-01-01T", 0) == 0);
}

}  // namespace
}  // namespace caseengine

TEST_CASE("one date parser: a date must be a real one of the calendar, everywhere", "[time]") {
  int64_t days;
  for (const char* good : {"2026-02-28", "2024-02-29", "2000-02-29", "1970-01-01", "2026-12-31"}) {
    INFO(good);
    CHECK(caseengine::ParseDate(good, &days));
    CHECK(caseengine::IsDate(good));
  }
  for (const char* bad :
       {"2026-02-29", "2026-02-30", "2026-02-31", "1900-02-29", "2026-04-31", "2026-13-01",
        "2026-00-10", "2026-01-00", "2026-1-01", "2026-01-011", "20260101", "", "2026-01-0x"}) {
    INFO(bad);
    CHECK_FALSE(caseengine::ParseDate(bad, &days));
    CHECK_FALSE(caseengine::ValidDate(bad));
  }
  int64_t micros;
  CHECK_FALSE(caseengine::ParseInstant("2026-02-30", &micros));
  CHECK_FALSE(caseengine::ParseInstant("2026-02-30T10:00:00Z", &micros));
  CHECK(caseengine::ParseInstant("2024-02-29T10:00:00Z", &micros));
  // The domain's own floor stays: no record goes back before 1850.
  CHECK(caseengine::IsDate("1849-12-31"));
  CHECK_FALSE(caseengine::ValidDate("1849-12-31"));
}
