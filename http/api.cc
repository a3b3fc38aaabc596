// Api: see api.h. What the route files share, and the commands' side: a request made
// into CommandOptions, a CommandResult into its answer. The queries are in
// api_queries.cc, the log's routes in api_log.cc, the route table in routes.cc.
#include "http/api.h"

#include "aggregates/validate.h"
#include "base/json_text.h"
#include "base/sha256.h"
#include "http/api_internal.h"

namespace caseengine {

// Shared with the other route files (api_internal.h).

uint64_t ParseCount(const HttpRequest& req, const std::string& name, uint64_t fallback,
                    uint64_t max) {
  if (!req.Has(name)) return fallback;
  const std::string v = req.Param(name);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw Problem::Invalid(name, "must be a whole number");
  }
  const uint64_t n = std::stoull(v);
  if (n > max) throw Problem::Invalid(name, "must be at most " + std::to_string(max));
  return n;
}

size_t ParseLimit(const HttpRequest& req, size_t fallback) {
  const uint64_t n = ParseCount(req, "limit", fallback, kMaxPageSize);
  if (n == 0) throw Problem::Invalid("limit", "must be at least 1");
  return static_cast<size_t>(n);
}

void RequireJsonBody(const HttpRequest& req) {
  if (req.body.empty()) return;
  std::string type = req.header("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.erase(0, 1);
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // A form or text body is not read as JSON even when its bytes would parse: what the
  // sender meant by it is not what the command would record.
  const bool json = type == "application/json" ||
                    (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
  if (json) return;
  throw Problem(415, "/problems/unsupported-media-type", "Unsupported media type",
                "a command's body is JSON: send it with Content-Type: application/json" +
                    (type.empty() ? std::string(" (none was sent)") : ", not " + ValidUtf8(type)),
                {{"accepted", nlohmann::json::array({"application/json"})}});
}

Problem FromStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound:
      return Problem::NotFound(s.message());
    case Status::Code::kInvalidArgument:
      return Problem(422, "/problems/validation", "Invalid query", s.message());
    case Status::Code::kUnavailable:
    case Status::Code::kBusy:
      return Problem::Unavailable(s.message());
    case Status::Code::kNoSpace:
      return Problem::StorageFull(s.message());
    default:
      return Problem(500, "/problems/internal", "Internal error", s.ToString());
  }
}

void Check(const Status& s) {
  if (!s.ok()) throw FromStatus(s);
}

namespace {

Problem FromRejection(const Rejection& r) {
  using Kind = Rejection::Kind;
  switch (r.kind) {
    case Kind::kValidation: {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& f : r.fields) errors.push_back({{"field", f.field}, {"message", f.message}});
      return Problem(422, "/problems/validation", "Invalid fields", r.message,
                     {{"errors", errors}});
    }
    case Kind::kNotFound:
      return Problem::NotFound(r.message);
    case Kind::kForbidden:
      return Problem(403, "/problems/forbidden", "Forbidden", r.message, {{"permission", r.rule}});
    case Kind::kRuleViolated:
      return Problem(409, "/problems/rule-violated", "A rule says no", r.message,
                     {{"rule", r.rule}});
    case Kind::kVersionMismatch:
      return Problem(412, "/problems/version-mismatch", "Version mismatch", r.message);
    case Kind::kIdempotencyKeyReused:
      return Problem(422, "/problems/idempotency-key-reused", "Idempotency-Key reused", r.message);
  }
  return Problem(500, "/problems/internal", "Internal error", r.message);
}

// If-Match (RFC 9110, 13.1.1): `"7"` (or 7) -> 7; `*` -> no version (any current one:
// the command itself answers 404 when there is none). Comparison is strong, so a weak tag
// (W/"7") never matches: 412, and nothing is written.
std::optional<uint64_t> ParseIfMatch(const std::string& header) {
  std::string v = header;
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
  if (v == "*") return std::nullopt;
  if (v.rfind("W/", 0) == 0) {
    throw Problem(412, "/problems/version-mismatch", "Version mismatch",
                  "If-Match compares versions strongly: a weak tag (W/...) never matches; send "
                  "the ETag as it was given, such as \"3\"");
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw Problem(400, "/problems/malformed", "Malformed request",
                  "If-Match must be one version in quotes, such as \"3\", or *");
  }
  return std::stoull(v);
}

// What a command request is, for its Idempotency-Key: the method, the path, the query
// and the body. The same request repeated has the same digest; the key reused on another
// route or with another body has another.
std::string RequestDigest(const HttpRequest& req) {
  std::string head = req.method + " " + req.path + "\n";
  for (const auto& [name, value] : req.query) head += name + "=" + value + "&";
  head += "\n";
  return std::string(AsBytes(Sha256({head, req.body})));
}

}  // namespace

Api::Api(Engine* engine, const ServerConfig* config)
    : engine_(engine), config_(config), feeds_(config->max_feeds_per_user) {
  routes_ = MakeRoutes();
}

std::vector<std::string> Api::RouteLabels() const {
  std::vector<std::string> labels;
  for (const Route& r : routes_) labels.push_back(std::string(r.method) + " " + r.path);
  return labels;
}

// Commands.

void Api::CheckQuery(const HttpRequest& req) {
  if (req.route == nullptr) return;
  nlohmann::json unknown = nlohmann::json::array();
  for (const auto& [name, value] : req.query) {
    bool known = false;
    for (const char* q : req.route->query) known = known || name == q;
    if (!known) unknown.push_back(ValidUtf8(name));
  }
  if (unknown.empty()) return;
  throw Problem(400, "/problems/unknown-parameter", "Unknown query parameter",
                req.method + " " + req.route->path + " takes no parameter " + unknown.dump() +
                    "; it takes " + nlohmann::json(req.route->query).dump(),
                {{"parameters", unknown}});
}

Problem Api::InvalidFields(const std::vector<Rejection::FieldError>& errors,
                           Command* command) const {
  std::vector<Rejection::FieldError> all = errors;
  // The fields read as absent where they were wrong: their "is required" is not news.
  if (auto more = engine_->commands().Validate(command)) {
    for (const auto& f : more->fields) {
      bool named = false;
      for (const auto& e : errors) named = named || e.field == f.field;
      if (!named) all.push_back(f);
    }
  }
  Rejection r;
  r.kind = Rejection::Kind::kValidation;
  r.fields = all;
  r.message = std::to_string(all.size()) + " field(s) are not acceptable";
  return FromRejection(r);
}

void Api::RunCommand(const HttpRequest& req, Command command, int created_status,
                     HttpResponse* res) {
  CommandOptions options;
  options.command_id = req.header("Idempotency-Key");
  if (options.command_id.size() > 128) {
    throw Problem(400, "/problems/malformed", "Malformed request",
                  "Idempotency-Key must be at most 128 characters");
  }
  // Printable ASCII only (a structured-field string): the key is recorded with the events,
  // shown to auditors and compared byte for byte.
  for (const char c : options.command_id) {
    if (c < 0x20 || c > 0x7e) {
      throw Problem(400, "/problems/malformed", "Malformed request",
                    "Idempotency-Key must be printable ASCII (no control characters, no bytes "
                    "beyond 0x7E)");
    }
  }
  const std::string if_match = req.header("If-Match");
  if (!if_match.empty()) {
    if (auto version = ParseIfMatch(if_match)) options.expected_version = *version;
  }
  options.correlation_id = req.header("X-Correlation-Id").substr(0, 128);
  if (!options.command_id.empty()) options.request_digest = RequestDigest(req);
  // The command waits for its log sync without a thread: its answer is written from the
  // log's acknowledgement (HttpResponse::later).
  const Actor* actor = req.actor;
  res->later = [this, actor, command = std::move(command), options,
                created_status](std::function<void(HttpResponse::Fill)> finish) mutable {
    engine_->commands().ExecuteAsync(
        *actor, std::move(command), options,
        [this, finish = std::move(finish), created_status](CommandResult r) {
          auto result = std::make_shared<CommandResult>(std::move(r));
          finish([this, result, created_status](HttpResponse* res) {
            Answer(*result, created_status, res);
          });
        });
  };
}

void Api::Answer(const CommandResult& r, int created_status, HttpResponse* res) {
  if (!r.status.ok()) {
    // The log could not take it: whether it was written is unknown after a failed write
    // or sync, and a retry with the same Idempotency-Key is then safe.
    if (r.status.code() == Status::Code::kNoSpace) {
      throw Problem::StorageFull(
          r.status.message() +
          ". Nothing already recorded is lost, and reads go on. Retry this command with the "
          "same Idempotency-Key once writing goes on (GET /healthz says when)");
    }
    throw Problem::Unavailable(r.status.ToString() + "; retry with the same Idempotency-Key");
  }
  if (r.rejected) throw FromRejection(r.rejection);
  nlohmann::json body = r.response.is_object() ? r.response : nlohmann::json::object();
  body["position"] = r.unchanged ? r.durable_head : r.position;
  nlohmann::json versions = nlohmann::json::object();
  for (const auto& v : r.versions) versions[v.stream] = v.version;
  body["versions"] = versions;
  if (r.unchanged) body["unchanged"] = true;
  res->Json(body, r.unchanged ? 200 : created_status);
}

}  // namespace caseengine
