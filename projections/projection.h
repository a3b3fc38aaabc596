// Projection: folds the log, event by event, into one read model kept in a family of its
// own ("rm.<name>"). The ProjectionRunner feeds it every event in log order and writes
// the row changes it makes together with its checkpoint, in one batch, so a read model
// is always exactly the fold of the log up to its checkpoint, also after a crash.
//
// A projection may keep what it serves in memory (loaded from its family at start, each
// changed row written back at the end of a batch by Flush) or write rows straight to its
// family and answer queries from the store. Its rows are a pure function of the events:
// no clocks, no randomness, so a rebuild gives byte-identical rows.
//
// Threading: Apply, Flush, Load and Reset run on one thread at a time (the runner's, or the
// second thread it shares large chunks with, see ProjectionRunner); queries come from any
// thread, so a projection that keeps rows in memory guards them itself. A projection
// reads and writes its own family only.
#pragma once

#include <string>
#include <string_view>

#include "aggregates/event.h"
#include "base/status.h"
#include "events/event_view.h"
#include "storage/store.h"

namespace caseengine {

// One event as projections see it.
struct ProjectedEvent {
  const EventView& envelope;
  // Decoded, with personal fields opened (or marked erased when the key is gone); null
  // when the event is not a domain event this build knows.
  const Event* event;
  StreamKind kind;      // of envelope.stream()
  std::string_view id;  // the client, case or lobby id in it
};

// The changes one batch makes to one projection's family.
class RowWriter {
 public:
  RowWriter(WriteBatch* batch, FamilyId family, const Store* store)
      : batch_(batch), family_(family), store_(store) {}
  void Put(std::string_view key, std::string_view value) { batch_->Put(family_, key, value); }
  void Delete(std::string_view key) { batch_->Delete(family_, key); }
  // Room for `rows` more rows of about `bytes_per_row` each (WriteBatch::Reserve).
  void Reserve(size_t rows, size_t bytes_per_row) { batch_->Reserve(rows, rows * bytes_per_row); }
  // The committed rows. Events that delete (see ProjectionRunner) are applied at the start
  // of a batch, so what they must find is here, not pending.
  const Store& store() const { return *store_; }
  FamilyId family() const { return family_; }

 private:
  WriteBatch* batch_;
  FamilyId family_;
  const Store* store_;
};

class Projection {
 public:
  virtual ~Projection() = default;
  // Stable; names the family ("rm.<name>"), the checkpoint and the --projection flag.
  virtual const char* name() const = 0;
  // Loads what it keeps in memory from its family (after a restart). Called before the
  // first Apply.
  virtual Status Load(const Store& store, FamilyId family) { return Status::Ok(); }
  // Folds one event.
  virtual void Apply(const ProjectedEvent& e, RowWriter* rows) = 0;
  // Writes the rows changed in memory since the last Flush; called before each batch.
  virtual void Flush(RowWriter* rows) {}
  // Forgets everything: its family has been emptied for a rebuild.
  virtual void Reset() {}
  // Holds personal data: after an erasure its family is purged from the files.
  virtual bool personal() const { return true; }
  // Reads the personal fields of events of this type in Apply. The runner opens an
  // event's sealed fields (a key lookup and a decryption) only when some projection does.
  virtual bool reads_personal(EventType type) const { return true; }
  // Keeps all it serves in memory and never reads its family in Apply: the runner may then
  // write its rows less often than it applies events (see ProjectionRunner), each changed
  // row once per write however often it changed.
  virtual bool keeps_rows_in_memory() const { return false; }
  // The events for which Apply reads its family, when only a few do; null when any event
  // may. Before such an event the runner writes what it has staged, so a rebuild may hold
  // the rows of a projection that names them across chunks and write them at its end,
  // straight into a table file (see ProjectionRunner).
  using ReadsRows = bool (*)(const ProjectedEvent& e);
  virtual ReadsRows reads_rows_only_at() const { return nullptr; }
  // The layout of its rows. Persisted with its checkpoint: raise it whenever the rows a
  // given log folds into change, and a runner that opens rows of another layout rebuilds
  // them first. Never lower it; read models written before layouts were recorded are 1.
  virtual uint64_t layout() const { return 1; }
};

// Events after which rows holding personal data must go (an erasure, a removed lobby
// record); the runner starts a batch before each and purges personal families after.
bool IsErasure(const ProjectedEvent& e);
// Events that delete rows: applied at the start of a batch (see RowWriter::store).
bool DeletesRows(std::string_view type);

}  // namespace caseengine
