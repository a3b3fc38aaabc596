// Strands (applications and assessments), their cardinality, status changes and moves,
// Given/When/Then, named after the rules of the case strands table in the seed articles.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

// Given a client with two open cases (its first, and one opened after).
struct TwoCases {
  DomainFixture d;
  std::string client, first, second;
  TwoCases() {
    std::tie(client, first) = d.Register();
    CommandResult r = d.Run("officer", OpenCase{client});
    REQUIRE(r.ok());
    second = r.response["case_id"];
  }
  std::string Add(const std::string& kase, const std::string& type) {
    CommandResult r = d.Run("officer", AddStrand{kase, type});
    INFO(r.rejection.message);
    REQUIRE(Kind(r) == "ok");
    return r.response["strand_id"];
  }
};

}  // namespace

TEST_CASE(
    "only one current Housing Register application across all active cases with the "
    "same primary applicant",
    "[domain][strand]") {
  TwoCases g;
  const std::string hr = g.Add(g.first, "housing_register");
  const auto before = g.d.Head();
  CommandResult second = g.d.Run("officer", AddStrand{g.second, "housing_register"});
  CHECK(Kind(second) == "rule-violated");
  CHECK(second.rejection.rule == "one-current-per-applicant");
  CHECK(g.d.Head() == before);
  // Once the first is closed, the other case may have one.
  REQUIRE(Kind(g.d.Run("officer", ChangeStrandStatus{g.first, hr, "closed"})) == "ok");
  CHECK(Kind(g.d.Run("officer", AddStrand{g.second, "housing_register"})) == "ok");
}

TEST_CASE("a current application on a closed case does not count against the applicant",
          "[domain][strand]") {
  TwoCases g;
  g.Add(g.first, "homeless_application");
  REQUIRE(Kind(g.d.Run("officer", CloseCase{g.first, "housed"})) == "ok");
  CHECK(Kind(g.d.Run("officer", AddStrand{g.second, "homeless_application"})) == "ok");
  // Reopening does not revive a second current one silently: the rule is checked on adds.
}

TEST_CASE("homeless and legacy homeless applications: one current each per applicant",
          "[domain][strand]") {
  TwoCases g;
  g.Add(g.first, "homeless_application");
  g.Add(g.second, "homeless_application_legacy");  // a different type
  CHECK(Kind(g.d.Run("officer", AddStrand{g.second, "homeless_application"})) == "rule-violated");
  CHECK(Kind(g.d.Run("officer", AddStrand{g.first, "homeless_application_legacy"})) ==
        "rule-violated");
}

TEST_CASE("a Housing Register application creates its Bedroom assessment automatically",
          "[domain][strand]") {
  TwoCases g;
  CommandResult r = g.d.Run("officer", AddStrand{g.first, "housing_register"});
  REQUIRE(Kind(r) == "ok");
  REQUIRE(r.response.contains("created"));
  CaseState k = g.d.Case(g.first);
  REQUIRE(k.strands.size() == 2);
  CHECK(k.strands[0].type == "housing_register");
  CHECK(k.strands[1].type == "bedroom_assessment");
  CHECK(k.strands[1].created_by == k.strands[0].id);
  CHECK(r.response["created"][0]["strand_id"] == k.strands[1].id);
}

TEST_CASE("only one active Bedroom assessment per case", "[domain][strand]") {
  TwoCases g;
  g.Add(g.first, "housing_register");  // brings one
  CommandResult r = g.d.Run("officer", AddStrand{g.first, "bedroom_assessment"});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "one-current-per-case");
  CHECK(Kind(g.d.Run("officer", AddStrand{g.second, "bedroom_assessment"})) == "ok");
}

TEST_CASE("financial assistance and rough sleeper forms: one current per case",
          "[domain][strand]") {
  TwoCases g;
  for (const char* type : {"financial_assistance", "rough_sleeper"}) {
    INFO(type);
    const std::string id = g.Add(g.first, type);
    CHECK(Kind(g.d.Run("officer", AddStrand{g.first, type})) == "rule-violated");
    CHECK(Kind(g.d.Run("officer", AddStrand{g.second, type})) == "ok");  // per case
    REQUIRE(Kind(g.d.Run("officer", ChangeStrandStatus{g.first, id, "cancelled"})) == "ok");
    CHECK(Kind(g.d.Run("officer", AddStrand{g.first, type})) == "ok");
  }
}

TEST_CASE("health and risk assessments and reviews and homeless referrals: many per case",
          "[domain][strand]") {
  TwoCases g;
  for (const char* type : {"health_assessment", "risk_assessment", "review", "homeless_referral"}) {
    for (int i = 0; i < 3; ++i) g.Add(g.first, type);
  }
  CHECK(g.d.Case(g.first).strands.size() == 12);
}

TEST_CASE("applications and assessments are added to open cases only", "[domain][strand]") {
  TwoCases g;
  REQUIRE(Kind(g.d.Run("officer", CloseCase{g.first, "housed"})) == "ok");
  CommandResult r = g.d.Run("officer", AddStrand{g.first, "review"});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "case-not-active");
  CHECK(Kind(g.d.Run("officer", AddStrand{g.first, "no_such_type"})) == "validation");
}

TEST_CASE("reopening a strand re-checks its cardinality", "[domain][strand]") {
  TwoCases g;
  const std::string first = g.Add(g.first, "rough_sleeper");
  REQUIRE(Kind(g.d.Run("officer", ChangeStrandStatus{g.first, first, "closed"})) == "ok");
  g.Add(g.first, "rough_sleeper");
  CommandResult r = g.d.Run("officer", ChangeStrandStatus{g.first, first, "open"});
  CHECK(Kind(r) == "rule-violated");
  CHECK(Kind(g.d.Run("officer", ChangeStrandStatus{g.first, first, "closed"})) == "unchanged");
}

TEST_CASE("a moved homeless application is closed as moved and journalled on both cases",
          "[domain][strand][move]") {
  TwoCases g;
  const std::string original = g.Add(g.first, "homeless_application");
  const auto before = g.d.Head();
  CommandResult r = g.d.Run("supervisor", MoveStrand{g.first, original, g.second});
  INFO(r.rejection.message);
  REQUIRE(Kind(r) == "ok");
  const std::string moved = r.response["new_strand_id"];
  REQUIRE(r.versions.size() == 2);  // one atomic append over both cases

  CaseState from = g.d.Case(g.first), to = g.d.Case(g.second);
  const CaseStrand* old_strand = from.Strand(original);
  REQUIRE(old_strand != nullptr);
  CHECK(old_strand->status == "closed_moved");
  CHECK(old_strand->moved_to_case == g.second);
  CHECK(old_strand->moved_to_strand == moved);
  const CaseStrand* new_strand = to.Strand(moved);
  REQUIRE(new_strand != nullptr);
  CHECK(new_strand->status == "open");
  CHECK(new_strand->type == "homeless_application");
  CHECK(new_strand->moved_from_case == g.first);
  CHECK(new_strand->moved_from_strand == original);

  REQUIRE(from.journal.size() == 1);
  CHECK(from.journal[0].other_case_id == g.second);
  CHECK(from.journal[0].other_strand_id == moved);
  CHECK_THAT(from.journal[0].text, Catch::Contains(g.second) && Catch::Contains(moved));
  REQUIRE(to.journal.size() == 1);
  CHECK(to.journal[0].other_case_id == g.first);
  CHECK(to.journal[0].other_strand_id == original);
  CHECK_THAT(to.journal[0].text, Catch::Contains(g.first) && Catch::Contains(original));

  // Both sides were written by the same append: consecutive positions, one command.
  std::vector<RecordedEvent> events;
  REQUIRE(g.d.log->ReadAll(before + 1, 100, &events).ok());
  REQUIRE(events.size() == 4);
  for (const auto& e : events) CHECK(e.command_id == events[0].command_id);
  CHECK(r.position == before + 4);
}

TEST_CASE("moving an application closes its actions and warns about what must move by hand",
          "[domain][strand][move]") {
  TwoCases g;
  const std::string referral = g.Add(g.first, "homeless_referral");
  CommandResult action = g.d.Run("officer", CreateAction{g.first, "Visit", "", referral});
  REQUIRE(Kind(action) == "ok");
  REQUIRE(Kind(g.d.Run("officer", AddNote{g.first, "spoke to the client", referral})) == "ok");
  CommandResult other = g.d.Run("officer", CreateAction{g.first, "Unrelated", "", ""});
  CommandResult r = g.d.Run("supervisor", MoveStrand{g.first, referral, g.second});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["warnings"].size() == 2);
  CaseState from = g.d.Case(g.first);
  CHECK(from.Action(action.response["action_id"])->status == "closed");
  CHECK(from.Action(other.response["action_id"])->status == "open");
}

TEST_CASE("a move without the move_strands permission is refused and writes nothing",
          "[domain][strand][move]") {
  TwoCases g;
  const std::string id = g.Add(g.first, "homeless_application");
  const auto before = g.d.Head();
  CHECK(Kind(g.d.Run("officer", MoveStrand{g.first, id, g.second})) == "forbidden");
  CHECK(g.d.Head() == before);
}

TEST_CASE("an application moves only to another existing active case", "[domain][strand][move]") {
  TwoCases g;
  const std::string id = g.Add(g.first, "homeless_referral");
  CHECK(Kind(g.d.Run("supervisor", MoveStrand{g.first, id, "nosuchcase"})) == "not-found");
  CHECK(Kind(g.d.Run("supervisor", MoveStrand{g.first, id, g.first})) == "validation");
  REQUIRE(Kind(g.d.Run("officer", CloseCase{g.second, "done"})) == "ok");
  CommandResult r = g.d.Run("supervisor", MoveStrand{g.first, id, g.second});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "target-case-not-active");
  CHECK(Kind(g.d.Run("supervisor", MoveStrand{g.first, "nostrand", g.second})) == "not-found");
}

TEST_CASE("a move re-checks the cardinality of the target", "[domain][strand][move]") {
  TwoCases g;
  // Another applicant whose case already has a current homeless application.
  auto [other_client, other_case] = g.d.Register("Other", "1970-01-01");
  g.Add(other_case, "homeless_application");
  const std::string mine = g.Add(g.first, "homeless_application");
  CommandResult r = g.d.Run("supervisor", MoveStrand{g.first, mine, other_case});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "one-current-per-applicant");
  // Between two cases of the same applicant the moving application itself does not count.
  CHECK(Kind(g.d.Run("supervisor", MoveStrand{g.first, mine, g.second})) == "ok");
}

TEST_CASE("only homeless applications and referrals move and a moved one is final",
          "[domain][strand][move]") {
  TwoCases g;
  const std::string hr = g.Add(g.first, "housing_register");
  CommandResult r = g.d.Run("supervisor", MoveStrand{g.first, hr, g.second});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "strand-type-does-not-move");
  const std::string ha = g.Add(g.first, "homeless_application");
  REQUIRE(Kind(g.d.Run("supervisor", MoveStrand{g.first, ha, g.second})) == "ok");
  CommandResult reopen = g.d.Run("officer", ChangeStrandStatus{g.first, ha, "open"});
  CHECK(reopen.rejection.rule == "moved-strand-is-final");
  CommandResult again = g.d.Run("supervisor", MoveStrand{g.first, ha, g.second});
  CHECK(again.rejection.rule == "only-current-strands-move");
}

TEST_CASE("many threads racing to add a second current Housing Register: exactly one wins",
          "[domain][strand][concurrency]") {
  TwoCases g;
  std::atomic<int> wins{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 24; ++t) {
    threads.emplace_back([&, t] {
      CommandResult r =
          g.d.Run("officer", AddStrand{t % 2 ? g.first : g.second, "housing_register"});
      const std::string kind = Kind(r);
      if (kind == "ok") {
        wins++;
      } else if (kind == "rule-violated") {
        refused++;
      } else {
        other++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wins.load() == 1);
  CHECK(refused.load() == 23);
  CHECK(other.load() == 0);
}

TEST_CASE("the rules over all of an applicant's cases hold after a restart", "[domain][strand]") {
  TwoCases g;
  g.Add(g.first, "housing_register");
  // A new handler over the same log starts with nothing cached: it rebuilds its index of
  // cases by primary applicant from the log.
  CommandServiceOptions options;
  options.today = [] { return std::string(DomainFixture::kToday); };
  CommandService fresh(g.d.log.get(), g.d.keys.get(), &g.d.config, options);
  CommandResult r =
      fresh.Execute(g.d.config.users["officer"], AddStrand{g.second, "housing_register"});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "one-current-per-applicant");
}
