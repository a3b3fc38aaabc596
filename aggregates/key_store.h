// KeyStore: one data key per subject (a client or a lobby record), in the `keys` family.
// Personal data in events is sealed with its subject's key; destroying the key erases the
// data from every event at once (crypto-shredding), without touching the log or its
// hash chain.
//
// A key is written unsynced before the first event sealed with it; the log's WAL sync
// for that event makes both durable together (one WAL, written in order).
//
// Threading: thread-safe (a mutex over a cache of keys).
#pragma once

#include <mutex>
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
  // none (never created, or destroyed).
  Status KeyFor(std::string_view subject, bool create, std::string* key);
  // Destroys the subject's key for good (a synced delete). Its bytes leave the files at the
  // next Purge, which the caller schedules.
  Status Destroy(std::string_view subject);
  // Removes destroyed keys' bytes from the files (Store::Purge of the keys family).
  Status Purge() { return store_->Purge(family_); }

 private:
  KeyStore(Store* store, FamilyId family) : store_(store), family_(family) {}

  Store* store_;
  FamilyId family_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> cache_;
};

}  // namespace caseengine
