// RowTable: the rows a read model keeps in memory, and the writes that bring its family
// up to date with them.
#include "projections/row_table.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "storage/memory_store.h"

namespace caseengine {
namespace {

struct NameRow {
  bool gone = false;
  std::string name;
};
void WriteJson(JsonWriter* w, const NameRow& r) {
  w->BeginObject().Field("name", r.name).EndObject();
}
void from_json(const nlohmann::json& j, NameRow& r) { r.name = j.at("name").get<std::string>(); }

// Flushes the table's changes into the store's family "rm" in one batch.
void FlushTo(RowTable<NameRow>* table, MemoryStore* store) {
  FamilyId family;
  REQUIRE(store->Family("rm", &family).ok());
  WriteBatch batch;
  RowWriter rows(&batch, family, store);
  table->Flush(&rows);
  REQUIRE(store->Write(batch, /*sync=*/true).ok());
}

std::map<std::string, std::string> Rows(const MemoryStore& store) {
  FamilyId family;
  REQUIRE(store.Family("rm", &family).ok());
  std::map<std::string, std::string> rows;
  auto it = store.NewIterator(family, ReadPattern::kShort);
  for (it->SeekToFirst(); it->Valid(); it->Next()) rows[std::string(it->key())] = it->value();
  return rows;
}

TEST_CASE("a row table writes each changed row once and a removed row as a delete",
          "[projections]") {
  MemoryStore store({"rm"});
  RowTable<NameRow> table("r/");
  table.Upsert("a")->name = "Ada";
  table.Upsert("b")->name = "Bea";
  table.Upsert("a")->name = "Ada Lane";  // changed twice: written once, as it is now
  FlushTo(&table, &store);
  CHECK(Rows(store) == std::map<std::string, std::string>{{"r/a", R"({"name":"Ada Lane"})"},
                                                          {"r/b", R"({"name":"Bea"})"}});
  // Nothing changed: nothing written.
  FamilyId family;
  REQUIRE(store.Family("rm", &family).ok());
  WriteBatch none;
  RowWriter rows(&none, family, &store);
  table.Flush(&rows);
  CHECK(none.Empty());

  CHECK(table.Change("missing") == nullptr);
  table.Change("b")->name = "Bea Hart";
  table.Remove("a");
  CHECK(table.Find("a") == nullptr);
  CHECK(table.size() == 1);
  FlushTo(&table, &store);
  CHECK(Rows(store) == std::map<std::string, std::string>{{"r/b", R"({"name":"Bea Hart"})"}});
}

TEST_CASE("a row removed and made again under its id before a flush is written as the new one",
          "[projections]") {
  MemoryStore store({"rm"});
  RowTable<NameRow> table("r/");
  table.Upsert("a")->name = "Old";
  FlushTo(&table, &store);
  table.Change("a")->name = "Changed";
  table.Remove("a");
  table.Upsert("a")->name = "New";
  FlushTo(&table, &store);
  CHECK(Rows(store) == std::map<std::string, std::string>{{"r/a", R"({"name":"New"})"}});
  size_t live = 0;
  table.ForEach([&](const NameRow& row) {
    ++live;
    CHECK(row.name == "New");
  });
  CHECK(live == 1);

  // Loaded back from the family, the table holds what was written, nothing to write.
  RowTable<NameRow> loaded("r/");
  FamilyId family;
  REQUIRE(store.Family("rm", &family).ok());
  REQUIRE(loaded.Load(store, family).ok());
  REQUIRE(loaded.Find("a") != nullptr);
  CHECK(loaded.Find("a")->name == "New");
  WriteBatch none;
  RowWriter rows(&none, family, &store);
  loaded.Flush(&rows);
  CHECK(none.Empty());
}

}  // namespace
}  // namespace caseengine
