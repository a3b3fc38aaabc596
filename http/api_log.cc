// The Api's routes over the log itself, for auditors: the audit trail, digests and chain
// verification, a stream's raw events and the global log. The live feed is in
// event_feed.cc; the route table in routes.cc.
#include "audit/digest.h"
#include "audit/event_json.h"
#include "base/time_format.h"
#include "http/api.h"
#include "http/api_internal.h"

namespace caseengine {

void Api::GetAudit(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  AuditQuery q;
  q.actor = req.Param("actor");
  q.stream = req.Param("stream");
  for (const char* name : {"from", "to"}) {
    if (!req.Has(name)) continue;
    int64_t micros;
    // A date as the end of a range means the whole of that day.
    const bool until = std::string(name) == "to";
    if (!(until ? ParseInstantUntil : ParseInstant)(req.Param(name), &micros)) {
      throw Problem::Invalid(name, "must be an RFC 3339 instant or a date YYYY-MM-DD");
    }
    (std::string(name) == "from" ? q.from_micros : q.to_micros) = micros;
  }
  q.limit = ParseLimit(req, 100);
  q.cursor = req.Param("cursor");
  nlohmann::json page;
  Check(engine_->queries().AuditTrail(q, &page));
  res->Json(page);
}

void Api::GetAuditDigest(const HttpRequest& req, HttpResponse* res) {
  LogDigest digest;
  Check(engine_->queries().Digest(&digest));
  res->Json(DigestToJson(digest));
}

void Api::VerifyAudit(const HttpRequest& req, HttpResponse* res) {
  const bool has_digest = req.Has("position") || req.Has("hash");
  std::optional<LogDigest> digest;
  if (has_digest) {
    if (!req.Has("position") || !req.Has("hash")) {
      throw Problem::Invalid(req.Has("hash") ? "position" : "hash",
                             "a digest needs both position and hash");
    }
    if (req.Has("from") || req.Has("to")) {
      throw Problem::Invalid("from",
                             "a digest is checked against the whole chain; drop from and to");
    }
    LogDigest d;
    d.position = ParseCount(req, "position", 0, UINT64_MAX / 2);
    if (!ParseHash(req.Param("hash"), &d.hash)) {
      throw Problem::Invalid("hash", "must be 64 hex digits");
    }
    digest = d;
  }
  const uint64_t from = ParseCount(req, "from", 1, UINT64_MAX / 2);
  const uint64_t to = ParseCount(req, "to", 0, UINT64_MAX / 2);
  AuditReport report;
  const Status s = engine_->queries().Verify(from, to, digest, &report);
  if (s.code() == Status::Code::kInvalidArgument) throw Problem::Invalid("from", s.message());
  Check(s);
  res->Json(report.ToJson());
}

void Api::GetStreamEvents(const HttpRequest& req, HttpResponse* res) {
  const uint64_t from = std::max<uint64_t>(1, ParseCount(req, "from_version", 1, UINT64_MAX / 2));
  const size_t limit = ParseLimit(req, 100);
  nlohmann::json events = nlohmann::json::array();
  const QueryService& queries = engine_->queries();
  Check(queries.StreamEvents(req.path_params[0], from, limit, [&](const EventView& v) {
    events.push_back(EventJson(v, queries.codec()));
  }));
  if (events.empty() && from == 1) throw Problem::NotFound("no stream " + req.path_params[0]);
  res->Json({{"stream", req.path_params[0]}, {"events", events}});
}

void Api::GetEvents(const HttpRequest& req, HttpResponse* res) {
  const uint64_t from = std::max<uint64_t>(1, ParseCount(req, "from", 1, UINT64_MAX / 2));
  const size_t limit = ParseLimit(req, 100);
  nlohmann::json events = nlohmann::json::array();
  const QueryService& queries = engine_->queries();
  Check(queries.LogEvents(
      from, limit, [&](const EventView& v) { events.push_back(EventJson(v, queries.codec())); }));
  nlohmann::json j = {{"events", events}, {"head_position", queries.log().HeadPosition()}};
  if (!events.empty()) j["next"] = events.back()["position"].get<uint64_t>() + 1;
  res->Json(j);
}

}  // namespace caseengine
