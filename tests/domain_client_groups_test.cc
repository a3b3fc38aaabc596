// Given/When/Then tests of AddClientToGroup and RemoveClientFromGroup (seed 000): the
// client's groups, no-ops, removing a group the client is not in, and unnamed groups.
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

TEST_CASE("adding a client to groups lists them under the client's groups", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When it is added to two groups, one named with spaces around
  CommandResult r = RunOk(d, "officer", AddClientToGroup{id, "families"});
  // Then each appends ClientAddedToGroup, and the client lists both, trimmed
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}});
  CHECK(r.position == d.Head());
  RunOk(d, "officer", AddClientToGroup{id, " rough sleepers "});
  CHECK(d.Client(id).groups == std::set<std::string>{"families", "rough sleepers"});
  REQUIRE(d.EventTypes(ClientStream(id)) ==
          Types{"ClientRegistered", "ClientAddedToGroup", "ClientAddedToGroup"});
  CHECK(d.Events(ClientStream(id))[1].group == "families");
  CHECK(d.Events(ClientStream(id))[2].group == "rough sleepers");
}

TEST_CASE("adding a client to a group it is already in changes nothing", "[domain][client]") {
  // Given a client in a group
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  // When it is added to the group again, also with spaces around the name
  // Then nothing changes and nothing is appended
  CommandResult r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "families"});
  CHECK(Kind(r) == "unchanged");
  r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "  families "});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientAddedToGroup"});
}

TEST_CASE("removing a client from a group takes it off the client's groups", "[domain][client]") {
  // Given a client in two groups
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  RunOk(d, "officer", AddClientToGroup{id, "veterans"});
  // When it is removed from one
  // Then ClientRemovedFromGroup is appended and the client is in the other alone
  CommandResult r = RunOk(d, "officer", RemoveClientFromGroup{id, "families"});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 4}});
  CHECK(r.position == d.Head());
  CHECK(d.Client(id).groups == std::set<std::string>{"veterans"});
  REQUIRE(d.EventTypes(ClientStream(id)).back() == "ClientRemovedFromGroup");
  CHECK(d.Events(ClientStream(id)).back().group == "families");
  // And the client can be added to it again
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  CHECK(d.Client(id).groups == std::set<std::string>{"families", "veterans"});
}

TEST_CASE("removing a client from a group it is not in is refused as not found",
          "[domain][client]") {
  // Given a client in one group
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  // When it is removed from a group it is not in, or from one it has left
  // Then it is refused as not found and nothing is appended
  CommandResult r = RunAppendingNothing(d, "officer", RemoveClientFromGroup{id, "veterans"});
  CHECK(Kind(r) == "not-found");
  RunOk(d, "officer", RemoveClientFromGroup{id, "families"});
  r = RunAppendingNothing(d, "officer", RemoveClientFromGroup{id, "families"});
  CHECK(Kind(r) == "not-found");
}

TEST_CASE("a group must be named", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When it is added to or removed from a group with an empty, blank or too long name
  // Then each is refused naming the field group
  for (const std::string& bad : {std::string(), std::string("  "), std::string(101, 'g')}) {
    CommandResult r = RunAppendingNothing(d, "officer", AddClientToGroup{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "group"));
    r = RunAppendingNothing(d, "officer", RemoveClientFromGroup{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "group"));
  }
}
