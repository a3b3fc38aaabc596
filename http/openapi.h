// The parts of the OpenAPI document (GET /openapi.json) that the route table does not
// hold, by topic: the shared schemas (openapi_schemas.cc: Client, Case, Strand, list
// pages, Problem, ...), and what each operation reads and answers (openapi_operations.cc:
// its answer's schema, its body fields' and query parameters' types, its tag). The
// document itself is put together from the route table in openapi.cc, so a route cannot
// be missing from it; a route whose operation has no answer schema here is listed without
// one, which the contract test refuses (tests/http_openapi_test.cc).
//
// Pure functions over constant tables: any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace caseengine::openapi {

// {"$ref": "#/components/schemas/<name>"}.
nlohmann::json Ref(std::string_view name);

// components.schemas: every shared shape.
nlohmann::json Schemas();
// components.responses: the problems most routes may answer.
nlohmann::json ProblemResponses();

// The schema of an operation's success answer (JSON unless the operation says otherwise
// in AnswerMediaType); null when the operation has none (a route added without one).
nlohmann::json AnswerSchema(std::string_view operation);
// The media type of an operation's success answer: "application/json", or the text
// formats of /metrics and /events/stream.
std::string_view AnswerMediaType(std::string_view operation);
// Whether a list answers CSV too (Accept: text/csv).
bool AnswersCsv(std::string_view operation);
// The schema of a body field of an operation's command.
nlohmann::json FieldSchema(std::string_view operation, std::string_view field);
// The schema and description of a query parameter of an operation.
nlohmann::json ParameterSchema(std::string_view operation, std::string_view name);
std::string ParameterDescription(std::string_view operation, std::string_view name);
// The tag an operation is listed under (its path decides), and every tag with its
// description.
std::string_view Tag(std::string_view path);
nlohmann::json Tags();

}  // namespace caseengine::openapi
