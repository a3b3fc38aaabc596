// Read-model diff: two sets of read models (a live data folder, a rebuild folder)
// compared family by family and key by key, as `casereplay diff` prints them. After a
// clean rebuild there are none; any difference is a projection that is not a pure
// function of the log, or rows changed outside the engine.
//
// Each side's checkpoints are reported with its rows: two sets at different positions
// are expected to differ in what lies between them.
//
// Threading: reads two stores that may be written meanwhile (each is iterated on its own
// implicit snapshot per family).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.h"

namespace caseengine {

struct ReadModelDiffOptions {
  std::string only;       // one read model's name; empty: all
  size_t max_shown = 20;  // differences described per read model
};

struct ReadModelComparison {
  std::string name;
  bool in_a = false, in_b = false;
  uint64_t checkpoint_a = 0, checkpoint_b = 0;
  uint64_t rows_a = 0, rows_b = 0;
  uint64_t differences = 0;
  std::vector<std::string> shown;  // readable lines ("only in A: <key>", ...)
};

struct ReadModelDiff {
  std::vector<ReadModelComparison> read_models;
  uint64_t differences = 0;
};

Status DiffReadModels(const Store& a, const Store& b, const ReadModelDiffOptions& options,
                      ReadModelDiff* diff);

// Bytes for a terminal: printable ASCII as it is, every other byte (and '\') as \xNN.
std::string Printable(std::string_view bytes);

// Opens a folder of read models (a data folder or a rebuild folder) read-only.
Status OpenReadModelFolder(const std::string& dir, std::unique_ptr<Store>* store);

}  // namespace caseengine
