// compression_bench: which compression suits each column family of a data folder, measured
// on its own rows. Opens a (stopped) folder read-only, and writes every family's rows into
// one table file per candidate (none, LZ4, ZSTD at levels 1 and 3, each with 16 KiB
// blocks, as the engine writes them), then reads each file back in full. Prints, per
// family and candidate, bytes on disk, bytes per row, the ratio to no compression, and the
// read-back speed (what a replay, a rebuild or a list's load pays to decode).
//
//   compression_bench --data DIR [--json] [--max-rows N]
//
// The chosen settings are in storage/rocks_options.cc; the figures in bench/RESULTS.md.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/bench_util.h"

namespace {

struct Candidate {
  const char* name;
  rocksdb::CompressionType type;
  int level;  // ZSTD's; ignored by the others
};

const Candidate kCandidates[] = {
    {"none", rocksdb::kNoCompression, 0},
    {"lz4", rocksdb::kLZ4Compression, 0},
    {"zstd-1", rocksdb::kZSTD, 1},
    {"zstd-3", rocksdb::kZSTD, 3},
};

rocksdb::Options TableOptions(const Candidate& c) {
  rocksdb::Options options;
  options.compression = c.type;
  options.compression_opts.level = c.level;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;
  table.format_version = 5;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

int Fail(const rocksdb::Status& s) {
  std::cerr << "compression_bench: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using caseengine::bench::Seconds;
  std::string dir;
  bool json = false;
  uint64_t max_rows = 2000000;
  CLI::App app{"Bytes and decode speed of each column family under each compression"};
  app.add_option("--data", dir, "a stopped data folder")->required();
  app.add_flag("--json", json, "one JSON line per family and candidate");
  app.add_option("--max-rows", max_rows, "rows of each family measured (the first ones)");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!s.ok()) return Fail(s);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<rocksdb::DB> db(raw);
  caseengine::bench::ScratchDir scratch_dir(
      (std::filesystem::temp_directory_path() / "caseengine-compression-bench").string(),
      /*keep=*/false);
  std::filesystem::create_directories(scratch_dir.path());
  const std::filesystem::path scratch = scratch_dir.path();

  if (!json) {
    std::cout << caseengine::bench::MachineDescription() << "\n"
              << "family                 candidate        rows      bytes  B/row  ratio  "
                 "read MB/s\n";
  }
  for (size_t f = 0; f < handles.size(); f++) {
    for (const Candidate& c : kCandidates) {
      const std::string file = (scratch / (names[f] + "." + c.name + ".sst")).string();
      rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), TableOptions(c));
      s = writer.Open(file);
      if (!s.ok()) return Fail(s);
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[f]));
      uint64_t rows = 0, raw_bytes = 0;
      for (it->SeekToFirst(); it->Valid() && rows < max_rows; it->Next(), rows++) {
        s = writer.Put(it->key(), it->value());
        if (!s.ok()) return Fail(s);
        raw_bytes += it->key().size() + it->value().size();
      }
      if (rows == 0) break;  // an empty family: nothing to measure
      s = writer.Finish();
      if (!s.ok()) return Fail(s);
      const uint64_t bytes = std::filesystem::file_size(file);

      rocksdb::SstFileReader reader(TableOptions(c));
      s = reader.Open(file);
      if (!s.ok()) return Fail(s);
      rocksdb::ReadOptions read;
      read.fill_cache = false;
      const auto start = std::chrono::steady_clock::now();
      std::unique_ptr<rocksdb::Iterator> back(reader.NewIterator(read));
      uint64_t seen = 0;
      for (back->SeekToFirst(); back->Valid(); back->Next()) seen += back->value().size() > 0;
      const double read_s = std::max(Seconds(start), 1e-9);
      std::filesystem::remove(file);
      const double mb_s = static_cast<double>(raw_bytes) / 1e6 / read_s;
      if (json) {
        std::cout
            << nlohmann::json{{"family", names[f]},      {"candidate", c.name}, {"rows", rows},
                              {"raw_bytes", raw_bytes},  {"bytes", bytes},      {"read_mb_s", mb_s},
                              {"non_empty_values", seen}}
                   .dump()
            << "\n";
      } else {
        std::printf("%-22s %-9s %11llu %10llu %6.1f %6.2f %10.0f\n", names[f].c_str(), c.name,
                    static_cast<unsigned long long>(rows), static_cast<unsigned long long>(bytes),
                    static_cast<double>(bytes) / rows,
                    static_cast<double>(bytes) / static_cast<double>(raw_bytes), mb_s);
      }
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  return 0;
}
