// ReplayFolder: see replay_folder.h.
#include "audit/replay_folder.h"

#include "events/log_store.h"
#include "storage/memory_store.h"

namespace caseengine {

Status ReplayFolder::Open(const std::string& dir, const KeyEncryptionKey* kek,
                          std::unique_ptr<ReplayFolder>* out, bool open_keys) {
  std::unique_ptr<ReplayFolder> f(new ReplayFolder());
  // The log's families and the keys alone: the read models are not needed to replay.
  RocksStoreOptions options = LogStoreOptions(dir, /*read_only=*/true);
  options.open_all_families = false;
  Status s = OpenRocksStore(options, &f->store_);
  if (s.ok()) s = EventLog::Open(f->store_.get(), EventLogOptions(), &f->log_);
  if (!s.ok()) return s;
  FamilyId keys;
  if ((open_keys || kek != nullptr) && f->store_->Family(kKeysFamily, &keys).ok()) {
    // Read-only: an older folder's clear keys are read as they are, not migrated.
    s = KeyStore::Open(f->store_.get(), kek, &f->keys_, /*migrate=*/false);
  } else {
    // A bare log (written without the domain) has no keys: nothing in it can be opened,
    // so an empty key store stands in, and sealed fields read as erased.
    f->no_keys_ = std::make_unique<MemoryStore>(std::vector<std::string>{kKeysFamily});
    s = KeyStore::Open(f->no_keys_.get(), nullptr, &f->keys_, /*migrate=*/false);
  }
  if (!s.ok()) return s;
  f->codec_ = std::make_unique<EventCodec>(f->keys_.get());
  *out = std::move(f);
  return Status::Ok();
}

ReplayFolder::~ReplayFolder() {
  codec_.reset();
  keys_.reset();
  log_.reset();
  store_.reset();
  no_keys_.reset();
}

}  // namespace caseengine
