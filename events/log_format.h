// The byte layout of the event log in its Store families, and the hash chain.
//
// Families and keys (all integers big-endian, so byte order is numeric order):
//
//   log          key   := position:u64
//                value := envelope                 (FlatBuffers Envelope, envelope.fbs)
//   streams      key   := stream-id 0x00 version:u64
//                value := position:u64
//   heads        key   := stream-id
//                value := version:u64 last-position:u64   (as of "heads-at", below)
//   idempotency  key   := command-id
//                value := append-record            (FlatBuffers AppendRecord: positions,
//                                                   versions, the answer, the request's
//                                                   digest)
//   meta         key   := "format"
//                value := "caseengine-log/1"
//                key   := "head"
//                value := position:u64 hash:32       (the last committed event, written
//                                                     in the same batch as it)
//                key   := "heads-at"
//                value := position:u64               (the heads family holds every
//                                                     stream's head as of this position)
//
// The heads family is a checkpoint, not written with every event: the writer keeps every
// head in memory. Once EventLogOptions::heads_checkpoint_events events were appended since
// the last checkpoint, a pass writes the heads changed since then, at most 1,024 a round
// (in the batches of the rounds' events), each with its value when written, and records
// "heads-at" (the position where the pass began) when it is complete. Every row is then
// at least as new as "heads-at" and no newer than the log. An open loads the family, then
// replays the events after "heads-at" from the log, which brings every head to its
// newest value. A folder without "heads-at" (written before the checkpoint) has every
// head up to the committed head; the first round written records that position.
// Readers take a stream's head from the stream index (its last key), never from here.
//
//   position  := 1, 2, 3, ... with no gap; the n-th committed event has position n
//   version   := 1, 2, 3, ... within a stream
//   stream-id := 1..256 bytes, printable ASCII (0x21..0x7e)
//
// The hash chain:
//
//   hash(n) := SHA-256( hash(n-1) || envelope(n) with its 32 hash bytes set to zero )
//   hash(0) := 32 zero bytes
//
// and envelope(n).prev_hash must equal hash(n-1). The hash covers every stored byte of
// the envelope (payloads included, as stored: personal data is hashed encrypted, so
// destroying a key never breaks the chain). Changing, removing, inserting or reordering
// any event breaks the chain at that position or the next. Cutting events off the end
// keeps a valid chain, but no longer matches the "head" record; cutting the tail and
// rewriting that record too is caught only by an auditor's digest of (position, hash)
// kept outside the system.
//
// Never renumber, reorder or reuse any of this: stored logs live for decades.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/sha256.h"
#include "base/status.h"
#include "events/event_view.h"

namespace caseengine {
namespace log_format {

inline constexpr const char* kLogFamily = "log";
inline constexpr const char* kStreamsFamily = "streams";
inline constexpr const char* kHeadsFamily = "heads";
inline constexpr const char* kIdempotencyFamily = "idempotency";
inline constexpr const char* kMetaFamily = "meta";
inline constexpr const char* kFormatKey = "format";
inline constexpr const char* kFormatValue = "caseengine-log/1";
inline constexpr const char* kHeadKey = "head";
inline constexpr const char* kHeadsAtKey = "heads-at";

std::string LogKey(uint64_t position);
// False unless `key` is exactly 8 bytes.
bool ParseLogKey(std::string_view key, uint64_t* position);

std::string StreamKey(std::string_view stream, uint64_t version);
std::string StreamPrefix(std::string_view stream);  // stream-id 0x00
bool ParseStreamKey(std::string_view key, std::string_view* stream, uint64_t* version);

std::string CommittedHeadValue(uint64_t position, const Hash256& hash);
bool ParseCommittedHeadValue(std::string_view value, uint64_t* position, Hash256* hash);

std::string HeadValue(uint64_t version, uint64_t last_position);
bool ParseHeadValue(std::string_view value, uint64_t* version, uint64_t* last_position);

// True for a valid stream id (see the grammar above).
bool ValidStreamId(std::string_view stream);
// Event types: 1..128 bytes of [A-Za-z0-9_.-].
bool ValidEventType(std::string_view type);

// The hash of an envelope whose bytes hold a zeroed or real hash at `hash_offset`.
Hash256 ChainHash(const Hash256& prev, std::string_view envelope, size_t hash_offset);

}  // namespace log_format
}  // namespace caseengine
