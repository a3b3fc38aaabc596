// StrandDecider: the rules of the commands on a case's strands, its applications and
// assessments (internal to aggregates/; see decide.h): adding one, changing its status,
// and moving it to another case of the client.
//
// Invariants: the cardinality of every strand type holds after each command
// (strand_cardinality.h); a strand closed by a move keeps that status.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <optional>
#include <string>

#include "aggregates/decide.h"
#include "aggregates/decider_base.h"
#include "aggregates/strand_cardinality.h"

namespace caseengine {

class StrandDecider : public DeciderBase {
 public:
  StrandDecider(const DecideContext& ctx, StateView* states)
      : DeciderBase(ctx, states), cardinality_(states) {}

  Outcome operator()(const AddStrand& c);
  Outcome operator()(const ChangeStrandStatus& c);
  Outcome operator()(const MoveStrand& c);

 private:
  StrandCardinality cardinality_;
};

}  // namespace caseengine
