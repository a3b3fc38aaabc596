// CaseloadSeeder: writes a realistic, deterministic demo caseload of housing and
// homelessness casework through the real command path (CommandService, so every field
// check, rule and permission applies), for `caseengine seed` and for benchmarks and tests
// of the read side.
//
// The caseload is made of households. Each household is a small script (a primary
// applicant registered with their first case, partner and children added to it, officers
// and a team, a Lobby referral, applications and assessments, notes, actions, a second
// case with a moved application, members leaving, client record changes, closures and
// reopenings) drawn from a generator seeded by the seed and the household's index alone.
// So the commands of each household are the same whatever the thread interleaving; only
// generated ids and the order of households in the log differ between runs.
//
// A demo caseload is history made up for the occasion: it spreads over the last two years
// (`days`), and its log runs on a clock that walks through them (SeedClock, which the log
// and the command handler must read: see SeedOptions::clock). Each household starts on a
// day of its own and each step of its life comes days, weeks or months after the one
// before; steps run in calendar order across all households (day_scheduler.h), so events'
// recorded_at never go back and equal, in date, the business dates of the decisions (a
// case's opened_on, a date joined or left). Nothing happens after `as_of`: a household
// that started lately has lived only its first weeks. Only due dates of open actions may
// be ahead of it. Lobby removals are made together on the last day, after all
// households: each one starts a purge of the keys family.
//
// Invariants: in a normal run no command is refused (each script keeps a model of its
// own household and asks only for what the rules allow); households never touch each
// other's records, so the rules never see one household from another. Every client keeps
// at least one live case. Nobody joins a case before it opened.
//
// Threading: SeedCaseload blocks its caller. `threads` workers run the households due on
// the current day, all of whose commands are in flight together, so many commands share
// each group commit. `progress` is called on the caller's thread, a few times a second and
// once at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/command_service.h"
#include "aggregates/config.h"
#include "base/status.h"
#include "demo/seed_clock.h"

namespace caseengine {

struct SeedOptions {
  int clients = 1000;  // client records to create (household members and Lobby clients count)
  uint64_t seed = 1;   // the same seed and options give the same commands for each household
  int threads = 2;     // worker threads; the writer thread, not these, is the bottleneck
  // Required: the clock the log (EventLogOptions::clock) and the handler
  // (CommandServiceOptions::today) read. The seeding walks it through the caseload's days
  // and gives it back to the real time when it ends. The log must not hold events recorded
  // after the first of those days (seed an empty one).
  SeedClock* clock = nullptr;
  // The caseload's today, YYYY-MM-DD; empty: the clock's. Not after the clock's today.
  std::string as_of;
  int days = 730;  // households start over the days before as_of: about two years
  std::function<void(int clients_done)> progress;  // optional, called now and then
};

struct SeedReport {
  int clients = 0, cases = 0, strands = 0, moves = 0, notes = 0, actions = 0, lobby = 0;
  int commands = 0;
  int refused = 0;                    // commands a rule or a field check said no to
  std::vector<std::string> refusals;  // the first few of them, "Command: rule: message"
  uint64_t last_position = 0;         // of the last event written
  std::string first_day, last_day;    // the days the caseload spreads over (YYYY-MM-DD)
};

// Writes the caseload through `handler` as the users "admin", "officer" and "supervisor"
// of `config` (the demo configuration has them). A failure of the log (not a refusal)
// stops the seeding and is returned; `report` then says what was written before it.
Status SeedCaseload(CommandService* handler, const DomainConfig& config, const SeedOptions& options,
                    SeedReport* report);

}  // namespace caseengine
