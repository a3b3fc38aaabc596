// CaseDecider: the rules of the commands on a case (internal to aggregates/; see
// decide.h): its officers and team, the people of the household, its primary applicant,
// closing, reopening and deleting it, and its notes and actions.
//
// Invariants: a command that changes nothing gives no events; a case with current
// one-per-applicant strands never gives its primary applicant a second one; a client's
// last case is never deleted alone.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <optional>
#include <string>

#include "aggregates/decide.h"
#include "aggregates/decider_base.h"
#include "aggregates/strand_cardinality.h"

namespace caseengine {

class CaseDecider : public DeciderBase {
 public:
  CaseDecider(const DecideContext& ctx, StateView* states)
      : DeciderBase(ctx, states), cardinality_(states) {}

  Outcome operator()(const AssignOfficer& c);
  Outcome operator()(const UnassignOfficer& c);
  Outcome operator()(const AssignTeam& c);
  Outcome operator()(const AddPerson& c);
  Outcome operator()(const PersonLeaves& c);
  Outcome operator()(const SwitchPrimaryApplicant& c);
  Outcome operator()(const CloseCase& c);
  Outcome operator()(const ReopenCase& c);
  Outcome operator()(const DeleteCase& c);
  Outcome operator()(const AddNote& c);
  Outcome operator()(const CreateAction& c);
  Outcome operator()(const CompleteAction& c);

 private:
  std::optional<Outcome> KnownStrand(const CaseState& s, const std::string& strand_id) const;

  StrandCardinality cardinality_;
};

}  // namespace caseengine
