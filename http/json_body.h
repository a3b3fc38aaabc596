// JsonBody: a command's JSON body, read field by field. Malformed JSON, JSON that is
// not an object, or an object that names a key twice (at any depth: which one would win
// differs between parsers, so it is refused rather than guessed) is a 400; a field of the wrong
// type is a 422 naming it. Absent fields read as empty: whether a field is required is the
// command's own validation (422).
//
// Threading: a value; one thread.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aggregates/event.h"
#include "base/json_text.h"
#include "http/http_types.h"

namespace caseengine {

class JsonBody {
 public:
  explicit JsonBody(const std::string& text) {
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

  std::string Str(const char* name) const {
    auto v = Opt(name);
    return v ? *v : std::string();
  }
  std::optional<std::string> Opt(const char* name) const {
    auto it = json_.find(name);
    if (it == json_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw Problem::Invalid(name, "must be a string");
    return it->get<std::string>();
  }
  bool Bool(const char* name) const {
    auto it = json_.find(name);
    if (it == json_.end() || it->is_null()) return false;
    if (!it->is_boolean()) throw Problem::Invalid(name, "must be true or false");
    return it->get<bool>();
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
  nlohmann::json json_;
};

}  // namespace caseengine
