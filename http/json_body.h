// JsonBody: a command's JSON body, read field by field. Malformed JSON, JSON that is
// not an object, or an object that names a key twice (at any depth: which one would win
// differs between parsers, so it is refused rather than guessed) is a 400. A field the
// command does not have, or a field of the wrong type, is collected as a field error
// (read as absent meanwhile), so that one 422 names every one of them (Errors). Absent
// fields read as empty: whether a field is required is the command's own validation.
//
// Threading: a value; one thread.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aggregates/event.h"
#include "aggregates/outcome.h"
#include "base/json_text.h"
#include "http/http_types.h"

namespace caseengine {

class JsonBody {
 public:
  // `fields`: the fields the command reads, as the route table lists them (a required
  // one ends in '*'); any other key of the body is an error.
  JsonBody(const std::string& text, const std::vector<const char*>& fields) {
    Parse(text);
    for (auto it = json_.begin(); it != json_.end(); ++it) {
      bool known = false;
      for (std::string_view f : fields) {
        if (f.ends_with('*')) f.remove_suffix(1);
        known = known || f == it.key();
      }
      if (!known) Fail(ValidUtf8(it.key()), "is not a field of this command");
    }
  }

  // Every field error found so far: unknown fields and fields of the wrong type.
  const std::vector<Rejection::FieldError>& errors() const { return errors_; }

  std::string Str(const char* name) const {
    auto v = Opt(name);
    return v ? *v : std::string();
  }
  std::optional<std::string> Opt(const char* name) const {
    auto it = json_.find(name);
    if (it == json_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return Fail(name, "must be a string"), std::nullopt;
    return it->get<std::string>();
  }
  bool Bool(const char* name) const {
    auto it = json_.find(name);
    if (it == json_.end() || it->is_null()) return false;
    if (!it->is_boolean()) return Fail(name, "must be true or false"), false;
    return it->get<bool>();
  }
  // A whole number from lo to hi; `fallback` when absent or null.
  int Int(const char* name, int fallback, int lo, int hi) const {
    auto it = json_.find(name);
    if (it == json_.end() || it->is_null()) return fallback;
    if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
      return Fail(name, "must be a whole number from " + std::to_string(lo) + " to " +
                            std::to_string(hi)),
             fallback;
    }
    return static_cast<int>(it->get<int64_t>());
  }
  // An array of strings; empty when absent or null.
  std::vector<std::string> StrList(const char* name) const {
    std::vector<std::string> out;
    auto it = json_.find(name);
    if (it == json_.end() || it->is_null()) return out;
    if (!it->is_array()) return Fail(name, "must be an array of strings"), out;
    for (const auto& v : *it) {
      if (!v.is_string())
        return Fail(name, "must be an array of strings"), std::vector<std::string>();
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  PersonalFields Personal() const {
    PersonalFields p;
    p.surname = Opt("surname");
    p.forenames = Opt("forenames");
    p.date_of_birth = Opt("date_of_birth");
    p.nino = Opt("nino");
    p.email = Opt("email");
    p.phone = Opt("phone");
    p.postcode = Opt("postcode");
    return p;
  }

 private:
  void Fail(std::string field, std::string message) const {
    for (const auto& e : errors_) {
      if (e.field == field) return;
    }
    errors_.push_back({std::move(field), std::move(message)});
  }

  void Parse(const std::string& text) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      json_ = nlohmann::json::object();  // no body: no fields
      return;
    }
    // The keys seen in each object being read, innermost last.
    std::vector<std::set<std::string>> open;
    std::string duplicate;
    auto watch = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      using E = nlohmann::json::parse_event_t;
      if (event == E::object_start) {
        open.emplace_back();
      } else if (event == E::object_end) {
        if (!open.empty()) open.pop_back();
      } else if (event == E::key && !open.empty() && parsed.is_string()) {
        if (!open.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
      }
      return true;
    };
    json_ = nlohmann::json::parse(text, watch, false);
    if (json_.is_discarded()) throw Problem::BadRequest("the body is not valid JSON");
    if (!duplicate.empty()) {
      throw Problem(400, "/problems/malformed", "Malformed request",
                    "the key \"" + ValidUtf8(duplicate) + "\" appears twice in one object",
                    {{"key", ValidUtf8(duplicate)}});
    }
    if (!json_.is_object()) throw Problem::BadRequest("the body must be a JSON object");
  }

  nlohmann::json json_;
  mutable std::vector<Rejection::FieldError> errors_;
};

}  // namespace caseengine
