// Api::OpenApi: the OpenAPI 3 document, generated from the route table (routes.cc), so it
// cannot drift from what the server answers.
#include "http/api.h"

namespace caseengine {

nlohmann::json Api::OpenApi() const {
  nlohmann::json paths = nlohmann::json::object();
  for (const Route& r : routes_) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    nlohmann::json op = {{"operationId", r.operation}, {"summary", r.summary}};
    nlohmann::json params = nlohmann::json::array();
    const std::string path = r.path;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
      const size_t close = path.find('}', open);
      params.push_back({{"name", path.substr(open + 1, close - open - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
    for (const char* q : r.query) {
      params.push_back({{"name", q}, {"in", "query"}, {"schema", {{"type", "string"}}}});
    }
    if (r.access == Access::kCommand) {
      params.push_back({{"name", "Idempotency-Key"},
                        {"in", "header"},
                        {"schema", {{"type", "string"}, {"maxLength", 128}}}});
      params.push_back({{"name", "If-Match"}, {"in", "header"}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (!r.body.empty()) {
      nlohmann::json props = nlohmann::json::object();
      nlohmann::json required = nlohmann::json::array();
      for (std::string field : r.body) {
        if (field.back() == '*') {
          field.pop_back();
          required.push_back(field);
        }
        props[field] = {{"type", field == "joint_applicant" ? "boolean" : "string"}};
      }
      nlohmann::json schema = {{"type", "object"}, {"properties", props}};
      if (!required.empty()) schema["required"] = required;
      op["requestBody"] = {{"content", {{"application/json", {{"schema", schema}}}}}};
    }
    nlohmann::json responses = {
        {std::to_string(r.status), {{"description", "done"}}},
        {"default", {{"description", "a problem (application/problem+json)"}}}};
    // The answers a route may give besides its success, where they say what to do.
    if (r.access == Access::kCommand) {
      responses["503"] = {{"description",
                           "the log cannot take commands (/problems/unavailable); retry with "
                           "the same Idempotency-Key (Retry-After)"}};
      responses["507"] = {{"description",
                           "the disk is full (/problems/storage-full): nothing is written, "
                           "reads go on; retry with the same Idempotency-Key once "
                           "/healthz says writes are ok (Retry-After)"}};
    }
    if (r.ready) {
      responses["503"] = {{"description",
                           "min_position not reached within 5 seconds "
                           "(/problems/not-yet-applied)"}};
    }
    if (std::string_view(r.operation) == "StreamEvents") {
      responses["429"] = {{"description",
                           "the user already holds the most open feeds allowed "
                           "(/problems/too-many-feeds, Retry-After)"}};
    }
    if (std::string_view(r.operation) == "Health") {
      responses["503"] = {{"description",
                           "failing: writes stopped (a full disk: writes storage-full) or a "
                           "read model stopped"}};
    }
    if (std::string_view(r.operation) == "Ready") {
      responses["503"] = {{"description",
                           "not ready: the store takes no writes, a read model stopped, or the "
                           "read models are more than ready_max_lag positions behind the log"}};
    }
    if (r.access != Access::kPublic && !responses.contains("429")) {
      responses["429"] = {{"description",
                           "too many failed sign-ins from this address or for this user "
                           "(/problems/too-many-sign-in-failures, Retry-After)"}};
    }
    if (r.access != Access::kPublic) {
      op["security"] = nlohmann::json::array({{{"bearer", nlohmann::json::array()}}});
    }
    op["responses"] = responses;
    paths[r.path][method] = op;
  }
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "caseengine"}, {"version", "1"}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace caseengine
