// Given/When/Then tests of AssignNavigator and UnassignNavigator (seed 000): the client
// record's navigator, no-ops, unknown users and unassigning someone who is not navigator.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/domain_client_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_client::RunAppendingNothing;
using caseengine::testing::domain_client::RunOk;
using caseengine::testing::domain_client::Types;

}  // namespace

TEST_CASE("assigning a navigator to a client record lists them as its navigator",
          "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When two users are assigned as its navigators
  // Then each appends NavigatorAssigned and the client lists both
  CommandResult r = RunOk(d, "officer", AssignNavigator{id, "supervisor"});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}});
  CHECK(r.position == d.Head());
  RunOk(d, "officer", AssignNavigator{id, "officer"});
  CHECK(d.Client(id).navigators == std::set<std::string>{"officer", "supervisor"});
  REQUIRE(d.EventTypes(ClientStream(id)) ==
          Types{"ClientRegistered", "NavigatorAssigned", "NavigatorAssigned"});
  CHECK(d.Events(ClientStream(id))[1].user_id == "supervisor");
  CHECK(d.Events(ClientStream(id))[2].user_id == "officer");
}

TEST_CASE("assigning a navigator who is already assigned changes nothing", "[domain][client]") {
  // Given a client with a navigator
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AssignNavigator{id, "supervisor"});
  // When the navigator is assigned again
  // Then nothing changes and nothing is appended
  CommandResult r = RunAppendingNothing(d, "officer", AssignNavigator{id, "supervisor"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "NavigatorAssigned"});
}

TEST_CASE("only a known user can be a client's navigator", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When an unknown, empty or differently cased user is assigned
  // Then each is refused naming user_id, and the client has no navigator
  for (const std::string& bad : {std::string("nobody"), std::string(), std::string("Officer")}) {
    INFO("'" << bad << "'");
    CommandResult r = RunAppendingNothing(d, "officer", AssignNavigator{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "user_id"));
  }
  CHECK(d.Client(id).navigators.empty());
}

TEST_CASE("unassigning a navigator takes them off the client record", "[domain][client]") {
  // Given a client with two navigators
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AssignNavigator{id, "supervisor"});
  RunOk(d, "officer", AssignNavigator{id, "officer"});
  // When one is unassigned
  // Then NavigatorUnassigned is appended and the other is the navigator alone
  CommandResult r = RunOk(d, "officer", UnassignNavigator{id, "supervisor"});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 4}});
  CHECK(r.position == d.Head());
  CHECK(d.Client(id).navigators == std::set<std::string>{"officer"});
  CHECK(d.EventTypes(ClientStream(id)).back() == "NavigatorUnassigned");
  CHECK(d.Events(ClientStream(id)).back().user_id == "supervisor");
}

TEST_CASE("unassigning someone who is not the client's navigator is refused as not found",
          "[domain][client]") {
  // Given a client with one navigator
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AssignNavigator{id, "officer"});
  // When another user, or an unknown one, is unassigned
  // Then it is refused as not found
  for (const char* who : {"supervisor", "nobody"}) {
    INFO(who);
    CommandResult r = RunAppendingNothing(d, "officer", UnassignNavigator{id, who});
    CHECK(Kind(r) == "not-found");
  }
  // And an empty user is refused naming user_id, and the navigator stays
  CommandResult r = RunAppendingNothing(d, "officer", UnassignNavigator{id, ""});
  CHECK(Kind(r) == "validation");
  CHECK(NamesField(r, "user_id"));
  CHECK(d.Client(id).navigators == std::set<std::string>{"officer"});
}
