// Read-model diff: see read_model_diff.h.
#include "audit/read_model_diff.h"

#include <algorithm>
#include <set>

#include "base/coding.h"
#include "projections/projection_runner.h"
#include "storage/rocks_store.h"

namespace caseengine {
namespace {

constexpr std::string_view kRowsPrefix = "rm.";

uint64_t Checkpoint(const Store& store, const std::string& name) {
  FamilyId family;
  std::string value;
  if (!store.Family(kCheckpointsFamily, &family).ok() || !store.Get(family, name, &value).ok() ||
      value.size() != 8) {
    return 0;
  }
  return DecodeBigEndian64(value.data());
}

std::vector<std::string> ReadModelNames(const Store& store) {
  std::vector<std::string> names;
  for (const std::string& f : store.FamilyNames()) {
    if (f.compare(0, kRowsPrefix.size(), kRowsPrefix) == 0)
      names.push_back(f.substr(kRowsPrefix.size()));
  }
  return names;
}

// Counts a side's rows alone (a read model the other side lacks).
Status CountRows(const Store& store, const std::string& family_name, uint64_t* rows) {
  FamilyId family;
  Status s = store.Family(family_name, &family);
  if (!s.ok()) return s;
  auto it = store.NewIterator(family, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++*rows;
  return it->status();
}

Status Compare(const Store& a, const Store& b, const ReadModelDiffOptions& options,
               ReadModelComparison* c) {
  const std::string family_name = std::string(kRowsPrefix) + c->name;
  if (!c->in_a || !c->in_b) {
    c->differences = 1;
    c->shown.push_back(std::string("the read model is only in ") + (c->in_a ? "A" : "B"));
    return CountRows(c->in_a ? a : b, family_name, c->in_a ? &c->rows_a : &c->rows_b);
  }
  FamilyId fa, fb;
  Status s = a.Family(family_name, &fa);
  if (s.ok()) s = b.Family(family_name, &fb);
  if (!s.ok()) return s;
  auto ia = a.NewIterator(fa, ReadPattern::kScan);
  auto ib = b.NewIterator(fb, ReadPattern::kScan);
  ia->SeekToFirst();
  ib->SeekToFirst();
  auto note = [&](std::string line) {
    if (++c->differences <= options.max_shown) c->shown.push_back(std::move(line));
  };
  while (ia->Valid() || ib->Valid()) {
    const int order = !ia->Valid() ? 1 : !ib->Valid() ? -1 : ia->key().compare(ib->key());
    if (order < 0) {
      note("only in A: " + Printable(ia->key()));
      ++c->rows_a;
      ia->Next();
    } else if (order > 0) {
      note("only in B: " + Printable(ib->key()));
      ++c->rows_b;
      ib->Next();
    } else {
      if (ia->value() != ib->value()) {
        note("differs: " + Printable(ia->key()) + "\n    A: " + Printable(ia->value()) +
             "\n    B: " + Printable(ib->value()));
      }
      ++c->rows_a, ++c->rows_b;
      ia->Next();
      ib->Next();
    }
  }
  return !ia->status().ok() ? ia->status() : ib->status();
}

}  // namespace

std::string Printable(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char ch : bytes) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out.push_back(static_cast<char>(ch));
    } else {
      out += "\\x";
      out.push_back(kDigits[ch >> 4]);
      out.push_back(kDigits[ch & 0xf]);
    }
  }
  return out;
}

Status DiffReadModels(const Store& a, const Store& b, const ReadModelDiffOptions& options,
                      ReadModelDiff* diff) {
  *diff = ReadModelDiff();
  const std::vector<std::string> names_a = ReadModelNames(a), names_b = ReadModelNames(b);
  std::set<std::string> names(names_a.begin(), names_a.end());
  names.insert(names_b.begin(), names_b.end());
  if (!options.only.empty()) {
    if (names.count(options.only) == 0) {
      return Status::NotFound("neither side has a read model named " + options.only);
    }
    names = {options.only};
  }
  for (const std::string& name : names) {
    ReadModelComparison c;
    c.name = name;
    c.in_a = std::find(names_a.begin(), names_a.end(), name) != names_a.end();
    c.in_b = std::find(names_b.begin(), names_b.end(), name) != names_b.end();
    c.checkpoint_a = Checkpoint(a, name);
    c.checkpoint_b = Checkpoint(b, name);
    Status s = Compare(a, b, options, &c);
    if (!s.ok()) return s;
    diff->differences += c.differences;
    diff->read_models.push_back(std::move(c));
  }
  return Status::Ok();
}

Status OpenReadModelFolder(const std::string& dir, std::unique_ptr<Store>* store) {
  RocksStoreOptions options;
  options.path = dir;
  options.read_only = true;
  options.create_if_missing = false;
  options.required_families = {kCheckpointsFamily};
  return OpenRocksStore(options, store);
}

}  // namespace caseengine
