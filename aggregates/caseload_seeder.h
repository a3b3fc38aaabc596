// CaseloadSeeder: writes a realistic, deterministic caseload of housing and homelessness
// casework through the real command path (CommandHandler, so every field check, rule and
// permission applies), for `caseengine seed` and for benchmarks of the read side.
//
// The caseload is made of households. Each household is a small script (a primary
// applicant registered with their first case, partner and children added to it, officers
// and a team, applications and assessments, notes, actions, a second case with a moved
// application, closures and reopenings, client record changes, Lobby referrals) drawn
// from a generator seeded by the seed and the household's index alone. So the commands of
// each household are the same whatever the thread interleaving; only generated ids and
// the order of households in the log differ between runs. Lobby removals are made after
// all households, together: each one starts a purge of the keys family.
//
// Invariants: in a normal run no command is refused (each script keeps a model of its
// own household and asks only for what the rules allow); households never touch each
// other's records, so the rules never see one household from another. Every client keeps
// at least one live case.
//
// Threading: SeedCaseload blocks its caller. `threads` workers each keep several
// households in flight (C++20 coroutines resumed by their worker when an answer comes
// back), so many commands share each group commit. `progress` is called on the caller's
// thread, a few times a second and once at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aggregates/command_handler.h"
#include "aggregates/config.h"
#include "base/status.h"

namespace caseengine {

struct SeedOptions {
  int clients = 1000;  // client records to create (household members and Lobby clients count)
  uint64_t seed = 1;   // the same seed and options give the same commands for each household
  int threads = 2;     // worker threads; the writer thread, not these, is the bottleneck
  int households_per_thread = 32;  // households each worker keeps in flight
  // The seeded caseload's "now", YYYY-MM-DD, for the dates it makes up (births, dates joined
  // and left, due dates); empty: today (UTC). Keep it at the handler's today or earlier.
  std::string as_of;
  std::function<void(int clients_done)> progress;  // optional, called now and then
};

struct SeedReport {
  int clients = 0, cases = 0, strands = 0, moves = 0, notes = 0, actions = 0, lobby = 0;
  int commands = 0;
  int refused = 0;                    // commands a rule or a field check said no to
  std::vector<std::string> refusals;  // the first few of them, "Command: rule: message"
  uint64_t last_position = 0;         // of the last event written
};

// Writes the caseload through `handler` as the users "admin", "officer" and "supervisor"
// of `config` (the demo configuration has them). A failure of the log (not a refusal)
// stops the seeding and is returned; `report` then says what was written before it.
Status SeedCaseload(CommandHandler* handler, const DomainConfig& config, const SeedOptions& options,
                    SeedReport* report);

}  // namespace caseengine
