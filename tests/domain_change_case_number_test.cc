// Given/When/Then tests of ChangeCaseNumber (seed 000): the change_case_numbers permission,
// a required number of at most 50 characters, and no-ops.
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

TEST_CASE("changing a client's case number needs the change_case_numbers permission",
          "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  // Given an officer without the permission
  // When they change the case number
  CommandResult r = RunAppendingNothing(d, "officer", ChangeCaseNumber{id, "HO-1"});
  // Then they are refused, naming the permission
  CHECK(Kind(r) == "forbidden");
  CHECK(r.rejection.rule == "change_case_numbers");
  CHECK(d.Client(id).case_number.empty());

  // But a supervisor (who has it) may
  r = RunOk(d, "supervisor", ChangeCaseNumber{id, "  HO-2026-0042 "});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}});
  CHECK(r.position == d.Head());
  CHECK(d.Client(id).case_number == "HO-2026-0042");
  REQUIRE(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "CaseNumberChanged"});
  CHECK(d.Events(ClientStream(id))[1].case_number == "HO-2026-0042");

  // And so may an administrator
  RunOk(d, "admin", ChangeCaseNumber{id, "HO-2026-0043"});
  CHECK(d.Client(id).case_number == "HO-2026-0043");
}

TEST_CASE("a case number is required and at most 50 characters", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When its case number is set empty, blank or longer than 50 characters
  // Then each is refused naming case_number
  for (const std::string& bad : {std::string(), std::string("   "), std::string(51, '7')}) {
    INFO("'" << bad << "'");
    CommandResult r = RunAppendingNothing(d, "supervisor", ChangeCaseNumber{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "case_number"));
  }
  // And 50 characters are accepted
  RunOk(d, "supervisor", ChangeCaseNumber{id, std::string(50, '7')});
  CHECK(d.Client(id).case_number == std::string(50, '7'));
}

TEST_CASE("setting the case number a client already has changes nothing", "[domain][client]") {
  // Given a client with a case number
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "supervisor", ChangeCaseNumber{id, "HO-9"});
  // When it is set to that number again
  // Then nothing changes and nothing is appended
  CommandResult r = RunAppendingNothing(d, "supervisor", ChangeCaseNumber{id, "HO-9"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "CaseNumberChanged"});
}
