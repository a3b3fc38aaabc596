// ReplayFolder: a data folder opened for auditing: the store read-only and without its
// lock (safe beside a running engine, which it never disturbs), the log, the data keys
// and the codec that opens personal fields with them. What every `casereplay` command
// and the audit benchmarks read through.
//
// It sees the folder as it stood when opened; events appended later by a live engine
// are not seen.
//
// Threading: as the parts (thread-safe).
#pragma once

#include <memory>
#include <string>

#include "aggregates/event_codec.h"
#include "aggregates/key_store.h"
#include "events/event_log.h"
#include "storage/store.h"

namespace caseengine {

class ReplayFolder {
 public:
  // `kek` opens the folder's data keys; null is enough only for a folder with none, or
  // when `open_keys` is off (the chain and raw envelopes alone: personal fields then read
  // as erased, so only for commands that show none).
  static Status Open(const std::string& dir, const KeyEncryptionKey* kek,
                     std::unique_ptr<ReplayFolder>* out, bool open_keys = true);
  ~ReplayFolder();

  Store& store() const { return *store_; }
  const EventLog& log() const { return *log_; }
  const EventCodec& codec() const { return *codec_; }

 private:
  ReplayFolder() = default;

  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Store> no_keys_;  // stands in when the folder has no keys family
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<EventCodec> codec_;
};

}  // namespace caseengine
