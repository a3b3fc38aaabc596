// KeyStore: see key_store.h.
#include "aggregates/key_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/aes_gcm.h"
#include "base/coding.h"
#include "base/sha256.h"

namespace caseengine {
namespace {

constexpr char kWrappedVersion = 0x01;
constexpr size_t kKekIdBytes = 8;
// Sorts before every subject (ids are printable) and is no subject.
constexpr std::string_view kMarkerKey("\0kek", 4);
constexpr size_t kWrappedBytes = 1 + kKekIdBytes + 12 + kDataKeyBytes + 16;

std::string RawId(const KeyEncryptionKey& kek) {
  return std::string(AsBytes(Sha256({kek.bytes})).substr(0, kKekIdBytes));
}

Status WrongKey(std::string_view stored_id, const KeyEncryptionKey& kek) {
  return Status::FailedPrecondition("the data folder's keys are wrapped with key " +
                                    HexEncode(stored_id) + "; the configured key is " + kek.Id() +
                                    " (give the key-encryption key this folder was written with)");
}

Status NoKey(std::string_view stored_id) {
  return Status::FailedPrecondition(
      "the data folder's keys are wrapped with key " + HexEncode(stored_id) +
      " and no key-encryption key was given (a key file or CASEENGINE_KEK_FILE)");
}

// The KEK id a stored value says it is wrapped with; false for a clear key.
bool WrappedId(std::string_view stored, std::string_view* id) {
  if (stored.size() != kWrappedBytes || stored[0] != kWrappedVersion) return false;
  *id = stored.substr(1, kKekIdBytes);
  return true;
}

}  // namespace

std::string KeyEncryptionKey::Id() const { return HexEncode(RawId(*this)); }

Status ParseKeyEncryptionKey(std::string_view hex, KeyEncryptionKey* out) {
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.front())))
    hex.remove_prefix(1);
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.remove_suffix(1);
  std::string bytes;
  if (hex.size() != 2 * kDataKeyBytes || !HexDecode(hex, &bytes) || bytes.size() != kDataKeyBytes) {
    return Status::InvalidArgument("a key-encryption key is 64 hex digits (32 bytes)");
  }
  out->bytes = std::move(bytes);
  return Status::Ok();
}

Status ReadKeyEncryptionKey(const std::string& path, KeyEncryptionKey* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("the key-encryption key file " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  Status s = ParseKeyEncryptionKey(text.str(), out);
  if (!s.ok()) return Status::InvalidArgument(path + ": " + s.message());
  return Status::Ok();
}

Status CreateKeyEncryptionKeyFile(const std::string& path, KeyEncryptionKey* out) {
  KeyEncryptionKey kek;
  kek.bytes = NewDataKey();
  const std::string text = HexEncode(kek.bytes) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IoError("cannot create the key-encryption key file " + path + ": " +
                           std::strerror(errno));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return Status::IoError("cannot write the key-encryption key file " + path);
  }
  *out = std::move(kek);
  return Status::Ok();
}

std::string KekFileBeside(const std::string& data_dir) {
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".kek";
}

Status KekBeside(const std::string& data_dir, bool create, KeyEncryptionKey* out, bool* created) {
  if (created != nullptr) *created = false;
  const std::string path = KekFileBeside(data_dir);
  if (::access(path.c_str(), F_OK) == 0 || !create) return ReadKeyEncryptionKey(path, out);
  Status s = CreateKeyEncryptionKeyFile(path, out);
  if (s.code() == Status::Code::kIoError && ::access(path.c_str(), F_OK) == 0) {
    return ReadKeyEncryptionKey(path, out);  // made meanwhile by another process
  }
  if (s.ok() && created != nullptr) *created = true;
  return s;
}

Status KeyStore::Open(Store* store, const KeyEncryptionKey* kek, std::unique_ptr<KeyStore>* out,
                      bool migrate) {
  FamilyId family;
  Status s = store->Family(kKeysFamily, &family);
  if (!s.ok()) return Status::InvalidArgument("the data folder has no 'keys' family");
  if (kek != nullptr && kek->empty()) kek = nullptr;
  std::unique_ptr<KeyStore> keys(new KeyStore(store, family, kek));
  std::string marker;
  s = store->Get(family, kMarkerKey, &marker);
  if (s.ok()) {
    if (marker.size() != 1 + kKekIdBytes || marker[0] != kWrappedVersion) {
      return Status::Corruption("the data folder's key marker is not one this build reads");
    }
    const std::string_view id = std::string_view(marker).substr(1);
    if (kek == nullptr) return NoKey(id);
    if (id != RawId(*kek)) return WrongKey(id, *kek);
    *out = std::move(keys);
    return Status::Ok();
  }
  if (s.code() != Status::Code::kNotFound) return s;
  // No marker: a new folder, one written before keys were wrapped (clear keys), or a
  // read-only look at either. Every entry is checked; a writable open wraps the clear ones
  // and writes the marker in the same batch, so a folder is migrated whole or not at all.
  WriteBatch batch;
  auto it = store->NewIterator(family, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view subject = it->key(), stored = it->value();
    std::string_view id;
    if (WrappedId(stored, &id)) {
      if (kek == nullptr) return NoKey(id);
      if (id != RawId(*kek)) return WrongKey(id, *kek);
      continue;
    }
    if (stored.size() != kDataKeyBytes) {
      return Status::Corruption("the data key of " + std::string(subject) +
                                " is neither a key nor a wrapped one");
    }
    if (!migrate) continue;
    if (kek == nullptr) {
      return Status::FailedPrecondition(
          "the data folder's keys are not yet wrapped, and no key-encryption key was given to "
          "wrap them with");
    }
    std::string wrapped;
    s = keys->Wrap(subject, stored, &wrapped);
    if (!s.ok()) return s;
    batch.Put(family, subject, wrapped);
  }
  if (!it->status().ok()) return it->status();
  it.reset();
  if (migrate && kek != nullptr) {
    const bool wrapped_some = batch.Count() > 0;
    batch.Put(family, kMarkerKey, std::string(1, kWrappedVersion) + RawId(*kek));
    s = store->Write(batch, /*sync=*/true);
    // The clear forms leave the files now rather than at some later compaction.
    if (s.ok() && wrapped_some) s = store->Purge({family});
    if (!s.ok()) return s;
  }
  *out = std::move(keys);
  return Status::Ok();
}

Status KeyStore::Rotate(Store* store, const KeyEncryptionKey& old_kek,
                        const KeyEncryptionKey& new_kek, uint64_t* count) {
  if (old_kek.empty() || new_kek.empty()) {
    return Status::InvalidArgument("rotation needs the old and the new key-encryption key");
  }
  // Opening with the old KEK checks it (and wraps what an older folder kept clear).
  std::unique_ptr<KeyStore> keys;
  Status s = Open(store, &old_kek, &keys, /*migrate=*/true);
  if (!s.ok()) return s;
  KeyStore rewrapped(store, keys->family_, &new_kek);
  WriteBatch batch;
  uint64_t n = 0;
  auto it = store->NewIterator(keys->family_, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key() == kMarkerKey) continue;
    std::string key, wrapped;
    s = keys->Unwrap(it->key(), it->value(), &key);
    if (s.ok()) s = rewrapped.Wrap(it->key(), key, &wrapped);
    if (!s.ok()) return s;
    batch.Put(keys->family_, it->key(), wrapped);
    ++n;
  }
  if (!it->status().ok()) return it->status();
  it.reset();
  batch.Put(keys->family_, kMarkerKey, std::string(1, kWrappedVersion) + RawId(new_kek));
  s = store->Write(batch, /*sync=*/true);
  if (!s.ok()) return s;
  *count = n;
  // The old wrapped forms leave the files (and the WAL) now, not at some later compaction.
  return store->Purge({keys->family_});
}

Status KeyStore::Wrap(std::string_view subject, std::string_view key, std::string* stored) const {
  if (kek_.empty()) {
    return Status::FailedPrecondition("no key-encryption key to wrap a new data key with");
  }
  std::string sealed;
  Status s = Seal(kek_.bytes, key, subject, &sealed);
  if (!s.ok()) return s;
  *stored = std::string(1, kWrappedVersion) + RawId(kek_) + sealed;
  return Status::Ok();
}

Status KeyStore::Unwrap(std::string_view subject, std::string_view stored, std::string* key) const {
  std::string_view id;
  if (!WrappedId(stored, &id)) {
    if (stored.size() != kDataKeyBytes) {
      return Status::Corruption("the data key of " + std::string(subject) +
                                " is neither a key nor a wrapped one");
    }
    key->assign(stored);  // an older folder's clear key, read without a migration
    return Status::Ok();
  }
  if (kek_.empty()) return NoKey(id);
  if (id != RawId(kek_)) return WrongKey(id, kek_);
  Status s = Unseal(kek_.bytes, stored.substr(1 + kKekIdBytes), subject, key);
  if (!s.ok()) {
    return Status::Corruption("the wrapped data key of " + std::string(subject) +
                              " does not open with the key-encryption key " + kek_.Id());
  }
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
    if (cached()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found;
    }
    destroyed = destroyed_;
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  // A miss reads the store without the lock (a rebuild misses once per person, tens of
  // thousands of times, on both threads); what it read is cached only if no key was
  // destroyed meanwhile, which might have been this one.
  auto read = [&] {
    std::string stored;
    Status r = store_->Get(family_, subject, &stored);
    if (r.ok()) r = Unwrap(subject, stored, key);
    return r;
  };
  Status s = read();
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  std::lock_guard<std::shared_mutex> lock(mu_);
  if (destroyed != destroyed_) {
    s = read();
    if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  }
  if (cached()) return found;
  if (s.code() == Status::Code::kNotFound && create) {
    // Created under the lock: a second creator of the same subject's key finds it cached.
    *key = NewDataKey();
    std::string wrapped;
    s = Wrap(subject, *key, &wrapped);
    if (!s.ok()) return s;
    if (new_keys != nullptr) {
      new_keys->Put(family_, subject, wrapped);
    } else {
      WriteBatch batch;
      batch.Put(family_, subject, wrapped);
      s = store_->Write(batch, /*sync=*/false);
    }
  }
  if (s.code() == Status::Code::kNotFound) {
    Cache(subject, std::string());
    return s;
  }
  if (!s.ok()) return s;
  Cache(subject, *key);
  return Status::Ok();
}

void KeyStore::Cache(std::string_view subject, std::string key) {
  if (cache_.size() >= cache_limit_ && cache_.find(subject) == cache_.end()) {
    // Whichever come first in the table: no order is kept, so no cost per lookup.
    size_t drop = std::max<size_t>(1, cache_limit_ / 4);
    for (auto it = cache_.begin(); it != cache_.end() && drop > 0; --drop) it = cache_.erase(it);
  }
  cache_.insert_or_assign(std::string(subject), std::move(key));
}

void KeyStore::SetCacheLimit(size_t entries) {
  std::lock_guard<std::shared_mutex> lock(mu_);
  cache_limit_ = std::max<size_t>(entries, 1);
  while (cache_.size() > cache_limit_) cache_.erase(cache_.begin());
}

CacheStats KeyStore::Stats() const {
  CacheStats stats;
  stats.name = "keys";
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    stats.entries = cache_.size();
    stats.capacity = cache_limit_ == SIZE_MAX ? 0 : cache_limit_;
  }
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  return stats;
}

Status KeyStore::Warm() {
  // Under the lock: a key destroyed meanwhile waits, and is not cached.
  std::lock_guard<std::shared_mutex> lock(mu_);
  auto it = store_->NewIterator(family_, ReadPattern::kScan);
  std::string key;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key() == kMarkerKey) continue;
    Status s = Unwrap(it->key(), it->value(), &key);
    if (!s.ok()) return s;
    if (cache_.size() >= cache_limit_) break;  // the rest are read when asked for
    cache_.insert_or_assign(std::string(it->key()), key);
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
