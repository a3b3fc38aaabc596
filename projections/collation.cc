// CollateNames: see collation.h.
#include "projections/collation.h"

#include <unicode/ucol.h>

namespace caseengine {
namespace {

// The thread's en-GB collator (tertiary strength: base letters, then accents, then case);
// null when ICU cannot open one, and names then compare by their bytes.
UCollator* ThreadCollator() {
  struct Holder {
    UCollator* collator = nullptr;
    Holder() {
      UErrorCode status = U_ZERO_ERROR;
      collator = ucol_open("en_GB", &status);
      if (U_FAILURE(status)) collator = nullptr;
    }
    ~Holder() {
      if (collator != nullptr) ucol_close(collator);
    }
  };
  thread_local Holder holder;
  return holder.collator;
}

int Bytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

int CollateNames(std::string_view a, std::string_view b) {
  UCollator* collator = ThreadCollator();
  if (collator == nullptr || a == b) return Bytes(a, b);
  UErrorCode status = U_ZERO_ERROR;
  const UCollationResult r = ucol_strcollUTF8(collator, a.data(), static_cast<int32_t>(a.size()),
                                              b.data(), static_cast<int32_t>(b.size()), &status);
  if (U_FAILURE(status) || r == UCOL_EQUAL) return Bytes(a, b);
  return r == UCOL_LESS ? -1 : 1;
}

}  // namespace caseengine
