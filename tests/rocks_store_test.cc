// RocksStore's writes: a batch is applied atomically and means what its operations say in
// their order, although the store hands them to RocksDB sorted by family and key.
#include "storage/rocks_store.h"

#include <catch2/catch.hpp>
#include <string>

#include "storage/memory_store.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

std::string Read(const Store& store, FamilyId family, const std::string& key) {
  std::string value;
  Status s = store.Get(family, key, &value);
  return s.ok() ? value
                : "<" + std::string(s.code() == Status::Code::kNotFound ? "none" : "error") + ">";
}

TEST_CASE("operations on one key keep their order within a batch whatever the key order",
          "[store]") {
  testing::TempDir tmp;
  RocksStoreOptions options;
  options.path = tmp.Sub("data");
  options.families = {"a", "b"};
  std::unique_ptr<Store> rocks;
  REQUIRE(OpenRocksStore(options, &rocks).ok());
  MemoryStore memory({"a", "b"});
  for (Store* store : {rocks.get(), static_cast<Store*>(&memory)}) {
    FamilyId a, b;
    REQUIRE(store->Family("a", &a).ok());
    REQUIRE(store->Family("b", &b).ok());
    WriteBatch batch;
    batch.Put(b, "z", "1");
    batch.Put(a, "m", "first");
    batch.Put(a, "c", "kept");
    batch.Delete(a, "m");
    batch.Put(a, "m", "last");  // put, delete, put: the last put stands
    batch.Put(b, "y", "gone");
    batch.Delete(b, "y");  // put then delete: gone
    batch.Delete(b, "x");
    batch.Put(b, "x", "back");  // delete then put: there
    batch.Put(a, "a", "1");
    batch.Put(a, "a", "2");  // two puts: the second
    REQUIRE(store->Write(batch, /*sync=*/true).ok());
    CHECK(Read(*store, a, "m") == "last");
    CHECK(Read(*store, a, "c") == "kept");
    CHECK(Read(*store, a, "a") == "2");
    CHECK(Read(*store, b, "y") == "<none>");
    CHECK(Read(*store, b, "x") == "back");
    CHECK(Read(*store, b, "z") == "1");
  }
}

TEST_CASE("batches appended to one another mean the same as written one after the other",
          "[store]") {
  MemoryStore memory({"a"});
  FamilyId a;
  REQUIRE(memory.Family("a", &a).ok());
  WriteBatch first, second, third, combined;
  first.Put(a, "k", "1");
  first.Put(a, "gone", "x");
  second.Delete(a, "gone");
  second.Put(a, "k", "2");
  third.Put(a, "new", "y");
  third.Put(a, "k", "3");
  for (const WriteBatch* b : {&first, &second, &third}) combined.Append(*b);
  CHECK(combined.Count() == first.Count() + second.Count() + third.Count());
  CHECK(combined.ByteSize() == first.ByteSize() + second.ByteSize() + third.ByteSize());
  REQUIRE(memory.Write(combined, /*sync=*/true).ok());
  CHECK(Read(memory, a, "k") == "3");
  CHECK(Read(memory, a, "gone") == "<none>");
  CHECK(Read(memory, a, "new") == "y");
}

TEST_CASE("a batch that names an unknown family writes nothing", "[store]") {
  testing::TempDir tmp;
  RocksStoreOptions options;
  options.path = tmp.Sub("data");
  options.families = {"a"};
  std::unique_ptr<Store> store;
  REQUIRE(OpenRocksStore(options, &store).ok());
  FamilyId a;
  REQUIRE(store->Family("a", &a).ok());
  WriteBatch batch;
  batch.Put(a, "k", "v");
  batch.Put(a + 7, "k", "v");
  CHECK(store->Write(batch, false).code() == Status::Code::kInvalidArgument);
  CHECK(Read(*store, a, "k") == "<none>");
}

}  // namespace
}  // namespace caseengine
