// MemoryStore: see memory_store.h.
#include "storage/memory_store.h"

namespace caseengine {

// Keeps only the current key and looks it up again under the store's lock at every
// move, so iterating is safe while other threads write (it sees their writes, as a
// RocksDB iterator without a snapshot would not; tests do not depend on either).
class MemoryStoreIterator : public StoreIterator {
 public:
  MemoryStoreIterator(const MemoryStore* store, FamilyId family) : store_(store), family_(family) {}

  bool Valid() const override { return valid_; }
  void SeekToFirst() override {
    Locked([&](const MemoryStore::Table& t) { Set(t, t.begin()); });
  }
  void SeekToLast() override {
    Locked([&](const MemoryStore::Table& t) {
      if (t.empty()) return Set(t, t.end());
      Set(t, std::prev(t.end()));
    });
  }
  void Seek(std::string_view key) override {
    Locked([&](const MemoryStore::Table& t) { Set(t, t.lower_bound(key)); });
  }
  void SeekForPrev(std::string_view key) override {
    Locked([&](const MemoryStore::Table& t) { SetPrev(t, t.upper_bound(key)); });
  }
  void Next() override {
    Locked([&](const MemoryStore::Table& t) { Set(t, t.upper_bound(key_)); });
  }
  void Prev() override {
    Locked([&](const MemoryStore::Table& t) { SetPrev(t, t.lower_bound(key_)); });
  }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return Status::Ok(); }

 private:
  template <class Fn>
  void Locked(Fn&& fn) {
    std::lock_guard<std::mutex> lock(store_->mu_);
    fn(store_->live_[family_]);
  }
  void Set(const MemoryStore::Table& t, MemoryStore::Table::const_iterator it) {
    valid_ = it != t.end();
    if (valid_) {
      key_ = it->first;
      value_ = it->second;
    }
  }
  // Positions on the entry before `it`, if any.
  void SetPrev(const MemoryStore::Table& t, MemoryStore::Table::const_iterator it) {
    if (it == t.begin()) {
      valid_ = false;
      return;
    }
    Set(t, std::prev(it));
  }

  const MemoryStore* store_;
  FamilyId family_;
  bool valid_ = false;
  std::string key_, value_;
};

MemoryStore::MemoryStore(std::vector<std::string> families)
    : names_(std::move(families)), live_(names_.size()), durable_(names_.size()) {}

Status MemoryStore::Family(std::string_view name, FamilyId* id) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      *id = static_cast<FamilyId>(i);
      return Status::Ok();
    }
  }
  return Status::NotFound("no family named " + std::string(name));
}

std::vector<std::string> MemoryStore::FamilyNames() const { return names_; }

void MemoryStore::ApplyTo(std::vector<Table>* tables, const WriteBatch& batch) {
  batch.ForEach([&](FamilyId f, WriteOp op, std::string_view key, std::string_view value) {
    Table& t = (*tables)[f];
    if (op == WriteOp::kPut) {
      t.insert_or_assign(std::string(key), std::string(value));
    } else if (op == WriteOp::kDelete) {
      auto it = t.find(key);
      if (it != t.end()) t.erase(it);
    } else {
      t.clear();
    }
  });
}

Status MemoryStore::Stopped() {
  if (refusal_.ok() && disk_full_) {
    refusal_ = Status::NoSpace("the disk of the memory store is full (injected)");
  }
  return refusal_;
}

Status MemoryStore::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refusal_;
}

Status MemoryStore::Recover() {
  std::lock_guard<std::mutex> lock(mu_);
  if (refusal_.ok()) return Status::Ok();
  if (disk_full_) return refusal_;
  MakeDurable(/*logged_only=*/false);
  refusal_ = Status::Ok();
  return Status::Ok();
}

void MemoryStore::SetDiskFull(bool full) {
  std::lock_guard<std::mutex> lock(mu_);
  disk_full_ = full;
}

Status MemoryStore::FailingWrite() {
  if (Status stopped = Stopped(); !stopped.ok()) return stopped;
  if (writes_before_failing_ > 0) {
    --writes_before_failing_;
    return Status::Ok();
  }
  if (fail_writes_ > 0) {
    --fail_writes_;
    return Status::IoError("injected write failure");
  }
  return Status::Ok();
}

Status MemoryStore::WriteUnlogged(const WriteBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = batch.Check(names_.size());
  if (s.ok()) s = FailingWrite();
  if (!s.ok()) return s;
  ApplyTo(&live_, batch);
  pending_.push_back({batch, /*logged=*/false});
  return Status::Ok();
}

Status MemoryStore::CheckFamilies(const std::vector<FamilyId>& families) const {
  for (FamilyId f : families) {
    if (f >= names_.size()) return Status::InvalidArgument("unknown family");
  }
  return Status::Ok();
}

Status MemoryStore::DropFiles(const std::vector<FamilyId>& families) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = CheckFamilies(families);
  if (!s.ok()) return s;
  for (FamilyId f : families) {
    live_[f].clear();
    durable_[f].clear();
  }
  return Status::Ok();
}

Status MemoryStore::FlushFamilies(const std::vector<FamilyId>& families) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = CheckFamilies(families);
  if (s.ok()) s = Stopped();
  if (!s.ok()) return s;
  MakeDurable(/*logged_only=*/false);
  return Status::Ok();
}

void MemoryStore::MakeDurable(bool logged_only) {
  for (Pending& p : pending_) p.durable = p.durable || p.logged || !logged_only;
  while (!pending_.empty() && pending_.front().durable) {
    ApplyTo(&durable_, pending_.front().batch);
    pending_.pop_front();
  }
}

Status MemoryStore::Write(const WriteBatch& batch, bool sync) {
  std::lock_guard<std::mutex> lock(mu_);
  Status checked = batch.Check(names_.size());
  if (checked.ok()) checked = FailingWrite();
  if (!checked.ok()) return checked;
  ApplyTo(&live_, batch);
  pending_.push_back({batch, /*logged=*/true});
  if (!sync) return Status::Ok();
  if (Status stopped = Stopped(); !stopped.ok()) return stopped;
  if (fail_syncs_ > 0) {
    --fail_syncs_;
    return Status::IoError("injected sync failure");
  }
  MakeDurable(/*logged_only=*/true);
  return Status::Ok();
}

Status MemoryStore::SyncWal() {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status stopped = Stopped(); !stopped.ok()) return stopped;
  if (fail_syncs_ > 0) {
    --fail_syncs_;
    return Status::IoError("injected sync failure");
  }
  MakeDurable(/*logged_only=*/true);
  return Status::Ok();
}

Status MemoryStore::Get(FamilyId family, std::string_view key, std::string* value) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (family >= live_.size()) return Status::InvalidArgument("unknown family");
  auto it = live_[family].find(key);
  if (it == live_[family].end()) return Status::NotFound("");
  *value = it->second;
  return Status::Ok();
}

std::unique_ptr<StoreIterator> MemoryStore::NewIterator(FamilyId family, ReadPattern) const {
  return std::make_unique<MemoryStoreIterator>(this, family);
}

void MemoryStore::FailNextWrites(int n, int after) {
  std::lock_guard<std::mutex> lock(mu_);
  writes_before_failing_ = after;
  fail_writes_ = n;
}

void MemoryStore::FailNextSyncs(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_syncs_ = n;
}

void MemoryStore::SimulatePowerLoss() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Pending& p : pending_) {
    if (p.durable) ApplyTo(&durable_, p.batch);
  }
  pending_.clear();
  live_ = durable_;
}

void MemoryStore::RawPut(FamilyId family, std::string_view key, std::string_view value) {
  std::lock_guard<std::mutex> lock(mu_);
  live_[family].insert_or_assign(std::string(key), std::string(value));
  durable_[family].insert_or_assign(std::string(key), std::string(value));
}

void MemoryStore::RawDelete(FamilyId family, std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  live_[family].erase(std::string(key));
  durable_[family].erase(std::string(key));
}

}  // namespace caseengine
