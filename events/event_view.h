// EventView: a zero-copy, verified view of one stored envelope; RecordedEvent: an owning
// copy of the same fields. Views point into bytes owned by someone else (a RocksDB
// iterator, a string) and are valid only while those bytes are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/sha256.h"
#include "base/status.h"

namespace caseengine {

namespace fb {
struct Envelope;
}

struct RecordedEvent {
  uint64_t position = 0;
  std::string stream;
  uint64_t version = 0;
  std::string type;
  int64_t recorded_at = 0;  // microseconds since the epoch
  std::string actor;
  std::string tenant;
  std::string command_id;
  std::string correlation_id;
  std::string causation_id;
  std::string payload;
  Hash256 prev_hash{};
  Hash256 hash{};
};

class EventView {
 public:
  // Verifies `bytes` as an Envelope (bounds, offsets, required hashes) and points the
  // view at it. Corruption when the bytes are not a well-formed envelope.
  static Status Parse(std::string_view bytes, EventView* view);

  uint64_t position() const;
  std::string_view stream() const;
  uint64_t version() const;
  std::string_view type() const;
  int64_t recorded_at() const;
  std::string_view actor() const;
  std::string_view tenant() const;
  std::string_view command_id() const;
  std::string_view correlation_id() const;
  std::string_view causation_id() const;
  std::string_view payload() const;
  Hash256 prev_hash() const;
  Hash256 hash() const;
  // The stored bytes, and the offset of the 32 hash bytes within them.
  std::string_view bytes() const { return bytes_; }
  size_t hash_offset() const { return hash_offset_; }

  RecordedEvent ToRecorded() const;

 private:
  std::string_view bytes_;
  const fb::Envelope* env_ = nullptr;
  size_t hash_offset_ = 0;
};

}  // namespace caseengine
