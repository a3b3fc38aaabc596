// Tests of rebuilds after an erasure: none of the person's details are written, whether the
// key is gone or outlived the erasure.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "projections/case_list.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/projection_runner_support.h"

namespace caseengine::testing {

namespace {

using projection_runner::Cases;
using projection_runner::Dump;
using projection_runner::ReadModelStore;

// A client registered and erased (another one kept), with the case list caught up: its
// purges so far, and the erased client's key as it was.
struct ErasedClient {
  ErasedClient()
      : store(ReadModelStore(&live)),
        runner(d.log.get(), &d.handler->codec(), store.get(), {&live}) {
    REQUIRE(runner.Open().ok());
    client = d.Register("Zanzibarova").first;
    d.Register("Other");
    REQUIRE(d.keys->KeyFor("client-" + client, false, &key).ok());
    REQUIRE(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "ok");
    REQUIRE(runner.CatchUp().ok());
    purges = runner.Stats().purges;
  }
  DomainFixture d;
  CaseListProjection live;
  std::unique_ptr<MemoryStore> store;
  ProjectionRunner runner;
  std::string client, key;
  uint64_t purges = 0;
};

}  // namespace

TEST_CASE(
    "a rebuild after an erasure whose key is gone writes none of the person's details "
    "and needs no purge",
    "[projections][erasure]") {
  // Given a case list that saw a client erased (live, the erasure's purge is needed: rows held the
  // name)
  ErasedClient e;
  CHECK(e.purges == 1);  // live, the erasure's purge is needed: rows held the name
  // When it is rebuilt, the client's key gone
  // Then it writes none of the person's details and needs no purge
  REQUIRE(e.runner.Rebuild({}).ok());
  CHECK(e.runner.Stats().purges == e.purges);
  for (const auto& [key, value] : Dump(*e.store, "rm.case_list")) {
    CHECK(value.find("Zanzibarova") == std::string::npos);
  }
  CHECK(Cases(e.live).rows.size() == 1);
}

TEST_CASE(
    "a rebuild that opened an erased person's details because their key outlived a "
    "crash purges them",
    "[projections][erasure]") {
  // Given a case list that saw a client erased
  ErasedClient e;
  // And the client's key back, as if the process had died between recording the erasure and
  // destroying the key
  FamilyId keys_family;
  REQUIRE(e.d.store->Family(kKeysFamily, &keys_family).ok());
  e.d.store->RawPut(keys_family, "client-" + e.client, e.key);
  // The next process's key store finds the key; the one that destroyed it remembers that.
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(e.d.store.get(), TestKek(), &keys).ok());
  EventCodec codec(keys.get());
  CaseListProjection after;
  ProjectionRunner runner(e.d.log.get(), &codec, e.store.get(), {&after});
  REQUIRE(runner.Open().ok());
  // When the next process rebuilds the case list
  // Then it purges the details it opened
  REQUIRE(runner.Rebuild({}).ok());
  CHECK(runner.Stats().purges == 1);
}

}  // namespace caseengine::testing
