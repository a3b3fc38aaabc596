// MemoryBudget: see memory_budget.h.
#include "base/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace caseengine {

MemoryBudget MemoryBudget::Default() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const uint64_t physical = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
  MemoryBudget b;
  b.total = std::max<uint64_t>(physical / 4, 1ull << 30);
  return b;
}

Status MemoryBudget::Parse(const std::string& text, MemoryBudget* out) {
  auto bad = [&] {
    return Status::InvalidArgument("memory budget '" + text +
                                   "' is not a size (e.g. 512M, 2G, or bytes)");
  };
  size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0 || text.size() - digits > 1) return bad();
  double value = 0;
  try {
    size_t used = 0;
    value = std::stod(text.substr(0, digits), &used);
    if (used != digits) return bad();
  } catch (...) {
    return bad();
  }
  uint64_t unit = 1;
  if (digits < text.size()) {
    switch (std::toupper(static_cast<unsigned char>(text[digits]))) {
      case 'K':
        unit = 1ull << 10;
        break;
      case 'M':
        unit = 1ull << 20;
        break;
      case 'G':
        unit = 1ull << 30;
        break;
      case 'T':
        unit = 1ull << 40;
        break;
      default:
        return bad();
    }
  }
  const double bytes = value * double(unit);
  if (!std::isfinite(bytes) || bytes > double(1ull << 50)) return bad();
  if (bytes < double(kMinimum)) {
    return Status::InvalidArgument("memory budget '" + text + "' is below the least, 64M");
  }
  out->total = static_cast<uint64_t>(bytes);
  return Status::Ok();
}

}  // namespace caseengine
