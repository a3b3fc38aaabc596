// ClientDecider: the rules of the commands on a client (internal to aggregates/; see
// decide.h): registering one (with its first case), correcting its details, its status,
// type, case number, groups, navigators and portal account, opening another case for it,
// and deleting, erasing and restoring it with its cases.
//
// Invariants: a command that changes nothing gives no events; deleting a client deletes
// its live cases, and erasing it also destroys the keys of all its cases and removes the
// referrals it came from.
//
// Threading: one decision on one thread (the log's writer thread); never shared.
#pragma once

#include <optional>
#include <string>

#include "aggregates/decide.h"
#include "aggregates/decider_base.h"

namespace caseengine {

class ClientDecider : public DeciderBase {
 public:
  ClientDecider(const DecideContext& ctx, StateView* states) : DeciderBase(ctx, states) {}

  Outcome operator()(const RegisterClient& c);
  Outcome operator()(const CorrectClientDetails& c);
  Outcome operator()(const ChangeClientStatus& c);
  Outcome operator()(const ChangeClientType& c);
  Outcome operator()(const ChangeCaseNumber& c);
  Outcome operator()(const AddClientToGroup& c);
  Outcome operator()(const RemoveClientFromGroup& c);
  Outcome operator()(const AssignNavigator& c);
  Outcome operator()(const UnassignNavigator& c);
  Outcome operator()(const ChangePortalStatus& c);
  Outcome operator()(const SendPortalInvitation& c);
  Outcome operator()(const OpenCase& c);
  Outcome operator()(const DeleteClient& c);
  Outcome operator()(const RestoreClient& c);
};

}  // namespace caseengine
