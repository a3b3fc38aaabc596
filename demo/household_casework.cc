// Household, the following months of its casework: see household.h. Each step comes some
// days after the one before (Later) and stops the household when it would fall after the
// caseload's today.
#include <cstdio>

#include "demo/casework_words.h"
#include "demo/household.h"

namespace caseengine::demo {

Task Household::OpenApplications(Case* kase) {
  // What the first interviews find, decided now; applied for over the following weeks.
  std::vector<std::string> types;
  if (rng_.Chance(0.12)) types.push_back("homeless_referral");
  if (rng_.Chance(0.55)) {
    const bool legacy = rng_.Chance(0.04);
    types.push_back(legacy ? "homeless_application_legacy" : "homeless_application");
  }
  if (rng_.Chance(0.45)) types.push_back("housing_register");
  const bool rough_sleeper = members_.empty() && rng_.Chance(0.15);
  if (rough_sleeper) types.push_back("rough_sleeper");
  if (rng_.Chance(0.25)) types.push_back("health_assessment");
  if (rng_.Chance(rough_sleeper ? 0.5 : 0.15)) types.push_back("risk_assessment");
  if (rng_.Chance(0.15)) types.push_back("financial_assistance");
  if (rng_.Chance(0.15)) types.push_back("review");
  for (const std::string& type : types) {
    if (!co_await Later(rng_.Uniform(1, 14))) co_return;
    co_await AddApplication(kase, type);
  }
}

Task Household::AddApplication(Case* kase, std::string type) {
  if (!MayAdd(*kase, type)) co_return;
  const std::string user = rng_.Chance(0.85) ? caseworker_ : OtherUser(caseworker_);
  const AddStrand adding{kase->id, type};
  CommandResult r = co_await Run(user, adding);
  if (!r.ok()) co_return;
  kase->strands.push_back({r.response.value("strand_id", ""), type});
  seeder_->tally().strands++;
  // A Housing Register application brings its Bedroom assessment.
  if (r.response.contains("created")) {
    for (const auto& created : r.response["created"]) {
      kase->strands.push_back({created.value("strand_id", ""), created.value("type", "")});
      seeder_->tally().strands++;
    }
  }
}

Task Household::RecordWork(Case* kase) {
  const int notes = rng_.Uniform(1, 4);
  for (int i = 0; i < notes; ++i) {
    if (!co_await Later(rng_.Uniform(2, 30))) co_return;
    std::string text = rng_.Pick(kSituations);
    if (rng_.Chance(0.6)) text += std::string(" ") + rng_.Pick(kFollowUps);
    const std::string strand = rng_.Chance(0.5) ? CurrentStrandOrNone(*kase) : "";
    const std::string user = rng_.Chance(0.8) ? caseworker_ : OtherUser(caseworker_);
    const AddNote note{kase->id, text, strand};
    CommandResult r = co_await Run(user, note);
    if (r.ok()) seeder_->tally().notes++;
  }
  const int actions = rng_.Uniform(0, 3);
  for (int i = 0; i < actions; ++i) {
    if (!co_await Later(rng_.Uniform(0, 10))) co_return;
    const std::string title = rng_.Pick(kActionTitles);
    const int64_t due = day_ + rng_.Uniform(3, 28);
    const std::string strand = rng_.Chance(0.4) ? CurrentStrandOrNone(*kase) : "";
    const CreateAction action{kase->id, title, Date(due), strand};
    CommandResult r = co_await Run(caseworker_, action);
    if (!r.ok()) continue;
    kase->actions.push_back({r.response.value("action_id", ""), strand, due});
    seeder_->tally().actions++;
  }
  for (Action& action : kase->actions) {
    if (!action.open || !rng_.Chance(0.4)) continue;
    // Done around the day it was due; one due after the caseload's today is still open.
    if (action.due > seeder_->calendar().last) continue;
    if (!co_await Later(rng_.Uniform(1, 21))) co_return;
    const std::string user = rng_.Chance(0.7) ? caseworker_ : OtherUser(caseworker_);
    const CompleteAction completion{kase->id, action.id};
    CommandResult r = co_await Run(user, completion);
    if (r.ok()) action.open = false;
  }
}

Task Household::SecondCase() {
  // The client approaches again, months later: a new case, and the homeless application
  // (or a referral) moves to it; moving needs the supervisor's permission.
  const Strand* moving = nullptr;
  for (const char* type :
       {"homeless_application", "homeless_application_legacy", "homeless_referral"}) {
    if (moving == nullptr) moving = main_->Current(type);
  }
  if (moving == nullptr || !rng_.Chance(0.2)) co_return;
  const std::string strand_id = moving->id, type = moving->type;
  if (!co_await Later(rng_.Uniform(30, 180))) co_return;
  const std::string opener = PickCaseworker();
  const OpenCase opening{applicant_};
  CommandResult r = co_await Run(opener, opening);
  if (!r.ok()) co_return;
  Case& second = NewCase(r.response.value("case_id", ""), applicant_, opener);
  seeder_->tally().cases++;
  if (!MayAdd(second, type, strand_id)) co_return;
  if (!co_await Later(rng_.Uniform(0, 3))) co_return;
  const MoveStrand move{main_->id, strand_id, second.id};
  r = co_await Run("supervisor", move);
  if (!r.ok()) co_return;
  seeder_->tally().moves++;
  for (Strand& s : main_->strands) {
    if (s.id == strand_id) s.current = false;  // closed_moved
  }
  for (Action& a : main_->actions) {
    if (a.strand_id == strand_id) a.open = false;  // closed by the move
  }
  second.strands.push_back({r.response.value("new_strand_id", ""), type});
  const AddNote note{second.id,
                     "New approach; the application was moved here from the earlier case. Its "
                     "notes stay there.",
                     ""};
  r = co_await Run(opener, note);
  if (r.ok()) seeder_->tally().notes++;
  if (rng_.Chance(0.6)) {
    if (!co_await Later(rng_.Uniform(0, 14))) co_return;
    const CloseCase closing{main_->id, "Superseded: casework continues on a new case"};
    r = co_await Run(caseworker_, closing);
    if (r.ok()) main_->open = false;
  }
}

Task Household::ProgressApplications() {
  for (Case& kase : cases_) {
    for (Strand& strand : kase.strands) {
      if (!strand.current) continue;
      // Assessments get done; applications mostly run on.
      double closes = 0.3, cancels = 0.05;
      if (strand.type == "health_assessment" || strand.type == "review") closes = 0.5;
      if (strand.type == "bedroom_assessment") closes = 0.6;
      if (strand.type == "housing_register") {
        closes = 0.05;
        cancels = 0.08;
      }
      if (strand.type.rfind("homeless_application", 0) == 0) closes = 0.15;
      if (strand.type == "homeless_referral") cancels = 0.1;
      const double roll = rng_.Unit();
      const std::string status = roll < closes             ? "closed"
                                 : roll < closes + cancels ? "cancelled"
                                                           : "";
      if (status.empty()) continue;
      if (!co_await Later(rng_.Uniform(7, 45))) co_return;
      const ChangeStrandStatus change{kase.id, strand.id, status};
      CommandResult r = co_await Run(caseworker_, change);
      if (r.ok()) strand.current = false;
    }
  }
}

Task Household::MemberLeaves() {
  std::vector<Member*> on_case;
  for (Member& m : members_) {
    if (!m.date_joined.empty()) on_case.push_back(&m);
  }
  if (on_case.empty() || !rng_.Chance(0.15)) co_return;
  Member& member = *on_case[rng_.Below(on_case.size())];
  if (!co_await Later(rng_.Uniform(14, 120))) co_return;
  const std::string left = Today();
  const PersonLeaves leaving{main_->id, member.client_id, left};
  CommandResult r = co_await Run(caseworker_, leaving);
  if (!r.ok()) co_return;
  member.date_joined.clear();
  Case* own = member.own_case;
  if (member.age >= 18 && !own->open && rng_.Chance(0.5) && MayReopen(*own)) {
    // Moved out: their own case opens again for their own housing need.
    const ReopenCase reopening{own->id, "Left the household: own housing need"};
    r = co_await Run(caseworker_, reopening);
    if (!r.ok()) co_return;
    own->open = true;
    if (rng_.Chance(0.5)) {
      if (!co_await Later(rng_.Uniform(0, 14))) co_return;
      co_await AddApplication(own, "homeless_application");
    }
  } else if (rng_.Chance(0.15)) {
    // Back again, weeks later: a new stay on the case.
    if (!co_await Later(rng_.Uniform(14, 90))) co_return;
    const std::string back = Today();
    const AddPerson rejoining{main_->id, member.client_id, member.relationship, false, back};
    r = co_await Run(caseworker_, rejoining);
    if (r.ok()) member.date_joined = back;
  }
}

Task Household::UpdateRecord() {
  const std::vector<std::string>& types = seeder_->client_types();
  if (types.size() > 1 && rng_.Chance(0.12)) {
    std::vector<std::string> others;
    for (const std::string& t : types) {
      if (t != applicant_type_) others.push_back(t);
    }
    const std::string type = rng_.Pick(others);
    if (!co_await Later(rng_.Uniform(1, 20))) co_return;
    const ChangeClientType change{applicant_, type};
    CommandResult r = co_await Run(caseworker_, change);
    if (r.ok()) applicant_type_ = type;
  }
  if (rng_.Chance(0.25)) {
    if (!co_await Later(rng_.Uniform(1, 20))) co_return;
    char number[32];
    std::snprintf(number, sizeof number, "HO%07d", index_ + 1);
    const ChangeCaseNumber change{applicant_, number};
    co_await Run("supervisor", change);
  }
  if (rng_.Chance(0.25)) {
    std::vector<std::string> groups = {rng_.Pick(kGroups)};
    if (rng_.Chance(0.3)) {
      const std::string second = rng_.Pick(kGroups);
      if (second != groups[0]) groups.push_back(second);
    }
    if (!co_await Later(rng_.Uniform(1, 20))) co_return;
    for (const std::string& group : groups) {
      const AddClientToGroup joining{applicant_, group};
      co_await Run(caseworker_, joining);
    }
    if (rng_.Chance(0.1)) {
      if (!co_await Later(rng_.Uniform(14, 90))) co_return;
      const RemoveClientFromGroup leaving{applicant_, groups[0]};
      co_await Run(caseworker_, leaving);
    }
  }
  if (rng_.Chance(0.2)) {
    const std::string navigator = rng_.Pick(kUsers);
    if (!co_await Later(rng_.Uniform(1, 20))) co_return;
    const AssignNavigator assignment{applicant_, navigator};
    CommandResult r = co_await Run(caseworker_, assignment);
    if (r.ok() && rng_.Chance(0.1)) {
      if (!co_await Later(rng_.Uniform(14, 90))) co_return;
      const UnassignNavigator unassignment{applicant_, navigator};
      co_await Run(caseworker_, unassignment);
    }
  }
  if (applicant_details_.email && rng_.Chance(0.2)) {
    const std::string sender = rng_.Chance(0.8) ? "supervisor" : "admin";
    if (!co_await Later(rng_.Uniform(1, 20))) co_return;
    const SendPortalInvitation invitation{applicant_};
    CommandResult r = co_await Run(sender, invitation);
    if (r.ok()) {
      if (rng_.Chance(0.08)) {
        if (!co_await Later(rng_.Uniform(3, 14))) co_return;
        co_await Run(sender, invitation);  // a resend
      }
      if (rng_.Chance(0.6)) {
        if (!co_await Later(rng_.Uniform(0, 7))) co_return;
        const ChangePortalStatus activation{applicant_, "active"};
        co_await Run(caseworker_, activation);
      } else if (rng_.Chance(0.03)) {
        if (!co_await Later(rng_.Uniform(7, 60))) co_return;
        const ChangePortalStatus ban{applicant_, "banned"};
        co_await Run("supervisor", ban);
      }
    }
  }
  if (rng_.Chance(0.08)) {
    // Details change: a new phone, a move within the area, or the NI number at last.
    PersonalFields change;
    const uint64_t what = rng_.Below(3);
    if (what == 2 && !applicant_details_.nino) {
      change.nino = MakeNino(rng_);
    } else if (what == 1) {
      change.postcode = MakePostcode(rng_, area_);
    } else {
      change.phone = MakePhone(rng_);
    }
    if (!co_await Later(rng_.Uniform(1, 30))) co_return;
    const CorrectClientDetails correction{applicant_, change};
    CommandResult r = co_await Run(caseworker_, correction);
    if (r.ok()) applicant_details_.Merge(change);
  }
}

Task Household::CloseOrReopen() {
  for (Case& kase : cases_) {
    if (kase.applicant != applicant_ || !kase.open || !rng_.Chance(0.4)) continue;
    // Closed months after it opened; now and then opened again weeks or months later.
    if (!co_await Later(rng_.Uniform(14, 120))) co_return;
    const std::string user = rng_.Chance(0.8) ? caseworker_ : OtherUser(caseworker_);
    const CloseCase closing{kase.id, rng_.Pick(kCloseReasons)};
    CommandResult r = co_await Run(user, closing);
    if (!r.ok()) continue;
    kase.open = false;
    if (rng_.Chance(0.12) && MayReopen(kase)) {
      if (!co_await Later(rng_.Uniform(21, 150))) co_return;
      const ReopenCase reopening{kase.id, rng_.Pick(kReopenReasons)};
      r = co_await Run(caseworker_, reopening);
      if (r.ok()) kase.open = true;
    }
  }
  bool any_open = false;
  for (const Case& kase : cases_) {
    if (kase.applicant == applicant_ && kase.open) any_open = true;
  }
  if (!any_open && rng_.Chance(0.5)) {
    if (!co_await Later(rng_.Uniform(0, 30))) co_return;
    const ChangeClientStatus closing{applicant_, "closed"};
    co_await Run(caseworker_, closing);
  } else if (any_open && rng_.Chance(0.05)) {
    if (!co_await Later(rng_.Uniform(30, 120))) co_return;
    const ChangeClientStatus resting{applicant_, "inactive"};
    co_await Run(caseworker_, resting);
  }
}

}  // namespace caseengine::demo
