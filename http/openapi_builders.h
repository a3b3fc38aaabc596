// Builders of JSON Schema fragments for /openapi.json (internal to http/: the schema
// files openapi_schemas.cc and openapi_task_schemas.cc).
//
// Pure functions: any thread.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <utility>

namespace caseengine::openapi {

using nlohmann::json;

inline json Str(const char* description = nullptr) {
  json s = {{"type", "string"}};
  if (description != nullptr) s["description"] = description;
  return s;
}
inline json Int(const char* description = nullptr) {
  json s = {{"type", "integer"}, {"format", "int64"}, {"minimum", 0}};
  if (description != nullptr) s["description"] = description;
  return s;
}
inline json Bool() { return {{"type", "boolean"}}; }
inline json Num() { return {{"type", "number"}, {"format", "double"}}; }
inline json Date() { return {{"type", "string"}, {"format", "date"}}; }
inline json DateTime() { return {{"type", "string"}, {"format", "date-time"}}; }
// A date that is "" when not set (a row's closed_on, an action's due).
inline json DateOrEmpty() {
  return {{"type", "string"},
          {"pattern", "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"},
          {"description", "YYYY-MM-DD, or empty when not set"}};
}
inline json Enum(std::initializer_list<const char*> values) {
  return {{"type", "string"}, {"enum", json(values)}};
}
inline json Arr(json items) { return {{"type", "array"}, {"items", std::move(items)}}; }
inline json Nullable(json s) {
  s["nullable"] = true;
  return s;
}
inline json Obj(json properties, std::initializer_list<const char*> required = {},
                const char* description = nullptr) {
  json s = {{"type", "object"}, {"properties", std::move(properties)}};
  if (required.size() > 0) s["required"] = json(required);
  if (description != nullptr) s["description"] = description;
  return s;
}

// Adds the schemas of tasks and the settings (openapi_task_schemas.cc).
void AddTaskSchemas(json* schemas);

}  // namespace caseengine::openapi
