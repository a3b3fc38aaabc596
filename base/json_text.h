// JSON text written directly, for rows written once per event where building a JSON
// document first would cost more than the rest of the work (the store-backed read
// models). Text that is not UTF-8 (ids and free text come from clients) is written with
// each bad byte as U+FFFD, so every row parses and writing a parsed row again gives the
// same bytes. Pure functions, thread-safe.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace caseengine {

// The length of the well-formed UTF-8 sequence (Unicode table 3-7) at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i);
// `s` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);
// Appends `s` as a JSON string literal (quotes, escapes, U+FFFD for bad bytes).
void AppendJsonString(std::string* out, std::string_view s);

// Writes a JSON document straight into a string, for rows written on every change of a
// read model that lives in memory (building an nlohmann::json tree first cost more than
// the projection's own work). The caller nests Begin/End calls properly and gives every
// value in an object a Key first; the writer only places the commas.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key) {
    Separate();
    AppendJsonString(out_, key);
    out_->push_back(':');
    comma_ = false;
    return *this;
  }
  JsonWriter& String(std::string_view s) {
    Separate();
    AppendJsonString(out_, s);
    return *this;
  }
  JsonWriter& Int(int64_t v) {
    Separate();
    char digits[24];
    out_->append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
    return *this;
  }
  JsonWriter& Bool(bool v) {
    Separate();
    out_->append(v ? "true" : "false");
    return *this;
  }
  // Key and value in one call.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const std::string& value) {
    return Key(key).String(value);
  }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, uint64_t value) {
    return Key(key).Int(static_cast<int64_t>(value));
  }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  // The field only when the string is not empty (a row's default, left out).
  JsonWriter& FieldIfSet(std::string_view key, const std::string& value) {
    return value.empty() ? *this : Field(key, value);
  }
  // The field only when true (a row's default false, left out).
  JsonWriter& FlagIfSet(std::string_view key, bool value) {
    return value ? Field(key, true) : *this;
  }

 private:
  void Separate() {
    if (comma_) out_->push_back(',');
    comma_ = true;
  }
  JsonWriter& Open(char c) {
    Separate();
    out_->push_back(c);
    comma_ = false;
    return *this;
  }
  JsonWriter& Close(char c) {
    out_->push_back(c);
    comma_ = true;
    return *this;
  }

  std::string* out_;
  bool comma_ = false;  // a value came before in the current object or array
};

}  // namespace caseengine
