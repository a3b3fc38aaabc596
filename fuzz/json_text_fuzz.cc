// libFuzzer target: the JSON writer (base/json_text.h). Whatever bytes a client sends as
// text, the string literal written for them parses, and reads back as the text with each
// byte that is not UTF-8 replaced by U+FFFD (what every row and answer relies on).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "base/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string out;
  caseengine::AppendJsonString(&out, text);
  auto parsed = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_string()) std::abort();
  if (parsed.get<std::string>() != caseengine::ValidUtf8(text)) std::abort();
  return 0;
}
