// Digests and audits of the log's hash chain: what `casereplay checkpoint` and `verify`,
// and GET /audit/digest and /audit/verify, share.
//
// A digest is the (position, hash) of the log at a moment, kept by an auditor outside the
// system. The chain alone cannot show that a log was cut back, or changed and re-hashed
// from the change onwards; a log that still holds the digest's hash at its position, with
// a valid chain up to it, was not (docs/auditing.md).
//
// The digest's JSON form, one object:
//
//   {"format": "caseengine-digest/1", "log_format": "caseengine-log/1",
//    "position": <u64>, "hash": <64 lowercase hex digits>,
//    "recorded_at": <RFC 3339, of the event at position>, "taken_at": <RFC 3339>}
//
// position 0 is the empty log, whose hash is 32 zero bytes. Never change the meaning of a
// field: digests are kept for years.
//
// Threading: pure functions over a thread-safe log.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/sha256.h"
#include "events/event_log.h"

namespace caseengine {

inline constexpr const char* kDigestFormat = "caseengine-digest/1";

struct LogDigest {
  uint64_t position = 0;
  Hash256 hash{};
  int64_t recorded_at = 0;  // of the event at `position`; 0 for position 0
  int64_t taken_at = 0;
};

// The digest of the log at `position` (0: the empty log's). Reads that event alone; it
// does not verify the chain. NotFound past the durable head.
Status DigestAt(const EventLog& log, uint64_t position, LogDigest* digest);

nlohmann::json DigestToJson(const LogDigest& digest);
// InvalidArgument naming what is wrong when `text` is not a digest.
Status ParseDigest(std::string_view text, LogDigest* digest);
// A hash as 64 hex digits.
bool ParseHash(std::string_view hex, Hash256* hash);

// The chain verified over a range and, when a digest is given, whether the log extends it.
struct AuditReport {
  VerifyReport chain;
  uint64_t from = 1, to = 0;  // the range checked
  uint64_t head = 0;          // the log's head when checked
  std::optional<LogDigest> digest;
  bool digest_ok = false;
  std::string digest_reason;  // why not, when !digest_ok

  bool ok() const { return chain.ok && (!digest || digest_ok); }
  // GET /audit/verify's answer (docs/auditing.md).
  nlohmann::json ToJson() const;
};

// InvalidArgument, naming `from`, when [from, to] (to = 0: the head) is backwards or
// starts past the head. `prefix` goes before the bounds' names ("--" for flags).
Status CheckRange(uint64_t head, uint64_t from, uint64_t to, std::string_view prefix = "");

// Verifies [from, to] (to = 0: the head). With a digest, the whole chain is verified
// (from and to are ignored) and the event at the digest's position must carry its hash.
AuditReport Audit(const EventLog& log, uint64_t from, uint64_t to,
                  const std::optional<LogDigest>& digest);

}  // namespace caseengine
