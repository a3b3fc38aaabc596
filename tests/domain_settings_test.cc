// Given/When/Then tests of the settings commands (DefineTaskType, RetireTaskType,
// DefineWorkflow, RetireWorkflow, ImportSettings): settings as events on the settings
// stream, changed only with manage_settings, and the config's first values imported once.
#include <catch2/catch.hpp>
#include <string>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::Unchanged;

namespace {

DefineTaskType Type(const std::string& id, std::vector<std::string> strands = {}, int due_days = 7,
                    const std::string& access = "none") {
  DefineTaskType c;
  c.type.id = id;
  c.type.name = "Task " + id;
  c.type.strand_types = std::move(strands);
  c.type.due_days = due_days;
  c.provider_access = access;
  return c;
}

DefineWorkflow Flow(const std::string& id, const std::string& trigger,
                    std::vector<std::string> types, const std::string& strand_type = "") {
  DefineWorkflow c;
  c.workflow.id = id;
  c.workflow.name = "Workflow " + id;
  c.trigger = trigger;
  c.workflow.strand_type = strand_type;
  c.workflow.task_types = std::move(types);
  return c;
}

SettingsState Settings(DomainFixture& d) {
  SettingsState s;
  for (const Event& e : d.Events(kSettingsStream)) Evolve(&s, e);
  return s;
}

}  // namespace

TEST_CASE("settings change only with the manage_settings permission", "[domain][settings]") {
  // Given the demo users: the officer and supervisor lack manage_settings, the admin has it
  DomainFixture d;
  // When an officer or a supervisor defines a task type, Then 403 and nothing written
  Refused(d, "officer", Type("call"), "forbidden");
  Refused(d, "supervisor", Type("call"), "forbidden");
  Refused(d, "provider", Type("call"), "forbidden");
  // When the administrator does, Then a TaskTypeDefined on the settings stream
  Ok(d, "admin", Type("call"));
  CHECK(d.EventTypes(kSettingsStream) == std::vector<std::string>{"TaskTypeDefined"});
}

TEST_CASE("a task type is defined, changed, and retired as events", "[domain][settings]") {
  DomainFixture d;
  // Given a task type
  Ok(d, "admin", Type("call", {"homeless_application"}, 3, "read_only"));
  SettingsState s = Settings(d);
  REQUIRE(s.task_types.count("call"));
  CHECK(s.task_types["call"].due_days == 3);
  CHECK(s.task_types["call"].access == ProviderAccess::kReadOnly);
  // When it is defined again unchanged, Then nothing is written
  Unchanged(d, "admin", Type("call", {"homeless_application"}, 3, "read_only"));
  // When it changes, Then a second definition replaces the first
  Ok(d, "admin", Type("call", {"homeless_application"}, 5, "full"));
  s = Settings(d);
  CHECK(s.task_types["call"].due_days == 5);
  CHECK(s.task_types["call"].access == ProviderAccess::kFull);
  // When it is retired, Then it stays listed, marked retired; retiring again changes nothing
  Ok(d, "admin", RetireTaskType{"call"});
  CHECK(Settings(d).task_types["call"].retired);
  Unchanged(d, "admin", RetireTaskType{"call"});
  Refused(d, "admin", RetireTaskType{"nosuch"}, "not-found");
}

TEST_CASE("a task type's bad fields are refused naming them", "[domain][settings]") {
  DomainFixture d;
  CHECK(NamesField(Refused(d, "admin", Type(""), "validation"), "id"));
  CHECK(NamesField(Refused(d, "admin", Type("bad id!"), "validation"), "id"));
  CHECK(
      NamesField(Refused(d, "admin", Type("x", {"no_such_strand"}), "validation"), "strand_types"));
  CHECK(NamesField(Refused(d, "admin", Type("x", {}, 99999), "validation"), "due_days"));
  CHECK(NamesField(Refused(d, "admin", Type("x", {}, 7, "everything"), "validation"),
                   "provider_access"));
  DefineTaskType no_name = Type("x");
  no_name.type.name = "";
  CHECK(NamesField(Refused(d, "admin", no_name, "validation"), "name"));
  CHECK(d.Events(kSettingsStream).empty());
}

TEST_CASE("a workflow names only task types that exist and apply to its strand type",
          "[domain][settings]") {
  DomainFixture d;
  Ok(d, "admin", Type("interview", {"homeless_application"}));
  Ok(d, "admin", Type("call"));
  // When a workflow names a task type that does not exist, Then 422 naming task_types
  CHECK(NamesField(Refused(d, "admin", Flow("w", "case_opened", {"nosuch"}), "validation"),
                   "task_types"));
  // When a strand workflow names a task of another strand type, Then 422
  CHECK(NamesField(Refused(d, "admin", Flow("w", "strand_added", {"interview"}, "housing_register"),
                           "validation"),
                   "task_types"));
  // When the trigger or strand type is wrong, Then 422 naming them
  CHECK(NamesField(Refused(d, "admin", Flow("w", "sometimes", {"call"}), "validation"), "trigger"));
  CHECK(NamesField(Refused(d, "admin", Flow("w", "strand_added", {"call"}), "validation"),
                   "strand_type"));
  CHECK(NamesField(Refused(d, "admin", Flow("w", "case_opened", {}), "validation"), "task_types"));
  // When it is right, Then WorkflowDefined; a case-level task type goes on any strand
  Ok(d, "admin", Flow("w", "strand_added", {"interview", "call"}, "homeless_application"));
  SettingsState s = Settings(d);
  REQUIRE(s.workflows.count("w"));
  CHECK(s.workflows["w"].task_types == std::vector<std::string>{"interview", "call"});
  CHECK(s.workflows["w"].trigger == WorkflowTrigger::kStrandAdded);
}

TEST_CASE("a task type a workflow loads cannot be retired or narrowed away from it",
          "[domain][settings]") {
  DomainFixture d;
  Ok(d, "admin", Type("interview", {"homeless_application"}));
  Ok(d, "admin", Flow("w", "strand_added", {"interview"}, "homeless_application"));
  CHECK(Refused(d, "admin", RetireTaskType{"interview"}, "rule-violated").rejection.rule ==
        "task-type-in-use");
  CHECK(Refused(d, "admin", Type("interview", {"housing_register"}), "rule-violated")
            .rejection.rule == "task-type-in-use");
  // Once the workflow is retired, the task type may go
  Ok(d, "admin", RetireWorkflow{"w"});
  Ok(d, "admin", RetireTaskType{"interview"});
  Refused(d, "admin", RetireWorkflow{"nosuch"}, "not-found");
}

TEST_CASE("the config's first settings are imported once, into an empty settings stream",
          "[domain][settings]") {
  // Given the demo configuration's task types and workflows
  DomainFixture d;
  // When they are imported, Then every task type and workflow is an event
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
  const SettingsState s = Settings(d);
  CHECK(s.task_types.size() == d.config.task_types.size());
  CHECK(s.workflows.size() == d.config.workflows.size());
  const uint64_t head = d.Head();
  // When they are imported again (a restart), Then nothing is written: the stream is the
  // truth once it has events
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
  CHECK(d.Head() == head);
  // And an import is never sent by a user without manage_settings
  Refused(d, "officer", ImportSettings{d.config.task_types, d.config.workflows}, "forbidden");
}

TEST_CASE("an import whose workflow names an unknown task type is refused whole",
          "[domain][settings]") {
  DomainFixture d;
  Workflow w;
  w.id = "w";
  w.name = "W";
  w.task_types = {"nosuch"};
  Refused(d, "admin", ImportSettings{{}, {w}}, "validation");
  CHECK(d.Events(kSettingsStream).empty());
}
