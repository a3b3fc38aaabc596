// Business dates: see business_date.h.
#include "base/business_date.h"

#include <unicode/timezone.h>

#include <chrono>
#include <memory>

#include "base/time_format.h"

namespace caseengine {
namespace {

std::unique_ptr<icu::TimeZone> Zone(const std::string& time_zone) {
  std::unique_ptr<icu::TimeZone> zone(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(time_zone)));
  if (zone == nullptr || *zone == icu::TimeZone::getUnknown()) return nullptr;
  return zone;
}

}  // namespace

bool KnownTimeZone(const std::string& time_zone) { return Zone(time_zone) != nullptr; }

std::string DateIn(const std::string& time_zone, int64_t micros) {
  std::unique_ptr<icu::TimeZone> zone = Zone(time_zone);
  if (zone == nullptr) return MicrosToDate(micros);
  UErrorCode status = U_ZERO_ERROR;
  int32_t raw = 0, dst = 0;
  zone->getOffset(static_cast<UDate>(micros / 1000), /*local=*/false, raw, dst, status);
  if (U_FAILURE(status)) return MicrosToDate(micros);
  return MicrosToDate(micros + (static_cast<int64_t>(raw) + dst) * 1000);
}

std::string TodayIn(const std::string& time_zone) {
  return DateIn(time_zone, std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
}

}  // namespace caseengine
