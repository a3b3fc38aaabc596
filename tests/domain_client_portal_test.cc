// Given/When/Then tests of ChangePortalStatus and SendPortalInvitation (seed 000): pending,
// active and banned portal statuses, the send_portal_invitations permission, invitations to
// the client's email, resends, and banned clients.
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
using caseengine::testing::domain_client::WithEmail;

}  // namespace

// ---------------------------------------------------------------------------------------
// ChangePortalStatus

TEST_CASE("a client's portal status can be pending active or banned", "[domain][client]") {
  // Given a client pending on the portal
  DomainFixture d;
  const std::string id = d.Register().first;
  CHECK(d.Client(id).portal_status == "pending");
  uint64_t version = 1;
  // When its portal status is set to active, banned, pending and active again
  // Then each appends PortalStatusChanged and the client has that status
  for (const char* status : {"active", "banned", "pending", "active"}) {
    INFO(status);
    CommandResult r = RunOk(d, "officer", ChangePortalStatus{id, status});
    ++version;
    CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), version}});
    CHECK(r.position == d.Head());
    CHECK(d.Client(id).portal_status == status);
    const Event e = d.Events(ClientStream(id)).back();
    CHECK(e.type == EventType::kPortalStatusChanged);
    CHECK(e.status == status);
  }
  // And the record status is another thing and stays as it was
  CHECK(d.Client(id).status == "active");
}

TEST_CASE("setting the portal status a client already has changes nothing", "[domain][client]") {
  // Given a client pending on the portal
  DomainFixture d;
  const std::string id = d.Register().first;
  // When it is set to pending, or banned twice
  // Then the repeat changes nothing and appends nothing
  CommandResult r = RunAppendingNothing(d, "officer", ChangePortalStatus{id, "pending"});
  CHECK(Kind(r) == "unchanged");
  RunOk(d, "officer", ChangePortalStatus{id, "banned"});
  r = RunAppendingNothing(d, "officer", ChangePortalStatus{id, "banned"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "PortalStatusChanged"});
}

TEST_CASE("a portal status other than pending active or banned is refused", "[domain][client]") {
  // Given a client pending on the portal
  DomainFixture d;
  const std::string id = d.Register().first;
  // When its portal status is set to anything but pending, active or banned
  // Then each is refused naming status, and it stays pending
  for (const char* bad : {"", "Banned", "suspended", "closed", "inactive"}) {
    INFO(bad);
    CommandResult r = RunAppendingNothing(d, "officer", ChangePortalStatus{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "status"));
  }
  CHECK(d.Client(id).portal_status == "pending");
}

// ---------------------------------------------------------------------------------------
// SendPortalInvitation

TEST_CASE("sending a portal invitation needs the send_portal_invitations permission",
          "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Invitee", "1990-01-01", WithEmail("inv@example.org")).first;
  // Given an officer without the permission
  CommandResult r = RunAppendingNothing(d, "officer", SendPortalInvitation{id});
  // Then they cannot invite the client
  CHECK(Kind(r) == "forbidden");
  CHECK(r.rejection.rule == "send_portal_invitations");
  CHECK(d.Client(id).invitations_sent == 0);
  // But a supervisor and an administrator can
  RunOk(d, "supervisor", SendPortalInvitation{id});
  RunOk(d, "admin", SendPortalInvitation{id});
  CHECK(d.Client(id).invitations_sent == 2);
}

TEST_CASE("a portal invitation goes to the client's email", "[domain][client]") {
  DomainFixture d;
  // Given a client whose email is on record
  const std::string id =
      d.Register("Invitee", "1990-01-01", WithEmail("Portal.User@Example.org")).first;
  // When a supervisor sends the invitation
  CommandResult r = RunOk(d, "supervisor", SendPortalInvitation{id});
  // Then it is a first invitation, to that email
  CHECK(r.response == nlohmann::json{{"resend", false}});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}});
  CHECK(r.position == d.Head());
  REQUIRE(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "PortalInvitationSent"});
  const Event e = d.Events(ClientStream(id))[1];
  CHECK_FALSE(e.resend);
  CHECK(e.personal.email == "portal.user@example.org");
  CHECK(e.subject == ClientStream(id));
  CHECK(d.Client(id).invitations_sent == 1);
  // And the portal status is not changed by it
  CHECK(d.Client(id).portal_status == "pending");
  // And the email is sealed in the stored event
  std::vector<RecordedEvent> all;
  REQUIRE(d.log->ReadAll(1, 100, &all).ok());
  for (const auto& stored : all) {
    INFO(stored.type);
    CHECK(stored.payload.find("portal.user") == std::string::npos);
  }
}

TEST_CASE("a portal invitation needs the client's email", "[domain][client]") {
  DomainFixture d;
  // Given a client with no email on record
  const std::string id = d.Register("Noemail", "1990-01-01").first;
  // When a supervisor sends an invitation
  CommandResult r = RunAppendingNothing(d, "supervisor", SendPortalInvitation{id});
  // Then the rule refuses it
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "invitation-needs-email");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered"});
  // And once the email is corrected in, the invitation goes
  RunOk(d, "officer", CorrectClientDetails{id, WithEmail("late@example.org")});
  r = RunOk(d, "supervisor", SendPortalInvitation{id});
  CHECK(r.response == nlohmann::json{{"resend", false}});
  CHECK(d.Events(ClientStream(id)).back().personal.email == "late@example.org");
}

TEST_CASE("a resent invitation is marked as a resend", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Resend", "1990-01-01", WithEmail("re@example.org")).first;
  // Given an invitation was sent
  CommandResult first = RunOk(d, "supervisor", SendPortalInvitation{id});
  CHECK(first.response.at("resend") == false);
  // When it is sent again, and again
  CommandResult second = RunOk(d, "supervisor", SendPortalInvitation{id});
  CommandResult third = RunOk(d, "admin", SendPortalInvitation{id});
  // Then those are resends, to the same address
  CHECK(second.response == nlohmann::json{{"resend", true}});
  CHECK(third.response == nlohmann::json{{"resend", true}});
  CHECK(third.versions == std::vector<StreamVersion>{{ClientStream(id), 4}});
  const auto events = d.Events(ClientStream(id));
  REQUIRE(events.size() == 4);
  CHECK_FALSE(events[1].resend);
  CHECK(events[2].resend);
  CHECK(events[3].resend);
  for (size_t i = 1; i < events.size(); ++i) CHECK(events[i].personal.email == "re@example.org");
  CHECK(d.Client(id).invitations_sent == 3);
}

// Seed 004 ("Resend Direct Invitation to Client Portal"): "Invitation will be resent to
// the email address that was entered when the original invitation was sent".
TEST_CASE("a resent invitation goes to the address the original invitation was sent to",
          "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Moved", "1990-01-01", WithEmail("original@example.org")).first;
  // Given an invitation went to the original address
  RunOk(d, "supervisor", SendPortalInvitation{id});
  // And the client's email was corrected since
  RunOk(d, "officer", CorrectClientDetails{id, WithEmail("changed@example.org")});
  // When the invitation is resent
  CommandResult r = RunOk(d, "supervisor", SendPortalInvitation{id});
  CHECK(r.response == nlohmann::json{{"resend", true}});
  // Then it goes to the address the original went to
  const Event e = d.Events(ClientStream(id)).back();
  CHECK(e.type == EventType::kPortalInvitationSent);
  CHECK(e.resend);
  CHECK(e.personal.email == "original@example.org");
}

TEST_CASE("a client banned from the portal cannot be invited to it", "[domain][client]") {
  // Given a client with an email, banned from the portal
  DomainFixture d;
  const std::string id = d.Register("Banned", "1990-01-01", WithEmail("ban@example.org")).first;
  RunOk(d, "officer", ChangePortalStatus{id, "banned"});
  // When a supervisor invites it
  // Then portal-banned refuses it
  CommandResult r = RunAppendingNothing(d, "supervisor", SendPortalInvitation{id});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "portal-banned");
  CHECK(d.Client(id).invitations_sent == 0);
  // And lifting the ban lets the invitation go
  RunOk(d, "officer", ChangePortalStatus{id, "active"});
  RunOk(d, "supervisor", SendPortalInvitation{id});
  CHECK(d.Client(id).invitations_sent == 1);
}
