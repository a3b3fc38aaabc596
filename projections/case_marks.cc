// CaseMarks: see case_marks.h.
#include "projections/case_marks.h"

#include "projections/store_rows.h"

namespace caseengine {
namespace {

void EraseCase(std::string_view case_id, RowWriter* rows, const CaseMarks::Erased& erased) {
  rows->Delete(MarkKey('d', case_id));
  rows->Put(MarkKey('x', case_id), "");
  if (erased) erased(case_id, rows);
}

}  // namespace

void CaseMarks::Apply(const ProjectedEvent& pe, RowWriter* rows, const Erased& erased) {
  const Event* e = pe.event;
  if (e == nullptr) return;
  if (pe.kind == StreamKind::kClient) {
    if (e->type != EventType::kClientDeleted || e->mode != DeleteMode::kErase) return;
    // The client's own cases go with it, soft-deleted ones too.
    const std::string owned = RowPrefix('o', pe.id);
    auto it = rows->store().NewIterator(rows->family(), ReadPattern::kShort);
    for (it->Seek(owned); it->Valid() && it->key().starts_with(owned); it->Next()) {
      EraseCase(it->key().substr(owned.size()), rows, erased);
      rows->Delete(it->key());
    }
    return;
  }
  if (pe.kind != StreamKind::kCase) return;
  switch (e->type) {
    case EventType::kCaseOpened: {
      std::string owner = RowPrefix('o', e->client_id);
      owner += pe.id;
      rows->Put(owner, "");
      break;
    }
    case EventType::kCaseDeleted:
      if (e->mode == DeleteMode::kErase) {
        // Usually erased already with its client; this catches the rest.
        EraseCase(pe.id, rows, erased);
      } else {
        rows->Put(MarkKey('d', pe.id), "");
      }
      break;
    case EventType::kCaseRestored:
      rows->Delete(MarkKey('d', pe.id));
      break;
    default:
      break;
  }
}

bool CaseMarks::ReadsRows(const ProjectedEvent& pe) {
  const Event* e = pe.event;
  if (e == nullptr || e->mode != DeleteMode::kErase) return false;
  return (pe.kind == StreamKind::kClient && e->type == EventType::kClientDeleted) ||
         (pe.kind == StreamKind::kCase && e->type == EventType::kCaseDeleted);
}

Status CaseMarks::Check(StoreIterator* it, const std::string& case_id, const char* what) {
  auto marked = [&](const std::string& key) {
    it->Seek(key);
    return it->Valid() && it->key() == key;
  };
  if (marked(MarkKey('x', case_id))) {
    return Status::NotFound(std::string("no ") + what + " for case " + case_id);
  }
  if (marked(MarkKey('d', case_id))) return Status::NotFound("case " + case_id + " is deleted");
  return it->status();
}

}  // namespace caseengine
