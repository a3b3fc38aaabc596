// Tests of the data keys' lifecycle around the command path: a new subject's key is
// written in the same batch as its first events (not by a store write of its own), a key
// whose events were never written is forgotten, never served, and a destroyed key is
// never served again, also to lookups on other threads.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "aggregates/event_codec.h"
#include "base/aes_gcm.h"
#include "base/coding.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

struct KeysFixture {
  KeysFixture() : store({kKeysFamily}) {
    REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok());
    REQUIRE(store.Family(kKeysFamily, &family).ok());
  }
  bool Stored(const std::string& subject, std::string* key = nullptr) {
    std::string value;
    const bool found = store.Get(family, subject, &value).ok();
    if (key != nullptr) *key = value;
    return found;
  }
  MemoryStore store;
  std::unique_ptr<KeyStore> keys;
  FamilyId family = 0;
};

// A store that counts its writes.
class CountingWritesStore : public MemoryStore {
 public:
  using MemoryStore::MemoryStore;
  Status Write(const WriteBatch& batch, bool sync) override {
    ++writes;
    return MemoryStore::Write(batch, sync);
  }
  int writes = 0;
};

// The subject's key as the next process opens it.
std::string Opened(Store& store, const std::string& subject) {
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok());
  std::string key;
  REQUIRE(keys->KeyFor(subject, /*create=*/false, &key).ok());
  return key;
}

size_t StoredKeys(Store& store) {
  FamilyId family;
  REQUIRE(store.Family(kKeysFamily, &family).ok());
  size_t n = 0;
  auto it = store.NewIterator(family);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

}  // namespace

TEST_CASE("a key made for a batch is served at once and stored only with that batch", "[keys]") {
  KeysFixture f;
  WriteBatch new_keys;
  std::string key, again;
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &key, &new_keys).ok());
  CHECK(key.size() == 32);
  CHECK(new_keys.Count() == 1);
  CHECK_FALSE(f.Stored("client-a"));
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/false, &again).ok());
  CHECK(again == key);
  // A second event of the same subject finds it: no second row.
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &again, &new_keys).ok());
  CHECK(new_keys.Count() == 1);
  REQUIRE(f.store.Write(new_keys, /*sync=*/true).ok());
  std::string stored;
  REQUIRE(f.Stored("client-a", &stored));
  CHECK(Opened(f.store, "client-a") == key);
}

TEST_CASE("a key whose batch is never written is forgotten and the next key is a new one",
          "[keys]") {
  KeysFixture f;
  WriteBatch new_keys;
  std::string first, second;
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &first, &new_keys).ok());
  f.keys->Forget(new_keys);
  CHECK(f.keys->KeyFor("client-a", /*create=*/false, &second).code() == Status::Code::kNotFound);
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &second).ok());
  CHECK(second != first);
  std::string stored;
  REQUIRE(f.Stored("client-a", &stored));  // without a batch: written at once
  CHECK(Opened(f.store, "client-a") == second);
}

TEST_CASE(
    "a registered client's key is stored in the batch of its first events and survives "
    "a power cut with them",
    "[keys][domain]") {
  DomainFixture d;
  const size_t writes_before = StoredKeys(*d.store);
  auto [client, kase] = d.Register("Quenby");
  CHECK(StoredKeys(*d.store) == writes_before + 1);
  d.store->SimulatePowerLoss();  // the registration was synced: it and its key stay
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  REQUIRE(EventLog::Open(d.store.get(), EventLogOptions(), &log).ok());
  REQUIRE(KeyStore::Open(d.store.get(), TestKek(), &keys).ok());
  CommandService reopened(log.get(), keys.get(), &d.config);
  ClientState state;
  REQUIRE(reopened.ReadClient(client, &state).ok());
  CHECK(state.personal.surname == "Quenby");
  d.handler.reset();
  d.log.reset();
}

TEST_CASE("a registration whose append conflicts forgets the key it made and stores none",
          "[keys][domain]") {
  DomainFixture d;
  // The first id drawn names a client stream that already exists, so the first decision
  // conflicts in the log and is decided again with the next id.
  int next = 0;
  CommandServiceOptions options;
  options.today = [] { return std::string(DomainFixture::kToday); };
  options.new_id = [&] { return next++ == 0 ? std::string("taken") : "id" + std::to_string(next); };
  CommandService handler(d.log.get(), d.keys.get(), &d.config, options);
  Event status;
  status.type = EventType::kClientStatusChanged;
  status.client_id = "taken";
  status.status = "active";
  std::string payload;
  REQUIRE(EventCodec(d.keys.get()).Encode(status, &payload).ok());
  AppendRequest existing;
  existing.writes.push_back(
      {"client-taken", ExpectedVersion::NoStream(), {{EventTypeName(status.type), payload}}});
  REQUIRE(d.log->Append(existing).status.ok());
  const size_t stored_before = StoredKeys(*d.store);

  RegisterClient c;
  c.personal.surname = "Quenby";
  c.personal.date_of_birth = "1985-04-12";
  CommandResult r = handler.Execute(d.config.users.at("officer"), c);
  REQUIRE(r.ok());
  CHECK(r.response["client_id"] != "taken");
  std::string key;
  CHECK(d.keys->KeyFor("client-taken", /*create=*/false, &key).code() == Status::Code::kNotFound);
  CHECK(StoredKeys(*d.store) == stored_before + 1);
  REQUIRE(d.keys->KeyFor("client-" + r.response["client_id"].get<std::string>(), false, &key).ok());
}

TEST_CASE("a registration whose round cannot be written leaves no key behind", "[keys][domain]") {
  DomainFixture d;
  const size_t stored_before = StoredKeys(*d.store);
  d.store->FailNextWrites(1);
  RegisterClient c;
  c.personal.surname = "Quenby";
  c.personal.date_of_birth = "1985-04-12";
  CommandResult r = d.Run("officer", c);
  CHECK_FALSE(r.ok());
  CHECK(StoredKeys(*d.store) == stored_before);
}

TEST_CASE("a subject found to have no key is remembered so and a create still makes one",
          "[keys]") {
  KeysFixture f;
  std::string key;
  CHECK(f.keys->KeyFor("client-a", /*create=*/false, &key).code() == Status::Code::kNotFound);
  // Remembered: a key written behind the store's back is not seen by this key store.
  f.store.RawPut(f.family, "client-a", std::string(32, 'k'));
  CHECK(f.keys->KeyFor("client-a", /*create=*/false, &key).code() == Status::Code::kNotFound);
  REQUIRE(f.store
              .Write(
                  [&] {
                    WriteBatch b;
                    b.Delete(f.family, "client-a");
                    return b;
                  }(),
                  /*sync=*/true)
              .ok());
  // A create looks again, makes the key and serves it from then on.
  std::string made, again;
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &made).ok());
  CHECK(made.size() == 32);
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/false, &again).ok());
  CHECK(again == made);
  REQUIRE(f.keys->Destroy("client-a").ok());
  CHECK(f.keys->KeyFor("client-a", /*create=*/false, &again).code() == Status::Code::kNotFound);
  CHECK_FALSE(f.Stored("client-a"));
}

// A store that counts its point reads.
class CountingStore : public MemoryStore {
 public:
  using MemoryStore::MemoryStore;
  Status Get(FamilyId family, std::string_view key, std::string* value) const override {
    ++gets;
    return MemoryStore::Get(family, key, value);
  }
  mutable std::atomic<int> gets{0};
};

TEST_CASE("warming the key store serves every key without a read each and no destroyed one",
          "[keys]") {
  CountingStore store({kKeysFamily});
  std::unique_ptr<KeyStore> writer, keys;
  REQUIRE(KeyStore::Open(&store, TestKek(), &writer).ok());
  std::vector<std::string> made(50);
  for (size_t i = 0; i < made.size(); ++i) {
    REQUIRE(writer->KeyFor("client-" + std::to_string(i), /*create=*/true, &made[i]).ok());
  }
  REQUIRE(writer->Destroy("client-7").ok());
  // Another key store on the same folder, as the next process would open.
  REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok());
  std::string key;
  CHECK(keys->KeyFor("client-3", /*create=*/false, &key).ok());  // cached before warming
  REQUIRE(keys->Warm().ok());
  store.gets = 0;
  for (size_t i = 0; i < made.size(); ++i) {
    const Status s = keys->KeyFor("client-" + std::to_string(i), /*create=*/false, &key);
    if (i == 7) {
      CHECK(s.code() == Status::Code::kNotFound);
    } else {
      REQUIRE(s.ok());
      CHECK(key == made[i]);
    }
  }
  CHECK(store.gets == 1);  // the destroyed one alone, looked up and remembered as none
  // Destroyed after warming: never served again.
  REQUIRE(keys->Destroy("client-9").ok());
  CHECK(keys->KeyFor("client-9", /*create=*/false, &key).code() == Status::Code::kNotFound);
}

// A store whose reads take a while after they have read: a Destroy fits in between.
class SlowReadStore : public MemoryStore {
 public:
  using MemoryStore::MemoryStore;
  Status Get(FamilyId family, std::string_view key, std::string* value) const override {
    Status s = MemoryStore::Get(family, key, value);
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return s;
  }
};

TEST_CASE("a destroyed key is never served again while other threads look keys up", "[keys]") {
  struct {
    SlowReadStore store{{kKeysFamily}};
    std::unique_ptr<KeyStore> keys;
    FamilyId family = 0;
    bool Stored(const std::string& subject) {
      std::string value;
      return store.Get(family, subject, &value).ok();
    }
  } f;
  REQUIRE(KeyStore::Open(&f.store, TestKek(), &f.keys).ok());
  REQUIRE(f.store.Family(kKeysFamily, &f.family).ok());
  constexpr int kSubjects = 400;
  auto subject = [](int i) { return "client-" + std::to_string(i); };
  {
    WriteBatch b;
    for (int i = 0; i < kSubjects; ++i) b.Put(f.family, subject(i), std::string(32, 'k'));
    REQUIRE(f.store.Write(b, /*sync=*/true).ok());
  }
  std::vector<std::atomic<bool>> destroyed(kSubjects);
  std::atomic<bool> done{false};
  std::atomic<int> served_after_destroy{0}, lookups{0}, front{0};
  auto look = [&](int seed) {
    std::mt19937 rng(seed);
    std::string key;
    while (!done.load()) {
      // The subject being destroyed, whose first lookup reads the store as it goes, and the
      // one destroyed before it.
      const int i = std::max(0, front.load() - static_cast<int>(rng() % 2));
      const bool gone = destroyed[i].load();  // read before the lookup starts
      Status s = f.keys->KeyFor(subject(i), /*create=*/false, &key);
      if (gone && s.ok()) ++served_after_destroy;
      ++lookups;
    }
  };
  std::thread a(look, 1), b(look, 2);
  while (lookups.load() < 2) std::this_thread::yield();  // both readers under way
  for (int i = 0; i < kSubjects; ++i) {
    // The readers' first, slow, read of this subject's key is under way when it is
    // destroyed.
    front = i;
    std::this_thread::sleep_for(std::chrono::microseconds(30));
    REQUIRE(f.keys->Destroy(subject(i)).ok());
    destroyed[i] = true;
  }
  done = true;
  a.join();
  b.join();
  CHECK(served_after_destroy.load() == 0);
  CHECK(lookups.load() > 0);
  for (int i = 0; i < kSubjects; ++i) CHECK_FALSE(f.Stored(subject(i)));
}

TEST_CASE("data keys are stored wrapped with the key-encryption key, bound to their subject",
          "[keys][kek]") {
  KeysFixture f;
  std::string key, stored;
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &key).ok());
  REQUIRE(f.Stored("client-a", &stored));
  CHECK(stored.size() == 69);
  CHECK(stored.find(key) == std::string::npos);
  CHECK(HexEncode(stored.substr(1, 8)) == TestKek()->Id());
  // A wrapped key copied onto another subject does not open there.
  WriteBatch moved;
  moved.Put(f.family, "client-b", stored);
  REQUIRE(f.store.Write(moved, /*sync=*/true).ok());
  std::unique_ptr<KeyStore> next;
  REQUIRE(KeyStore::Open(&f.store, TestKek(), &next).ok());
  std::string opened;
  CHECK(next->KeyFor("client-a", false, &opened).ok());
  CHECK(opened == key);
  CHECK(next->KeyFor("client-b", false, &opened).code() == Status::Code::kCorruption);
}

TEST_CASE("a key store opens only with the key-encryption key its keys are wrapped with",
          "[keys][kek]") {
  KeysFixture f;
  std::string key;
  REQUIRE(f.keys->KeyFor("client-a", /*create=*/true, &key).ok());
  const KeyEncryptionKey other{NewDataKey()};
  std::unique_ptr<KeyStore> keys;
  Status s = KeyStore::Open(&f.store, &other, &keys);
  CHECK(s.code() == Status::Code::kFailedPrecondition);
  CHECK(s.message().find("wrapped with key " + TestKek()->Id() + "; the configured key is " +
                         other.Id()) != std::string::npos);
  s = KeyStore::Open(&f.store, nullptr, &keys);
  CHECK(s.code() == Status::Code::kFailedPrecondition);
  CHECK(s.message().find("no key-encryption key was given") != std::string::npos);
  // Read-only opens check it too.
  CHECK_FALSE(KeyStore::Open(&f.store, &other, &keys, /*migrate=*/false).ok());
  // An empty store opens without one (a bare log), but makes no key.
  MemoryStore empty({kKeysFamily});
  REQUIRE(KeyStore::Open(&empty, nullptr, &keys, /*migrate=*/false).ok());
  CHECK(keys->KeyFor("client-a", /*create=*/true, &key).code() ==
        Status::Code::kFailedPrecondition);
  KeyEncryptionKey parsed;
  CHECK(ParseKeyEncryptionKey("zz", &parsed).code() == Status::Code::kInvalidArgument);
  REQUIRE(ParseKeyEncryptionKey(" " + HexEncode(other.bytes) + "\n", &parsed).ok());
  CHECK(parsed.bytes == other.bytes);
}

TEST_CASE(
    "clear data keys of an older folder are wrapped at the first writable open, in one "
    "batch",
    "[keys][kek]") {
  CountingWritesStore store({kKeysFamily});
  FamilyId family;
  REQUIRE(store.Family(kKeysFamily, &family).ok());
  std::map<std::string, std::string> clear;
  WriteBatch old;
  for (int i = 0; i < 20; ++i) {
    const std::string subject = "client-" + std::to_string(i);
    clear[subject] = NewDataKey();
    old.Put(family, subject, clear[subject]);
  }
  REQUIRE(store.Write(old, /*sync=*/true).ok());
  // Read-only: read as they are, nothing written.
  store.writes = 0;
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(&store, nullptr, &keys, /*migrate=*/false).ok());
  std::string key;
  REQUIRE(keys->KeyFor("client-3", false, &key).ok());
  CHECK(key == clear["client-3"]);
  CHECK(store.writes == 0);
  // Writable: one batch wraps them all.
  REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok());
  CHECK(store.writes == 1);
  for (const auto& [subject, k] : clear) {
    std::string stored;
    REQUIRE(store.Get(family, subject, &stored).ok());
    CHECK(stored.size() == 69);
    REQUIRE(keys->KeyFor(subject, false, &key).ok());
    CHECK(key == k);
  }
  // Opened again: nothing left to do.
  REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok());
  CHECK(store.writes == 1);
}

TEST_CASE("rotating the key-encryption key rewraps every data key in one batch", "[keys][kek]") {
  CountingWritesStore store({kKeysFamily});
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(&store, TestKek(), &keys).ok());
  std::map<std::string, std::string> made;
  for (int i = 0; i < 30; ++i) {
    const std::string subject = "client-" + std::to_string(i);
    REQUIRE(keys->KeyFor(subject, /*create=*/true, &made[subject]).ok());
  }
  const KeyEncryptionKey next{NewDataKey()}, stranger{NewDataKey()};
  uint64_t count = 0;
  store.writes = 0;
  // With the wrong old key nothing changes.
  CHECK(KeyStore::Rotate(&store, stranger, next, &count).code() ==
        Status::Code::kFailedPrecondition);
  CHECK(store.writes == 0);
  REQUIRE(KeyStore::Rotate(&store, *TestKek(), next, &count).ok());
  CHECK(count == made.size());
  CHECK(store.writes == 1);
  CHECK_FALSE(KeyStore::Open(&store, TestKek(), &keys).ok());
  REQUIRE(KeyStore::Open(&store, &next, &keys).ok());
  for (const auto& [subject, k] : made) {
    std::string key;
    REQUIRE(keys->KeyFor(subject, false, &key).ok());
    CHECK(key == k);
  }
}
