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
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(subject);
  if (it != cache_.end()) {
    *key = it->second;
    return Status::Ok();
  }
  Status s = store_->Get(family_, subject, key);
  if (s.code() == Status::Code::kNotFound && create) {
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
  if (!s.ok()) return s;
  cache_.emplace(std::string(subject), *key);
  return Status::Ok();
}

void KeyStore::Forget(const WriteBatch& new_keys) {
  std::lock_guard<std::mutex> lock(mu_);
  new_keys.ForEach([&](FamilyId family, WriteOp op, std::string_view subject, std::string_view) {
    if (family == family_ && op == WriteOp::kPut) cache_.erase(std::string(subject));
  });
}

Status KeyStore::Destroy(std::string_view subject) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(std::string(subject));
  WriteBatch batch;
  batch.Delete(family_, subject);
  return store_->Write(batch, /*sync=*/true);
}

}  // namespace caseengine
