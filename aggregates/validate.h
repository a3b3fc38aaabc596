// Field checks and normal forms for commands, before any state is read: what is missing,
// malformed or out of range is refused with a 422 naming the field. Normalises in place
// (NI numbers, postcodes, phones, emails), so that matching and searching compare like
// with like. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aggregates/command.h"
#include "aggregates/config.h"
#include "aggregates/outcome.h"

namespace caseengine {

// What text a field may hold: one line (names, ids, titles, the referrer), or several
// (a note's text, a close or reopen reason), where line breaks and tabs are allowed.
enum class TextKind { kLine, kMultiline };
// Why `s` is not acceptable text of that kind, or null when it is: it must be UTF-8 with
// no control character (C0, DEL, C1) but, in multiline text, CR, LF and tab.
const char* TextProblem(std::string_view s, TextKind kind);

// A real calendar date written YYYY-MM-DD.
bool ValidDate(const std::string& date);
// "ab 12 34 56 c" -> "AB123456C"; nullopt when it is not a possible NI number.
std::optional<std::string> NormalizeNino(const std::string& nino);
// "sw1a1aa" -> "SW1A 1AA"; nullopt when it is not a UK postcode shape.
std::optional<std::string> NormalizePostcode(const std::string& postcode);
// "+44 (0)7700 900123" -> "+447700900123"; nullopt unless 7-15 digits remain.
std::optional<std::string> NormalizePhone(const std::string& phone);
// Lower-cased and trimmed; nullopt unless it looks like local@domain.tld.
std::optional<std::string> NormalizeEmail(const std::string& email);

// Checks and normalises the command's fields; nullopt when they are all fine.
std::optional<Rejection> Validate(Command* command, const DomainConfig& config,
                                  const std::string& today);

}  // namespace caseengine
