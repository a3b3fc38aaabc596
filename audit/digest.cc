// Digests and audits: see digest.h.
#include "audit/digest.h"

#include <chrono>

#include "base/coding.h"
#include "base/time_format.h"
#include "events/log_format.h"

namespace caseengine {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HashHex(const Hash256& h) { return HexEncode(AsBytes(h)); }

}  // namespace

bool ParseHash(std::string_view hex, Hash256* hash) {
  std::string bytes;
  if (hex.size() != 64 || !HexDecode(hex, &bytes)) return false;
  std::copy(bytes.begin(), bytes.end(), hash->begin());
  return true;
}

Status DigestAt(const EventLog& log, uint64_t position, LogDigest* digest) {
  *digest = LogDigest();
  digest->taken_at = NowMicros();
  const uint64_t head = log.HeadPosition();
  if (position > head) {
    return Status::NotFound("position " + std::to_string(position) + " is past the head " +
                            std::to_string(head));
  }
  if (position == 0) return Status::Ok();
  RecordedEvent event;
  Status s = log.ReadAt(position, &event);
  if (!s.ok()) return s;
  digest->position = position;
  digest->hash = event.hash;
  digest->recorded_at = event.recorded_at;
  return Status::Ok();
}

nlohmann::json DigestToJson(const LogDigest& d) {
  nlohmann::json j;
  j["format"] = kDigestFormat;
  j["log_format"] = log_format::kFormatValue;
  j["position"] = d.position;
  j["hash"] = HashHex(d.hash);
  j["recorded_at"] =
      d.position == 0 ? nlohmann::json() : nlohmann::json(FormatMicrosUtc(d.recorded_at));
  j["taken_at"] = FormatMicrosUtc(d.taken_at);
  return j;
}

Status ParseDigest(std::string_view text, LogDigest* digest) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("not a caseengine digest: " + why);
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("it is not a JSON object");
  if (j.value("format", "") != kDigestFormat) {
    return bad("\"format\" must be \"" + std::string(kDigestFormat) + "\"");
  }
  if (j.contains("log_format") && j["log_format"] != log_format::kFormatValue) {
    return bad("it is of a log in format " + j["log_format"].dump() +
               ", which this build does not read");
  }
  *digest = LogDigest();
  if (!j.contains("position") || !j["position"].is_number_unsigned()) {
    return bad("\"position\" must be a whole number");
  }
  digest->position = j["position"].get<uint64_t>();
  if (!j.contains("hash") || !j["hash"].is_string() ||
      !ParseHash(j["hash"].get<std::string>(), &digest->hash)) {
    return bad("\"hash\" must be 64 hex digits");
  }
  if (digest->position == 0 && digest->hash != Hash256{}) {
    return bad("the digest of position 0 has a hash of zeros");
  }
  if (j.contains("recorded_at") && j["recorded_at"].is_string()) {
    ParseInstant(j["recorded_at"].get<std::string>(), &digest->recorded_at);
  }
  if (j.contains("taken_at") && j["taken_at"].is_string()) {
    ParseInstant(j["taken_at"].get<std::string>(), &digest->taken_at);
  }
  return Status::Ok();
}

Status CheckRange(uint64_t head, uint64_t from, uint64_t to, std::string_view prefix) {
  const std::string f = std::string(prefix) + "from " + std::to_string(from);
  if (to != 0 && from > to) {
    return Status::InvalidArgument(f + " is after " + std::string(prefix) + "to " +
                                   std::to_string(to));
  }
  if (from > std::max<uint64_t>(head, 1)) {
    return Status::InvalidArgument(f + " is beyond the head position " + std::to_string(head));
  }
  return Status::Ok();
}

AuditReport Audit(const EventLog& log, uint64_t from, uint64_t to,
                  const std::optional<LogDigest>& digest) {
  AuditReport r;
  if (digest) from = 1, to = 0;
  r.head = log.HeadPosition();
  r.from = std::max<uint64_t>(from, 1);
  r.to = to == 0 || to > r.head ? r.head : to;
  r.chain = log.VerifyChain(from, to);
  if (!digest) return r;
  r.digest = digest;
  const uint64_t p = digest->position;
  if (p > r.head) {
    r.digest_reason = "the log ends at position " + std::to_string(r.head) +
                      ", before the digest's position " + std::to_string(p) +
                      ": events were removed from its end";
    return r;
  }
  if (!r.chain.ok && r.chain.first_bad <= p) {
    r.digest_reason = "the chain breaks at position " + std::to_string(r.chain.first_bad) +
                      ", before the digest's position " + std::to_string(p);
    return r;
  }
  if (p == 0) {  // the empty log, which every log extends
    r.digest_ok = true;
    return r;
  }
  LogDigest now;
  Status s = DigestAt(log, p, &now);
  if (!s.ok()) {
    r.digest_reason = "the event at the digest's position cannot be read: " + s.message();
    return r;
  }
  if (now.hash != digest->hash) {
    r.digest_reason = "the event at position " + std::to_string(p) + " has hash " +
                      HashHex(now.hash) + ", not the digest's " + HashHex(digest->hash) +
                      ": an event at or before it was changed and the chain re-hashed";
    return r;
  }
  r.digest_ok = true;
  return r;
}

nlohmann::json AuditReport::ToJson() const {
  nlohmann::json j;
  j["ok"] = ok();
  j["checked"] = chain.checked;
  j["from"] = from;
  j["to"] = to;
  j["head_position"] = head;
  j["last_position"] = chain.last_position;
  j["last_hash"] = HashHex(chain.last_hash);
  if (!chain.ok) {
    j["first_bad"] = chain.first_bad;
    j["reason"] = chain.reason;
  }
  if (digest) {
    nlohmann::json d = {
        {"position", digest->position}, {"hash", HashHex(digest->hash)}, {"ok", digest_ok}};
    if (!digest_ok) d["reason"] = digest_reason;
    j["digest"] = std::move(d);
  }
  return j;
}

}  // namespace caseengine
