// Given/When/Then tests of RegisterClient (seed 004): what a registration records and
// appends, the required fields, dates of birth, NI numbers, postcodes, emails and phones in
// their normal forms, configured client types, and personal data stored sealed.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/domain_client_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_client::Registration;
using caseengine::testing::domain_client::RunAppendingNothing;
using caseengine::testing::domain_client::RunOk;
using caseengine::testing::domain_client::Types;

}  // namespace

TEST_CASE("registering a client records its details and opens its first case", "[domain][client]") {
  DomainFixture d;
  // Given a caseworker with the surname, date of birth and other details of an applicant
  RegisterClient c = Registration("Okonkwo", "1988-03-14");
  c.personal.forenames = "Adaeze Grace";
  c.personal.nino = "JG103789A";
  c.personal.email = "adaeze@example.org";
  c.personal.phone = "07700900123";
  c.personal.postcode = "SW1A 1AA";
  c.client_type = "potential_client";

  // When the officer registers the client
  CommandResult r = RunOk(d, "officer", c);

  // Then the answer names the new client and its case, the position and both streams
  const std::string client_id = r.response.at("client_id");
  const std::string case_id = r.response.at("case_id");
  CHECK_FALSE(client_id.empty());
  CHECK_FALSE(case_id.empty());
  CHECK(client_id != case_id);
  CHECK_FALSE(r.duplicate);
  CHECK(r.position == d.Head());
  CHECK(d.Head() == 2);
  CHECK(r.versions ==
        std::vector<StreamVersion>{{ClientStream(client_id), 1}, {CaseStream(case_id), 1}});

  // And the client holds the details, active, pending on the portal, with its one case
  ClientState s = d.Client(client_id);
  CHECK(s.exists);
  CHECK(s.version == 1);
  CHECK(s.id == client_id);
  CHECK(s.personal.surname == "Okonkwo");
  CHECK(s.personal.forenames == "Adaeze Grace");
  CHECK(s.personal.date_of_birth == "1988-03-14");
  CHECK(s.personal.nino == "JG103789A");
  CHECK(s.personal.email == "adaeze@example.org");
  CHECK(s.personal.phone == "07700900123");
  CHECK(s.personal.postcode == "SW1A 1AA");
  CHECK_FALSE(s.personal.text);
  CHECK(s.client_type == "potential_client");
  CHECK(s.status == "active");
  CHECK(s.portal_status == "pending");
  CHECK(s.case_number.empty());
  CHECK(s.groups.empty());
  CHECK(s.navigators.empty());
  CHECK(s.invitations_sent == 0);
  CHECK(s.cases == std::vector<std::string>{case_id});

  // And a ClientRegistered event carries them, sealed for the client
  REQUIRE(d.EventTypes(ClientStream(client_id)) == Types{"ClientRegistered"});
  const Event e = d.Events(ClientStream(client_id))[0];
  CHECK(e.client_id == client_id);
  CHECK(e.case_id == case_id);
  CHECK(e.client_type == "potential_client");
  CHECK(e.subject == ClientStream(client_id));
  CHECK(e.personal.surname == "Okonkwo");
  CHECK(e.personal.nino == "JG103789A");
  CHECK_FALSE(e.personal.erased);

  // And the case is open on the client, opened today by registration
  REQUIRE(d.EventTypes(CaseStream(case_id)) == Types{"CaseOpened"});
  const Event opened = d.Events(CaseStream(case_id))[0];
  CHECK(opened.case_id == case_id);
  CHECK(opened.client_id == client_id);
  CHECK(opened.user_id == "officer");
  CHECK(opened.team_id == "housing-options");
  CHECK(opened.date == DomainFixture::kToday);
  CHECK(opened.reason == "registration");
  CaseState k = d.Case(case_id);
  CHECK(k.status == "open");
  CHECK(k.client_id == client_id);
  CHECK(k.primary_applicant == client_id);
  REQUIRE(k.people.size() == 1);
  CHECK(k.people[0].relationship == "self");
  CHECK(k.people[0].date_joined == DomainFixture::kToday);
}

TEST_CASE("the primary officer defaults to the current user", "[domain][client]") {
  DomainFixture d;
  for (const char* user : {"officer", "supervisor", "admin"}) {
    INFO(user);
    // Given a user who may do casework
    // When they register a client
    CommandResult r = RunOk(d, user, Registration("Default", "1970-01-01"));
    // Then the first case's primary officer is that user, and only that user
    const std::string case_id = r.response.at("case_id");
    CaseState k = d.Case(case_id);
    CHECK(k.officers == std::vector<CaseOfficer>{{user, "primary"}});
    CHECK(d.Events(CaseStream(case_id))[0].user_id == user);
  }
}

TEST_CASE("registering a client needs a surname and a date of birth", "[domain][client]") {
  // Given a caseworker registering an applicant
  // When the surname, the date of birth or both are missing, blank or too long
  // Then the registration is refused naming each, and nothing is appended; the NI number is
  // optional
  DomainFixture d;
  SECTION("neither given") {
    CommandResult r = RunAppendingNothing(d, "officer", RegisterClient{});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "surname"));
    CHECK(NamesField(r, "date_of_birth"));
  }
  SECTION("no surname") {
    RegisterClient c = Registration("", "1990-01-01");
    CommandResult r = RunAppendingNothing(d, "officer", c);
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "surname"));
    CHECK_FALSE(NamesField(r, "date_of_birth"));
  }
  SECTION("a surname of blanks") {
    CommandResult r = RunAppendingNothing(d, "officer", Registration("   ", "1990-01-01"));
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "surname"));
  }
  SECTION("no date of birth") {
    RegisterClient c;
    c.personal.surname = "Nobirth";
    CommandResult r = RunAppendingNothing(d, "officer", c);
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "date_of_birth"));
    CHECK_FALSE(NamesField(r, "surname"));
  }
  SECTION("a surname longer than 100 characters") {
    CommandResult r =
        RunAppendingNothing(d, "officer", Registration(std::string(101, 'x'), "1990-01-01"));
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "surname"));
  }
  SECTION("the NI number is optional") {
    CommandResult r = RunOk(d, "officer", Registration("Nonino", "1990-01-01"));
    CHECK_FALSE(d.Client(r.response.at("client_id")).personal.nino);
  }
}

TEST_CASE("a date of birth in the future or not a real date is refused", "[domain][client]") {
  DomainFixture d;
  // Given today is 2026-11-22 (the fixture's date)
  for (const char* bad : {"2026-11-23", "2030-01-01", "2023-02-29", "1900-02-29", "1990-04-31",
                          "1990-13-01", "1990-00-10", "1990-01-00", "12/04/1985", "1985-4-12",
                          "19850412", "1849-12-31", "yesterday"}) {
    INFO(bad);
    // When a client is registered with that date of birth
    CommandResult r = RunAppendingNothing(d, "officer", Registration("Dates", bad));
    // Then it is refused naming the field
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "date_of_birth"));
  }
  // But leap days of leap years, today and the distant past are dates of birth
  for (const char* good : {"2024-02-29", "2000-02-29", "2026-11-22", "1850-01-01"}) {
    INFO(good);
    CommandResult r = RunOk(d, "officer", Registration("Dates", good));
    CHECK(d.Client(r.response.at("client_id")).personal.date_of_birth == good);
  }
}

TEST_CASE("NI numbers are stored in HMRC's format and impossible ones are refused",
          "[domain][client]") {
  // Given a caseworker registering applicants
  DomainFixture d;
  const std::vector<std::pair<std::string, std::string>> accepted = {
      {"jg 10 37 89 a", "JG103789A"}, {"  AB123456C ", "AB123456C"},  {"ab123456d", "AB123456D"},
      {"ce 123456 b", "CE123456B"},   {"ZY 99 99 99 A", "ZY999999A"}, {"OA123456A", "OA123456A"}};
  // When NI numbers are given in any spacing and case
  // Then they are stored in HMRC's format
  for (const auto& [given, stored] : accepted) {
    INFO(given);
    RegisterClient c = Registration("Nino", "1980-01-01");
    c.personal.nino = given;
    CommandResult r = RunOk(d, "officer", c);
    const std::string id = r.response.at("client_id");
    CHECK(d.Client(id).personal.nino == stored);
    CHECK(d.Events(ClientStream(id))[0].personal.nino == stored);
  }
  // And prefixes HMRC never uses (D F I Q U V anywhere, O second) or never issued (BG GB NK KN
  // TN NT ZZ), suffixes other than A-D, and the wrong number of digits, are refused naming
  // nino
  for (const char* bad :
       {"QQ123456A", "DA123456A",  "FA123456A", "IA123456A",     "UA123456A", "VA123456A",
        "AD123456A", "AQ123456A",  "AO123456A", "BG123456A",     "GB123456A", "NK123456A",
        "KN123456A", "TN123456A",  "NT123456A", "ZZ123456A",     "AB123456E", "AB123456",
        "AB12345C",  "AB1234567C", "12345678A", "AB-12-34-56-C", "not a nino"}) {
    INFO(bad);
    RegisterClient c = Registration("Nino", "1980-01-01");
    c.personal.nino = bad;
    CommandResult r = RunAppendingNothing(d, "officer", c);
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "nino"));
  }
}

TEST_CASE("postcodes emails and phone numbers are stored in one normal form", "[domain][client]") {
  DomainFixture d;
  // Given details typed the way people type them
  RegisterClient c = Registration("Normal", "1975-06-30");
  c.personal.postcode = "sw1a1aa";
  c.personal.email = "  Zebedee.Quintrell@Example.ORG ";
  c.personal.phone = "+44 (0)7700 900123";
  // When the client is registered
  const std::string id = RunOk(d, "officer", c).response.at("client_id");
  // Then they are stored in their normal forms, in the state and in the event
  ClientState s = d.Client(id);
  CHECK(s.personal.postcode == "SW1A 1AA");
  CHECK(s.personal.email == "zebedee.quintrell@example.org");
  CHECK(s.personal.phone == "+447700900123");
  const Event e = d.Events(ClientStream(id))[0];
  CHECK(e.personal.postcode == "SW1A 1AA");
  CHECK(e.personal.email == "zebedee.quintrell@example.org");
  CHECK(e.personal.phone == "+447700900123");

  // And other shapes normalise the same way
  const std::vector<std::pair<std::string, std::string>> postcodes = {
      {"m1 1ae", "M1 1AE"},    {"B338TH", "B33 8TH"},  {"cr2 6xh", "CR2 6XH"},
      {"dn551pt", "DN55 1PT"}, {"W1A 0AX", "W1A 0AX"}, {" ec1a  1bb ", "EC1A 1BB"}};
  for (const auto& [given, stored] : postcodes) {
    INFO(given);
    RegisterClient p = Registration("Postcode", "1975-06-30");
    p.personal.postcode = given;
    CHECK(d.Client(RunOk(d, "officer", p).response.at("client_id")).personal.postcode == stored);
  }
  const std::vector<std::pair<std::string, std::string>> phones = {
      {"07700 900123", "07700900123"},
      {"07700-900-123", "07700900123"},
      {"(020) 7946 0018", "02079460018"},
      {"+44 7700 900123", "+447700900123"},
      {"020.7946.0018", "02079460018"}};
  for (const auto& [given, stored] : phones) {
    INFO(given);
    RegisterClient p = Registration("Phone", "1975-06-30");
    p.personal.phone = given;
    CHECK(d.Client(RunOk(d, "officer", p).response.at("client_id")).personal.phone == stored);
  }
}

TEST_CASE("malformed postcodes emails and phone numbers are refused naming the field",
          "[domain][client]") {
  // Given a caseworker registering an applicant
  DomainFixture d;
  struct Bad {
    const char* field;
    const char* value;
  };
  // When a postcode, email or phone number is malformed
  // Then the registration is refused naming the field
  for (const Bad& bad : std::vector<Bad>{{"postcode", "12345"},
                                         {"postcode", "SW1A"},
                                         {"postcode", "SW1A 1A"},
                                         {"postcode", "SW1A-1AA"},
                                         {"postcode", "SW1A 1AAA9"},
                                         {"email", "not-an-email"},
                                         {"email", "someone@localhost"},
                                         {"email", "two@@example.org"},
                                         {"email", "a b@example.org"},
                                         {"email", "someone@example."},
                                         {"phone", "call me"},
                                         {"phone", "123456"},
                                         {"phone", "0770090012345678"},
                                         {"phone", "07700 900123 ext 5"},
                                         {"phone", "44+7700900123"}}) {
    INFO(bad.field << " " << bad.value);
    RegisterClient c = Registration("Malformed", "1975-06-30");
    if (std::string(bad.field) == "postcode") c.personal.postcode = bad.value;
    if (std::string(bad.field) == "email") c.personal.email = bad.value;
    if (std::string(bad.field) == "phone") c.personal.phone = bad.value;
    CommandResult r = RunAppendingNothing(d, "officer", c);
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, bad.field));
  }
}

TEST_CASE("a client type given at registration must be one the agency configured",
          "[domain][client]") {
  // Given a caseworker registering an applicant
  // When a client type is given, or none
  // Then an unknown one is refused, each configured one is accepted, and none leaves it unset
  DomainFixture d;
  SECTION("an unknown client type is refused") {
    RegisterClient c = Registration("Typed", "1990-01-01");
    c.client_type = "vip";
    CommandResult r = RunAppendingNothing(d, "officer", c);
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "client_type"));
  }
  SECTION("each configured client type is accepted") {
    for (const char* type : {"potential_client", "direct_service_client", "case_management"}) {
      INFO(type);
      RegisterClient c = Registration("Typed", "1990-01-01");
      c.client_type = type;
      CHECK(d.Client(RunOk(d, "officer", c).response.at("client_id")).client_type == type);
    }
  }
  SECTION("no client type leaves it unset") {
    CHECK(d.Client(d.Register().first).client_type.empty());
  }
}

TEST_CASE("a registration's personal data is stored sealed", "[domain][client]") {
  // Given an applicant's personal details
  DomainFixture d;
  RegisterClient c = Registration("Vandersloot", "1961-12-03");
  c.personal.forenames = "Philomena";
  c.personal.phone = "07700 900456";
  c.personal.postcode = "ls1 4dy";
  // When the client is registered
  RunOk(d, "officer", c);
  // Then no stored event holds them in plaintext
  std::vector<RecordedEvent> all;
  REQUIRE(d.log->ReadAll(1, 100, &all).ok());
  REQUIRE(all.size() == 2);
  for (const auto& e : all) {
    for (const char* secret :
         {"Vandersloot", "Philomena", "1961-12-03", "07700900456", "LS1 4DY"}) {
      INFO(e.type << " holds " << secret);
      CHECK(e.payload.find(secret) == std::string::npos);
    }
  }
}
