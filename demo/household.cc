// Household, its first weeks and the helpers of its script: see household.h.
#include "demo/household.h"

#include <algorithm>

#include "aggregates/strand_rules.h"
#include "base/time_format.h"
#include "demo/casework_words.h"

namespace caseengine::demo {
namespace {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

}  // namespace

Play PlayHousehold(Seeder* seeder, int index) {
  Household household(seeder, index);
  co_await household.Play();
}

Task Household::Play() {
  co_await RegisterApplicant();
  if (main_ == nullptr) co_return;
  co_await StaffCase(main_);
  co_await AddMembers();
  const bool undecided =
      shape_.referral == Referral::kWaiting || shape_.referral == Referral::kClaimed;
  if (shape_.referral != Referral::kNone && !undecided) co_await Refer();
  co_await OpenApplications(main_);
  co_await RecordWork(main_);
  co_await SecondCase();
  co_await ProgressApplications();
  co_await MemberLeaves();
  co_await UpdateRecord();
  co_await CloseOrReopen();
  if (undecided) co_await Refer();
}

DayScheduler::Until Household::Soon(int gap) {
  return At(day_ + static_cast<int64_t>(gap * squeeze_ + 0.5));
}

DayScheduler::Until Household::At(int64_t day) {
  day_ = std::max(day_, std::min(Workday(day, day_), seeder_->calendar().last));
  return {&seeder_->days(), day_, true};
}

DayScheduler::Until Household::Later(int gap) {
  const int64_t day = Workday(day_ + gap, day_);
  if (over_ || day > seeder_->calendar().last) {
    over_ = true;
    return {&seeder_->days(), day_, false};
  }
  day_ = day;
  return {&seeder_->days(), day_, true};
}

std::string Household::Date(int64_t day) const { return MicrosToDate(day * kDayMicros); }

Task Household::RegisterApplicant() {
  caseworker_ = PickCaseworker();
  const bool single_parent = !shape_.partner && shape_.children > 0;
  const bool female = rng_.Chance(single_parent ? 0.85 : 0.55);
  const uint64_t band = rng_.Below(100);
  applicant_age_ = band < 20   ? rng_.Uniform(18, 24)
                   : band < 50 ? rng_.Uniform(25, 34)
                   : band < 80 ? rng_.Uniform(35, 49)
                   : band < 95 ? rng_.Uniform(50, 64)
                               : rng_.Uniform(65, 88);
  if (shape_.children > 0) applicant_age_ = std::clamp(applicant_age_, 20, 55);
  surname_ = rng_.Pick(kSurnames);
  area_ = rng_.Pick(kPostcodeAreas);
  postcode_ = MakePostcode(rng_, area_);
  applicant_details_ = MakePerson(surname_, female, applicant_age_);
  applicant_type_ = ClientType();
  const RegisterClient registration{applicant_details_, applicant_type_};
  CommandResult r = co_await Run(caseworker_, registration);
  if (!r.ok()) co_return;
  applicant_ = r.response.value("client_id", "");
  main_ = &NewCase(r.response.value("case_id", ""), applicant_, caseworker_);
  seeder_->tally().clients++;
  seeder_->tally().cases++;
}

Task Household::StaffCase(Case* kase) {
  if (rng_.Chance(0.3) && !seeder_->case_teams().empty()) {
    const std::string team = rng_.Pick(seeder_->case_teams());
    const std::string user = rng_.Chance(0.5) ? caseworker_ : "supervisor";
    if (team != kase->team) {
      co_await Soon(rng_.Uniform(0, 2));
      const AssignTeam assignment{kase->id, team};
      CommandResult r = co_await Run(user, assignment);
      if (r.ok()) kase->team = team;
    }
  }
  if (rng_.Chance(0.5)) {
    co_await Soon(rng_.Uniform(0, 5));
    co_await AssignOfficerTo(kase, OtherUser(caseworker_), "secondary");
  }
  if (rng_.Chance(0.3)) {
    co_await Soon(rng_.Uniform(0, 10));
    co_await AssignOfficerTo(kase, "supervisor", "supervisor");
  }
  if (rng_.Chance(0.08)) {
    co_await Soon(rng_.Uniform(0, 10));
    co_await AssignOfficerTo(kase, rng_.Pick(kUsers), "other");
  }
  if (rng_.Chance(0.06)) {
    // A hand-over: the new primary officer first, so the case is never without one.
    co_await Soon(rng_.Uniform(7, 30));
    const std::string next = OtherUser(caseworker_);
    co_await AssignOfficerTo(kase, next, "primary");
    if (kase->HasOfficer(next, "primary") && kase->HasOfficer(caseworker_, "primary")) {
      const UnassignOfficer handed_over{kase->id, caseworker_, "primary"};
      CommandResult r = co_await Run(next, handed_over);
      if (r.ok()) std::erase(kase->officers, std::make_pair(caseworker_, std::string("primary")));
    }
  }
}

Task Household::AssignOfficerTo(Case* kase, std::string user, std::string role) {
  if (kase->HasOfficer(user, role)) co_return;
  const AssignOfficer assignment{kase->id, user, role};
  CommandResult r = co_await Run(caseworker_, assignment);
  if (r.ok()) kase->officers.emplace_back(user, role);
}

Task Household::AddMembers() {
  // Members join within the first weeks, one after another.
  if (shape_.partner) {
    co_await Soon(rng_.Uniform(0, 14));
    const int age = std::clamp(applicant_age_ + rng_.Uniform(-6, 8), 18, 95);
    const std::string surname = rng_.Chance(0.55) ? surname_ : rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    const std::string relationship = rng_.Chance(0.75) ? "partner" : "spouse";
    const bool joint = rng_.Chance(0.8);
    const PersonalFields partner = MakePerson(surname, female, age);
    co_await AddMember(relationship, joint, partner, age);
  }
  if (!shape_.relative.empty()) {
    co_await Soon(rng_.Uniform(0, 14));
    int age = rng_.Uniform(18, 70);
    if (shape_.relative == "parent") age = std::min(95, applicant_age_ + rng_.Uniform(20, 34));
    if (shape_.relative == "sibling") {
      age = std::clamp(applicant_age_ + rng_.Uniform(-8, 8), 16, 95);
    }
    const std::string surname =
        shape_.relative != "other" && rng_.Chance(0.7) ? surname_ : rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    const bool joint = rng_.Chance(0.1);
    const PersonalFields relative = MakePerson(surname, female, age);
    co_await AddMember(shape_.relative, joint, relative, age);
  }
  for (int i = 0; i < shape_.children; ++i) {
    co_await Soon(rng_.Uniform(0, 7));
    const int age = rng_.Uniform(0, std::min(17, applicant_age_ - 16));
    const std::string surname = rng_.Chance(0.8) ? surname_ : rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    const std::string relationship = rng_.Chance(0.9) ? "child" : "stepchild";
    const PersonalFields child = MakePerson(surname, female, age);
    co_await AddMember(relationship, false, child, age);
  }
}

Task Household::AddMember(std::string relationship, bool joint_applicant, PersonalFields person,
                          int age) {
  const std::string user = rng_.Chance(0.8) ? caseworker_ : OtherUser(caseworker_);
  const std::string type = ClientType();
  const RegisterClient registration{person, type};
  CommandResult r = co_await Run(user, registration);
  if (!r.ok()) co_return;
  Member member;
  member.client_id = r.response.value("client_id", "");
  member.relationship = relationship;
  member.age = age;
  member.own_case = &NewCase(r.response.value("case_id", ""), member.client_id, user);
  seeder_->tally().clients++;
  seeder_->tally().cases++;
  // They join the main case on the day they are registered: after it opened, and after
  // they were born (MakePerson dates a birth on or before the household's day).
  const std::string joined = Today();
  const AddPerson joining{main_->id, member.client_id, relationship, joint_applicant, joined};
  r = co_await Run(caseworker_, joining);
  if (r.ok()) member.date_joined = joined;
  // Registering opened a case of their own; the household's casework is on the main one.
  if (rng_.Chance(0.65)) {
    co_await Soon(rng_.Uniform(0, 7));
    const CloseCase closing{member.own_case->id,
                            "Household member: casework is on the main applicant's case"};
    r = co_await Run(user, closing);
    if (r.ok()) member.own_case->open = false;
  }
  members_.push_back(std::move(member));
}

Task Household::Refer() {
  // A referral decided early arrives in the first weeks; one still waiting in the Lobby,
  // or claimed and not decided, arrived in the caseload's last weeks.
  if (shape_.referral == Referral::kWaiting || shape_.referral == Referral::kClaimed) {
    co_await At(seeder_->calendar().last - rng_.Uniform(0, 20));
  } else {
    co_await Soon(rng_.Uniform(0, 60));
  }
  ReceiveReferral referral;
  const uint64_t source = rng_.Below(100);
  referral.source = source < 35   ? "self"
                    : source < 65 ? "duty_to_refer"
                    : source < 90 ? "third_party"
                                  : "provider";
  if (referral.source == "duty_to_refer") referral.referrer = rng_.Pick(kDutyToReferBodies);
  if (referral.source == "third_party") referral.referrer = rng_.Pick(kThirdParties);
  if (referral.source == "provider") referral.referrer = rng_.Pick(kProviders);
  if (shape_.referral == Referral::kAssign) {
    // The applicant again, as a referrer knows them: fewer details, some out of date.
    PersonalFields& p = referral.personal;
    p.surname = applicant_details_.surname;
    const std::string& forenames = *applicant_details_.forenames;
    p.forenames = forenames.substr(0, forenames.find(' '));
    p.date_of_birth = applicant_details_.date_of_birth;
    const std::string& dob = *applicant_details_.date_of_birth;
    const bool swappable = dob.substr(8, 2) <= "12" && dob.substr(8, 2) != dob.substr(5, 2);
    if (swappable && rng_.Chance(0.1)) {
      const std::string swapped = dob.substr(0, 5) + dob.substr(8, 2) + "-" + dob.substr(5, 2);
      // Swapped, the date may fall after the referral: then the referrer gave none.
      if (swapped <= Today()) p.date_of_birth = swapped;
    } else if (rng_.Chance(0.1)) {
      p.date_of_birth.reset();
    }
    if (rng_.Chance(0.5)) p.nino = applicant_details_.nino;
    if (rng_.Chance(0.6)) p.email = applicant_details_.email;
    if (rng_.Chance(0.2)) {
      p.phone = MakePhone(rng_);
    } else {
      p.phone = applicant_details_.phone;
    }
    if (rng_.Chance(0.7)) p.postcode = applicant_details_.postcode;
  } else {
    const int age = rng_.Uniform(18, 70);
    const std::string surname = rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    referral.personal = MakePerson(surname, female, age);
    if (shape_.referral != Referral::kNewClient && rng_.Chance(0.25)) {
      referral.personal.date_of_birth.reset();
    }
  }
  const std::string receiver = rng_.Pick(kUsers);
  CommandResult r = co_await Run(receiver, referral);
  if (!r.ok()) co_return;
  seeder_->tally().lobby++;
  if (shape_.referral == Referral::kWaiting) co_return;
  co_await DecideReferral(r.response.value("lobby_id", ""), referral.source);
}

Task Household::DecideReferral(std::string lobby_id, std::string source) {
  co_await Soon(rng_.Uniform(0, 3));
  const std::string worker = PickCaseworker();
  const ClaimLobbyRecord claim{lobby_id};
  CommandResult r = co_await Run(worker, claim);
  if (!r.ok() || shape_.referral == Referral::kClaimed) co_return;
  if (shape_.referral == Referral::kRemove) {
    seeder_->RemoveLater(worker, lobby_id);
    co_return;
  }
  co_await Soon(rng_.Uniform(0, 7));
  if (shape_.referral == Referral::kAssign) {
    const AssignLobbyRecord assignment{lobby_id, applicant_};
    r = co_await Run(worker, assignment);
    if (!r.ok()) co_return;
    Case& kase = NewCase(r.response.value("case_id", ""), applicant_, worker);
    kase.open = !r.response.value("case_closed_automatically", false);
    seeder_->tally().cases++;
    co_return;
  }
  const CreateClientFromLobby creation{lobby_id};
  r = co_await Run(worker, creation);
  if (!r.ok()) co_return;
  Case& kase = NewCase(r.response.value("case_id", ""), r.response.value("client_id", ""), worker);
  seeder_->tally().clients++;
  seeder_->tally().cases++;
  if (rng_.Chance(0.5)) {
    const AddNote note{
        kase.id, "Client created from a Lobby referral (" + source + "); first contact by phone.",
        ""};
    r = co_await Run(worker, note);
    if (r.ok()) seeder_->tally().notes++;
  }
  if (rng_.Chance(0.35)) {
    co_await Soon(rng_.Uniform(0, 14));
    co_await AddApplication(&kase, "homeless_application");
  }
}

bool Household::MayAdd(const Case& kase, const std::string& type, const std::string& except) const {
  if (!kase.open) return false;
  auto current = [&](const Case& c) {
    for (const Strand& s : c.strands) {
      if (s.type == type && s.current && s.id != except) return true;
    }
    return false;
  };
  switch (StrandRules::Find(type)->cardinality) {
    case StrandRules::Cardinality::kMany:
      return true;
    case StrandRules::Cardinality::kOnePerCase:
      return !current(kase);
    case StrandRules::Cardinality::kOnePerApplicant:
      for (const Case& other : cases_) {
        if (other.open && other.applicant == kase.applicant && current(other)) return false;
      }
      return true;
  }
  return false;
}

bool Household::MayReopen(const Case& kase) const {
  for (const Strand& strand : kase.strands) {
    if (!strand.current ||
        StrandRules::Find(strand.type)->cardinality != StrandRules::Cardinality::kOnePerApplicant) {
      continue;
    }
    for (const Case& other : cases_) {
      if (&other != &kase && other.open && other.applicant == kase.applicant &&
          other.Current(strand.type) != nullptr) {
        return false;
      }
    }
  }
  return true;
}

Household::Case& Household::NewCase(const std::string& id, const std::string& applicant,
                                    const std::string& opener) {
  Case& kase = cases_.emplace_back();
  kase.id = id;
  kase.applicant = applicant;
  kase.officers = {{opener, "primary"}};
  // The case takes its opener's team, as CaseOpened does, when that team takes cases.
  const std::string& team = seeder_->actor(opener).team_id;
  const auto& teams = seeder_->case_teams();
  if (std::find(teams.begin(), teams.end(), team) != teams.end()) kase.team = team;
  return kase;
}

PersonalFields Household::MakePerson(const std::string& surname, bool female, int age) {
  PersonalFields p;
  p.surname = surname;
  const std::string first = female ? rng_.Pick(kFemaleNames) : rng_.Pick(kMaleNames);
  p.forenames = first;
  if (rng_.Chance(0.25)) {
    const std::string middle = female ? rng_.Pick(kFemaleNames) : rng_.Pick(kMaleNames);
    if (middle != first) *p.forenames += " " + middle;
  }
  // Born `age` years before the household's day, give or take the days of a year.
  const int days_old = age * 365 + age / 4 + rng_.Uniform(0, 364);
  p.date_of_birth = Date(day_ - days_old);
  // NI numbers are issued at 16; children have no email and seldom a phone.
  if (age >= 16 && rng_.Chance(0.85)) p.nino = MakeNino(rng_);
  if (age >= 16 && rng_.Chance(0.7)) {
    p.email = MakeEmail(rng_, first, surname, std::stoi(p.date_of_birth->substr(0, 4)));
  }
  if (age >= 14 && rng_.Chance(age >= 18 ? 0.85 : 0.4)) p.phone = MakePhone(rng_);
  if (rng_.Chance(age >= 18 ? 0.9 : 0.6)) {
    p.postcode = rng_.Chance(0.05) ? AsciiLower(postcode_) : postcode_;
  }
  return p;
}

std::string Household::PickCaseworker() {
  const uint64_t roll = rng_.Below(100);
  return roll < 55 ? "officer" : roll < 80 ? "supervisor" : "admin";
}

std::string Household::OtherUser(const std::string& than) {
  std::string other = than;
  while (other == than) other = rng_.Pick(kUsers);
  return other;
}

std::string Household::ClientType() {
  const auto& types = seeder_->client_types();
  if (types.empty() || rng_.Chance(0.1)) return "";
  return rng_.Pick(types);
}

std::string Household::CurrentStrandOrNone(const Case& kase) {
  std::vector<const Strand*> current;
  for (const Strand& s : kase.strands) {
    if (s.current) current.push_back(&s);
  }
  if (current.empty()) return "";
  return current[rng_.Below(current.size())]->id;
}

}  // namespace caseengine::demo
