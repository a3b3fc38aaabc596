// KeyStore: one data key per subject (a client or a lobby record), in the `keys` family.
// Personal data in events is sealed with its subject's key; destroying the key erases the
// data from every event at once (crypto-shredding), without touching the log or its
// hash chain.
//
// A new key is written before the first event sealed with it, or in the same batch (the
// command path puts it in the round's batch, which saves the writer thread a store write
// per new client); the log's WAL sync for that event makes both durable together.
//
// The data keys are kept wrapped (sealed) with a key-encryption key (KEK) that comes from
// outside the data folder, so that a copy of the folder alone opens nothing:
//
//   keys family     := marker? entry*
//   marker          := key "\0kek"  value 0x01 kek_id:8      (every key is wrapped with it)
//   entry           := key subject   value wrapped | clear
//   wrapped         := 0x01 kek_id:8 AES-256-GCM(kek, data key:32, aad = subject):60
//   clear           := data key:32   (folders written before wrapping; read, never written)
//   kek_id          := the first 8 bytes of SHA-256(kek)
//
// A writable open of a folder without the marker wraps every clear key and writes the
// marker in one synced batch (the migration of older folders). With the marker, an open
// with another KEK fails at once, naming both ids, rather than failing on every read.
//
// Threading: thread-safe. A reader-writer lock guards a cache of keys: hits share it, and
// a miss reads the store without it (see KeyFor). The cache holds keys unwrapped.
#pragma once

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/memory_budget.h"
#include "events/log_store.h"
#include "storage/store.h"

namespace caseengine {

// A key-encryption key: 32 bytes kept outside the data folder.
struct KeyEncryptionKey {
  std::string bytes;  // 32 bytes; empty: none given
  bool empty() const { return bytes.empty(); }
  // Hex of the first 8 bytes of its SHA-256: names the key in messages without showing it.
  std::string Id() const;
};

// A KEK from its text form: 64 hex digits (surrounding white space ignored).
Status ParseKeyEncryptionKey(std::string_view hex, KeyEncryptionKey* out);
// A KEK from a file holding its text form.
Status ReadKeyEncryptionKey(const std::string& path, KeyEncryptionKey* out);
// A new random KEK written to `path` (mode 0600; the file must not exist yet).
Status CreateKeyEncryptionKeyFile(const std::string& path, KeyEncryptionKey* out);

// The demo's KEK file, beside the data folder (never in it): "<dir>.kek".
std::string KekFileBeside(const std::string& data_dir);
// The KEK in KekFileBeside(data_dir); when there is none and `create`, a new one is made
// there (`*created` says so). NotFound when there is none and `create` is off.
Status KekBeside(const std::string& data_dir, bool create, KeyEncryptionKey* out,
                 bool* created = nullptr);

class KeyStore {
 public:
  // The store must have the `keys` family. `kek` may be null only for a folder with no
  // wrapped key (an empty or a bare one): the keys a folder holds cannot be read without
  // it. `migrate`: wrap the clear keys of an older folder and write the marker (off for a
  // read-only store).
  static Status Open(Store* store, const KeyEncryptionKey* kek, std::unique_ptr<KeyStore>* out,
                     bool migrate = true);
  // Rewraps every data key of the store's `keys` family from `old_kek` (or clear) to
  // `new_kek` in one synced batch, then purges the old forms from the files. Fails, changing
  // nothing, when the keys are not wrapped with `old_kek`. `*count`: the keys rewrapped.
  static Status Rotate(Store* store, const KeyEncryptionKey& old_kek,
                       const KeyEncryptionKey& new_kek, uint64_t* count);

  // The subject's key, creating it when missing and `create` is set. NotFound when there is
  // none (never created, or destroyed). A created key is written at once; given
  // `new_keys`, it is put there instead, and the caller writes that batch before or with
  // the events sealed with the key, or calls Forget if it never does.
  Status KeyFor(std::string_view subject, bool create, std::string* key,
                WriteBatch* new_keys = nullptr);
  // Forgets the keys of a `new_keys` batch that will not be written, so that they are
  // neither served nor lost: the next KeyFor of those subjects makes a key of its own.
  void Forget(const WriteBatch& new_keys);
  // Destroys the subject's key for good (a synced delete). Its bytes leave the files at the
  // next Purge, which the caller schedules.
  Status Destroy(std::string_view subject);
  // Reads every key into the cache in one pass over the family: a rebuild opens nearly
  // every subject's details, and one read per subject cost a tenth of its decoding.
  Status Warm();
  // Removes destroyed keys' bytes from the files (Store::Purge of the keys family).
  Status Purge() { return store_->Purge({family_}); }
  // The store the keys are in (the data folder's).
  Store* store() const { return store_; }
  // Bounds the cache (MemoryBudget::key_cache_entries): past it, a quarter of the cached
  // keys go, and are read from the store again when next asked for.
  void SetCacheLimit(size_t entries);
  // The cache's size, bound, hits and misses (name "keys").
  CacheStats Stats() const;

 private:
  KeyStore(Store* store, FamilyId family, const KeyEncryptionKey* kek)
      : store_(store), family_(family), kek_(kek == nullptr ? KeyEncryptionKey() : *kek) {}
  // A stored value's data key (unwrapped, or as it is when clear).
  Status Unwrap(std::string_view subject, std::string_view stored, std::string* key) const;
  Status Wrap(std::string_view subject, std::string_view key, std::string* stored) const;

  Store* store_;
  FamilyId family_;
  const KeyEncryptionKey kek_;
  mutable std::shared_mutex mu_;
  uint64_t destroyed_ = 0;  // Destroy calls so far: a lookup's read of the store is stale
                            // if one came in between
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Caches a subject's key (empty: none), making room first past the limit; mu_ held.
  void Cache(std::string_view subject, std::string key);

  // Subject -> key; an empty key: the subject has none (destroyed, or never created), which
  // a create looks up again. Found by string_view: a lookup per sealed event allocates
  // nothing.
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> cache_;
  size_t cache_limit_ = SIZE_MAX;  // mu_
  mutable std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace caseengine
