// The command path end to end: a client registered through the handler, its case, the
// events on both streams, and the personal data sealed in the stored payloads.
#include <catch2/catch.hpp>

#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

TEST_CASE(
    "registering a client creates the client and its first case, assigned to the "
    "registering officer",
    "[domain][client]") {
  DomainFixture d;
  auto [client_id, case_id] = d.Register("Smith", "1990-01-31");
  ClientState c = d.Client(client_id);
  CHECK(c.personal.surname == "Smith");
  CHECK(c.personal.date_of_birth == "1990-01-31");
  CHECK(c.status == "active");
  CHECK(c.cases == std::vector<std::string>{case_id});
  CaseState k = d.Case(case_id);
  CHECK(k.status == "open");
  CHECK(k.primary_applicant == client_id);
  CHECK(k.opened_on == DomainFixture::kToday);
  CHECK(k.team_id == "housing-options");
  REQUIRE(k.officers.size() == 1);
  CHECK(k.officers[0] == CaseOfficer{"officer", "primary"});
  REQUIRE(k.people.size() == 1);
  CHECK(k.people[0].client_id == client_id);
  CHECK(d.EventTypes("client-" + client_id) == std::vector<std::string>{"ClientRegistered"});
  CHECK(d.EventTypes("case-" + case_id) == std::vector<std::string>{"CaseOpened"});
  CHECK(d.Head() == 2);  // one atomic append over both streams
}

TEST_CASE("personal data is stored sealed: the log holds no plaintext of it", "[domain]") {
  DomainFixture d;
  PersonalFields extra;
  extra.nino = "jg 10 37 89 a";
  extra.email = "Zebedee.Quintrell@Example.org";
  const std::string client_id = d.Register("Quintrell", "1971-07-09", extra).first;
  std::vector<RecordedEvent> all;
  REQUIRE(d.log->ReadAll(1, 100, &all).ok());
  for (const auto& e : all) {
    for (const char* secret : {"Quintrell", "JG103789A", "1971-07-09", "zebedee"}) {
      INFO(e.type << " holds " << secret);
      CHECK(e.payload.find(secret) == std::string::npos);
    }
  }
  ClientState c = d.Client(client_id);
  CHECK(c.personal.nino == "JG103789A");  // normalised, and readable with the key
  CHECK(c.personal.email == "zebedee.quintrell@example.org");
}

TEST_CASE("a repeated command answers as the first time and appends nothing", "[domain]") {
  DomainFixture d;
  RegisterClient c;
  c.personal.surname = "Repeat";
  c.personal.date_of_birth = "2000-02-29";
  CommandOptions o;
  o.command_id = "register-once";
  CommandResult first = d.Run("officer", c, o);
  REQUIRE(first.ok());
  CommandResult again = d.Run("officer", c, o);
  REQUIRE(again.ok());
  CHECK(again.duplicate);
  CHECK(again.response == first.response);
  CHECK(again.position == first.position);
  CHECK(d.Head() == 2);
}

TEST_CASE("an idempotency key is the sender's: another user repeating it is decided anew",
          "[domain]") {
  DomainFixture d;
  RegisterClient c;
  c.personal.surname = "Keyed";
  c.personal.date_of_birth = "1990-01-01";
  CommandOptions o;
  o.command_id = "shared-key";
  REQUIRE(d.Run("officer", c, o).ok());
  const auto before = d.Head();
  CommandResult auditor = d.Run("auditor", c, o);
  CHECK(Kind(auditor) == "forbidden");  // not the officer's answer
  CHECK(d.Head() == before);
}

TEST_CASE("a user who may send no command is refused before the fields are looked at", "[domain]") {
  DomainFixture d;
  RegisterClient bad;  // no surname, no date of birth
  CHECK(Kind(d.Run("auditor", bad)) == "forbidden");
  CHECK(Kind(d.Run("officer", bad)) == "validation");
}

TEST_CASE("a person cannot rejoin a case before their earlier stay ended", "[domain][case]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  const std::string partner = d.Register("Partner", "1984-02-02").first;
  REQUIRE(d.Run("officer", AddPerson{kase, partner, "partner", true, "2026-01-01"}).ok());
  REQUIRE(d.Run("officer", PersonLeaves{kase, partner, "2026-06-30"}).ok());
  CommandResult early = d.Run("officer", AddPerson{kase, partner, "partner", false, "2026-06-01"});
  CHECK(Kind(early) == "validation");
  CHECK(NamesField(early, "date_joined"));
  CHECK(d.Run("officer", AddPerson{kase, partner, "partner", false, "2026-07-01"}).ok());
}
