// The command mix of command_bench (see its file comment for the shares): the next
// command a writer sends, drawn from its Caseload, and what an answer adds to it.
// Benchmarks only.
//
// Invariants: a command is drawn against what its writer's Caseload says will be true
// once the commands in flight are applied, so the rules refuse almost none; a kind with
// nothing to act on becomes a note.
//
// Threading: Next and Remember lock the Caseload's mutex; any thread.
#pragma once

#include <random>

#include "aggregates/command.h"
#include "app/command_service.h"
#include "bench/caseload.h"

namespace caseengine::bench {

// The next command of the mix for a writer, its Caseload updated with what it changes.
Command Next(Caseload& load, std::mt19937& rng);

// Adds what an accepted command created (the ids in its answer) to the writer's Caseload.
void Remember(Caseload& load, const Command& c, const CommandResult& r);

// Who sends a command: the officer does the casework, the supervisor the moves, which need
// the move_strands permission the demo officer lacks.
struct Senders {
  Actor officer, supervisor;
  const Actor& For(const Command& c) const {
    return std::holds_alternative<MoveStrand>(c) ? supervisor : officer;
  }
};

}  // namespace caseengine::bench
