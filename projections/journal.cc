// Journal and JournalProjection: see journal.h.
#include "projections/journal.h"

#include <limits>
#include <memory>
#include <string_view>

#include "aggregates/strand_rules.h"
#include "base/coding.h"
#include "base/json_text.h"
#include "base/time_format.h"
#include "projections/case_marks.h"
#include "projections/store_rows.h"

namespace caseengine {
namespace {

constexpr char kErasedNote[] = "Note (erased)";

// A fact's key without its position: the prefix of all its versions.
std::string FactPrefix(std::string_view case_id, char kind, std::string_view id) {
  std::string key = RowPrefix('f', case_id);
  key += kind;
  key += id;
  key.push_back('\0');
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
  std::string text, strand_id, other_case_id, other_strand_id, client_id, action_id;
};

nlohmann::json EntryJson(const EventView& v, const Entry& e) {
  nlohmann::json entry = {{"position", v.position()},
                          {"at", FormatMicrosUtc(v.recorded_at())},
                          {"actor", ValidUtf8(v.actor())},
                          {"type", ValidUtf8(v.type())},
                          {"text", ValidUtf8(e.text)}};
  const auto optional = [&](const char* name, const std::string& value) {
    if (!value.empty()) entry[name] = ValidUtf8(value);
  };
  optional("strand_id", e.strand_id);
  optional("other_case_id", e.other_case_id);
  optional("other_strand_id", e.other_strand_id);
  optional("client_id", e.client_id);
  optional("action_id", e.action_id);
  return entry;
}

// What the journal says of event `e` of a case's stream, or false when it says nothing.
// `fact(kind, id)` is the case's fact as the events before this one left it ("" when
// none).
template <typename FactFn>
bool Describe(const Event& e, FactFn&& fact, Entry* entry) {
  switch (e.type) {
    case EventType::kCaseOpened:
      entry->text = "Case opened for client " + e.client_id + HowOpened(e.reason);
      if (!e.user_id.empty()) entry->text += ", primary officer " + e.user_id;
      if (!e.team_id.empty()) entry->text += ", team " + e.team_id;
      entry->client_id = e.client_id;
      return true;
    case EventType::kOfficerAssigned:
      entry->text = e.user_id + " assigned as " + RoleWords(e.role);
      return true;
    case EventType::kOfficerUnassigned:
      entry->text = e.user_id + " unassigned as " + RoleWords(e.role);
      return true;
    case EventType::kTeamAssigned:
      entry->text = "Case assigned to team " + e.team_id;
      return true;
    case EventType::kPersonAdded:
      entry->text = "Client " + e.client_id + " added to the case as " +
                    (e.relationship.empty() ? std::string("a person") : e.relationship);
      if (e.joint_applicant) entry->text += " (joint applicant)";
      if (!e.date.empty()) entry->text += ", joined " + e.date;
      entry->client_id = e.client_id;
      return true;
    case EventType::kPersonLeft: {
      const std::string relationship = fact('p', e.client_id);
      entry->text = "Client " + e.client_id;
      if (!relationship.empty()) entry->text += " (" + relationship + ")";
      entry->text += " left the case";
      if (!e.date.empty()) entry->text += " on " + e.date;
      entry->client_id = e.client_id;
      return true;
    }
    case EventType::kPrimaryApplicantSwitched:
      entry->text = "Primary applicant switched to client " + e.client_id;
      entry->client_id = e.client_id;
      return true;
    case EventType::kCaseClosed:
      entry->text = e.reason.empty() ? "Case closed" : "Case closed: " + e.reason;
      return true;
    case EventType::kCaseReopened:
      entry->text = e.reason.empty() ? "Case reopened" : "Case reopened: " + e.reason;
      return true;
    case EventType::kCaseDeleted:
      if (e.mode == "erase") return false;  // the case is gone: nothing shows
      entry->text = e.reason == "client deleted" ? "Case deleted with its client" : "Case deleted";
      return true;
    case EventType::kCaseRestored:
      entry->text = "Case restored";
      return true;
    case EventType::kNoteAdded:
      if (e.personal.erased || !e.personal.text) {
        entry->text = kErasedNote;
      } else {
        entry->text = "Note: " + *e.personal.text;
      }
      entry->strand_id = e.strand_id;
      return true;
    case EventType::kActionCreated:
      entry->text = "Action created: " + e.title;
      if (!e.date.empty()) entry->text += ", due " + e.date;
      entry->strand_id = e.strand_id;
      entry->action_id = e.item_id;
      return true;
    case EventType::kActionCompleted:
    case EventType::kActionClosed: {
      std::string title = fact('a', e.item_id);
      if (title.empty()) title = e.item_id;
      entry->text =
          (e.type == EventType::kActionCompleted ? "Action completed: " : "Action closed: ") +
          title;
      if (!e.reason.empty()) entry->text += " (" + e.reason + ")";
      entry->action_id = e.item_id;
      return true;
    }
    case EventType::kStrandAdded:
      entry->text = StrandName(e.strand_type) + " added";
      if (!e.other_item_id.empty()) {
        entry->text += " with " + StrandName(fact('s', e.other_item_id)) + " " + e.other_item_id;
      }
      entry->strand_id = e.item_id;
      entry->other_strand_id = e.other_item_id;
      return true;
    case EventType::kStrandStatusChanged:
      entry->text =
          StrandName(fact('s', e.item_id)) + " " + e.item_id + " " + StrandStatusWords(e.status);
      entry->strand_id = e.item_id;
      return true;
    case EventType::kJournalWritten:
      // The domain journals a move itself on both cases, naming the other case and strand
      // (StrandMovedIn and StrandMovedOut make no entry of their own: one per side).
      entry->text = e.title;
      entry->strand_id = e.strand_id;
      entry->other_case_id = e.other_case_id;
      entry->other_strand_id = e.other_item_id;
      return true;
    default:
      return false;
  }
}

// An erased case's facts (CaseMarks has marked it erased).
void DropFacts(std::string_view case_id, RowWriter* rows) {
  DeleteRowsWithPrefix(RowPrefix('f', case_id), rows);
}

}  // namespace

Status Journal::Read(const std::string& case_id, size_t limit, const std::string& cursor,
                     nlohmann::json* page, uint64_t upto) const {
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
  uint64_t below = std::numeric_limits<uint64_t>::max();
  if (!cursor.empty() && !ParsePositionCursor(cursor, &below)) {
    return Status::InvalidArgument("cursor is not one the journal gave");
  }
  if (upto < below) below = upto + 1;
  // One iterator for the marks and the facts: on RocksDB they come from one view.
  auto it = store->NewIterator(family_.load(std::memory_order_acquire), ReadPattern::kShort);
  Status marks = CaseMarks::Check(it.get(), case_id, "journal");
  if (!marks.ok()) return marks;
  uint64_t position = 0;  // of the event being described
  // The page is full: the next event is read only to know whether a next page exists, so
  // neither its facts nor its sealed text are looked up.
  bool full = false;
  const auto fact = [&](char kind, const std::string& id) {
    if (full) return std::string();
    const std::string prefix = FactPrefix(case_id, kind, id);
    std::string key = prefix;
    PutBigEndian64(&key, position - 1);  // set by an earlier event
    it->SeekForPrev(key);
    if (!it->Valid() || !it->key().starts_with(prefix) || it->key().size() != prefix.size() + 8) {
      return std::string();
    }
    return std::string(it->value());
  };
  // Of the sealed fields, a note's text and what people typed (titles, reasons) show.
  const EventCodec::OpenPersonal open = [](EventType type) {
    return type == EventType::kNoteAdded || HasFreeText(type);
  };
  const EventCodec::OpenPersonal shut = EventCodec::Shut;
  nlohmann::json entries = nlohmann::json::array();
  uint64_t last = 0;
  bool more = false;
  Event event;
  Status unreadable;
  Status s = log->ScanStreamBack(CaseStream(case_id), below, [&](const EventView& v) {
    full = entries.size() == limit;
    Status decoded = codec->Decode(v.type(), v.payload(), &event, full ? shut : open);
    if (!decoded.ok()) {
      // An event this build cannot decode makes no entry, as it made none when applied;
      // a note whose text cannot be opened (other than erased) is an error.
      if (v.type() != "NoteAdded") return true;
      unreadable = Status::Corruption("note of case " + case_id + " at position " +
                                      std::to_string(v.position()) + " cannot be read (" +
                                      decoded.message() + ")");
      return false;
    }
    position = v.position();
    Entry entry;
    if (!Describe(event, fact, &entry)) return true;
    if (full) {
      more = true;  // one past the page: there is a next one
      return false;
    }
    last = position;
    entries.push_back(EntryJson(v, entry));
    return true;
  });
  if (!s.ok()) return s;
  if (!unreadable.ok()) return unreadable;
  if (!it->status().ok()) return it->status();
  if (entries.empty() && cursor.empty()) return Status::NotFound("no journal for case " + case_id);
  *page = {{"entries", std::move(entries)}, {"next_cursor", more ? std::to_string(last) : ""}};
  return Status::Ok();
}

Status JournalProjection::Load(const Store& store, FamilyId family) {
  journal_.family_.store(family, std::memory_order_release);
  journal_.store_.store(&store, std::memory_order_release);
  return Status::Ok();
}

void JournalProjection::Apply(const ProjectedEvent& pe, RowWriter* rows) {
  // An erased client's own cases go, soft-deleted ones too. Their notes about others, and
  // the client's notes on others' cases, need nothing: note texts are not here.
  CaseMarks::Apply(pe, rows, DropFacts);
  if (pe.event == nullptr || pe.kind != StreamKind::kCase) return;
  const Event& e = *pe.event;
  const auto put_fact = [&](char kind, const std::string& id, const std::string& value) {
    std::string key = FactPrefix(pe.id, kind, id);
    PutBigEndian64(&key, pe.envelope.position());
    rows->Put(key, value);
  };
  switch (e.type) {
    case EventType::kCaseOpened:
      put_fact('p', e.client_id, "self");
      break;
    case EventType::kPersonAdded:
      put_fact('p', e.client_id, e.relationship);
      break;
    case EventType::kActionCreated:
      put_fact('a', e.item_id, e.title);
      break;
    case EventType::kStrandAdded:
    case EventType::kStrandMovedIn:
      put_fact('s', e.item_id, e.strand_type);
      break;
    default:
      break;
  }
}

}  // namespace caseengine
