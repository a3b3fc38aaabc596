// End-to-end tests of workflows and tasks against a real `caseengine serve --demo`: the
// demo's workflows on a new case, the task routes with their bad input, the to-do list
// with its filters and CSV, the workload and case list columns, the settings routes
// (manage_settings), and what provider users may see and do.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http_commands_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using namespace caseengine::testing::http_commands;
using nlohmann::json;

namespace {

std::vector<std::string> Column(const json& page, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& r : page["rows"]) out.push_back(r.value(name, ""));
  return out;
}

std::string TaskOfType(const json& rows, const std::string& type) {
  for (const auto& r : rows) {
    if (r.value("task_type", "") == type) return r["task_id"];
  }
  FAIL("no task of type " << type);
  return "";
}

}  // namespace

TEST_CASE(
    "http: a registration loads the demo's new-case workflow, and the officer's to-do "
    "list shows its task",
    "[http][tasks]") {
  Served s;
  const json reg = Register(s.officer, "Tasked");
  const std::string k = reg["case_id"];
  const json tasks = GetOk(s.officer, WithMin(s, "/cases/" + k + "/tasks"));
  CHECK(Column(tasks, "task_type") ==
        std::vector<std::string>{"first_contact", "provide_id", "income_expenditure"});
  const json kase = GetOk(s.officer, "/cases/" + k);
  CHECK(kase["tasks"].size() == 3);
  // The officer's own: first contact; the client tasks are the client's
  const json mine = GetOk(s.officer, WithMin(s, "/tasks?assignee=me&case_id=" + k));
  CHECK(Column(mine, "task_type") == std::vector<std::string>{"first_contact"});
  const json clients = GetOk(s.officer, WithMin(s, "/tasks?assignee=client&case_id=" + k));
  CHECK(clients["rows"].size() == 2);
  // CSV, as every list
  const HttpAnswer csv = s.officer.Get(
      WithMin(s, "/tasks?case_id=" + k + "&columns=task_id,name,due"), {{"Accept", "text/csv"}});
  REQUIRE(csv.status == 200);
  CHECK(csv.body.rfind("task_id,name,due\r\n", 0) == 0);
  CHECK(csv.Header("Content-Disposition").find("tasks.csv") != std::string::npos);
}

TEST_CASE(
    "http: task commands assign, start, complete, reopen, cancel and reschedule; bad "
    "input writes nothing",
    "[http][tasks]") {
  Served s;
  const std::string k = Register(s.officer, "Worked")["case_id"];
  const json added =
      Done(s.officer.Post("/cases/" + k + "/tasks", {{"title", "Ring the landlord"},
                                                     {"due", "2026-01-05"},
                                                     {"assignee", "team:allocations"}}),
           201);
  const std::string t = added["task_id"];
  const std::string base = "/cases/" + k + "/tasks/" + t;
  // Overdue: open and due before today
  json page = GetOk(s.officer, WithMin(s, "/tasks?assignee=team:allocations&overdue=true"));
  CHECK(Column(page, "task_id") == std::vector<std::string>{t});
  CHECK(page["rows"][0]["overdue"] == true);
  Done(s.officer.Post(base + "/assign", {{"assignee", "supervisor"}}));
  Done(s.supervisor.Post(base + "/start"));
  Done(s.supervisor.Post(base + "/due-date", {{"due", "2099-01-01"}}));
  page = GetOk(s.supervisor, WithMin(s, "/tasks?assignee=me&status=in_progress"));
  CHECK(Column(page, "task_id") == std::vector<std::string>{t});
  Done(s.supervisor.Post(base + "/complete"));
  page = GetOk(s.officer, WithMin(s, "/tasks?case_id=" + k + "&status=completed"));
  REQUIRE(page["rows"].size() == 1);
  CHECK(page["rows"][0]["done_by"] == "officer");
  CHECK(page["rows"][0]["done_by_user"] == "supervisor");
  RuleSaysNo(
      s, [&] { return s.officer.Post(base + "/complete"); }, "task-not-open");
  Done(s.officer.Post(base + "/reopen"));
  Done(s.officer.Post(base + "/cancel", {{"reason", "no longer needed"}}));
  // Bad input: problem+json naming the field, nothing written
  InvalidField(
      s, [&] { return s.officer.Post("/cases/" + k + "/tasks", json::object()); }, "title");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/tasks", {{"title", "x"}, {"due", "soon"}});
      },
      "due");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/tasks", {{"title", "x"}, {"colour", "red"}});
      },
      "colour");
  InvalidField(
      s,
      [&] {
        return s.officer.Post(base + "/assign", {{"assignee", "nobody"}});
      },
      "assignee");
  NotFound(s, [&] { return s.officer.Post("/cases/" + k + "/tasks/" + kUnknown + "/start"); });
  NotFound(s, [&] { return s.officer.Post("/cases/" + kUnknown + "/tasks", {{"title", "x"}}); });
  Refused(
      s,
      [&] {
        return s.auditor.Post("/cases/" + k + "/tasks", {{"title", "x"}});
      },
      403, "/problems/forbidden");
  CHECK(s.officer.Get("/tasks?overdue=maybe").status == 422);
  CHECK(s.officer.Get("/tasks?colour=red").status == 400);
}

TEST_CASE("http: the workload and the case list show open and overdue tasks", "[http][tasks]") {
  Served s;
  const std::string k = Register(s.officer, "Counted")["case_id"];
  const json tasks = GetOk(s.officer, WithMin(s, "/cases/" + k + "/tasks"));
  const std::string first = TaskOfType(tasks["rows"], "first_contact");
  Done(s.officer.Post("/cases/" + k + "/tasks/" + first + "/due-date", {{"due", "2026-01-01"}}));
  const json workload = GetOk(s.supervisor, WithMin(s, "/case-officers?group_by=officer"));
  bool found = false;
  for (const auto& r : workload["rows"]) {
    if (r["officer"] != "officer") continue;
    found = true;
    CHECK(r["open_tasks"] == 1);
    CHECK(r["overdue_tasks"] == 1);
  }
  CHECK(found);
  const json list = GetOk(
      s.officer,
      WithMin(s, "/cases?overdue_tasks=true&columns=case_id,open_tasks,overdue_tasks,next_due"));
  REQUIRE(list["rows"].size() == 1);
  CHECK(list["rows"][0]["case_id"] == k);
  CHECK(list["rows"][0]["open_tasks"] == 3);
  CHECK(list["rows"][0]["overdue_tasks"] == 1);
  CHECK(list["rows"][0]["next_due"] == "2026-01-01");
}

TEST_CASE("http: settings change only with manage_settings, and apply to new cases",
          "[http][tasks][settings]") {
  Served s;
  const json type = {{"id", "home_visit"},
                     {"name", "Home visit"},
                     {"strand_types", json::array()},
                     {"due_days", 3},
                     {"provider_access", "read_only"}};
  Refused(
      s, [&] { return s.officer.Post("/settings/task-types", type); }, 403, "/problems/forbidden");
  Refused(
      s, [&] { return s.supervisor.Post("/settings/task-types", type); }, 403,
      "/problems/forbidden");
  Done(s.admin.Post("/settings/task-types", type));
  InvalidField(
      s,
      [&] {
        return s.admin.Post("/settings/workflows", {{"id", "visits"},
                                                    {"name", "Visits"},
                                                    {"trigger", "case_opened"},
                                                    {"task_types", {"nosuch"}}});
      },
      "task_types");
  Done(s.admin.Post("/settings/workflows", {{"id", "visits"},
                                            {"name", "Visits"},
                                            {"trigger", "case_opened"},
                                            {"task_types", {"home_visit"}}}));
  const json types = GetOk(s.officer, "/settings/task-types");
  bool listed = false;
  for (const auto& t : types["rows"]) listed = listed || t["id"] == "home_visit";
  CHECK(listed);
  CHECK(GetOk(s.officer, "/settings/workflows")["rows"].size() == 4);
  const std::string k = Register(s.officer, "Visited")["case_id"];
  const json tasks = GetOk(s.officer, WithMin(s, "/cases/" + k + "/tasks"));
  TaskOfType(tasks["rows"], "home_visit");
  RuleSaysNo(
      s, [&] { return s.admin.Delete("/settings/task-types/home_visit"); }, "task-type-in-use");
  Done(s.admin.Delete("/settings/workflows/visits"));
  Done(s.admin.Delete("/settings/task-types/home_visit"));
  // Audited as any change
  const json audit = GetOk(s.auditor, "/audit?stream=settings&actor=admin");
  CHECK_FALSE(audit["rows"].empty());
}

TEST_CASE(
    "http: a provider sees and does only what its organisation and each task's access "
    "allow",
    "[http][tasks][provider]") {
  Served s;
  HttpClient provider = s.server.Client("demo-provider");
  const std::string l = Done(
      provider.Post("/lobby", {{"source", "provider"}, {"surname", "Sheltered"}}), 201)["lobby_id"];
  const std::string other_l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Walkin"}}), 201)["lobby_id"];
  // Its Lobby: its own referral only; another's is as if it did not exist
  const json lobby = GetOk(provider, WithMin(s, "/lobby"));
  CHECK(Column(lobby, "lobby_id") == std::vector<std::string>{l});
  CHECK(provider.Get("/lobby/" + other_l).status == 404);
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  const std::string k = Done(s.officer.Post("/lobby/" + l + "/create-client"), 201)["case_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "homeless_application"}}), 201);
  const std::string other_k = Register(s.officer, "Elsewhere")["case_id"];
  // Its case: readable; another's: 404
  CHECK(GetOk(provider, "/cases/" + k)["case_id"] == k);
  CHECK(provider.Get("/cases/" + other_k).status == 404);
  CHECK(provider.Get("/cases/" + other_k + "/tasks").status == 404);
  // Tasks: only read_only and full ones are listed
  const json visible = GetOk(provider, WithMin(s, "/tasks?status=all"));
  for (const auto& r : visible["rows"]) {
    CHECK(r["case_id"] == k);
    CHECK(r["provider_access"] != "none");
  }
  const json all = GetOk(s.officer, WithMin(s, "/cases/" + k + "/tasks"));
  const std::string full = TaskOfType(all["rows"], "support_needs");
  const std::string read_only = TaskOfType(all["rows"], "draft_php");
  const std::string none = TaskOfType(all["rows"], "verify_identity");
  Done(provider.Post("/cases/" + k + "/tasks/" + full + "/complete"));
  RuleSaysNo(
      s, [&] { return provider.Post("/cases/" + k + "/tasks/" + read_only + "/complete"); },
      "provider-access-read-only");
  NotFound(s, [&] { return provider.Post("/cases/" + k + "/tasks/" + none + "/complete"); });
  // Everything else: 403, nothing written
  const uint64_t head = s.Head();
  CHECK(provider.Post("/clients", {{"surname", "X"}, {"date_of_birth", "1990-01-01"}}).status ==
        403);
  CHECK(provider.Post("/cases/" + k + "/notes", {{"text", "hello"}}).status == 403);
  CHECK(provider.Post("/cases/" + k + "/tasks", {{"title", "mine"}}).status == 403);
  CHECK(provider.Get("/clients?q=Sheltered").status == 403);
  CHECK(provider.Get("/audit").status == 403);
  CHECK(provider.Get("/events?from=1").status == 403);
  CHECK(provider.Get("/cases").status == 403);
  CHECK(provider.Get("/settings/task-types").status == 403);
  CHECK(s.Head() == head);
}

TEST_CASE("http: the task and settings routes answer each role as the permission matrix says",
          "[http][tasks][permissions]") {
  Served s;
  HttpClient provider = s.server.Client("demo-provider");
  const std::string k = Register(s.officer, "Matrix")["case_id"];
  const json tasks = GetOk(s.officer, WithMin(s, "/cases/" + k + "/tasks"));
  const std::string t = TaskOfType(tasks["rows"], "first_contact");
  struct Row {
    std::string method, path;
    json body;
    // officer, supervisor, admin, auditor, provider
    int expect[5];
  };
  const std::string task = "/cases/" + k + "/tasks/" + t;
  const std::vector<Row> rows = {
      {"GET", "/tasks", json::object(), {200, 200, 200, 200, 200}},
      {"GET", "/cases/" + k + "/tasks", json::object(), {200, 200, 200, 200, 404}},
      {"GET", "/settings/task-types", json::object(), {200, 200, 200, 200, 403}},
      {"GET", "/settings/workflows", json::object(), {200, 200, 200, 200, 403}},
      {"POST", "/cases/" + k + "/tasks", {{"title", "x"}}, {201, 201, 201, 403, 403}},
      {"POST", task + "/due-date", {{"due", "2099-01-01"}}, {200, 200, 200, 403, 403}},
      {"POST", task + "/assign", {{"assignee", "officer"}}, {200, 200, 200, 403, 403}},
      {"POST", task + "/start", json::object(), {200, 200, 200, 403, 404}},
      {"POST", "/settings/task-types", {{"id", "m"}, {"name", "M"}}, {403, 403, 200, 403, 403}},
  };
  HttpClient* who[5] = {&s.officer, &s.supervisor, &s.admin, &s.auditor, &provider};
  const char* names[5] = {"officer", "supervisor", "admin", "auditor", "provider"};
  for (const Row& r : rows) {
    for (int i = 0; i < 5; ++i) {
      const HttpAnswer a = r.method == "GET" ? who[i]->Get(r.path) : who[i]->Post(r.path, r.body);
      INFO(names[i] << " " << r.method << " " << r.path << ": " << a.body);
      CHECK(a.status == r.expect[i]);
    }
  }
}
