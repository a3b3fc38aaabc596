// libFuzzer target: base64url (base/coding.h), which cursors in URLs and the parts of
// access tokens go through. Decoding never reads or writes out of bounds, and what
// decodes encodes to text that decodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/coding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string bytes, again;
  if (!caseengine::Base64UrlDecode(text, &bytes)) return 0;
  if (!caseengine::Base64UrlDecode(caseengine::Base64UrlEncode(bytes), &again)) std::abort();
  if (again != bytes) std::abort();
  return 0;
}
