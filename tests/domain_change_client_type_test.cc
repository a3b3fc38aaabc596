// Given/When/Then tests of ChangeClientType (seed 000): the type is recorded, must be one the
// agency established, and setting the current type changes nothing.
#include <catch2/catch.hpp>
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

TEST_CASE("setting a client type records the type", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When its type is set twice
  // Then each appends ClientTypeChanged and the client has the last type
  CommandResult r = RunOk(d, "officer", ChangeClientType{id, "direct_service_client"});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}});
  CHECK(r.position == d.Head());
  CHECK(d.Client(id).client_type == "direct_service_client");
  RunOk(d, "officer", ChangeClientType{id, "case_management"});
  CHECK(d.Client(id).client_type == "case_management");
  CHECK(d.EventTypes(ClientStream(id)) ==
        Types{"ClientRegistered", "ClientTypeChanged", "ClientTypeChanged"});
  const auto events = d.Events(ClientStream(id));
  CHECK(events[1].client_type == "direct_service_client");
  CHECK(events[2].client_type == "case_management");
}

TEST_CASE("client types must be established by the agency before they can be set",
          "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When its type is set to one the agency did not establish
  // Then it is refused naming client_type
  for (const char* bad : {"vip", "Potential_Client", "potential client"}) {
    INFO(bad);
    CommandResult r = RunAppendingNothing(d, "officer", ChangeClientType{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "client_type"));
  }
  SECTION("and a client type must be given") {
    CommandResult r = RunAppendingNothing(d, "officer", ChangeClientType{id, ""});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "client_type"));
  }
}

TEST_CASE("setting the client type a client already has changes nothing", "[domain][client]") {
  // Given a client of a type
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", ChangeClientType{id, "potential_client"});
  // When it is set to that type again
  // Then nothing changes and nothing is appended
  CommandResult r = RunAppendingNothing(d, "officer", ChangeClientType{id, "potential_client"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientTypeChanged"});
}
