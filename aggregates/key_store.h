// KeyStore: one data key per subject (a client or a lobby record), in the `keys` family.
// Personal data in events is sealed with its subject's key; destroying the key erases the
// data from every event at once (crypto-shredding), without touching the log or its
// hash chain.
//
// A new key is written before the first event sealed with it, or in the same batch (the
// command path puts it in the round's batch, which saves the writer thread a store write
// per new client); the log's WAL sync for that event makes both durable together.
//
// Threading: thread-safe. A reader-writer lock guards a cache of keys: hits share it, and
// a miss reads the store without it (see KeyFor).
#pragma once

#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "events/log_store.h"
#include "storage/store.h"

namespace caseengine {

class KeyStore {
 public:
  // The store must have the `keys` family.
  static Status Open(Store* store, std::unique_ptr<KeyStore>* out);

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

 private:
  KeyStore(Store* store, FamilyId family) : store_(store), family_(family) {}

  Store* store_;
  FamilyId family_;
  std::shared_mutex mu_;
  uint64_t destroyed_ = 0;  // Destroy calls so far: a lookup's read of the store is stale
                            // if one came in between
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Subject -> key; an empty key: the subject has none (destroyed, or never created), which
  // a create looks up again. Found by string_view: a lookup per sealed event allocates
  // nothing.
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> cache_;
};

}  // namespace caseengine
