// Api: see api.h. The route table itself is in routes.cc.
#include "http/api.h"

#include <sstream>

#include "aggregates/decide.h"
#include "aggregates/lobby_matcher.h"
#include "aggregates/state_json.h"
#include "aggregates/state_reader.h"
#include "aggregates/validate.h"
#include "audit/digest.h"
#include "audit/event_json.h"
#include "base/json_text.h"
#include "base/sha256.h"
#include "base/time_format.h"
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

bool WantsCsv(const HttpRequest& req) {
  return req.header("Accept").find("text/csv") != std::string::npos;
}

// A page of a list as JSON, or as CSV when asked for (see ListOf).
void AnswerPage(const HttpRequest& req, const ListPage& page, HttpResponse* res) {
  if (!WantsCsv(req)) {
    // {"rows": [...], "columns": [...], "total": n|null, "next_cursor": "..."|null}, with
    // the rows as the list wrote them.
    std::string body = "{\"rows\":";
    body += page.rows_text.empty() ? page.rows.dump() : page.rows_text;
    body += ",\"columns\":" + nlohmann::json(page.columns).dump();
    body += ",\"total\":" + (page.total_known ? std::to_string(page.total) : "null");
    body += ",\"next_cursor\":";
    if (page.next_cursor.empty()) {
      body += "null";
    } else {
      AppendJsonString(&body, page.next_cursor);
    }
    body += "}";
    res->status = 200;
    res->content_type = "application/json";
    res->body = std::move(body);
    return;
  }
  std::string csv;
  for (size_t i = 0; i < page.columns.size(); ++i) {
    csv += (i ? "," : "") + CsvCell(page.columns[i]);
  }
  csv += "\r\n";
  for (const auto& row : page.rows) {
    for (size_t i = 0; i < page.columns.size(); ++i) {
      csv += (i ? "," : "") + CsvCell(row.value(page.columns[i], nlohmann::json()));
    }
    csv += "\r\n";
  }
  res->status = 200;
  res->content_type = "text/csv; charset=utf-8";
  res->body = std::move(csv);
  if (page.total_known) res->headers.emplace_back("X-Total-Count", std::to_string(page.total));
  if (!page.next_cursor.empty()) res->headers.emplace_back("X-Next-Cursor", page.next_cursor);
}

ListRequest ListOf(const HttpRequest& req) {
  ListRequest list;
  list.sort = req.Param("sort");
  list.limit = ParseLimit(req, 50);
  list.cursor = req.Param("cursor");
  list.columns = req.Param("columns");
  list.as_text = !WantsCsv(req);  // CSV is written from the rows' values
  return list;
}

std::map<std::string, std::string> Filters(const HttpRequest& req,
                                           const std::vector<std::string>& names) {
  std::map<std::string, std::string> filters;
  for (const auto& name : names) {
    if (req.Has(name)) filters[name] = req.Param(name);
  }
  return filters;
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

// Queries.

uint64_t Api::WaitForReadModels(const HttpRequest& req, HttpResponse* res) {
  const uint64_t want = ParseCount(req, "min_position", 0, UINT64_MAX / 2);
  // The server waits for Reached before it runs the query (Route::ready); only a caller
  // that did not waits here.
  const ReadPosition at = engine_->queries().WaitForReadModels(
      want, req.waited ? std::chrono::milliseconds(0) : kReadYourWritesWait);
  if (want > at.applied) {
    throw Problem(503, "/problems/not-yet-applied", "Not yet applied",
                  "the read models have applied position " + std::to_string(at.applied) +
                      ", not yet " + std::to_string(want) + "; try again",
                  {{"applied_position", at.applied}});
  }
  res->headers.emplace_back("X-Projection-Lag", std::to_string(at.lag()));
  res->headers.emplace_back("X-Applied-Position", std::to_string(at.applied));
  return at.applied;
}

void Api::WaitForLog(const HttpRequest& req) {
  const uint64_t want = ParseCount(req, "min_position", 0, UINT64_MAX / 2);
  const uint64_t head = engine_->queries().WaitForLog(
      want, req.waited ? std::chrono::milliseconds(0) : kReadYourWritesWait);
  if (head < want) {
    throw Problem(503, "/problems/not-yet-applied", "Not yet applied",
                  "the log has not reached position " + std::to_string(want));
  }
}

namespace {

// as_of= (an instant or a date) or at= (a position): the aggregate as it was then.
AsOf ParseAsOf(const HttpRequest& req) {
  AsOf as_of;
  if (req.Has("at")) {
    as_of.position = ParseCount(req, "at", 0, UINT64_MAX / 2);
    if (as_of.position == 0) throw Problem::Invalid("at", "must be a position of 1 or more");
  }
  if (req.Has("as_of")) {
    // A date means the end of that day.
    if (!ParseInstantUntil(req.Param("as_of"), &as_of.micros)) {
      throw Problem::Invalid("as_of", "must be an RFC 3339 instant or a date YYYY-MM-DD");
    }
  }
  return as_of;
}

void AnswerState(const nlohmann::json& j, uint64_t version, HttpResponse* res) {
  res->Json(j);
  res->headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
}

}  // namespace

void Api::GetClient(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  ClientState s;
  Check(engine_->queries().ReadClient(*req.actor, req.path_params[0], ParseAsOf(req), &s));
  AnswerState(ClientToJson(s), s.version, res);
}

void Api::GetCase(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  CaseState s;
  Check(engine_->queries().ReadCase(*req.actor, req.path_params[0], ParseAsOf(req), &s));
  AnswerState(CaseToJson(s), s.version, res);
}

void Api::GetLobby(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  LobbyState s;
  Check(engine_->queries().ReadLobby(*req.actor, req.path_params[0], ParseAsOf(req), &s));
  AnswerState(LobbyToJson(s), s.version, res);
}

void Api::SearchClients(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  ClientSearchQuery q;
  q.q = req.Param("q");
  q.date_of_birth = req.Param("date_of_birth");
  q.nino = req.Param("nino");
  q.postcode = req.Param("postcode");
  q.email = req.Param("email");
  q.phone = req.Param("phone");
  q.status = req.Param("status");
  q.limit = ParseLimit(req, 20);
  nlohmann::json results;
  Check(engine_->queries().SearchClients(q, &results));
  res->Json({{"rows", results}});
}

void Api::ListCases(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  CaseListQuery q;
  q.filters = Filters(req, CaseList::FilterNames());
  q.list = ListOf(req);
  if (req.Has("total") && req.Param("total") != "true" && req.Param("total") != "false") {
    throw Problem::Invalid("total", "must be true or false");
  }
  q.count_total = req.Param("total") == "true";
  ListPage page;
  Check(engine_->queries().ListCases(std::move(q), &page));
  AnswerPage(req, page, res);
}

void Api::ListCaseOfficers(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  CaseOfficersQuery q;
  q.filters = Filters(req, CaseOfficers::FilterNames());
  q.group_by = req.Param("group_by");
  q.list = ListOf(req);
  ListPage page;
  Check(engine_->queries().ListCaseOfficers(q, &page));
  AnswerPage(req, page, res);
}

void Api::ListCasePeople(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  CasePeopleQuery q;
  q.filters = Filters(req, CasePeople::FilterNames());
  q.list = ListOf(req);
  ListPage page;
  Check(engine_->queries().ListCasePeople(q, &page));
  AnswerPage(req, page, res);
}

void Api::GetJournal(const HttpRequest& req, HttpResponse* res) {
  const uint64_t applied = WaitForReadModels(req, res);
  nlohmann::json page;
  Check(engine_->queries().Journal(*req.actor, req.path_params[0], ParseLimit(req, 50),
                                   req.Param("cursor"), applied, &page));
  res->Json(page);
}

void Api::GetHistory(const HttpRequest& req, HttpResponse* res) {
  const uint64_t applied = WaitForReadModels(req, res);
  nlohmann::json page;
  Check(engine_->queries().History(*req.actor, req.path_params[0], req.Param("month"),
                                   req.Param("type"), ParseLimit(req, 50), req.Param("cursor"),
                                   applied, &page));
  res->Json(page);
}

void Api::ListLobby(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  LobbyQueueQuery q;
  q.filters = Filters(req, LobbyQueue::FilterNames());
  q.list = ListOf(req);
  ListPage page;
  Check(engine_->queries().ListLobby(q, &page));
  AnswerPage(req, page, res);
}

void Api::GetLobbyMatches(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  const std::string& id = req.path_params[0];
  LobbyMatches found;
  Check(engine_->queries().MatchLobbyRecord(*req.actor, id, ParseLimit(req, 10), &found));
  nlohmann::json rows = nlohmann::json::array();
  for (const Match& m : found.matches) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : m.fields) {
      fields.push_back({{"field", f.field}, {"comparison", f.comparison}, {"weight", f.weight}});
    }
    nlohmann::json row = {{"client_id", m.client_id},
                          {"confidence", m.confidence},
                          {"probability", m.probability},
                          {"fields", fields}};
    for (const auto& [client_id, personal] : found.candidates) {
      if (client_id == m.client_id) row["client"] = PersonalToJson(personal);
    }
    rows.push_back(std::move(row));
  }
  res->Json(
      {{"lobby_id", id}, {"candidates_compared", found.candidates.size()}, {"matches", rows}});
}

bool Api::Reached(const HttpRequest& req, bool log_only) const noexcept {
  try {
    return engine_->queries().Reached(ParseCount(req, "min_position", 0, UINT64_MAX / 2), log_only);
  } catch (...) {
    return true;  // malformed: the route itself answers 422
  }
}

void Api::StreamEvents(const HttpRequest& req, HttpResponse* res) {
  const uint64_t from = std::max<uint64_t>(1, ParseCount(req, "from", 1, UINT64_MAX / 2));
  std::shared_ptr<void> slot = feeds_.Take(req.actor->user_id);
  if (slot == nullptr) {
    Problem p(429, "/problems/too-many-feeds", "Too many open feeds",
              req.actor->user_id + " already has " + std::to_string(feeds_.max_per_user()) +
                  " event feeds open, the most one user may; close one, or try again later",
              {{"max_feeds_per_user", feeds_.max_per_user()}});
    p.retry_after = 5;
    throw p;
  }
  res->content_type = "text/event-stream";
  res->headers.emplace_back("Cache-Control", "no-cache");
  const QueryService& queries = engine_->queries();
  res->stream = EventFeed(&queries.log(), &queries.codec(), from, std::move(slot), &stopping_);
}

void Api::Health(const HttpRequest&, HttpResponse* res) {
  const QueryService& queries = engine_->queries();
  const uint64_t head = queries.log().HeadPosition();
  const uint64_t applied = queries.runner().Applied();
  const Status runner = queries.runner().error();
  const Status writes = engine_->WriteHealth();
  const bool ok = writes.ok() && runner.ok();
  nlohmann::json j = {{"status", ok ? "ok" : "failing"},
                      {"head_position", head},
                      {"applied_position", applied},
                      {"projection_lag", head > applied ? head - applied : 0},
                      {"writes", writes.ok()                               ? "ok"
                                 : writes.code() == Status::Code::kNoSpace ? "storage-full"
                                                                           : "stopped"},
                      {"recoveries", engine_->Recoveries()}};
  if (!writes.ok()) {
    j["log"] = writes.message();
    const Status recovery = engine_->LastRecovery();
    if (!recovery.ok()) j["recovery"] = recovery.message();
  }
  if (!runner.ok()) j["read_models"] = runner.ToString();
  res->Json(j, ok ? 200 : 503);
}

}  // namespace caseengine
