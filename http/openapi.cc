// Api::OpenApi: the OpenAPI 3 document, generated from the route table (routes.cc), so it
// cannot drift from what the server answers: every route is an operation, with its path
// and query parameters, its body, its success answer and the problems it may answer. The
// shapes are in openapi_schemas.cc and what each operation reads and answers in
// openapi_operations.cc (openapi.h).
//
// Threading: built on the thread that asks for it, from constants and the route table.
#include "http/openapi.h"

#include <string>

#include "http/api.h"

namespace caseengine {
namespace {

using nlohmann::json;

json ProblemRef(const char* name) {
  return {{"$ref", std::string("#/components/responses/") + name}};
}

// A problem answer with its own description (its schema the shared one).
json ProblemAnswer(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", openapi::Ref("Problem")}}}}}};
}

// Who may call a route, for its description.
const char* AccessText(Access access) {
  switch (access) {
    case Access::kPublic:
      return "Open: no token needed.";
    case Access::kRead:
      return "Any known user.";
    case Access::kAudit:
      return "Needs the audit permission (or administer).";
    case Access::kCommand:
      return "Needs the casework permission, and the command's named permission where it has "
             "one. A refused command writes nothing.";
  }
  return "";
}

json Parameters(const Route& r) {
  json params = json::array();
  const std::string path = r.path;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    const size_t close = path.find('}', open);
    params.push_back({{"name", path.substr(open + 1, close - open - 1)},
                      {"in", "path"},
                      {"required", true},
                      {"schema", {{"type", "string"}, {"minLength", 1}}}});
  }
  for (const char* q : r.query) {
    params.push_back({{"name", q},
                      {"in", "query"},
                      {"required", false},
                      {"description", openapi::ParameterDescription(r.operation, q)},
                      {"schema", openapi::ParameterSchema(r.operation, q)}});
  }
  if (r.by_ticket) {
    params.push_back({{"name", "Last-Event-ID"},
                      {"in", "header"},
                      {"required", false},
                      {"description",
                       "the id of the last event the client has: the feed goes "
                       "on after it (EventSource sends it when it reconnects)"},
                      {"schema", {{"type", "string"}, {"pattern", "^[0-9]+$"}}}});
  }
  if (r.access == Access::kCommand) {
    params.push_back({{"name", "Idempotency-Key"},
                      {"in", "header"},
                      {"required", false},
                      {"description", "a repeat of the same request gets the first answer"},
                      {"schema", {{"type", "string"}, {"maxLength", 128}}}});
    params.push_back({{"name", "If-Match"},
                      {"in", "header"},
                      {"required", false},
                      {"description", "the stream's version in quotes, such as \"3\"; stale: 412"},
                      {"schema", {{"type", "string"}}}});
  }
  return params;
}

// The body of a command route: its fields, typed, those it requires listed.
json RequestBody(const Route& r) {
  json props = json::object();
  json required = json::array();
  for (std::string field : r.body) {
    if (field.back() == '*') {
      field.pop_back();
      required.push_back(field);
    }
    props[field] = openapi::FieldSchema(r.operation, field);
  }
  json schema = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return {{"required", !required.empty()},
          {"description", "a JSON object; a field the command does not have is a 422"},
          {"content", {{"application/json", {{"schema", schema}}}}}};
}

// The headers a success answer carries that a client reads.
json AnswerHeaders(const Route& r) {
  auto header = [](const char* description, const char* type = "string") {
    return json{{"description", description}, {"schema", {{"type", type}}}};
  };
  json h = json::object();
  const std::string_view op = r.operation;
  if (op == "GetClient" || op == "GetCase" || op == "GetLobbyRecord") {
    h["ETag"] = header("the record's version in quotes, for If-Match");
  }
  // The routes that read the read models say how far they are.
  if (r.ready && !h.contains("ETag")) {
    h["X-Projection-Lag"] = header("events written but not yet applied", "integer");
    h["X-Applied-Position"] = header("the position the read models have applied", "integer");
  }
  if (openapi::AnswersCsv(r.operation)) {
    h["X-Total-Count"] = header("CSV: the rows matching the filters", "integer");
    h["X-Next-Cursor"] = header("CSV: the cursor of the next page");
    h["Content-Disposition"] = header("CSV: attachment; filename=\"<list>.csv\"");
  }
  return h;
}

json Responses(const Route& r) {
  json success = {{"description", r.summary}};
  const json schema = openapi::AnswerSchema(r.operation);
  if (!schema.is_null()) {
    json content = {{std::string(openapi::AnswerMediaType(r.operation)), {{"schema", schema}}}};
    if (openapi::AnswersCsv(r.operation)) {
      content["text/csv"] = {{"schema", {{"type", "string"}}}};
    }
    success["content"] = content;
  }
  const json headers = AnswerHeaders(r);
  if (!headers.empty()) success["headers"] = headers;
  json responses = {{std::to_string(r.status), success}};
  if (r.access == Access::kCommand && r.status == 201) {
    // A command that creates answers 200 when it changed nothing (a repeat).
    responses["200"] = {
        {"description", "nothing changed (unchanged: true)"},
        {"content", {{"application/json", {{"schema", openapi::Ref("CommandResult")}}}}}};
  }
  responses["400"] = ProblemRef("Malformed");
  if (r.access != Access::kPublic) responses["401"] = ProblemRef("Unauthorized");
  if (r.access == Access::kAudit || r.access == Access::kCommand) {
    responses["403"] = ProblemRef("Forbidden");
  }
  if (std::string_view(r.path).find('{') != std::string_view::npos) {
    responses["404"] = ProblemRef("NotFound");
  }
  if (!r.query.empty() || !r.body.empty()) responses["422"] = ProblemRef("Invalid");
  // The answers a route may give besides its success, where they say what to do.
  if (r.access == Access::kCommand) {
    responses["409"] = ProblemAnswer("a domain rule says no (/problems/rule-violated; rule)");
    responses["412"] = ProblemAnswer("a stale If-Match (/problems/version-mismatch)");
    responses["415"] = ProblemAnswer(
        "a body that is not JSON (/problems/unsupported-media-type): send Content-Type: "
        "application/json");
    responses["503"] = ProblemAnswer(
        "the log cannot take commands (/problems/unavailable); retry with the same "
        "Idempotency-Key (Retry-After)");
    responses["507"] = ProblemAnswer(
        "the disk is full (/problems/storage-full): nothing is written, reads go on; retry "
        "with the same Idempotency-Key once /healthz says writes are ok (Retry-After)");
  }
  if (r.ready) {
    responses["503"] =
        ProblemAnswer("min_position not reached within 5 seconds (/problems/not-yet-applied)");
  }
  const std::string_view op = r.operation;
  if (op == "StreamEvents") {
    responses["429"] = ProblemAnswer(
        "the user already holds the most open feeds allowed (/problems/too-many-feeds, "
        "Retry-After)");
  }
  if (op == "Health") {
    responses["503"] = {
        {"description",
         "failing: writes stopped (a full disk: writes storage-full) or a read model stopped"},
        {"content", {{"application/json", {{"schema", openapi::Ref("Health")}}}}}};
  }
  if (op == "Ready") {
    responses["503"] = {
        {"description",
         "not ready: the store takes no writes, a read model stopped or is loading, or the "
         "read models are more than ready_max_lag positions behind the log (reasons)"},
        {"content", {{"application/json", {{"schema", openapi::Ref("Ready")}}}}}};
  }
  if (r.access != Access::kPublic && !responses.contains("429")) {
    responses["429"] = ProblemAnswer(
        "too many failed sign-ins from this address or for this user "
        "(/problems/too-many-sign-in-failures, Retry-After)");
  }
  responses["default"] = ProblemRef("Problem");
  return responses;
}

}  // namespace

nlohmann::json Api::OpenApi() const {
  json paths = json::object();
  for (const Route& r : routes_) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    json op = {{"operationId", r.operation},
               {"summary", r.summary},
               {"description", std::string(r.summary) + ". " + AccessText(r.access)},
               {"tags", json::array({std::string(openapi::Tag(r.path))})}};
    json params = Parameters(r);
    if (!params.empty()) op["parameters"] = params;
    if (!r.body.empty()) op["requestBody"] = RequestBody(r);
    op["responses"] = Responses(r);
    // Open routes say so: the document's default is the bearer token.
    op["security"] =
        r.access == Access::kPublic ? json::array() : json::array({{{"bearer", json::array()}}});
    // A browser's EventSource cannot send the header: a ticket in the query instead.
    if (r.by_ticket) op["security"].push_back({{"ticket", json::array()}});
    paths[r.path][method] = op;
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "caseengine"},
            {"version", "1"},
            {"description",
             "The HTTP API of caseengine, an event-sourced case engine for housing services "
             "(docs/http_api.md). Errors are application/problem+json."},
            {"contact", {{"name", "caseengine"}}}}},
          // A client sets its own base URL; this is where `caseengine serve` listens unless told.
          {"servers", json::array({{{"url", "http://127.0.0.1:8080"},
                                    {"description", "the default listen address"}}})},
          {"security", json::array({{{"bearer", json::array()}}})},
          {"tags", openapi::Tags()},
          {"paths", paths},
          {"components",
           {{"securitySchemes",
             {{"bearer",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description",
                 "a user's token (config file: token_sha256), a service account's API key "
                 "(api_keys), or the identity provider's access token (oidc)"}}},
              {"ticket",
               {{"type", "apiKey"},
                {"in", "query"},
                {"name", "ticket"},
                {"description", "a single-use ticket from POST /events/stream/tickets (60 s)"}}}}},
            {"schemas", openapi::Schemas()},
            {"responses", openapi::ProblemResponses()}}}};
}

}  // namespace caseengine
