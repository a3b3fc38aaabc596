// JSON text written directly, for rows written once per event where building a JSON
// document first would cost more than the rest of the work (the store-backed read
// models). Text that is not UTF-8 (ids and free text come from clients) is written with
// each bad byte as U+FFFD, so every row parses and writing a parsed row again gives the
// same bytes. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace caseengine {

// The length of the well-formed UTF-8 sequence (Unicode table 3-7) at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i);
// `s` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);
// Appends `s` as a JSON string literal (quotes, escapes, U+FFFD for bad bytes).
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace caseengine
