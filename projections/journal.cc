// Journal and JournalProjection: see journal.h.
#include "projections/journal.h"

#include <limits>
#include <memory>
#include <string_view>

#include "aggregates/strand_rules.h"
#include "base/coding.h"
#include "base/json_text.h"
#include "base/time_format.h"
#include "projections/store_rows.h"

namespace caseengine {
namespace {

constexpr char kErasedNote[] = "Note (erased)";

std::string EntryKey(std::string_view case_id, uint64_t position) {
  std::string key = RowPrefix('e', case_id);
  PutBigEndian64(&key, position);
  return key;
}

std::string FactKey(std::string_view case_id, char kind, std::string_view id) {
  std::string key = RowPrefix('f', case_id);
  key += kind;
  key += id;
  return key;
}

std::string RoleWords(const std::string& role) {
  if (role == "primary" || role == "secondary") return role + " officer";
  if (role == "supervisor") return "supervisor";
  if (role == "other") return "officer (other role)";
  return role + " officer";
}

std::string StrandName(const std::string& type) {
  const StrandRules* rules = StrandRules::Find(type);
  if (rules != nullptr) return rules->name;
  return type.empty() ? std::string("Application") : type;
}

std::string HowOpened(const std::string& how) {
  if (how == "registration") return " on registration";
  if (how == "new_case") return " as a new case";
  if (how == "lobby") return " from a Lobby referral";
  return how.empty() ? "" : " (" + how + ")";
}

std::string StrandStatusWords(const std::string& status) {
  if (status == "open") return "reopened";
  if (status == "closed" || status == "cancelled") return status;
  return "set to " + status;
}

// One journal entry.
struct Entry {
  uint64_t position = 0;
  std::string_view at, actor, type;
  std::string text, strand_id, other_case_id, other_strand_id, client_id, action_id;
  bool text_in_log = false;  // a note's: Read opens it from the log
};

void AppendEntry(const Entry& e, std::string* out) {
  out->clear();
  out->append("{\"position\":");
  out->append(std::to_string(e.position));
  const auto field = [&](const char* name, std::string_view value, bool optional) {
    if (optional && value.empty()) return;
    out->append(",\"");
    out->append(name);
    out->append("\":");
    AppendJsonString(out, value);
  };
  field("at", e.at, false);
  field("actor", e.actor, false);
  field("type", e.type, false);
  if (!e.text_in_log) field("text", e.text, false);
  field("strand_id", e.strand_id, true);
  field("other_case_id", e.other_case_id, true);
  field("other_strand_id", e.other_strand_id, true);
  field("client_id", e.client_id, true);
  field("action_id", e.action_id, true);
  out->push_back('}');
}

// A note's entry text, from its event in the log: its sealed text opened, or kErasedNote
// when the key that sealed it is gone.
Status NoteText(const EventLog& log, const EventCodec& codec, uint64_t position,
                std::string* text) {
  std::string bytes;
  EventView view;
  Event event;
  Status s = log.ReadView(position, &bytes, &view);
  if (s.ok()) s = codec.Decode(view.type(), view.payload(), &event);
  if (!s.ok()) return s;
  if (event.type != EventType::kNoteAdded) {
    return Status::Corruption("journal note entry names position " + std::to_string(position) +
                              ", which is a " + std::string(view.type()));
  }
  if (event.personal.erased || !event.personal.text) {
    *text = kErasedNote;
  } else {
    *text = "Note: " + ValidUtf8(*event.personal.text);
  }
  return Status::Ok();
}

// An erased case's journal: entries, facts and mark.
void DeleteCase(std::string_view case_id, RowWriter* rows) {
  DeleteRowsWithPrefix(RowPrefix('e', case_id), rows);
  DeleteRowsWithPrefix(RowPrefix('f', case_id), rows);
  rows->Delete(MarkKey('d', case_id));
}

}  // namespace

Status Journal::Read(const std::string& case_id, size_t limit, const std::string& cursor,
                     nlohmann::json* page) const {
  const Store* store = store_.load(std::memory_order_acquire);
  const EventLog* log = log_.load(std::memory_order_acquire);
  const EventCodec* codec = codec_.load(std::memory_order_acquire);
  if (store == nullptr || log == nullptr || codec == nullptr) {
    return Status::Unavailable("the journal read model is not open");
  }
  if (limit == 0) limit = kDefaultLimit;
  if (limit > kMaxLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxLimit));
  }
  if (case_id.find('\0') != std::string::npos) return Status::InvalidArgument("malformed case id");
  uint64_t before = std::numeric_limits<uint64_t>::max();
  if (!cursor.empty()) {
    if (!ParsePositionCursor(cursor, &before)) {
      return Status::InvalidArgument("cursor is not one the journal gave");
    }
    --before;  // entries strictly older than the cursor's
  }
  // One iterator for the mark and the entries: on RocksDB they come from one view.
  auto it = store->NewIterator(family_.load(std::memory_order_acquire), ReadPattern::kShort);
  const std::string deleted = MarkKey('d', case_id);
  it->Seek(deleted);
  if (it->Valid() && it->key() == deleted) {
    return Status::NotFound("case " + case_id + " is deleted");
  }
  const std::string prefix = RowPrefix('e', case_id);
  std::string start = prefix;
  PutBigEndian64(&start, before);
  nlohmann::json entries = nlohmann::json::array();
  uint64_t last = 0;
  bool more = false;
  for (it->SeekForPrev(start); it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (it->key().size() != prefix.size() + 8) continue;
    if (entries.size() == limit) {
      more = true;
      break;
    }
    const std::string_view value = it->value();
    auto entry = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
    if (entry.is_discarded()) {
      return Status::Corruption("journal row of case " + case_id +
                                " is not JSON; rebuild the read model");
    }
    last = DecodeBigEndian64(it->key().data() + prefix.size());
    if (entry.is_object() && !entry.contains("text") && entry.value("type", "") == "NoteAdded") {
      std::string text;
      Status s = NoteText(*log, *codec, last, &text);
      if (!s.ok()) {
        return Status::Corruption("note of case " + case_id + " at position " +
                                  std::to_string(last) + " cannot be read (" + s.message() + ")");
      }
      entry["text"] = std::move(text);
    }
    entries.push_back(std::move(entry));
  }
  if (!it->status().ok()) return it->status();
  if (entries.empty() && cursor.empty()) return Status::NotFound("no journal for case " + case_id);
  *page = {{"entries", std::move(entries)}, {"next_cursor", more ? std::to_string(last) : ""}};
  return Status::Ok();
}

Status JournalProjection::Load(const Store& store, FamilyId family) {
  journal_.family_.store(family, std::memory_order_release);
  journal_.store_.store(&store, std::memory_order_release);
  Reset();
  return Status::Ok();
}

void JournalProjection::Reset() {
  pending_facts_.clear();
  at_micros_ = -1;
  at_.clear();
}

void JournalProjection::Flush(RowWriter*) {
  // The batch is about to be written: from now on the store has these facts.
  pending_facts_.clear();
}

const std::string& JournalProjection::At(int64_t micros) {
  if (micros != at_micros_) {
    at_micros_ = micros;
    at_ = FormatMicrosUtc(micros);
  }
  return at_;
}

void JournalProjection::PutFact(const std::string& key, const std::string& value, RowWriter* rows) {
  rows->Put(key, value);
  pending_facts_[key] = value;
}

std::string JournalProjection::Fact(const std::string& key, const RowWriter& rows) const {
  auto it = pending_facts_.find(key);
  if (it != pending_facts_.end()) return it->second;
  std::string value;
  if (!rows.store().Get(rows.family(), key, &value).ok()) value.clear();
  return value;
}

void JournalProjection::Apply(const ProjectedEvent& pe, RowWriter* rows) {
  if (pe.event == nullptr) return;
  if (pe.kind == StreamKind::kCase) {
    ApplyCaseEvent(pe, std::string(pe.id), rows);
  } else if (pe.kind == StreamKind::kClient && pe.event->type == EventType::kClientDeleted &&
             pe.event->mode == "erase") {
    EraseClient(std::string(pe.id), rows);
  }
}

void JournalProjection::EraseClient(const std::string& client_id, RowWriter* rows) {
  // The client's own cases go with it, soft-deleted ones too (no CaseDeleted is written
  // for a case that was already deleted). Their notes about others, and the client's
  // notes on others' cases, need nothing: note texts are not here (see the header).
  const std::string owned = RowPrefix('o', client_id);
  auto it = rows->store().NewIterator(rows->family(), ReadPattern::kShort);
  for (it->Seek(owned); it->Valid() && it->key().starts_with(owned); it->Next()) {
    const std::string_view case_id = it->key().substr(owned.size());
    DeleteCase(case_id, rows);
    rows->Delete(it->key());
  }
}

void JournalProjection::ApplyCaseEvent(const ProjectedEvent& pe, const std::string& case_id,
                                       RowWriter* rows) {
  const Event& e = *pe.event;
  const uint64_t position = pe.envelope.position();
  Entry entry;
  entry.position = position;
  switch (e.type) {
    case EventType::kCaseOpened:
      entry.text = "Case opened for client " + e.client_id + HowOpened(e.reason);
      if (!e.user_id.empty()) entry.text += ", primary officer " + e.user_id;
      if (!e.team_id.empty()) entry.text += ", team " + e.team_id;
      entry.client_id = e.client_id;
      rows->Put(RowPrefix('o', e.client_id) + case_id, "");
      PutFact(FactKey(case_id, 'p', e.client_id), "self", rows);
      break;
    case EventType::kOfficerAssigned:
      entry.text = e.user_id + " assigned as " + RoleWords(e.role);
      break;
    case EventType::kOfficerUnassigned:
      entry.text = e.user_id + " unassigned as " + RoleWords(e.role);
      break;
    case EventType::kTeamAssigned:
      entry.text = "Case assigned to team " + e.team_id;
      break;
    case EventType::kPersonAdded:
      entry.text = "Client " + e.client_id + " added to the case as " +
                   (e.relationship.empty() ? std::string("a person") : e.relationship);
      if (e.joint_applicant) entry.text += " (joint applicant)";
      if (!e.date.empty()) entry.text += ", joined " + e.date;
      entry.client_id = e.client_id;
      PutFact(FactKey(case_id, 'p', e.client_id), e.relationship, rows);
      break;
    case EventType::kPersonLeft: {
      const std::string relationship = Fact(FactKey(case_id, 'p', e.client_id), *rows);
      entry.text = "Client " + e.client_id;
      if (!relationship.empty()) entry.text += " (" + relationship + ")";
      entry.text += " left the case";
      if (!e.date.empty()) entry.text += " on " + e.date;
      entry.client_id = e.client_id;
      break;
    }
    case EventType::kPrimaryApplicantSwitched:
      entry.text = "Primary applicant switched to client " + e.client_id;
      entry.client_id = e.client_id;
      break;
    case EventType::kCaseClosed:
      entry.text = e.reason.empty() ? "Case closed" : "Case closed: " + e.reason;
      break;
    case EventType::kCaseReopened:
      entry.text = e.reason.empty() ? "Case reopened" : "Case reopened: " + e.reason;
      break;
    case EventType::kCaseDeleted:
      if (e.mode == "erase") {
        // Usually gone already with its client (EraseClient); this catches the rest.
        return DeleteCase(case_id, rows);
      }
      entry.text = e.reason == "client deleted" ? "Case deleted with its client" : "Case deleted";
      rows->Put(MarkKey('d', case_id), "");
      break;
    case EventType::kCaseRestored:
      entry.text = "Case restored";
      rows->Delete(MarkKey('d', case_id));
      break;
    case EventType::kNoteAdded:
      entry.strand_id = e.strand_id;
      entry.text_in_log = true;
      break;
    case EventType::kActionCreated:
      entry.text = "Action created: " + e.title;
      if (!e.date.empty()) entry.text += ", due " + e.date;
      entry.strand_id = e.strand_id;
      entry.action_id = e.item_id;
      PutFact(FactKey(case_id, 'a', e.item_id), e.title, rows);
      break;
    case EventType::kActionCompleted:
    case EventType::kActionClosed: {
      std::string title = Fact(FactKey(case_id, 'a', e.item_id), *rows);
      if (title.empty()) title = e.item_id;
      entry.text =
          (e.type == EventType::kActionCompleted ? "Action completed: " : "Action closed: ") +
          title;
      if (!e.reason.empty()) entry.text += " (" + e.reason + ")";
      entry.action_id = e.item_id;
      break;
    }
    case EventType::kStrandAdded:
      entry.text = StrandName(e.strand_type) + " added";
      if (!e.other_item_id.empty()) {
        entry.text += " with " + StrandName(Fact(FactKey(case_id, 's', e.other_item_id), *rows)) +
                      " " + e.other_item_id;
      }
      entry.strand_id = e.item_id;
      entry.other_strand_id = e.other_item_id;
      PutFact(FactKey(case_id, 's', e.item_id), e.strand_type, rows);
      break;
    case EventType::kStrandStatusChanged:
      entry.text = StrandName(Fact(FactKey(case_id, 's', e.item_id), *rows)) + " " + e.item_id +
                   " " + StrandStatusWords(e.status);
      entry.strand_id = e.item_id;
      break;
    case EventType::kStrandMovedIn:
      PutFact(FactKey(case_id, 's', e.item_id), e.strand_type, rows);
      // The domain journals a move itself on both cases (JournalWritten), naming the other
      // case and strand: one entry per side, not two.
      return;
    case EventType::kJournalWritten:
      entry.text = e.title;
      entry.strand_id = e.strand_id;
      entry.other_case_id = e.other_case_id;
      entry.other_strand_id = e.other_item_id;
      break;
    default:
      return;
  }
  entry.at = At(pe.envelope.recorded_at());
  entry.actor = pe.envelope.actor();
  entry.type = pe.envelope.type();
  AppendEntry(entry, &row_);
  rows->Put(EntryKey(case_id, position), row_);
}

}  // namespace caseengine
