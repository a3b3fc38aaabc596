// LobbyQueue: the Lobby (referrals waiting to be claimed and worked, and what became of
// them), and LobbyQueueProjection, which keeps it.
//
// Rows live in memory and are written back to the family:
//
//   rm.lobby_queue  key   := "l/" lobby-id
//                   value := LobbyQueueRow as JSON   (personal)
//                            {lobby_id, status, received_at, source?, referrer?, surname?,
//                             forenames?, date_of_birth?, postcode?, claimed_by?,
//                             client_id?, case_id?, organisation?}   (a field left out
//                             is empty)
//
// Invariants: a row per lobby record not removed; a removed record (LobbyRecordRemoved)
// leaves the read model entirely. A record that became a client that was later erased
// keeps its row without the person's details (the lobby record's own key is not the
// client's, so the names would otherwise outlive the erasure here).
//
// Threading: the projection's thread applies; Query and Get from any thread (a shared
// lock).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "projections/list_query.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

struct LobbyQueueRow {
  bool gone = false;
  std::string lobby_id, source, referrer;
  std::string organisation;  // the provider's that referred it, if one did
  std::string surname, forenames, date_of_birth, postcode;
  std::string status = "received";  // received | claimed | assigned | created
  std::string claimed_by;
  std::string received_at;         // RFC 3339 UTC, when the referral was recorded
  std::string client_id, case_id;  // what it became
};

// Filters (exact matches): status (received | claimed | assigned | created, "waiting" for
// received or claimed, "all"; default waiting), source, claimed_by. Default sort:
// received_at, oldest first.
struct LobbyQueueQuery {
  std::map<std::string, std::string> filters;
  ListRequest list;
  std::string organisation;  // a provider's: only its organisation's referrals
};

class LobbyQueue {
 public:
  static const std::vector<std::string>& FilterNames();
  static std::vector<std::string> ColumnNames();

  // InvalidArgument for an unknown filter or status, sort column, column or cursor.
  Status Query(const LobbyQueueQuery& query, ListPage* page) const;
  // The record as a JSON object with every column; false when there is none (never was,
  // or removed).
  bool Get(const std::string& lobby_id, nlohmann::json* row) const;
  size_t size() const;

 private:
  friend class LobbyQueueProjection;
  mutable std::shared_mutex mu_;
  RowTable<LobbyQueueRow> rows_{"l/"};
  // Not stored: records by the client they became, for an erasure of the client.
  std::unordered_map<std::string, std::vector<std::string>> by_client_;
};

class LobbyQueueProjection : public Projection {
 public:
  const char* name() const override { return "lobby_queue"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  bool keeps_rows_in_memory() const override { return true; }
  // All but a note's text.
  bool reads_personal(EventType type) const override { return type != EventType::kNoteAdded; }
  void Reset() override;

  const LobbyQueue& queue() const { return queue_; }

 private:
  LobbyQueue queue_;
};

}  // namespace caseengine
