// The inside of the demo seeding (see caseload_seeder.h): the shape of a household, drawn
// before anything is sent; the Seeder, which plans the households, runs them on a
// DayScheduler and counts what they wrote; and Call, how a household sends a command.
//
// Threading: the Seeder is shared by the workers (its tally is atomic, the rest under its
// lock or written before the workers start); a Call lives in the frame of the household
// that awaits it.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "aggregates/config.h"
#include "app/command_service.h"
#include "demo/caseload_seeder.h"
#include "demo/day_scheduler.h"
#include "demo/made_up_people.h"

namespace caseengine::demo {

enum class Referral {
  kNone,
  kAssign,     // a referral about the applicant, assigned to them
  kNewClient,  // a referral about someone new, made into a client
  kRemove,     // claimed and removed
  kWaiting,    // left in the queue
  kClaimed,    // claimed, not yet decided
};

// The shape of a household, drawn before anything is sent so that the number of clients
// is known in advance.
struct Shape {
  bool partner = false;
  int children = 0;
  std::string relative;  // parent | sibling | other; empty: none
  Referral referral = Referral::kNone;

  int Clients() const {
    return 1 + (partner ? 1 : 0) + children + (relative.empty() ? 0 : 1) +
           (referral == Referral::kNewClient ? 1 : 0);
  }
  // The last household takes only what is left of the clients wanted.
  void TrimTo(int clients);
};

Shape DrawShape(Rng& rng);

// What the households have written, shared by all workers.
struct Tally {
  std::atomic<int> clients{0}, cases{0}, strands{0}, moves{0}, notes{0}, actions{0}, lobby{0};
  std::atomic<int> commands{0}, refused{0};
  std::atomic<uint64_t> last_position{0};
};

// The calendar of a seeding, in days since 1970-01-01.
struct SeedDays {
  int64_t first = 0;  // the earliest day a household starts
  int64_t last = 0;   // the caseload's today: nothing happens after it
};

// A working day for a step due on `day`, after the household's last step on `after`:
// Saturday's comes on the Friday before it when that is not before `after`, else on the
// Monday; Sunday's on the Monday. 1970-01-01, day 0, was a Thursday.
inline int64_t Workday(int64_t day, int64_t after) {
  const int64_t weekday = ((day % 7) + 7 + 4) % 7;  // 0 Sunday .. 6 Saturday
  if (weekday == 6) return day - 1 >= after ? day - 1 : day + 2;
  return weekday == 0 ? day + 1 : day;
}
inline bool IsWorkday(int64_t day) {
  const int64_t weekday = ((day % 7) + 7 + 4) % 7;
  return weekday != 0 && weekday != 6;
}

class Seeder {
 public:
  Seeder(CommandService* handler, const DomainConfig& config, const SeedOptions& options,
         SeedDays days, std::vector<Shape> plan);

  Status Run(SeedReport* report);

  CommandService* handler() const { return handler_; }
  const Actor& actor(const std::string& user) const { return *actors_.at(user); }
  const std::vector<std::string>& case_teams() const { return case_teams_; }
  const std::vector<std::string>& client_types() const { return client_types_; }
  const Shape& shape(int household) const { return plan_[household]; }
  uint64_t seed() const { return options_.seed; }
  const SeedDays& calendar() const { return calendar_; }
  // The day household `index` starts on, drawn from its index and the seed alone.
  int64_t StartDay(int household) const;
  DayScheduler& days() { return days_; }
  Tally& tally() { return tally_; }
  bool stopped() const { return days_.stopped(); }

  // Counts one answer: a refusal is noted, a failure of the log stops the seeding.
  void Account(const char* command, const CommandResult& result);
  // A claimed Lobby record that `user` removes once the households are done.
  void RemoveLater(const std::string& user, const std::string& lobby_id);

 private:
  void RemoveDeferred();
  void Fail(const Status& status);

  CommandService* handler_;
  const DomainConfig& config_;
  const SeedOptions& options_;
  const SeedDays calendar_;
  const std::vector<Shape> plan_;
  std::map<std::string, const Actor*> actors_;
  std::vector<std::string> case_teams_, client_types_;
  Tally tally_;
  DayScheduler days_;

  std::mutex mu_;
  Status failure_;
  std::vector<std::string> refusals_;
  std::vector<std::pair<std::string, std::string>> removals_;  // user, lobby id
};

// `co_await Call`: sends one command and resumes the household with its answer. The Call
// lives in the waiting coroutine's frame until it is resumed, so the answer is written
// straight into it; nothing of the Call is touched once the answer is queued, for another
// worker may resume the household at once. When the seeding has stopped, nothing is sent
// and the answer says so.
class Call {
 public:
  Call(Seeder* seeder, const std::string& user, Command command)
      : seeder_(seeder), actor_(&seeder->actor(user)), command_(std::move(command)) {}

  bool await_ready() const { return seeder_->stopped(); }
  void await_suspend(std::coroutine_handle<> waiting) {
    sent_ = true;
    name_ = CommandName(command_);
    DayScheduler* days = &seeder_->days();
    days->Sent();
    seeder_->handler()->ExecuteAsync(*actor_, std::move(command_), CommandOptions(),
                                     [this, days, waiting](CommandResult result) {
                                       result_ = std::move(result);
                                       days->Answered(waiting);
                                     });
  }
  CommandResult await_resume() {
    if (!sent_) {
      result_.status = Status::Unavailable("the seeding stopped");
    } else {
      seeder_->Account(name_, result_);
    }
    return std::move(result_);
  }

 private:
  Seeder* seeder_;
  const Actor* actor_;
  Command command_;
  const char* name_ = "";
  bool sent_ = false;
  CommandResult result_;
};

}  // namespace caseengine::demo
