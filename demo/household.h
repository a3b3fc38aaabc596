// Household: the script of one household of the demo caseload, a life over months: the
// first weeks (the applicant registered with a first case, officers and a team, the
// members joining, a Lobby referral decided), then the casework of the following months
// (applications and assessments, notes and actions, a second case with a moved
// application, applications closed, a member leaving, changes to the client record,
// closures and reopenings) and, for a referral still in the Lobby, its arrival in the
// last weeks.
//
// Each step comes some days after the one before (Soon, Later), on a working day, and
// carries that day's date. The first weeks always happen, squeezed into the days left when
// the household came late; a later step that would fall after the caseload's today ends
// the household (that part of its life is still to come).
//
// Invariants: the household keeps a model of its own records, from the answers, and asks
// only for what the rules allow; all of its random choices come from its own generator,
// in a fixed order. Threading: run by one worker at a time (DayScheduler).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "demo/day_scheduler.h"
#include "demo/made_up_people.h"
#include "demo/seeder.h"

namespace caseengine::demo {

class Household {
 public:
  Household(Seeder* seeder, int index)
      : seeder_(seeder),
        index_(index),
        rng_(seeder->seed(), index, Stream::kScript),
        shape_(seeder->shape(index)),
        day_(seeder->StartDay(index)),
        squeeze_(std::min(1.0, (seeder->calendar().last - day_) / 90.0)) {}

  Task Play();

 private:
  // What the household knows of its records, kept from the answers, so that it asks only
  // for what the rules allow. Households share nothing, so this is the whole truth.
  struct Strand {
    std::string id, type;
    bool current = true;
  };
  struct Action {
    std::string id, strand_id;
    int64_t due = 0;  // day
    bool open = true;
  };
  struct Case {
    std::string id, applicant, team;
    bool open = true;
    std::vector<std::pair<std::string, std::string>> officers;  // user, role
    std::vector<Strand> strands;
    std::vector<Action> actions;

    const Strand* Current(const std::string& type) const {
      for (const Strand& s : strands) {
        if (s.type == type && s.current) return &s;
      }
      return nullptr;
    }
    bool HasOfficer(const std::string& user, const std::string& role) const {
      return std::find(officers.begin(), officers.end(), std::make_pair(user, role)) !=
             officers.end();
    }
  };
  struct Member {
    std::string client_id, relationship;
    int age = 0;
    Case* own_case = nullptr;  // the first case their registration opened
    std::string date_joined;   // of their stay on the main case; empty once they left
  };

  // The first weeks (household.cc).
  Task RegisterApplicant();
  Task StaffCase(Case* kase);
  Task AssignOfficerTo(Case* kase, std::string user, std::string role);
  Task AddMembers();
  Task AddMember(std::string relationship, bool joint_applicant, PersonalFields person, int age);
  Task Refer();
  Task DecideReferral(std::string lobby_id, std::string source);
  // The following months (household_casework.cc).
  Task OpenApplications(Case* kase);
  Task AddApplication(Case* kase, std::string type);
  Task RecordWork(Case* kase);
  Task SecondCase();
  Task ProgressApplications();
  Task MemberLeaves();
  Task UpdateRecord();
  Task CloseOrReopen();

  // Each command is built in a statement of its own, never as a braced temporary inside
  // the co_await: GCC 12 destroys such a temporary twice.
  Call Run(const std::string& user, Command command) {
    return Call(seeder_, user, std::move(command));
  }

  // `co_await Soon(gap)`: the household's next step of its first weeks, `gap` days after
  // its last (moved off the weekend), at the latest on the caseload's today. A household
  // that started in the last three months has its gaps shortened in proportion, so that
  // it lives its first weeks in the days it has, not all on the last one. Always true
  // unless the seeding stopped.
  DayScheduler::Until Soon(int gap);
  // The same on `day`, or on the household's day if that is later, or on the caseload's
  // today if that is earlier.
  DayScheduler::Until At(int64_t day);
  // `co_await Later(gap)`: a step of the following months, `gap` days after the last one
  // (moved off the weekend). False, now and for every later step, when that day is after
  // the caseload's today.
  DayScheduler::Until Later(int gap);
  std::string Date(int64_t day) const;  // YYYY-MM-DD
  std::string Today() const { return Date(day_); }

  // The rules of strand_rules.h, over the household's own cases.
  bool MayAdd(const Case& kase, const std::string& type, const std::string& except = "") const;
  bool MayReopen(const Case& kase) const;

  Case& NewCase(const std::string& id, const std::string& applicant, const std::string& opener);
  PersonalFields MakePerson(const std::string& surname, bool female, int age);
  std::string PickCaseworker();
  std::string OtherUser(const std::string& than);
  std::string ClientType();
  std::string CurrentStrandOrNone(const Case& kase);

  Seeder* seeder_;
  const int index_;
  Rng rng_;
  const Shape shape_;
  int64_t day_;        // of the household's last step
  double squeeze_;     // Soon's gaps shrink by this for a household that started lately
  bool over_ = false;  // a step fell after the caseload's today: nothing more happens

  std::string caseworker_;  // who does most of the household's work
  std::string applicant_;   // client id
  PersonalFields applicant_details_;
  std::string applicant_type_;
  int applicant_age_ = 0;
  std::string surname_, area_, postcode_;
  std::deque<Case> cases_;  // a deque: Case pointers stay valid as cases are added
  Case* main_ = nullptr;
  std::vector<Member> members_;
};

// The coroutine of household `index`, for the DayScheduler.
Play PlayHousehold(Seeder* seeder, int index);

}  // namespace caseengine::demo
