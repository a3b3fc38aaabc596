// RocksBulkWriter: see rocks_bulk_writer.h.
#include "storage/rocks_bulk_writer.h"

#include <rocksdb/sst_file_writer.h>

#include <filesystem>
#include <system_error>

#include "storage/rocks_status.h"

namespace caseengine {
namespace {

namespace fs = std::filesystem;

// The table files a bulk write builds in the data folder before RocksDB moves them in.
constexpr const char* kBulkPrefix = "bulk-";

}  // namespace

void RocksBulkWriter::RemoveLeftovers(const std::string& path) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kBulkPrefix, 0) == 0 && entry.path().extension() == ".sst") {
      fs::remove(entry.path(), ec);
    }
  }
}

Status RocksBulkWriter::Write(const WriteBatch& batch) {
  RocksBatch& sorted = RocksBatch::ForThisThread();
  Status s = sorted.Sort(batch, handles_.size());
  if (!s.ok()) return s;
  // A family's run of operations long enough to be worth a file of its own goes into
  // one; the rest go through the memtables as an unlogged write, after the files.
  rocksdb::WriteBatch& wb = sorted.rocks();
  wb.Clear();
  std::vector<rocksdb::IngestExternalFileArg> tables;
  const RocksBatch::Op* ops = sorted.ops().data();
  const size_t n = sorted.ops().size();
  for (size_t begin = 0, end; s.ok() && begin < n; begin = end) {
    bool deletes_all = false;
    for (end = begin; end < n && ops[end].family == ops[begin].family; ++end) {
      deletes_all = deletes_all || ops[end].op == WriteOp::kDeleteAll;
    }
    if (end - begin < kTableOps || deletes_all) {
      s = sorted.Add(ops + begin, ops + end, db_, handles_, path_);
      continue;
    }
    rocksdb::IngestExternalFileArg& table = tables.emplace_back();
    table.column_family = handles_[ops[begin].family];
    table.external_files.emplace_back();
    // Moved into the database, not copied; its sequence number kept in the MANIFEST
    // rather than written into the file.
    table.options.move_files = true;
    table.options.write_global_seqno = false;
    s = WriteTable(ops + begin, ops + end, &table.external_files.back());
  }
  if (s.ok() && !tables.empty()) s = FromRocks(db_->IngestExternalFiles(tables), path_);
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  if (s.ok() && wb.Count() > 0) {
    auto turn = gate_->WalTurn();
    s = gate_->Health();
    if (s.ok()) s = FromRocks(db_->Write(wo, &wb), path_);
  }
  // An ingested file was moved; one that was not is of no use.
  for (const auto& table : tables) {
    std::error_code ec;
    fs::remove(table.external_files.front(), ec);
  }
  sorted.Release();
  return s;
}

Status RocksBulkWriter::WriteTable(const RocksBatch::Op* begin, const RocksBatch::Op* end,
                                   std::string* file) {
  const FamilyId family = begin->family;
  rocksdb::Options options(db_->GetDBOptions(), db_->GetOptions(handles_[family]));
  // Compressed as a flush would: the bottommost level's compression (zstd) costs several
  // times more to write, and the family's first compaction applies it.
  options.bottommost_compression = rocksdb::kDisableCompressionOption;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, handles_[family]);
  *file = path_ + "/" + kBulkPrefix + std::to_string(files_++) + ".sst";
  rocksdb::Status rs = writer.Open(*file);
  for (const RocksBatch::Op* op = begin; rs.ok() && op != end; ++op) {
    if (op + 1 != end && op[1].key == op->key) continue;
    rs = op->op == WriteOp::kPut ? writer.Put(ToSlice(op->key), ToSlice(op->value))
                                 : writer.Delete(ToSlice(op->key));
  }
  if (rs.ok()) rs = writer.Finish();
  return FromRocks(rs, path_);
}

}  // namespace caseengine
