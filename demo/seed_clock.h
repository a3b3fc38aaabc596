// SeedClock: the clock of a demo seeding. A demo caseload is history made up for the
// occasion: its households live through the last two years, so the log it writes runs on
// a clock that walks through those years, day by day, instead of the real one. The
// engine's log (EventLogOptions::clock) and the command handler's business date
// (CommandServiceOptions::today) both read this clock, so an event's recorded_at and the
// dates the decision used (a case's opened_on, a date joined) fall on the same day.
//
// Outside a walk it is the real clock. During a walk it reads the walked day: its date is
// that day, and its instants run through the day's office hours (08:30 to 18:00 UTC),
// never later than the real time at which the walk began, so the log's recorded_at goes on
// from the real time once the walk ends. Only the seeder walks it (`caseengine seed`
// installs it for the seeding alone; a server runs on the real clock).
//
// Invariants: walked days only go forward and are never after the real date at which the
// walk began; readings during a walk never go back.
//
// Threading: thread-safe. The seeder walks to the next day only once no command is in
// flight, so a command's "today" (read when it is sent) and its event's recorded_at (read
// by the log's writer) are read on the same walked day.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace caseengine {

class SeedClock {
 public:
  // `real`: microseconds since the epoch, the clock outside a walk; the system clock when
  // empty (tests give a fixed one).
  explicit SeedClock(std::function<int64_t()> real = nullptr);

  // For EventLogOptions::clock: microseconds since the epoch.
  int64_t Micros();
  // For CommandServiceOptions::today: YYYY-MM-DD.
  std::string Today();
  // The real clock, whatever the walk.
  int64_t RealMicros() const;

  // The seeder's: walks to `day` (days since 1970-01-01), not before the day walked last
  // nor after the real date (refused: false). The first walk remembers the real time as
  // the latest instant the walk may read.
  bool Walk(int64_t day);
  // Back to the real clock.
  void EndWalk();
  bool walking() const;

 private:
  std::function<int64_t()> real_;
  mutable std::mutex mu_;
  bool walking_ = false;
  int64_t day_ = 0;      // the walked day
  int64_t limit_ = 0;    // the real time when the walk began
  int64_t next_ = 0;     // the next reading of the walked day
  int64_t day_end_ = 0;  // the walked day's last reading
};

}  // namespace caseengine
