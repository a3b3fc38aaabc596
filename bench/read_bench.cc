// read_bench: the read side on a seeded caseload.
//
//   read_bench --clients N [--queries Q] [--data DIR] [--keep | --reuse] [--json]
//
// Seeds N clients through the command path (unless --reuse of a kept folder), lets the
// read models catch up, then measures, in-process (no HTTP):
//   case_list_page     a filtered, sorted page of 50 from the case list (a mix of filters:
//                      status, officer, team, strand type, opened range; and sorts)
//   workload_grouping  case officers grouped by officer (workload counts)
//   client_search      a duplicate check by name, and by date of birth
//   rebuild            every read model rebuilt from position 0 (events/s)
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "app/engine.h"
#include "bench/bench_util.h"
#include "demo/caseload_seeder.h"

using namespace caseengine;
using namespace caseengine::bench;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double p50_us = 0, p99_us = 0, max_us = 0;
  size_t rows = 0;
};

template <class Fn>
Figures Measure(int queries, Fn&& fn) {
  std::vector<double> us;
  Figures f;
  for (int i = 0; i < queries; ++i) {
    const Clock::time_point start = Clock::now();
    f.rows += fn(i);
    us.push_back(Seconds(start) * 1e6);
  }
  f.p50_us = Percentile(&us, 0.5);
  f.p99_us = Percentile(&us, 0.99);
  f.max_us = us.back();
  return f;
}

void Print(bool json, const std::string& name, const Figures& f, size_t clients) {
  if (json) {
    std::cout << nlohmann::json{{"bench", name},
                                {"clients", clients},
                                {"p50_us", f.p50_us},
                                {"p99_us", f.p99_us},
                                {"max_us", f.max_us}}
                     .dump()
              << "\n";
  } else {
    std::cout << name << ": p50 " << f.p50_us / 1000 << " ms, p99 " << f.p99_us / 1000
              << " ms, max " << f.max_us / 1000 << " ms (" << f.rows << " rows in all)\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"read_bench: read model queries and rebuilds on a seeded caseload"};
  int clients = 100000, queries = 2000;
  bool json = false, keep = false, reuse = false, no_rebuild = false;
  std::string dir = "/tmp/caseengine-read-bench";
  app.add_option("--clients", clients, "clients to seed")->check(CLI::Range(10, 10000000));
  app.add_option("--queries", queries, "queries per scenario")->check(CLI::Range(1, 10000000));
  app.add_option("--data", dir, "data folder");
  app.add_flag("--keep", keep, "keep the data folder");
  app.add_flag("--reuse", reuse, "use the kept data folder as it is");
  app.add_flag("--json", json, "one JSON line per measurement");
  app.add_flag("--no-rebuild", no_rebuild, "skip the rebuild scenario");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<ScratchDir> scratch;
  if (!reuse) scratch = std::make_unique<ScratchDir>(dir, keep);
  const DomainConfig domain = DomainConfig::Demo();
  SeedClock clock;  // the seeding's (demo/seed_clock.h); real time once it is done
  EngineOptions options;
  options.dir = dir;
  options.config = &domain;
  options.clock = [&clock] { return clock.Micros(); };
  options.commands.today = [&clock] { return clock.Today(); };
  std::unique_ptr<Engine> engine;
  Status s = KekBeside(dir, /*create=*/true, &options.kek);  // the demo's key file, DIR.kek
  if (s.ok()) s = Engine::Open(options, &engine);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  if (!reuse) {
    SeedOptions seed;
    seed.clients = clients;
    seed.clock = &clock;
    SeedReport report;
    const Clock::time_point start = Clock::now();
    s = SeedCaseload(&engine->commands(), domain, seed, &report);
    if (!s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 1;
    }
    const double seconds = Seconds(start);
    engine->runner().WaitForApplied(engine->log().HeadPosition(), std::chrono::minutes(10));
    if (json) {
      std::cout << nlohmann::json{{"bench", "seed"},
                                  {"clients", report.clients},
                                  {"commands", report.commands},
                                  {"seconds", seconds},
                                  {"commands_per_s", report.commands / seconds}}
                       .dump()
                << "\n";
    } else {
      std::cout << "seeded " << report.clients << " clients (" << report.cases << " cases, "
                << report.commands << " commands) in " << seconds
                << " s: " << report.commands / seconds << " commands/s\n";
    }
  }
  engine->runner().WaitForApplied(engine->log().HeadPosition(), std::chrono::minutes(10));
  ReadModels& rm = engine->read_models();
  const size_t cases = rm.case_list.list().size();
  if (!json) {
    std::cout << MachineDescription() << "; " << engine->log().HeadPosition() << " events, "
              << cases << " cases\n";
  }

  const std::vector<std::map<std::string, std::string>> filters = {
      {{"status", "open"}},
      {{"officer", "officer"}},
      {{"team", "allocations"}, {"status", "open"}},
      {{"strand_type", "homeless_application"}, {"strand_status", "open"}},
      {{"opened_from", "2026-01-01"}, {"officer", "supervisor"}, {"role", "secondary"}},
      {{"status", "closed"}},
      {}};
  const std::vector<std::string> sorts = {"-opened_on", "surname,forenames", "-last_activity",
                                          "-days_open", "team_id,-people"};
  Figures page = Measure(queries, [&](int i) {
    CaseListQuery q;
    q.filters = filters[i % filters.size()];
    q.list.sort = sorts[(i / filters.size()) % sorts.size()];
    q.list.limit = 50;
    q.today = "2026-11-22";
    ListPage out;
    Status st = rm.case_list.list().Query(q, &out);
    if (!st.ok()) std::cerr << "case list query: " << st.ToString() << "\n";
    return out.rows.size();
  });
  Print(json, "case_list_page", page, clients);

  Figures grouping = Measure(queries / 4 + 1, [&](int i) {
    CaseOfficersQuery q;
    q.group_by = "officer";
    if (i % 2) q.filters = {{"case_status", "open"}};
    q.list.sort = "-cases";
    ListPage out;
    Status st = rm.case_officers.officers().Query(q, &out);
    if (!st.ok()) std::cerr << "workload query: " << st.ToString() << "\n";
    return out.rows.size();
  });
  Print(json, "workload_grouping", grouping, clients);

  // The caseworker's to-do list: their overdue tasks, a page of 50 (GET /tasks?assignee=me
  // &overdue=true), for each demo officer in turn.
  const std::vector<std::string> officers = {"officer", "supervisor", "admin"};
  const std::string today = clock.Today();
  Figures overdue_page = Measure(queries, [&](int i) {
    TaskListQuery q;
    q.me = officers[i % officers.size()];
    q.filters = {{"assignee", "me"}};
    if (i % 2 == 0) q.filters["overdue"] = "true";
    q.list.limit = 50;
    q.today = today;
    ListPage out;
    Status st = rm.task_list.list().Query(q, &out);
    if (!st.ok()) std::cerr << "task list query: " << st.ToString() << "\n";
    return out.rows.size();
  });
  Print(json, "task_list_overdue_page", overdue_page, clients);

  std::mt19937 rng(7);
  const std::vector<std::string> names = {"smith", "Jones", "khan", "O'Brien", "zoe", "patel"};
  Figures search = Measure(queries, [&](int i) {
    ClientSearchQuery q;
    if (i % 2) {
      q.q = names[rng() % names.size()];
    } else {
      q.date_of_birth = "19" + std::to_string(60 + rng() % 40) + "-0" +
                        std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10);
    }
    nlohmann::json out;
    rm.client_search.search().Search(q, &out);
    return out.size();
  });
  Print(json, "client_search", search, clients);

  if (no_rebuild) return 0;
  engine->runner().Stop();
  const uint64_t events = engine->log().HeadPosition();
  const Clock::time_point start = Clock::now();
  s = engine->runner().Rebuild({});
  const double seconds = Seconds(start);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  if (json) {
    std::cout << nlohmann::json{{"bench", "rebuild"},
                                {"events", events},
                                {"seconds", seconds},
                                {"events_per_s", events / seconds}}
                     .dump()
              << "\n";
  } else {
    std::cout << "rebuild: " << events << " events in " << seconds << " s: " << events / seconds
              << " events/s\n";
  }
  return 0;
}
