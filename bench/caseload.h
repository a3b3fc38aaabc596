// Caseload: one command_bench writer's view of what it created (clients, cases, strands,
// open actions), so that the commands it sends act on things that exist and the rules
// accept most of them (command_mix.h). Header-only; benchmarks only.
//
// Invariants: indexes into clients, cases and strands stay valid (entries are only
// added); `movable` may hold strands moved since (dropped lazily by the mix).
//
// Threading: guarded by `mu`, which its users lock (answers arrive on the log's threads).
#pragma once

#include <cstddef>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregates/strand_rules.h"

namespace caseengine::bench {

// One writer's view of what it created. Next updates it with what a command will change
// as it sends it, and Remember with the ids the answers give, so that the commands in
// flight do not contradict each other and the rules accept most of the mix, as they do a
// caseworker's requests: refusals should stay a small share.
struct Caseload {
  static constexpr size_t kNone = static_cast<size_t>(-1);
  struct Client {
    std::string id;
    std::vector<size_t> cases;
  };
  struct Case {
    std::string id;
    size_t client;
    bool open = true;
    bool supervisor_secondary = false;
    bool financial_assistance = false;  // one per case, so added at most once
    std::vector<size_t> members;        // clients added to the household
  };
  struct Strand {
    size_t kase;
    std::string id, type;
    std::string status = "open";  // open | closed | cancelled | closed_moved
  };
  struct Action {
    std::string case_id, id;
    size_t strand;  // kNone: about the case
  };

  std::mutex mu;
  std::vector<Client> clients;
  std::vector<Case> cases;
  std::vector<Strand> strands;
  std::vector<Action> actions;  // open ones
  std::vector<size_t> movable;  // strands of the types that move; moved ones dropped lazily
  // First cases of clients with no application yet: a client's one current Housing
  // Register or Homeless application goes there, so it never meets another.
  std::vector<size_t> fresh;
  std::unordered_map<std::string, size_t> client_at, case_at, strand_at;

  size_t AddCase(const std::string& id, size_t client) {
    cases.emplace_back();
    cases.back().id = id;
    cases.back().client = client;
    case_at[id] = cases.size() - 1;
    clients[client].cases.push_back(cases.size() - 1);
    return cases.size() - 1;
  }
  void AddStrand(size_t kase, const std::string& id, const std::string& type) {
    strands.push_back({kase, id, type});
    strand_at[id] = strands.size() - 1;
    if (StrandRules::Find(type)->movable) movable.push_back(strands.size() - 1);
  }

  // A few tries keep the mix near its shares as the caseload fills; kNone when they fail.
  size_t OpenCaseIndex(std::mt19937& rng) const {
    for (int tries = 0; tries < 4; ++tries) {
      const size_t k = rng() % cases.size();
      if (cases[k].open) return k;
    }
    return kNone;
  }
  size_t CurrentStrandIndex(std::mt19937& rng) const {
    for (int tries = 0; !strands.empty() && tries < 4; ++tries) {
      const size_t s = rng() % strands.size();
      if (strands[s].status == "open") return s;
    }
    return kNone;
  }
};

}  // namespace caseengine::bench
