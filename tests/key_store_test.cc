// Tests of the data keys' lifecycle around the command path: a new subject's key is
// written in the same batch as its first events (not by a store write of its own), and a
// key whose events were never written is forgotten, never served.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "aggregates/event_codec.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

struct KeysFixture {
  KeysFixture() : store({kKeysFamily}) {
    REQUIRE(KeyStore::Open(&store, &keys).ok());
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
  CHECK(stored == key);
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
  CHECK(stored == second);
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
  REQUIRE(KeyStore::Open(d.store.get(), &keys).ok());
  CommandHandler reopened(log.get(), keys.get(), &d.config);
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
  CommandHandlerOptions options;
  options.today = [] { return std::string(DomainFixture::kToday); };
  options.new_id = [&] { return next++ == 0 ? std::string("taken") : "id" + std::to_string(next); };
  CommandHandler handler(d.log.get(), d.keys.get(), &d.config, options);
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
