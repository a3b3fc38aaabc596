// Given/When/Then tests that hold for every client command: the auditor's and the officer's
// permissions, unknown and malformed client ids, stale If-Match versions, and repeated or
// refused command ids.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tests/domain_client_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_client::Registration;
using caseengine::testing::domain_client::RunAppendingNothing;
using caseengine::testing::domain_client::RunOk;
using caseengine::testing::domain_client::WithEmail;

// Every client command except RegisterClient, on `client_id`, with fields that are valid
// and change something on a client registered with an email, in group "to-leave" and with
// navigator "supervisor".
std::vector<Command> CommandsOnClient(const std::string& client_id) {
  PersonalFields surname;
  surname.surname = "Renamed";
  return {CorrectClientDetails{client_id, surname},
          ChangeClientStatus{client_id, "inactive"},
          ChangeClientType{client_id, "case_management"},
          ChangeCaseNumber{client_id, "HO-2026-0001"},
          AddClientToGroup{client_id, "families"},
          RemoveClientFromGroup{client_id, "to-leave"},
          AssignNavigator{client_id, "officer"},
          UnassignNavigator{client_id, "supervisor"},
          ChangePortalStatus{client_id, "active"},
          SendPortalInvitation{client_id},
          OpenCase{client_id}};
}

// A client that every command of CommandsOnClient changes; returns its id.
std::string ClientForEveryCommand(DomainFixture& d) {
  const std::string id = d.Register("Every", "1980-05-05", WithEmail("every@example.org")).first;
  RunOk(d, "officer", AddClientToGroup{id, "to-leave"});
  RunOk(d, "officer", AssignNavigator{id, "supervisor"});
  return id;
}

}  // namespace

TEST_CASE("the auditor cannot send any client command", "[domain][client]") {
  // Given a client that every client command would change
  DomainFixture d;
  const std::string id = ClientForEveryCommand(d);
  std::vector<Command> commands = CommandsOnClient(id);
  commands.push_back(Registration("Audited", "1990-01-01"));
  // When the auditor sends each, and a registration
  // Then each is refused naming casework, and the client stays as it was
  for (const Command& c : commands) {
    INFO(CommandName(c));
    CommandResult r = RunAppendingNothing(d, "auditor", c);
    CHECK(Kind(r) == "forbidden");
    CHECK(r.rejection.rule == "casework");
  }
  CHECK(d.Client(id).version == 3);
}

TEST_CASE("the officer may send every client command but the two that need a permission",
          "[domain][client]") {
  // Given a client that every client command would change
  DomainFixture d;
  const std::string id = ClientForEveryCommand(d);
  // When the officer sends each
  // Then all go through but ChangeCaseNumber and SendPortalInvitation, which are forbidden
  for (const Command& c : CommandsOnClient(id)) {
    INFO(CommandName(c));
    if (std::holds_alternative<ChangeCaseNumber>(c) ||
        std::holds_alternative<SendPortalInvitation>(c)) {
      CommandResult r = RunAppendingNothing(d, "officer", c);
      CHECK(Kind(r) == "forbidden");
    } else {
      RunOk(d, "officer", c);
    }
  }
}

TEST_CASE("a client command on an unknown client is refused as not found", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  d.Register();  // a client exists, just not this one
  // When every client command names another client id
  // Then each is refused as not found
  for (const Command& c : CommandsOnClient("no-such-client")) {
    INFO(CommandName(c));
    CommandResult r = RunAppendingNothing(d, "admin", c);
    CHECK(Kind(r) == "not-found");
  }
  // And a case id is not a client id either
  const std::string case_id = d.Register().second;
  for (const Command& c : CommandsOnClient(case_id)) {
    INFO(CommandName(c) << " on a case id");
    CommandResult r = RunAppendingNothing(d, "admin", c);
    CHECK(Kind(r) == "not-found");
  }
}

TEST_CASE("a client command needs a well-formed client id", "[domain][client]") {
  // Given a registered client
  DomainFixture d;
  d.Register();
  // When every client command names an empty, malformed or too long client id
  // Then each is refused naming client_id
  for (const std::string& bad :
       {std::string(), std::string("not an id!"), std::string("id/1"), std::string(65, 'a')}) {
    for (const Command& c : CommandsOnClient(bad)) {
      INFO(CommandName(c) << " '" << bad << "'");
      CommandResult r = RunAppendingNothing(d, "admin", c);
      CHECK(Kind(r) == "validation");
      CHECK(NamesField(r, "client_id"));
    }
  }
}

TEST_CASE("a client command with a stale If-Match version changes nothing", "[domain][client]") {
  DomainFixture d;
  const std::string id = ClientForEveryCommand(d);
  for (const Command& c : CommandsOnClient(id)) {
    INFO(CommandName(c));
    const uint64_t version = d.Client(id).version;
    // Given the client is at `version`; when the command expects another version
    for (uint64_t stale : {version - 1, version + 1, uint64_t{0}}) {
      INFO("expected " << stale << ", actual " << version);
      CommandOptions o;
      o.expected_version = stale;
      CommandResult r = RunAppendingNothing(d, "admin", c, o);
      // Then it is refused
      CHECK(Kind(r) == "version-mismatch");
    }
    // But with the current version it goes through
    CommandOptions o;
    o.expected_version = version;
    CommandResult r = RunOk(d, "admin", c, o);
    CHECK(d.Client(id).version == version + 1);
    CHECK(r.versions.at(0) == StreamVersion{ClientStream(id), version + 1});
  }
}

TEST_CASE("If-Match is checked even when the command would change nothing", "[domain][client]") {
  // Given a client in a group, at version 2
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  CommandOptions stale;
  stale.expected_version = 1;
  // When it is added to the group again with a stale If-Match
  // Then it is a version mismatch
  CommandResult r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "families"}, stale);
  CHECK(Kind(r) == "version-mismatch");
  CommandOptions current;
  current.expected_version = 2;
  // And with the current version it is unchanged
  r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "families"}, current);
  CHECK(Kind(r) == "unchanged");
}

TEST_CASE("a repeated client command answers as the first time and appends nothing",
          "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Again", "1990-01-01", WithEmail("again@example.org")).first;
  struct Repeat {
    std::string user;
    Command command;
  };
  PersonalFields fix;
  fix.forenames = "Once";
  for (const Repeat& rep : std::vector<Repeat>{{"officer", OpenCase{id}},
                                               {"supervisor", SendPortalInvitation{id}},
                                               {"officer", AddClientToGroup{id, "families"}},
                                               {"officer", CorrectClientDetails{id, fix}},
                                               {"supervisor", ChangeCaseNumber{id, "HO-1"}},
                                               {"officer", Registration("Again", "1990-01-01")}}) {
    INFO(CommandName(rep.command));
    CommandOptions o;
    o.command_id = std::string("repeat-") + CommandName(rep.command);
    // Given the command was carried out once
    CommandResult first = RunOk(d, rep.user, rep.command, o);
    CHECK_FALSE(first.duplicate);
    const auto head = d.Head();
    const auto version = d.Client(id).version;
    // When it is sent again with the same command id
    CommandResult again = d.Run(rep.user, rep.command, o);
    // Then the answer is the first one's, marked as a repeat, and nothing is appended
    CHECK(Kind(again) == "ok");
    CHECK(again.duplicate);
    CHECK(again.response == first.response);
    CHECK(again.position == first.position);
    CHECK(again.versions == first.versions);
    CHECK(d.Head() == head);
    CHECK(d.Client(id).version == version);
  }
  // The repeated invitation was not counted as a resend, the repeated case not opened twice
  CHECK(d.Client(id).invitations_sent == 1);
  CHECK(d.Client(id).cases.size() == 2);
}

TEST_CASE("a command id once used answers with the first command whatever is sent with it",
          "[domain][client]") {
  // Given a command sent with a command id
  DomainFixture d;
  const std::string id = d.Register().first;
  CommandOptions o;
  o.command_id = "key-1";
  CommandResult first = RunOk(d, "officer", AddClientToGroup{id, "families"}, o);
  const auto head = d.Head();
  // When another command comes with the same command id
  // Then it answers as the first, a duplicate, and appends and changes nothing
  CommandResult other = d.Run("officer", ChangeClientStatus{id, "closed"}, o);
  CHECK(Kind(other) == "ok");
  CHECK(other.duplicate);
  CHECK(other.position == first.position);
  CHECK(d.Head() == head);
  CHECK(d.Client(id).status == "active");
}

TEST_CASE("a refused command does not use up its command id", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Later", "1990-01-01").first;
  CommandOptions o;
  o.command_id = "invite-later";
  // Given an invitation refused for want of an email
  CommandResult r = RunAppendingNothing(d, "supervisor", SendPortalInvitation{id}, o);
  CHECK(Kind(r) == "rule-violated");
  // When the email is added and the same command sent again with the same id
  RunOk(d, "officer", CorrectClientDetails{id, WithEmail("later@example.org")});
  r = RunOk(d, "supervisor", SendPortalInvitation{id}, o);
  // Then it is carried out, not answered as a repeat of the refusal
  CHECK_FALSE(r.duplicate);
  CHECK(d.Client(id).invitations_sent == 1);
  // And so is a no-op: it leaves its id free
  CommandOptions n;
  n.command_id = "group-twice";
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "families"}, n);
  CHECK(Kind(r) == "unchanged");
  RunOk(d, "officer", RemoveClientFromGroup{id, "families"});
  r = RunOk(d, "officer", AddClientToGroup{id, "families"}, n);
  CHECK_FALSE(r.duplicate);
  CHECK(d.Client(id).groups == std::set<std::string>{"families"});
}
