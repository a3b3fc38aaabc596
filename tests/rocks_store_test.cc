// RocksStore's writes: a batch is applied atomically and means what its operations say in
// their order, although the store hands them to RocksDB sorted by family and key.
#include "storage/rocks_store.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

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

// A RocksDB store in `path` with families "a" and "b"; *a is family "a". `a_write_only`
// gives "a" the vector memtable of RocksStoreOptions::write_only_families.
std::unique_ptr<Store> OpenFolder(const std::string& path, FamilyId* a, bool a_write_only = false) {
  RocksStoreOptions options;
  options.path = path;
  options.families = {"a", "b"};
  if (a_write_only) options.write_only_families = {"a"};
  std::unique_ptr<Store> store;
  REQUIRE(OpenRocksStore(options, &store).ok());
  REQUIRE(store->Family("a", a).ok());
  return store;
}

// A data folder of its own, opened (and opened again) with OpenFolder.
struct Folder {
  std::unique_ptr<Store> Open() { return OpenFolder(dir, &a); }
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  FamilyId a = 0;
};

// The RocksDB store (once with "a" write-only) and its in-memory twin, each with families
// "a" and "b": what a batch means must not depend on the store or the memtable.
struct BothStores {
  BothStores() : memory({"a", "b"}) {
    FamilyId a;
    rocks = OpenFolder(tmp.Sub("data"), &a);
    rocks_write_only = OpenFolder(tmp.Sub("write-only"), &a, /*a_write_only=*/true);
  }
  // Runs fn(store, a, b) on each.
  template <class Fn>
  void Each(Fn&& fn) {
    for (Store* store : {rocks.get(), rocks_write_only.get(), static_cast<Store*>(&memory)}) {
      FamilyId a, b;
      REQUIRE(store->Family("a", &a).ok());
      REQUIRE(store->Family("b", &b).ok());
      fn(store, a, b);
    }
  }
  testing::TempDir tmp;
  std::unique_ptr<Store> rocks, rocks_write_only;
  MemoryStore memory;
};

TEST_CASE("operations on one key keep their order within a batch whatever the key order",
          "[store]") {
  BothStores both;
  both.Each([](Store* store, FamilyId a, FamilyId b) {
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
  });
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
  combined.Reserve(100, 4096);  // room only: it holds nothing more
  CHECK(combined.Empty());
  CHECK(combined.ByteSize() == 0);
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
  FamilyId a;
  std::unique_ptr<Store> store = OpenFolder(tmp.Sub("data"), &a);
  WriteBatch batch;
  batch.Put(a, "k", "v");
  batch.Put(a + 7, "k", "v");
  CHECK(store->Write(batch, false).code() == Status::Code::kInvalidArgument);
  CHECK(Read(*store, a, "k") == "<none>");
}

size_t Keys(const Store& store, FamilyId family) {
  size_t n = 0;
  auto it = store.NewIterator(family);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

TEST_CASE("emptying a family removes every key it holds and leaves the other families alone",
          "[store]") {
  BothStores both;
  both.Each([](Store* store, FamilyId a, FamilyId b) {
    WriteBatch fill;
    // Keys at both ends of the byte order, so that no key escapes the range.
    for (const std::string& key :
         {std::string(), std::string("\0", 1), std::string("m"), std::string("\xff\xff\xff", 3)}) {
      fill.Put(a, key, "v");
    }
    fill.Put(b, "kept", "v");
    REQUIRE(store->Write(fill, false).ok());
    REQUIRE(store->CompactAll().ok());  // some in table files, some in the memtable
    WriteBatch more;
    more.Put(a, "n", "v");
    REQUIRE(store->Write(more, false).ok());
    REQUIRE(Keys(*store, a) == 5);

    WriteBatch empty;
    empty.DeleteAll(a);
    empty.Put(b, "also", "v");
    REQUIRE(store->Write(empty, true).ok());
    CHECK(Keys(*store, a) == 0);
    CHECK(Read(*store, a, "m") == "<none>");
    CHECK(Read(*store, a, std::string("\xff\xff\xff", 3)) == "<none>");
    CHECK(Read(*store, b, "kept") == "v");
    CHECK(Read(*store, b, "also") == "v");
    // The family takes new keys as before.
    WriteBatch again;
    again.Put(a, "m", "new");
    REQUIRE(store->Write(again, false).ok());
    CHECK(Read(*store, a, "m") == "new");
    CHECK(Keys(*store, a) == 1);
    // Emptying an empty family is no error.
    WriteBatch twice;
    twice.DeleteAll(b);
    twice.DeleteAll(b);
    REQUIRE(store->Write(twice, false).ok());
    CHECK(Keys(*store, b) == 0);
  });
}

TEST_CASE("a batch that empties a family and also writes to it is refused and writes nothing",
          "[store]") {
  BothStores both;
  both.Each([](Store* store, FamilyId a, FamilyId b) {
    WriteBatch fill;
    fill.Put(a, "k", "v");
    REQUIRE(store->Write(fill, false).ok());
    WriteBatch batch;
    batch.Put(b, "other", "v");
    batch.DeleteAll(a);
    batch.Put(a, "k2", "v");
    CHECK(store->Write(batch, false).code() == Status::Code::kInvalidArgument);
    CHECK(Read(*store, a, "k") == "v");
    CHECK(Read(*store, a, "k2") == "<none>");
    CHECK(Read(*store, b, "other") == "<none>");
  });
}

TEST_CASE("an unlogged write is read at once and leaves nothing in the write-ahead log",
          "[store]") {
  Folder folder;
  const std::string& dir = folder.dir;
  const FamilyId& a = folder.a;
  {
    std::unique_ptr<Store> store = folder.Open();
    WriteBatch batch;
    batch.Put(a, "row", "Unlogged-Zanzibarova");
    REQUIRE(store->WriteUnlogged(batch).ok());
    CHECK(Read(*store, a, "row") == "Unlogged-Zanzibarova");
    WriteBatch logged;
    logged.Put(a, "other", "v");
    REQUIRE(store->Write(logged, true).ok());
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".log") continue;
      INFO(entry.path());
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      CHECK(bytes.find("Unlogged-Zanzibarova") == std::string::npos);
    }
    REQUIRE(store->FlushFamilies({a}).ok());
  }
  std::unique_ptr<Store> store = folder.Open();
  CHECK(Read(*store, a, "row") == "Unlogged-Zanzibarova");
  CHECK(Read(*store, a, "other") == "v");
}

TEST_CASE("the memory store loses unlogged writes in a power cut until they are flushed",
          "[store]") {
  MemoryStore store({"a", "b"});
  FamilyId a;
  REQUIRE(store.Family("a", &a).ok());
  WriteBatch unlogged;
  unlogged.Put(a, "row", "v");
  REQUIRE(store.WriteUnlogged(unlogged).ok());
  WriteBatch synced;
  synced.Put(a, "synced", "v");
  REQUIRE(store.Write(synced, true).ok());  // a sync does not cover unlogged writes
  store.SimulatePowerLoss();
  CHECK(Read(store, a, "row") == "<none>");
  CHECK(Read(store, a, "synced") == "v");
  REQUIRE(store.WriteUnlogged(unlogged).ok());
  REQUIRE(store.FlushFamilies({a}).ok());
  store.SimulatePowerLoss();
  CHECK(Read(store, a, "row") == "v");
  CHECK(store.FlushFamilies({7}).code() == Status::Code::kInvalidArgument);
}

// The files a bulk write leaves in the folder besides RocksDB's own: none, once it returns.
size_t BulkFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("bulk-", 0) == 0) ++n;
  }
  return n;
}

TEST_CASE("a bulk write means what the same batch written as usual means", "[store]") {
  BothStores both;
  both.Each([](Store* store, FamilyId a, FamilyId b) {
    // Enough rows in "a" for a table file of their own, a few in "b" (through memory).
    WriteBatch batch;
    for (int i = 0; i < 3000; ++i) batch.Put(a, "row/" + std::to_string(i), "v1");
    batch.Put(a, "row/7", "v2");  // the last operation on a key stands
    batch.Delete(a, "row/8");
    batch.Delete(a, "row/9");
    batch.Put(a, "row/9", "back");
    batch.Put(b, "checkpoint", "3000");
    REQUIRE(store->WriteBulk(batch).ok());
    CHECK(Keys(*store, a) == 2999);
    CHECK(Read(*store, a, "row/7") == "v2");
    CHECK(Read(*store, a, "row/8") == "<none>");
    CHECK(Read(*store, a, "row/9") == "back");
    CHECK(Read(*store, a, "row/2999") == "v1");
    CHECK(Read(*store, b, "checkpoint") == "3000");
    // Later writes go over it as over any other.
    WriteBatch later;
    later.Put(a, "row/1", "later");
    later.Delete(a, "row/2");
    REQUIRE(store->Write(later, false).ok());
    CHECK(Read(*store, a, "row/1") == "later");
    CHECK(Read(*store, a, "row/2") == "<none>");
    // A malformed batch is refused as Write refuses it.
    WriteBatch bad;
    bad.Put(a + 7, "k", "v");
    CHECK(store->WriteBulk(bad).code() == Status::Code::kInvalidArgument);
  });
}

TEST_CASE(
    "a bulk write of keys that share their first bytes or hold zeros reads back in byte order",
    "[store]") {
  // Keys alike in their first eight bytes, prefixes of one another, with zero and 0xff
  // bytes: a table file takes them only in strict byte order, which the sort must give.
  std::vector<std::string> keys = {std::string("a\0", 2),
                                   "a",
                                   "abcdefgh",
                                   std::string("abcdefgh\0", 9),
                                   "abcdefghi",
                                   "abcdefgg\xff",
                                   "\xff",
                                   std::string("\0\0\0\0\0\0\0\0x", 9)};
  uint64_t seed = 7;
  auto next = [&] { return (seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (int i = 0; i < 3000; ++i) {
    std::string key = i % 2 ? "abcdefgh" : "";
    for (uint64_t n = 1 + next() % 12; n > 0; --n) {
      key.push_back(static_cast<char>(next() % 3 * 127));  // 0, 127 or 254
    }
    keys.push_back(key);
  }
  BothStores both;
  both.Each([&](Store* store, FamilyId a, FamilyId) {
    WriteBatch batch;
    std::map<std::string, std::string> expected;
    for (size_t i = 0; i < keys.size(); ++i) {
      batch.Put(a, keys[i], std::to_string(i));
      expected[keys[i]] = std::to_string(i);  // a repeated key: the last put stands
    }
    REQUIRE(store->WriteBulk(batch).ok());
    std::map<std::string, std::string> read;
    std::string last;
    bool ordered = true;
    auto it = store->NewIterator(a, ReadPattern::kScan);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key(it->key());
      ordered = ordered && (read.empty() || last < key);
      last = key;
      read[key] = std::string(it->value());
    }
    CHECK(ordered);
    CHECK(read == expected);
  });
}

TEST_CASE("a bulk write survives a reopen once flushed and leaves no file of its own behind",
          "[store]") {
  Folder folder;
  const FamilyId& a = folder.a;
  {
    std::unique_ptr<Store> store = folder.Open();
    WriteBatch batch;
    for (int i = 0; i < 2000; ++i) batch.Put(a, "row/" + std::to_string(i), "Bulk-Quennell");
    REQUIRE(store->WriteBulk(batch).ok());
    CHECK(BulkFiles(folder.dir) == 0);
    REQUIRE(store->FlushFamilies({a}).ok());
  }
  // One a crash left behind, holding a row: the next writable open removes it.
  std::ofstream(folder.dir + "/bulk-99.sst") << "Bulk-Left-Behind";
  std::unique_ptr<Store> store = folder.Open();
  CHECK(BulkFiles(folder.dir) == 0);
  CHECK(Keys(*store, a) == 2000);
  CHECK(Read(*store, a, "row/1999") == "Bulk-Quennell");
}

TEST_CASE("dropping a family's files removes the rows in them and leaves the other families alone",
          "[store]") {
  BothStores both;
  both.Each([](Store* store, FamilyId a, FamilyId b) {
    WriteBatch fill;
    for (int i = 0; i < 100; ++i) fill.Put(a, "old/" + std::to_string(i), "v");
    fill.Put(b, "kept", "v");
    REQUIRE(store->Write(fill, true).ok());
    REQUIRE(store->CompactAll().ok());  // in table files
    REQUIRE(store->DropFiles({a}).ok());
    CHECK(Keys(*store, a) == 0);
    CHECK(Read(*store, b, "kept") == "v");
    // What a DeleteAll after it leaves, and what is written after that, is all there is.
    WriteBatch empty;
    empty.DeleteAll(a);
    REQUIRE(store->Write(empty, true).ok());
    WriteBatch fresh;
    fresh.Put(a, "new", "v");
    REQUIRE(store->Write(fresh, false).ok());
    CHECK(Keys(*store, a) == 1);
    CHECK(store->DropFiles({a + 7}).code() == Status::Code::kInvalidArgument);
  });
}

}  // namespace
TEST_CASE("the memory store keeps what a power cut keeps in the order it was written", "[store]") {
  MemoryStore store({"a", "b"});
  FamilyId a;
  REQUIRE(store.Family("a", &a).ok());
  auto put = [&](const std::string& key, const std::string& value) {
    WriteBatch b;
    b.Put(a, key, value);
    return b;
  };
  // Logged and not synced, then unlogged over it: a flush persists both, in that order.
  REQUIRE(store.Write(put("k", "logged"), /*sync=*/false).ok());
  REQUIRE(store.WriteUnlogged(put("k", "unlogged")).ok());
  REQUIRE(store.FlushFamilies({a}).ok());
  REQUIRE(store.Write(put("other", "x"), /*sync=*/true).ok());  // replays nothing older
  store.SimulatePowerLoss();
  CHECK(Read(store, a, "k") == "unlogged");
  // Unlogged, then logged and synced: the sync keeps the logged one alone.
  REQUIRE(store.WriteUnlogged(put("u", "lost")).ok());
  REQUIRE(store.Write(put("s", "kept"), /*sync=*/true).ok());
  store.SimulatePowerLoss();
  CHECK(Read(store, a, "u") == "<none>");
  CHECK(Read(store, a, "s") == "kept");
}

TEST_CASE("a write-only family reads in key order and keeps its rows across a reopen", "[store]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  FamilyId a, b;
  std::map<std::string, std::string> expected;
  {
    std::unique_ptr<Store> store = OpenFolder(dir, &a, /*a_write_only=*/true);
    REQUIRE(store->Family("b", &b).ok());
    // Two threads, each writing to both families, as the runner and the log do: the
    // write-only family's memtable takes one insert at a time.
    auto writer = [&](int thread) {
      for (int i = 0; i < 2000; ++i) {
        WriteBatch batch;
        const std::string key = std::to_string((i * 7919 + thread) % 4001);
        batch.Put(a, key, "t" + std::to_string(thread) + "-" + std::to_string(i));
        batch.Put(b, key, "b");
        if (i % 5 == 0) batch.Delete(a, std::to_string(i % 4001));
        REQUIRE(store->Write(batch, false).ok());
      }
    };
    std::thread other(writer, 1);
    writer(0);
    other.join();
    auto it = store->NewIterator(a);
    std::string last;
    size_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++count) {
      CHECK((count == 0 || std::string(it->key()) > last));
      last = std::string(it->key());
      expected[last] = std::string(it->value());
      CHECK(Read(*store, a, last) == expected[last]);
    }
    REQUIRE(it->status().ok());
    CHECK(count > 1000);
    CHECK(Keys(*store, b) > 1000);
  }
  // Reopened (its rows come back from the write-ahead log) and read again, both ways.
  for (bool write_only : {true, false}) {
    std::unique_ptr<Store> store = OpenFolder(dir, &a, write_only);
    std::map<std::string, std::string> found;
    auto it = store->NewIterator(a);
    for (it->SeekToFirst(); it->Valid(); it->Next()) found[std::string(it->key())] = it->value();
    CHECK(found == expected);
  }
}

}  // namespace caseengine
