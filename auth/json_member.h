// The string members of JSON objects read from outside (tokens, key sets, the config's
// "oidc"), where nlohmann's value() would throw on a member of another type.
// Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace caseengine {

// The string member `name` of `object`; `fallback` when missing or not a string.
inline std::string StringMember(const nlohmann::json& object, const char* name,
                                const std::string& fallback = std::string()) {
  if (!object.is_object()) return fallback;
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace caseengine
