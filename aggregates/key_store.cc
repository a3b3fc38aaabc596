// KeyStore: see key_store.h.
#include "aggregates/key_store.h"

#include "base/aes_gcm.h"

namespace caseengine {

Status KeyStore::Open(Store* store, std::unique_ptr<KeyStore>* out) {
  FamilyId family;
  Status s = store->Family(kKeysFamily, &family);
  if (!s.ok()) return Status::InvalidArgument("the data folder has no 'keys' family");
  out->reset(new KeyStore(store, family));
  return Status::Ok();
}

Status KeyStore::KeyFor(std::string_view subject, bool create, std::string* key,
                        WriteBatch* new_keys) {
  // The cache's answer, if it has one (under either lock). A cached empty key: the subject
  // has none (destroyed, or not yet created), which a create looks up again. Cached as
  // well, since a rebuild asks for an erased person's key at every event of theirs.
  Status found;
  auto cached = [&] {
    auto it = cache_.find(subject);
    if (it == cache_.end() || (create && it->second.empty())) return false;
    if (it->second.empty()) {
      found = Status::NotFound("no key for the subject");
    } else {
      *key = it->second;
    }
    return true;
  };
  uint64_t destroyed = 0;
  {
    // Hits, nearly every call, share the lock: a rebuild decodes on two threads at once.
    std::shared_lock<std::shared_mutex> lock(mu_);
    if (cached()) return found;
    destroyed = destroyed_;
  }
  // A miss reads the store without the lock (a rebuild misses once per person, tens of
  // thousands of times, on both threads); what it read is cached only if no key was
  // destroyed meanwhile, which might have been this one.
  Status s = store_->Get(family_, subject, key);
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  std::lock_guard<std::shared_mutex> lock(mu_);
  if (destroyed != destroyed_) {
    s = store_->Get(family_, subject, key);
    if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  }
  if (cached()) return found;
  if (s.code() == Status::Code::kNotFound && create) {
    // Created under the lock: a second creator of the same subject's key finds it cached.
    *key = NewDataKey();
    if (new_keys != nullptr) {
      new_keys->Put(family_, subject, *key);
      s = Status::Ok();
    } else {
      WriteBatch batch;
      batch.Put(family_, subject, *key);
      s = store_->Write(batch, /*sync=*/false);
    }
  }
  if (s.code() == Status::Code::kNotFound) {
    cache_.insert_or_assign(std::string(subject), std::string());
    return s;
  }
  if (!s.ok()) return s;
  cache_.insert_or_assign(std::string(subject), *key);
  return Status::Ok();
}

Status KeyStore::Warm() {
  // Under the lock: a key destroyed meanwhile waits, and is not cached.
  std::lock_guard<std::shared_mutex> lock(mu_);
  auto it = store_->NewIterator(family_, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    cache_.insert_or_assign(std::string(it->key()), std::string(it->value()));
  }
  return it->status();
}

void KeyStore::Forget(const WriteBatch& new_keys) {
  std::lock_guard<std::shared_mutex> lock(mu_);
  new_keys.ForEach([&](FamilyId family, WriteOp op, std::string_view subject, std::string_view) {
    if (family == family_ && op == WriteOp::kPut) cache_.erase(std::string(subject));
  });
}

Status KeyStore::Destroy(std::string_view subject) {
  std::lock_guard<std::shared_mutex> lock(mu_);
  ++destroyed_;
  cache_.erase(std::string(subject));
  WriteBatch batch;
  batch.Delete(family_, subject);
  return store_->Write(batch, /*sync=*/true);
}

}  // namespace caseengine
