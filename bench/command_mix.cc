// The command mix of command_bench: see command_mix.h.
#include "bench/command_mix.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "aggregates/strand_rules.h"

namespace caseengine::bench {
namespace {

Command Register(Caseload&, std::mt19937& rng) {
  RegisterClient c;
  c.personal.surname = "Client" + std::to_string(rng() % 100000);
  c.personal.forenames = "Alex";
  c.personal.date_of_birth = "1980-05-17";
  c.personal.postcode = "AB1 2CD";
  return c;
}

// Every command that finds nothing to act on becomes a note: the most common of them.
Command Note(Caseload& load, std::mt19937& rng) {
  const char* text = "Client called about the application; advised on documents.";
  // Some notes are about an application, as the ones a move warns it leaves behind.
  if (rng() % 3 == 0) {
    const size_t s = load.CurrentStrandIndex(rng);
    if (s != Caseload::kNone) {
      return AddNote{load.cases[load.strands[s].kase].id, text, load.strands[s].id};
    }
  }
  return AddNote{load.cases[rng() % load.cases.size()].id, text, ""};
}

Command Officer(Caseload& load, std::mt19937& rng) {
  Caseload::Case& kase = load.cases[rng() % load.cases.size()];
  kase.supervisor_secondary = !kase.supervisor_secondary;
  if (kase.supervisor_secondary) return AssignOfficer{kase.id, "supervisor", "secondary"};
  return UnassignOfficer{kase.id, "supervisor", "secondary"};
}

Command NewAction(Caseload& load, std::mt19937& rng) {
  if (rng() % 3 == 0) {
    const size_t s = load.CurrentStrandIndex(rng);
    if (s != Caseload::kNone) {
      return CreateAction{load.cases[load.strands[s].kase].id, "Request medical evidence",
                          "2026-12-01", load.strands[s].id};
    }
  }
  return CreateAction{load.cases[rng() % load.cases.size()].id, "Check identity documents",
                      "2026-12-01", ""};
}

std::optional<Command> Complete(Caseload& load, std::mt19937& rng) {
  while (!load.actions.empty()) {
    std::swap(load.actions[rng() % load.actions.size()], load.actions.back());
    const Caseload::Action a = std::move(load.actions.back());
    load.actions.pop_back();
    // A move closed the open actions of the application it moved.
    if (a.strand != Caseload::kNone && load.strands[a.strand].status == "closed_moved") continue;
    return CompleteAction{a.case_id, a.id};
  }
  return std::nullopt;
}

std::optional<Command> Member(Caseload& load, std::mt19937& rng) {
  static const char* const kRelationships[] = {"partner", "child", "parent", "other"};
  for (int tries = 0; tries < 4; ++tries) {
    Caseload::Case& kase = load.cases[rng() % load.cases.size()];
    const size_t person = rng() % load.clients.size();
    if (person == kase.client ||
        std::find(kase.members.begin(), kase.members.end(), person) != kase.members.end()) {
      continue;
    }
    kase.members.push_back(person);
    return AddPerson{kase.id, load.clients[person].id,
                     kRelationships[rng() % std::size(kRelationships)], false, ""};
  }
  return std::nullopt;
}

Command CloseOrReopen(Caseload& load, std::mt19937& rng) {
  Caseload::Case& kase = load.cases[rng() % load.cases.size()];
  kase.open = !kase.open;
  if (kase.open) return ReopenCase{kase.id, "re-approached"};
  return CloseCase{kase.id, "housed"};
}

std::optional<Command> NewStrand(Caseload& load, std::mt19937& rng) {
  if (rng() % 10 < 3) {
    while (!load.fresh.empty()) {
      const Caseload::Case& first = load.cases[load.fresh.back()];
      load.fresh.pop_back();
      if (!first.open) continue;
      return AddStrand{first.id, rng() % 2 ? "housing_register" : "homeless_application"};
    }
  }
  const size_t k = load.OpenCaseIndex(rng);
  if (k == Caseload::kNone) return std::nullopt;
  Caseload::Case& kase = load.cases[k];
  static const char* const kMany[] = {"homeless_referral", "homeless_referral", "review", "review",
                                      "risk_assessment",   "health_assessment"};
  if (!kase.financial_assistance && rng() % 10 == 0) {
    kase.financial_assistance = true;
    return AddStrand{kase.id, "financial_assistance"};
  }
  return AddStrand{kase.id, kMany[rng() % std::size(kMany)]};
}

std::optional<Command> StrandStatus(Caseload& load, std::mt19937& rng) {
  for (int tries = 0; !load.strands.empty() && tries < 4; ++tries) {
    Caseload::Strand& s = load.strands[rng() % load.strands.size()];
    if (s.status == "closed_moved") continue;
    if (s.status == "open") {
      s.status = rng() % 4 ? "closed" : "cancelled";
    } else {
      // Reopened, an application counts again: only on an open case.
      if (!load.cases[s.kase].open) continue;
      s.status = "open";
    }
    return ChangeStrandStatus{load.cases[s.kase].id, s.id, s.status};
  }
  return std::nullopt;
}

// An application moves to another open case of the same client, as when the client
// approaches again and casework continues on the new case.
std::optional<Command> Move(Caseload& load, std::mt19937& rng) {
  for (int tries = 0; !load.movable.empty() && tries < 16; ++tries) {
    const size_t i = rng() % load.movable.size();
    Caseload::Strand& s = load.strands[load.movable[i]];
    if (s.status == "closed_moved") {
      load.movable[i] = load.movable.back();
      load.movable.pop_back();
      continue;
    }
    if (s.status != "open") continue;
    const Caseload::Case& from = load.cases[s.kase];
    std::vector<size_t> targets;
    for (size_t k : load.clients[from.client].cases) {
      if (k != s.kase && load.cases[k].open) targets.push_back(k);
    }
    if (targets.empty()) continue;
    s.status = "closed_moved";
    return MoveStrand{from.id, s.id, load.cases[targets[rng() % targets.size()]].id};
  }
  return std::nullopt;
}

Command OpenAnother(Caseload& load, std::mt19937& rng) {
  return OpenCase{load.clients[rng() % load.clients.size()].id};
}

// A kind that always finds something to act on.
template <Command (*make)(Caseload&, std::mt19937&)>
std::optional<Command> Always(Caseload& load, std::mt19937& rng) {
  return make(load, rng);
}

// The mix of command_bench.cc's file comment, share by share (percent). A kind with nothing to act
// on gives nothing, and a note is sent instead.
using Maker = std::optional<Command> (*)(Caseload&, std::mt19937&);
constexpr std::pair<int, Maker> kMix[] = {
    {10, Always<Register>},
    {5, Always<OpenAnother>},
    {25, Always<Note>},
    {10, Always<Officer>},
    {10, Always<NewAction>},
    {7, Complete},
    {5, Member},
    {3, Always<CloseOrReopen>},
    {12, NewStrand},
    {8, StrandStatus},
    {5, Move},
};
constexpr int MixTotal() {
  int total = 0;
  for (const auto& share : kMix) total += share.first;
  return total;
}
static_assert(MixTotal() == 100, "the mix's shares are percent");

}  // namespace

Command Next(Caseload& load, std::mt19937& rng) {
  std::lock_guard<std::mutex> lock(load.mu);
  int roll = static_cast<int>(rng() % 100);
  if (load.cases.empty()) return Register(load, rng);
  for (const auto& [percent, make] : kMix) {
    if (roll >= percent) {
      roll -= percent;
      continue;
    }
    std::optional<Command> c = make(load, rng);
    return c ? *std::move(c) : Note(load, rng);
  }
  return Note(load, rng);  // not reached: the shares add up to 100
}

void Remember(Caseload& load, const Command& c, const CommandResult& r) {
  if (!r.ok() || r.duplicate) return;
  std::lock_guard<std::mutex> lock(load.mu);
  if (std::holds_alternative<RegisterClient>(c)) {
    load.clients.push_back({r.response["client_id"], {}});
    load.client_at[load.clients.back().id] = load.clients.size() - 1;
    load.fresh.push_back(load.AddCase(r.response["case_id"], load.clients.size() - 1));
  } else if (auto* open = std::get_if<OpenCase>(&c)) {
    load.AddCase(r.response["case_id"], load.client_at.at(open->client_id));
  } else if (auto* action = std::get_if<CreateAction>(&c)) {
    const size_t strand =
        action->strand_id.empty() ? Caseload::kNone : load.strand_at.at(action->strand_id);
    load.actions.push_back({action->case_id, r.response["action_id"], strand});
  } else if (auto* add = std::get_if<AddStrand>(&c)) {
    const size_t kase = load.case_at.at(add->case_id);
    load.AddStrand(kase, r.response["strand_id"], add->type);
    // A Housing Register application brings its Bedroom assessment.
    for (const auto& created : r.response.value("created", nlohmann::json::array())) {
      load.AddStrand(kase, created["strand_id"], created["type"]);
    }
  } else if (auto* move = std::get_if<MoveStrand>(&c)) {
    const std::string type = load.strands[load.strand_at.at(move->strand_id)].type;
    load.AddStrand(load.case_at.at(move->target_case_id), r.response["new_strand_id"], type);
  }
}

}  // namespace caseengine::bench
