// End-to-end tests of the HTTP contract as clients are generated from it, against a real
// `caseengine serve`: every operation of GET /openapi.json (which is generated from the
// route table, so every route is one) has a schema for its success answer and for its
// problems; every $ref resolves; the real answers of the routes match their schemas; and
// the document passes Redocly's and Spectral's lints, and TypeScript types generated from
// it type-check and run a small client (scripts/contract_check.sh, npm tools).
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

// The schema a "$ref" names in `doc`; null when it names nothing.
const json* Resolve(const json& doc, const std::string& ref) {
  const std::string prefix = "#/";
  if (ref.rfind(prefix, 0) != 0) return nullptr;
  const json* at = &doc;
  std::string rest = ref.substr(2);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string key = rest.substr(0, slash);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  return at;
}

void CollectRefs(const json& j, std::vector<std::string>* refs) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "$ref" && it.value().is_string()) refs->push_back(it.value());
      CollectRefs(it.value(), refs);
    }
  } else if (j.is_array()) {
    for (const json& v : j) CollectRefs(v, refs);
  }
}

// Checks `value` against `schema` (the subset of OpenAPI 3.0 schemas the document uses:
// $ref, allOf, type, nullable, enum, required, properties, additionalProperties, items,
// formats date and date-time, minimum); appends what does not fit to `errors`.
void Validate(const json& doc, const json& schema, const json& value, const std::string& at,
              std::vector<std::string>* errors) {
  if (schema.contains("$ref")) {
    const json* target = Resolve(doc, schema["$ref"]);
    if (target == nullptr) return errors->push_back(at + ": unresolved " + schema["$ref"].dump());
    return Validate(doc, *target, value, at, errors);
  }
  if (schema.contains("allOf")) {
    for (const json& part : schema["allOf"]) Validate(doc, part, value, at, errors);
  }
  if (value.is_null()) {
    if (schema.contains("type") && !schema.value("nullable", false)) {
      errors->push_back(at + ": null where " + schema["type"].dump() + " is not nullable");
    }
    return;
  }
  const std::string type = schema.value("type", "");
  const bool fits =
      type.empty() || (type == "object" && value.is_object()) ||
      (type == "array" && value.is_array()) || (type == "string" && value.is_string()) ||
      (type == "integer" && value.is_number_integer()) || (type == "number" && value.is_number()) ||
      (type == "boolean" && value.is_boolean());
  if (!fits) return errors->push_back(at + ": " + value.dump() + " is not " + type);
  if (schema.contains("enum") &&
      std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end()) {
    errors->push_back(at + ": " + value.dump() + " is not in " + schema["enum"].dump());
  }
  if (type == "integer" && schema.contains("minimum") && value.is_number_integer() &&
      value.get<int64_t>() < schema["minimum"].get<int64_t>() && !value.is_number_unsigned()) {
    errors->push_back(at + ": " + value.dump() + " is under the minimum");
  }
  if (type == "string") {
    const std::string format = schema.value("format", "");
    const std::string& s = value.get_ref<const std::string&>();
    if (format == "date" && !std::regex_match(s, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}"))) {
      errors->push_back(at + ": " + value.dump() + " is not a date");
    }
    if (format == "date-time" &&
        !std::regex_match(s, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z"))) {
      errors->push_back(at + ": " + value.dump() + " is not a date-time");
    }
    if (schema.contains("pattern") &&
        !std::regex_search(s, std::regex(schema["pattern"].get<std::string>()))) {
      errors->push_back(at + ": " + value.dump() + " does not match " + schema["pattern"].dump());
    }
  }
  if (type == "array" && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      Validate(doc, schema["items"], value[i], at + "[" + std::to_string(i) + "]", errors);
    }
  }
  if (type == "object") {
    for (const json& name : schema.value("required", json::array())) {
      if (!value.contains(name.get<std::string>())) {
        errors->push_back(at + ": lacks required " + name.get<std::string>());
      }
    }
    const json props = schema.value("properties", json::object());
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (props.contains(it.key())) {
        Validate(doc, props[it.key()], it.value(), at + "." + it.key(), errors);
      } else if (schema.contains("additionalProperties") &&
                 schema["additionalProperties"].is_object()) {
        Validate(doc, schema["additionalProperties"], it.value(), at + "." + it.key(), errors);
      } else if (schema.value("additionalProperties", json(true)) == json(false)) {
        errors->push_back(at + ": has " + it.key() + ", which the schema does not list");
      }
    }
  }
}

// The answer `a` of `method path` checked against the document's schema for its status.
void CheckAnswer(const json& doc, const std::string& method, const std::string& path,
                 const HttpAnswer& a) {
  INFO(method << " " << path << " answered " << a.status << ": " << a.body.substr(0, 400));
  REQUIRE(doc["paths"].contains(path));
  const json& op = doc["paths"][path][method];
  const std::string status = std::to_string(a.status);
  REQUIRE(op["responses"].contains(status));
  json response = op["responses"][status];
  if (response.contains("$ref")) response = *Resolve(doc, response["$ref"]);
  const std::string media = a.ContentType().substr(0, a.ContentType().find(';'));
  REQUIRE(response["content"].contains(media));
  std::vector<std::string> errors;
  Validate(doc, response["content"][media]["schema"], a.json, "answer", &errors);
  for (const std::string& e : errors) UNSCOPED_INFO(e);
  CHECK(errors.empty());
}

}  // namespace

TEST_CASE(
    "http: every operation of /openapi.json has a schema for its answer and its problems, "
    "and every $ref resolves",
    "[http][contract]") {
  // Given a served data folder
  Served s;
  // When the document is read
  const json doc = GetOk(s.officer, "/openapi.json");
  // Then every operation (one per route of the route table) has a success answer with a
  // schema, a tag, a description, and problems with the Problem schema
  size_t operations = 0;
  for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path) {
    for (auto op = path.value().begin(); op != path.value().end(); ++op) {
      INFO(op.key() << " " << path.key());
      ++operations;
      const json& responses = op.value()["responses"];
      bool success = false;
      for (auto r = responses.begin(); r != responses.end(); ++r) {
        if (r.key().size() != 3 || r.key()[0] != '2') continue;
        success = true;
        REQUIRE(r.value().contains("content"));
        for (auto c = r.value()["content"].begin(); c != r.value()["content"].end(); ++c) {
          CHECK(c.value().contains("schema"));
        }
      }
      CHECK(success);
      CHECK(responses.contains("default"));
      CHECK(op.value()["tags"].size() == 1);
      CHECK(!op.value().value("description", "").empty());
      CHECK(op.value()["security"].is_array());
      if (op.value().contains("requestBody")) {
        CHECK(op.value()["requestBody"]["content"]["application/json"]["schema"]["type"] ==
              "object");
      }
    }
  }
  CHECK(operations >= 51);
  // And the open routes say so, the others need the bearer token
  CHECK(doc["paths"]["/healthz"]["get"]["security"] == json::array());
  CHECK(doc["paths"]["/cases"]["get"]["security"][0].contains("bearer"));
  // And every $ref names a schema of the document
  std::vector<std::string> refs;
  CollectRefs(doc, &refs);
  CHECK(refs.size() > 100);
  for (const std::string& ref : refs) {
    INFO(ref);
    CHECK(Resolve(doc, ref) != nullptr);
  }
  // And numbers are integers, dates have their format, modes are enums
  const json& list = doc["paths"]["/cases"]["get"]["parameters"];
  for (const json& p : list) {
    if (p["name"] == "limit") CHECK(p["schema"]["type"] == "integer");
    if (p["name"] == "opened_from") CHECK(p["schema"]["format"] == "date");
  }
  const json body = doc["paths"]["/clients/{id}/status"]["post"]["requestBody"];
  CHECK(body["required"] == true);
  CHECK(body["content"]["application/json"]["schema"]["properties"]["status"]["enum"] ==
        json::array({"active", "inactive", "closed"}));
}

TEST_CASE("http: the real answers of the routes match the schemas of /openapi.json",
          "[http][contract]") {
  // Given a client with a case, a strand, a note, an action and a referral
  Served s;
  const json doc = GetOk(s.officer, "/openapi.json");
  HttpAnswer reg = s.officer.Post(
      "/clients", {{"surname", "Öztürk"}, {"date_of_birth", "1990-04-01"}, {"email", "a@b.org"}});
  CheckAnswer(doc, "post", "/clients", reg);
  const std::string client = reg.json["client_id"], kase = reg.json["case_id"];
  HttpAnswer strand = s.officer.Post("/cases/" + kase + "/strands", {{"type", "review"}});
  CheckAnswer(doc, "post", "/cases/{id}/strands", strand);
  CheckAnswer(doc, "post", "/cases/{id}/notes",
              s.officer.Post("/cases/" + kase + "/notes", {{"text", "Called"}}));
  CheckAnswer(
      doc, "post", "/cases/{id}/actions",
      s.officer.Post("/cases/" + kase + "/actions", {{"title", "Visit"}, {"due", "2026-12-31"}}));
  CheckAnswer(doc, "post", "/clients/{id}/groups",
              s.officer.Post("/clients/" + client + "/groups", {{"group", "g1"}}));
  HttpAnswer referral = s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Ó Ceallaigh"}});
  CheckAnswer(doc, "post", "/lobby", referral);
  const std::string lobby = referral.json["lobby_id"];
  // When every kind of read is made
  // Then each answer fits its schema
  const uint64_t head = s.Head();
  CheckAnswer(doc, "get", "/clients/{id}", s.officer.Get("/clients/" + client));
  CheckAnswer(doc, "get", "/cases/{id}", s.officer.Get("/cases/" + kase));
  CheckAnswer(doc, "get", "/lobby/{id}", s.officer.Get("/lobby/" + lobby));
  CheckAnswer(doc, "get", "/clients", s.officer.Get(WithMin(head, "/clients?q=Ozturk")));
  CheckAnswer(doc, "get", "/cases", s.officer.Get(WithMin(head, "/cases?total=true")));
  CheckAnswer(doc, "get", "/case-officers", s.officer.Get(WithMin(head, "/case-officers")));
  CheckAnswer(doc, "get", "/case-officers",
              s.officer.Get(WithMin(head, "/case-officers?group_by=officer")));
  CheckAnswer(doc, "get", "/case-people", s.officer.Get(WithMin(head, "/case-people")));
  CheckAnswer(doc, "get", "/lobby", s.officer.Get(WithMin(head, "/lobby")));
  CheckAnswer(doc, "get", "/lobby/{id}/matches", s.officer.Get("/lobby/" + lobby + "/matches"));
  CheckAnswer(doc, "get", "/cases/{id}/journal",
              s.officer.Get(WithMin(head, "/cases/" + kase + "/journal")));
  CheckAnswer(doc, "get", "/cases/{id}/history",
              s.officer.Get(WithMin(head, "/cases/" + kase + "/history")));
  CheckAnswer(doc, "get", "/audit", s.auditor.Get(WithMin(head, "/audit")));
  CheckAnswer(doc, "get", "/audit/digest", s.auditor.Get("/audit/digest"));
  CheckAnswer(doc, "get", "/audit/verify", s.auditor.Get("/audit/verify"));
  CheckAnswer(doc, "get", "/events", s.auditor.Get("/events?from=1&limit=3"));
  CheckAnswer(doc, "get", "/streams/{stream}/events",
              s.auditor.Get("/streams/client-" + client + "/events"));
  CheckAnswer(doc, "get", "/healthz", s.officer.Get("/healthz"));
  CheckAnswer(doc, "post", "/events/stream/tickets", s.auditor.Post("/events/stream/tickets"));
  // And problems fit the Problem schema
  CheckAnswer(doc, "get", "/cases/{id}", s.officer.Get("/cases/" + kUnknown));
  CheckAnswer(doc, "post", "/clients", s.officer.Post("/clients", {{"surname", ""}}));
  CheckAnswer(doc, "get", "/audit", s.officer.Get("/audit"));
}

TEST_CASE(
    "http: /openapi.json passes Redocly and Spectral, and a TypeScript client generated "
    "from it type-checks, registers a client and reads a case page",
    "[http][contract][npm]") {
  // Given the document as the real server gives it
  Served s;
  HttpAnswer a = s.officer.Get("/openapi.json");
  REQUIRE(a.status == 200);
  const std::string file = s.dir.Sub("openapi.json");
  std::ofstream(file) << a.body;
  // When the contract check lints it, generates types and runs the client against the server
  std::string output;
  const int code =
      RunCommand({"/bin/bash", std::string(CASEENGINE_SOURCE_DIR) + "/scripts/contract_check.sh", file,
                  "http://127.0.0.1:" + std::to_string(s.server.port()), "demo-officer"},
                 &output);
  INFO(output);
  // Then it passes, and the client registered a client and found its case on the list
  REQUIRE(code == 0);
  const size_t line = output.find("{\"client_id\"");
  REQUIRE(line != std::string::npos);
  const json read = json::parse(output.substr(line, output.find('\n', line) - line));
  CHECK(read["rows"] == 1);
  CHECK(read["status"] == "open");
  CHECK(read["strands"] == 0);
  CHECK(read["next"].is_null());
}
