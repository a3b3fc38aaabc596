// CaseloadSeeder: see caseload_seeder.h. This file plans the households (their shapes and
// start days), runs them on the DayScheduler's workers, counts what they wrote and makes
// the Lobby removals at the end. The households' script is in household.h.
#include "demo/caseload_seeder.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/time_format.h"
#include "demo/casework_words.h"
#include "demo/household.h"
#include "demo/seeder.h"

namespace caseengine {
namespace demo {

void Shape::TrimTo(int clients) {
  while (Clients() > clients) {
    if (referral == Referral::kNewClient) {
      referral = Referral::kWaiting;
    } else if (children > 0) {
      --children;
    } else if (!relative.empty()) {
      relative.clear();
    } else {
      partner = false;
    }
  }
}

Shape DrawShape(Rng& rng) {
  Shape s;
  const uint64_t kind = rng.Below(100);
  if (kind < 45) {
    // single adult
  } else if (kind < 60) {
    s.partner = true;
  } else if (kind < 95) {
    s.partner = kind >= 82;
    const uint64_t n = rng.Below(100);
    s.children = n < 50 ? 1 : n < 85 ? 2 : n < 97 ? 3 : 4;
  } else {
    static constexpr const char* kRelatives[] = {"parent", "sibling", "other"};
    s.relative = rng.Pick(kRelatives);
  }
  // About one referral for every ten clients.
  if (rng.Chance(0.2)) {
    const uint64_t r = rng.Below(100);
    s.referral = r < 30   ? Referral::kAssign
                 : r < 60 ? Referral::kNewClient
                 : r < 70 ? Referral::kRemove
                 : r < 88 ? Referral::kWaiting
                          : Referral::kClaimed;
  }
  return s;
}

Seeder::Seeder(CommandService* handler, const DomainConfig& config, const SeedOptions& options,
               SeedDays days, std::vector<Shape> plan)
    : handler_(handler),
      config_(config),
      options_(options),
      calendar_(days),
      plan_(std::move(plan)),
      days_(options.clock, [this](int household) { return PlayHousehold(this, household); }) {
  for (const char* user : kUsers) actors_[user] = &config.users.at(user);
  for (const auto& [id, team] : config.teams) {
    if (team.allows_cases) case_teams_.push_back(id);
  }
  client_types_.assign(config.client_types.begin(), config.client_types.end());
}

int64_t Seeder::StartDay(int household) const {
  Rng rng(options_.seed, household, Stream::kStart);
  // A working day, each as likely as another (a few draws at most, as a rule).
  int64_t day = calendar_.first;
  for (int draw = 0; draw < 16; ++draw) {
    day = calendar_.first + static_cast<int64_t>(rng.Below(calendar_.last - calendar_.first + 1));
    if (IsWorkday(day)) break;
  }
  return day;
}

void Seeder::Account(const char* command, const CommandResult& result) {
  tally_.commands++;
  if (!result.status.ok()) return Fail(result.status);
  if (result.rejected) {
    tally_.refused++;
    std::string what = std::string(command) + ": " +
                       (result.rejection.rule.empty() ? "" : result.rejection.rule + ": ") +
                       result.rejection.message;
    for (const auto& field : result.rejection.fields) {
      what += " (" + field.field + " " + field.message + ")";
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (refusals_.size() < 10) refusals_.push_back(std::move(what));
    return;
  }
  uint64_t seen = tally_.last_position.load();
  while (result.position > seen &&
         !tally_.last_position.compare_exchange_weak(seen, result.position)) {
  }
}

void Seeder::RemoveLater(const std::string& user, const std::string& lobby_id) {
  std::lock_guard<std::mutex> lock(mu_);
  removals_.emplace_back(user, lobby_id);
}

// Removing a Lobby record destroys its data key, and the purge that follows flushes every
// memtable and compacts the keys family. Purges back to back during the seeding halved its
// speed; made last, all at once (on the caseload's last day), they cost one or two.
void Seeder::RemoveDeferred() {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = removals_.size();
  for (const auto& [user, lobby_id] : removals_) {
    const RemoveLobbyRecord removal{lobby_id};
    handler_->ExecuteAsync(actor(user), removal, CommandOptions(), [&](CommandResult result) {
      Account("RemoveLobbyRecord", result);
      std::lock_guard<std::mutex> lock(mu);
      if (--pending == 0) cv.notify_one();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return pending == 0; });
}

void Seeder::Fail(const Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failure_.ok()) failure_ = status;
  }
  days_.Stop();
}

Status Seeder::Run(SeedReport* report) {
  // Every check that can refuse the seeding comes before its first write: a refused
  // seeding, or one of no clients, leaves the log as it was.
  if (plan_.empty()) return Status::Ok();
  if (!options_.clock->Walk(calendar_.first)) {
    return Status::InvalidArgument("the seeding's first day is after today");
  }
  // The deployment's first settings, at the start of the history: every case seeded
  // after it loads its workflows.
  if (Status s = ImportSettingsFromConfig(handler_, config_); !s.ok()) {
    options_.clock->EndWalk();
    return s;
  }
  std::vector<DayScheduler::Start> starts;
  starts.reserve(plan_.size());
  for (int i = 0; i < static_cast<int>(plan_.size()); ++i) starts.push_back({StartDay(i), i});
  std::stable_sort(starts.begin(), starts.end(),
                   [](const auto& a, const auto& b) { return a.day < b.day; });
  days_.SetStarts(std::move(starts));

  std::mutex done_mu;
  std::condition_variable done_cv;
  int running = options_.threads;
  std::vector<std::thread> threads;
  for (int i = 0; i < options_.threads; ++i) {
    threads.emplace_back([&] {
      days_.Work();
      std::lock_guard<std::mutex> lock(done_mu);
      if (--running == 0) done_cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(done_mu);
    while (!done_cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return running == 0; })) {
      if (!options_.progress) continue;
      lock.unlock();
      options_.progress(tally_.clients.load());
      lock.lock();
    }
  }
  for (auto& t : threads) t.join();
  if (!stopped() && !removals_.empty()) {
    options_.clock->Walk(calendar_.last);
    RemoveDeferred();
  }
  options_.clock->EndWalk();
  if (options_.progress) options_.progress(tally_.clients.load());

  report->clients = tally_.clients;
  report->cases = tally_.cases;
  report->strands = tally_.strands;
  report->moves = tally_.moves;
  report->notes = tally_.notes;
  report->actions = tally_.actions;
  report->lobby = tally_.lobby;
  report->commands = tally_.commands;
  report->refused = tally_.refused;
  report->last_position = tally_.last_position;
  std::lock_guard<std::mutex> lock(mu_);
  report->refusals = refusals_;
  return failure_;
}

}  // namespace demo

Status SeedCaseload(CommandService* handler, const DomainConfig& config, const SeedOptions& options,
                    SeedReport* report) {
  using namespace demo;
  *report = SeedReport();
  if (options.clients < 0 || options.threads < 1 || options.days < 0) {
    return Status::InvalidArgument("seeding needs clients >= 0, threads >= 1 and days >= 0");
  }
  if (options.clock == nullptr) {
    return Status::InvalidArgument(
        "seeding needs a SeedClock that the log and the command handler read (SeedOptions::clock)");
  }
  for (const char* user : kUsers) {
    auto it = config.users.find(user);
    if (it == config.users.end() || !it->second.Has(kCasework)) {
      return Status::InvalidArgument(std::string("the configuration has no user '") + user +
                                     "' who may do casework: the seeder works as admin, officer "
                                     "and supervisor (as the demo configuration has them)");
    }
  }
  const std::string clock_today = options.clock->Today();
  const std::string as_of = options.as_of.empty() ? clock_today : options.as_of;
  SeedDays days;
  if (!ParseDate(as_of, &days.last)) {
    return Status::InvalidArgument("as_of '" + as_of + "' is not a date (YYYY-MM-DD)");
  }
  if (as_of > clock_today) {
    return Status::InvalidArgument("as_of " + as_of + " is after the clock's today, " +
                                   clock_today + ": a demo caseload is history");
  }
  days.first = days.last - options.days;
  report->first_day = MicrosToDate(days.first * int64_t{86400000000});
  report->last_day = as_of;
  std::vector<Shape> plan;
  for (int planned = 0, i = 0; planned < options.clients; ++i) {
    Rng rng(options.seed, i, Stream::kShape);
    Shape shape = DrawShape(rng);
    shape.TrimTo(options.clients - planned);
    planned += shape.Clients();
    plan.push_back(shape);
  }
  Seeder seeder(handler, config, options, days, std::move(plan));
  return seeder.Run(report);
}

}  // namespace caseengine
