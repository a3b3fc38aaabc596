// Raw data folder helpers: see raw_folder.h.
#include "tests/raw_folder.h"

#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "base/coding.h"
#include "base/sha256.h"
#include "events/event_view.h"
#include "events/log_format.h"

namespace caseengine::testing {

namespace fs = std::filesystem;

std::map<std::string, std::string> FolderSnapshot(const std::string& dir, bool with_info_logs) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!with_info_logs && (name == "LOG" || name.rfind("LOG.old.", 0) == 0)) continue;
    const std::string rel = fs::relative(e.path(), dir).string();
    if (e.is_directory()) {
      files[rel] = "dir";
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    files[rel] = HexEncode(AsBytes(Sha256({bytes})));
  }
  return files;
}

void RawEdit(const std::string& dir, const std::function<void(rocksdb::DB*, RawFamilies&)>& fn) {
  rocksdb::DBOptions options;
  options.create_if_missing = false;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, dir, &names);
  INFO(s.ToString());
  REQUIRE(s.ok());
  rocksdb::ColumnFamilyOptions family_options;
  family_options.compression = rocksdb::kNoCompression;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, family_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  s = rocksdb::DB::Open(options, dir, descriptors, &handles, &db);
  INFO(s.ToString());
  REQUIRE(s.ok());
  struct Closer {
    rocksdb::DB* db;
    std::vector<rocksdb::ColumnFamilyHandle*>* handles;
    ~Closer() {
      for (auto* h : *handles) db->DestroyColumnFamilyHandle(h);
      db->Close();
      delete db;
    }
  } closer{db, &handles};
  RawFamilies families;
  for (size_t i = 0; i < names.size(); ++i) families[names[i]] = handles[i];
  fn(db, families);
  for (auto* h : handles) REQUIRE(db->Flush(rocksdb::FlushOptions(), h).ok());
}

rocksdb::ColumnFamilyHandle* RawFamily(RawFamilies& families, const std::string& name) {
  INFO("family " << name);
  REQUIRE(families.count(name) == 1);
  return families[name];
}

Hash256 Rechain(std::string* value, const Hash256& prev) {
  EventView view;
  REQUIRE(EventView::Parse(*value, &view).ok());
  // prev_hash sits in the envelope as a fixed struct: overwrite it in place.
  const Hash256 stored_prev = view.prev_hash();
  const size_t prev_offset = value->find(std::string(AsBytes(stored_prev)));
  REQUIRE(prev_offset != std::string::npos);
  std::memcpy(value->data() + prev_offset, prev.data(), prev.size());
  REQUIRE(EventView::Parse(*value, &view).ok());
  const Hash256 hash = log_format::ChainHash(prev, view.bytes(), view.hash_offset());
  std::memcpy(value->data() + view.hash_offset(), hash.data(), hash.size());
  return hash;
}

}  // namespace caseengine::testing
