// The Api's routes over the log itself, for auditors: the audit trail, digests and chain
// verification, a stream's raw events and the global log. The live feed is in
// event_feed.cc; the route table in routes.cc.
#include <mutex>

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
  Check(engine_->read_models().audit_trail.trail().Query(q, &page));
  res->Json(page);
}

void Api::GetAuditDigest(const HttpRequest& req, HttpResponse* res) {
  LogDigest digest;
  Check(DigestAt(engine_->log(), engine_->log().HeadPosition(), &digest));
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
  const Status range = CheckRange(engine_->log().HeadPosition(), from, to);
  if (!range.ok()) throw Problem::Invalid("from", range.message());
  std::lock_guard<std::mutex> lock(verify_mu_);
  res->Json(Audit(engine_->log(), from, to, digest).ToJson());
}

void Api::GetStreamEvents(const HttpRequest& req, HttpResponse* res) {
  const uint64_t from = std::max<uint64_t>(1, ParseCount(req, "from_version", 1, UINT64_MAX / 2));
  const size_t limit = ParseLimit(req, 100);
  nlohmann::json events = nlohmann::json::array();
  const EventCodec& codec = engine_->handler().codec();
  Check(engine_->log().ScanStream(req.path_params[0], from, [&](const EventView& v) {
    events.push_back(EventJson(v, codec));
    return events.size() < limit;
  }));
  if (events.empty() && from == 1) throw Problem::NotFound("no stream " + req.path_params[0]);
  res->Json({{"stream", req.path_params[0]}, {"events", events}});
}

void Api::GetEvents(const HttpRequest& req, HttpResponse* res) {
  const uint64_t from = std::max<uint64_t>(1, ParseCount(req, "from", 1, UINT64_MAX / 2));
  const size_t limit = ParseLimit(req, 100);
  nlohmann::json events = nlohmann::json::array();
  const EventCodec& codec = engine_->handler().codec();
  Check(engine_->log().Scan(from, 0, [&](const EventView& v) {
    events.push_back(EventJson(v, codec));
    return events.size() < limit;
  }));
  nlohmann::json j = {{"events", events}, {"head_position", engine_->log().HeadPosition()}};
  if (!events.empty()) j["next"] = events.back()["position"].get<uint64_t>() + 1;
  res->Json(j);
}

}  // namespace caseengine
