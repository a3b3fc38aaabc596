// DeciderBase: what the deciders of the command groups share (internal to aggregates/;
// see decide.h): the decision's context and the states it reads, loading a stream's state
// with the If-Match check, the first event of a new case, and the checks more than one
// group makes. A decider reads state and returns events or a rejection; it never writes.
//
// Invariants: If-Match applies to the first stream a decision loads, and only to it, so
// a decider decides one command and is then dropped.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aggregates/decide.h"

namespace caseengine {

class DeciderBase {
 protected:
  DeciderBase(const DecideContext& ctx, StateView* states) : ctx_(ctx), states_(states) {}

  const DecideContext& ctx() const { return ctx_; }
  StateView* states() const { return states_; }

  static Event Make(EventType type);
  static Outcome Unchanged() { return Outcome(); }

  // The first event of a new case of `client_id`; `how` it was opened, as its reason;
  // `organisation`: the provider's whose referral it was made from, if any.
  Event CaseOpened(const std::string& case_id, const std::string& client_id, const std::string& how,
                   const std::string& organisation = "");
  // The events of a new open case: CaseOpened and the tasks of the workflows that load on
  // every new case (HPA2: "the default workflows for your site will automatically load").
  std::vector<Event> NewCase(const std::string& case_id, const std::string& client_id,
                             const std::string& how, const std::string& organisation = "");
  // The settings stream's state (an empty one when it cannot be read: no workflow loads).
  const SettingsState& Settings() const;

  // The version check of If-Match, on the command's own stream.
  std::optional<Outcome> CheckVersion(const std::string& stream, uint64_t version) const;

  // The state of a live stream in *out (with If-Match checked on the first one loaded),
  // or the rejection of a command on one that is not.
  std::optional<Outcome> LoadClient(const std::string& id, const ClientState** out);
  std::optional<Outcome> LoadCase(const std::string& id, const CaseState** out);
  std::optional<Outcome> LoadLobby(const std::string& id, const LobbyState** out);

  std::optional<Outcome> KnownUser(const std::string& user_id) const;

  // One event on the stream of `s`, at the version it was read at.
  static Outcome OnClient(const ClientState& s, Event e);
  static Outcome OnCase(const CaseState& s, Event e);

 private:
  // If-Match applies to the first stream a command loads, and only to it.
  std::optional<Outcome> CheckFirstVersion(const std::string& stream, uint64_t version);

  const DecideContext& ctx_;
  StateView* states_;
  bool checked_version_ = false;  // If-Match applies to the first stream the command loads
};

}  // namespace caseengine
