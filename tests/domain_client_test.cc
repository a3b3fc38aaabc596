// Given/When/Then tests of the client commands (seeds 000 and 004: client record
// management, creating clients and cases): each command's rule, what it appends and what
// the client and case look like afterwards; bad fields (422), unknown ids (404), rules
// (409), permissions (403), If-Match (412), no-ops, normal forms, sealed personal data and
// repeated command ids. Each TEST_CASE has a fresh DomainFixture; ids are read from the
// answers, never guessed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using Types = std::vector<std::string>;

// Runs a command that must append nothing (refused, or nothing to change): the log does
// not move and the answer names no position or version.
CommandResult RunAppendingNothing(DomainFixture& d, const std::string& user, Command command,
                                  const CommandOptions& options = CommandOptions()) {
  const auto before = d.Head();
  CommandResult r = d.Run(user, std::move(command), options);
  CHECK(d.Head() == before);
  CHECK(r.position == 0);
  CHECK(r.versions.empty());
  CHECK_FALSE(r.duplicate);
  return r;
}

// Runs a command that must succeed; fails the test with the rejection otherwise.
CommandResult RunOk(DomainFixture& d, const std::string& user, Command command,
                    const CommandOptions& options = CommandOptions()) {
  const std::string name = CommandName(command);
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << ": " << Kind(r) << " " << r.rejection.rule << " " << r.rejection.message << " "
            << r.status.ToString());
  REQUIRE(Kind(r) == "ok");
  return r;
}

PersonalFields WithEmail(const std::string& email) {
  PersonalFields p;
  p.email = email;
  return p;
}

RegisterClient Registration(const std::string& surname, const std::string& date_of_birth) {
  RegisterClient c;
  c.personal.surname = surname;
  c.personal.date_of_birth = date_of_birth;
  return c;
}

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

// ---------------------------------------------------------------------------------------
// RegisterClient

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
  DomainFixture d;
  const std::vector<std::pair<std::string, std::string>> accepted = {
      {"jg 10 37 89 a", "JG103789A"}, {"  AB123456C ", "AB123456C"},  {"ab123456d", "AB123456D"},
      {"ce 123456 b", "CE123456B"},   {"ZY 99 99 99 A", "ZY999999A"}, {"OA123456A", "OA123456A"}};
  for (const auto& [given, stored] : accepted) {
    INFO(given);
    RegisterClient c = Registration("Nino", "1980-01-01");
    c.personal.nino = given;
    CommandResult r = RunOk(d, "officer", c);
    const std::string id = r.response.at("client_id");
    CHECK(d.Client(id).personal.nino == stored);
    CHECK(d.Events(ClientStream(id))[0].personal.nino == stored);
  }
  // Prefixes HMRC never uses (D F I Q U V anywhere, O second) or never issued (BG GB NK KN
  // TN NT ZZ), suffixes other than A-D, and the wrong number of digits.
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
  DomainFixture d;
  struct Bad {
    const char* field;
    const char* value;
  };
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
  DomainFixture d;
  RegisterClient c = Registration("Vandersloot", "1961-12-03");
  c.personal.forenames = "Philomena";
  c.personal.phone = "07700 900456";
  c.personal.postcode = "ls1 4dy";
  RunOk(d, "officer", c);
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

// ---------------------------------------------------------------------------------------
// CorrectClientDetails

TEST_CASE("correcting a client's details changes only what was given", "[domain][client]") {
  DomainFixture d;
  // Given a client with a full set of details
  PersonalFields extra;
  extra.forenames = "Ann";
  extra.nino = "JG103789A";
  extra.email = "ann@example.org";
  extra.phone = "07700900123";
  extra.postcode = "SW1A 1AA";
  const std::string id = d.Register("Old", "1985-04-12", extra).first;

  // When the surname and postcode are corrected
  PersonalFields fix;
  fix.surname = "Newman";
  fix.postcode = "m1 1ae";
  CommandResult r = RunOk(d, "officer", CorrectClientDetails{id, fix});

  // Then only those change, the postcode in its normal form
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}});
  CHECK(r.position == d.Head());
  CHECK(r.response == nlohmann::json::object());
  ClientState s = d.Client(id);
  CHECK(s.version == 2);
  CHECK(s.personal.surname == "Newman");
  CHECK(s.personal.postcode == "M1 1AE");
  CHECK(s.personal.forenames == "Ann");
  CHECK(s.personal.date_of_birth == "1985-04-12");
  CHECK(s.personal.nino == "JG103789A");
  CHECK(s.personal.email == "ann@example.org");
  CHECK(s.personal.phone == "07700900123");

  // And the event records those two fields and nothing else
  REQUIRE(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientDetailsCorrected"});
  const Event e = d.Events(ClientStream(id))[1];
  CHECK(e.subject == ClientStream(id));
  CHECK(e.personal.surname == "Newman");
  CHECK(e.personal.postcode == "M1 1AE");
  CHECK_FALSE(e.personal.forenames);
  CHECK_FALSE(e.personal.date_of_birth);
  CHECK_FALSE(e.personal.nino);
  CHECK_FALSE(e.personal.email);
  CHECK_FALSE(e.personal.phone);
  CHECK_FALSE(e.personal.text);
}

TEST_CASE("a correction records only the fields that really change", "[domain][client]") {
  DomainFixture d;
  // Given a client with an email and NI number
  PersonalFields extra;
  extra.email = "first@example.org";
  extra.nino = "JG103789A";
  const std::string id = d.Register("Same", "1985-04-12", extra).first;
  // When a correction repeats the surname and NI number (in another spelling) and adds a
  // phone number
  PersonalFields fix;
  fix.surname = "Same";
  fix.nino = "jg 10 37 89 a";
  fix.phone = "+44 (0)7700 900123";
  RunOk(d, "officer", CorrectClientDetails{id, fix});
  // Then the event holds only the phone number
  const Event e = d.Events(ClientStream(id)).back();
  CHECK(e.type == EventType::kClientDetailsCorrected);
  CHECK(e.personal.phone == "+447700900123");
  CHECK_FALSE(e.personal.surname);
  CHECK_FALSE(e.personal.nino);
  CHECK_FALSE(e.personal.email);
  CHECK(d.Client(id).personal.phone == "+447700900123");
  CHECK(d.Client(id).personal.email == "first@example.org");
}

TEST_CASE("a correction that changes nothing appends nothing", "[domain][client]") {
  DomainFixture d;
  PersonalFields extra;
  extra.email = "same@example.org";
  extra.nino = "JG103789A";
  extra.postcode = "SW1A 1AA";
  const std::string id = d.Register("Same", "1985-04-12", extra).first;
  // When the details given are the ones held, in any spelling that normalises to them
  PersonalFields same;
  same.surname = "Same";
  same.date_of_birth = "1985-04-12";
  same.nino = "jg103789a";
  same.email = "SAME@Example.org";
  same.postcode = "sw1a1aa";
  CommandResult r = RunAppendingNothing(d, "officer", CorrectClientDetails{id, same});
  // Then nothing is recorded
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered"});
  CHECK(d.Client(id).version == 1);
}

TEST_CASE("a correction must give at least one detail", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  SECTION("nothing given") {
    CommandResult r = RunAppendingNothing(d, "officer", CorrectClientDetails{id, {}});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "personal"));
  }
  SECTION("only blanks given") {
    PersonalFields blank;
    blank.surname = "  ";
    blank.email = "";
    CommandResult r = RunAppendingNothing(d, "officer", CorrectClientDetails{id, blank});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "personal"));
  }
  SECTION("only free text given, which is not a client detail") {
    PersonalFields text;
    text.text = "a note";
    CommandResult r = RunAppendingNothing(d, "officer", CorrectClientDetails{id, text});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "personal"));
  }
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered"});
}

TEST_CASE("corrected details are checked like those of a registration", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Checked", "1985-04-12").first;
  struct Bad {
    const char* field;
    PersonalFields fields;
  };
  std::vector<Bad> bads;
  auto add = [&](const char* field, auto set) {
    PersonalFields p;
    set(&p);
    bads.push_back({field, p});
  };
  add("nino", [](PersonalFields* p) { p->nino = "QQ123456A"; });
  add("nino", [](PersonalFields* p) { p->nino = "BG123456A"; });
  add("date_of_birth", [](PersonalFields* p) { p->date_of_birth = "2026-11-23"; });
  add("date_of_birth", [](PersonalFields* p) { p->date_of_birth = "2023-02-29"; });
  add("email", [](PersonalFields* p) { p->email = "nobody"; });
  add("phone", [](PersonalFields* p) { p->phone = "12"; });
  add("postcode", [](PersonalFields* p) { p->postcode = "nowhere"; });
  add("surname", [](PersonalFields* p) { p->surname = std::string(101, 's'); });
  // One bad field refuses the whole correction, good fields with it included.
  add("nino", [](PersonalFields* p) {
    p->surname = "Goodname";
    p->nino = "ZZ123456A";
  });
  for (const Bad& bad : bads) {
    INFO(bad.field);
    CommandResult r = RunAppendingNothing(d, "officer", CorrectClientDetails{id, bad.fields});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, bad.field));
  }
  CHECK(d.Client(id).personal.surname == "Checked");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered"});
}

TEST_CASE("corrected personal data is stored sealed", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register("Before", "1985-04-12").first;
  PersonalFields fix;
  fix.surname = "Wolstenholme";
  fix.email = "Wolstenholme.Jr@Example.org";
  fix.nino = "ce 12 34 56 b";
  RunOk(d, "officer", CorrectClientDetails{id, fix});
  std::vector<RecordedEvent> all;
  REQUIRE(d.log->ReadAll(1, 100, &all).ok());
  REQUIRE(all.size() == 3);
  CHECK(all[2].type == "ClientDetailsCorrected");
  for (const auto& e : all) {
    for (const char* secret : {"Wolstenholme", "wolstenholme", "CE123456B", "example.org"}) {
      INFO(e.type << " holds " << secret);
      CHECK(e.payload.find(secret) == std::string::npos);
    }
  }
  // And the key opens them again
  CHECK(d.Client(id).personal.surname == "Wolstenholme");
  CHECK(d.Client(id).personal.email == "wolstenholme.jr@example.org");
  CHECK(d.Client(id).personal.nino == "CE123456B");
}

// ---------------------------------------------------------------------------------------
// ChangeClientStatus

TEST_CASE("a client's record status can be set to inactive closed or active", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  CHECK(d.Client(id).status == "active");
  uint64_t version = 1;
  for (const char* status : {"inactive", "closed", "active", "closed"}) {
    INFO(status);
    CommandResult r = RunOk(d, "officer", ChangeClientStatus{id, status});
    ++version;
    CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), version}});
    CHECK(r.position == d.Head());
    CHECK(d.Client(id).status == status);
    const Event e = d.Events(ClientStream(id)).back();
    CHECK(e.type == EventType::kClientStatusChanged);
    CHECK(e.status == status);
  }
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientStatusChanged",
                                                "ClientStatusChanged", "ClientStatusChanged",
                                                "ClientStatusChanged"});
}

TEST_CASE("closed and inactive clients keep their record", "[domain][client]") {
  for (const char* status : {"closed", "inactive"}) {
    INFO(status);
    DomainFixture d;
    // Given a client with a case, a group, a navigator and a case number
    auto [id, case_id] = d.Register("Kept", "1960-10-10", WithEmail("kept@example.org"));
    RunOk(d, "officer", AddClientToGroup{id, "families"});
    RunOk(d, "officer", AssignNavigator{id, "officer"});
    RunOk(d, "supervisor", ChangeCaseNumber{id, "HO-7"});
    // When the record is closed (or made inactive)
    RunOk(d, "officer", ChangeClientStatus{id, status});
    // Then the record and everything on it is still there, and its case too
    ClientState s = d.Client(id);
    CHECK(s.exists);
    CHECK(s.status == status);
    CHECK(s.personal.surname == "Kept");
    CHECK(s.personal.email == "kept@example.org");
    CHECK(s.groups == std::set<std::string>{"families"});
    CHECK(s.navigators == std::set<std::string>{"officer"});
    CHECK(s.case_number == "HO-7");
    CHECK(s.cases == std::vector<std::string>{case_id});
    CaseState k = d.Case(case_id);
    CHECK(k.exists);
    CHECK_FALSE(k.deleted);
    // And it can still be worked on and made active again
    RunOk(d, "officer", AddClientToGroup{id, "reports"});
    RunOk(d, "officer", ChangeClientStatus{id, "active"});
    CHECK(d.Client(id).status == "active");
    CHECK(d.Client(id).groups == std::set<std::string>{"families", "reports"});
  }
}

TEST_CASE("setting the record status a client already has changes nothing", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  CommandResult r = RunAppendingNothing(d, "officer", ChangeClientStatus{id, "active"});
  CHECK(Kind(r) == "unchanged");
  RunOk(d, "officer", ChangeClientStatus{id, "closed"});
  r = RunAppendingNothing(d, "officer", ChangeClientStatus{id, "closed"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientStatusChanged"});
}

TEST_CASE("a record status other than active inactive or closed is refused", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  for (const char* bad : {"", "Closed", "ACTIVE", "deleted", "open", "pending"}) {
    INFO(bad);
    CommandResult r = RunAppendingNothing(d, "officer", ChangeClientStatus{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "status"));
  }
  CHECK(d.Client(id).status == "active");
}

// ---------------------------------------------------------------------------------------
// ChangeClientType

TEST_CASE("setting a client type records the type", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
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
  DomainFixture d;
  const std::string id = d.Register().first;
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
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", ChangeClientType{id, "potential_client"});
  CommandResult r = RunAppendingNothing(d, "officer", ChangeClientType{id, "potential_client"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientTypeChanged"});
}

// ---------------------------------------------------------------------------------------
// ChangeCaseNumber

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
  DomainFixture d;
  const std::string id = d.Register().first;
  for (const std::string& bad : {std::string(), std::string("   "), std::string(51, '7')}) {
    INFO("'" << bad << "'");
    CommandResult r = RunAppendingNothing(d, "supervisor", ChangeCaseNumber{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "case_number"));
  }
  RunOk(d, "supervisor", ChangeCaseNumber{id, std::string(50, '7')});
  CHECK(d.Client(id).case_number == std::string(50, '7'));
}

TEST_CASE("setting the case number a client already has changes nothing", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "supervisor", ChangeCaseNumber{id, "HO-9"});
  CommandResult r = RunAppendingNothing(d, "supervisor", ChangeCaseNumber{id, "HO-9"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "CaseNumberChanged"});
}

// ---------------------------------------------------------------------------------------
// AddClientToGroup / RemoveClientFromGroup

TEST_CASE("adding a client to groups lists them under the client's groups", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  CommandResult r = RunOk(d, "officer", AddClientToGroup{id, "families"});
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
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  CommandResult r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "families"});
  CHECK(Kind(r) == "unchanged");
  r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "  families "});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientAddedToGroup"});
}

TEST_CASE("removing a client from a group takes it off the client's groups", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  RunOk(d, "officer", AddClientToGroup{id, "veterans"});
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
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  CommandResult r = RunAppendingNothing(d, "officer", RemoveClientFromGroup{id, "veterans"});
  CHECK(Kind(r) == "not-found");
  RunOk(d, "officer", RemoveClientFromGroup{id, "families"});
  r = RunAppendingNothing(d, "officer", RemoveClientFromGroup{id, "families"});
  CHECK(Kind(r) == "not-found");
}

TEST_CASE("a group must be named", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  for (const std::string& bad : {std::string(), std::string("  "), std::string(101, 'g')}) {
    CommandResult r = RunAppendingNothing(d, "officer", AddClientToGroup{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "group"));
    r = RunAppendingNothing(d, "officer", RemoveClientFromGroup{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "group"));
  }
}

// ---------------------------------------------------------------------------------------
// AssignNavigator / UnassignNavigator

TEST_CASE("assigning a navigator to a client record lists them as its navigator",
          "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
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
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AssignNavigator{id, "supervisor"});
  CommandResult r = RunAppendingNothing(d, "officer", AssignNavigator{id, "supervisor"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "NavigatorAssigned"});
}

TEST_CASE("only a known user can be a client's navigator", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  for (const std::string& bad : {std::string("nobody"), std::string(), std::string("Officer")}) {
    INFO("'" << bad << "'");
    CommandResult r = RunAppendingNothing(d, "officer", AssignNavigator{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "user_id"));
  }
  CHECK(d.Client(id).navigators.empty());
}

TEST_CASE("unassigning a navigator takes them off the client record", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AssignNavigator{id, "supervisor"});
  RunOk(d, "officer", AssignNavigator{id, "officer"});
  CommandResult r = RunOk(d, "officer", UnassignNavigator{id, "supervisor"});
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 4}});
  CHECK(r.position == d.Head());
  CHECK(d.Client(id).navigators == std::set<std::string>{"officer"});
  CHECK(d.EventTypes(ClientStream(id)).back() == "NavigatorUnassigned");
  CHECK(d.Events(ClientStream(id)).back().user_id == "supervisor");
}

TEST_CASE("unassigning someone who is not the client's navigator is refused as not found",
          "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AssignNavigator{id, "officer"});
  for (const char* who : {"supervisor", "nobody"}) {
    INFO(who);
    CommandResult r = RunAppendingNothing(d, "officer", UnassignNavigator{id, who});
    CHECK(Kind(r) == "not-found");
  }
  CommandResult r = RunAppendingNothing(d, "officer", UnassignNavigator{id, ""});
  CHECK(Kind(r) == "validation");
  CHECK(NamesField(r, "user_id"));
  CHECK(d.Client(id).navigators == std::set<std::string>{"officer"});
}

// ---------------------------------------------------------------------------------------
// ChangePortalStatus

TEST_CASE("a client's portal status can be pending active or banned", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  CHECK(d.Client(id).portal_status == "pending");
  uint64_t version = 1;
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
  // The record status is another thing and stays as it was
  CHECK(d.Client(id).status == "active");
}

TEST_CASE("setting the portal status a client already has changes nothing", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  CommandResult r = RunAppendingNothing(d, "officer", ChangePortalStatus{id, "pending"});
  CHECK(Kind(r) == "unchanged");
  RunOk(d, "officer", ChangePortalStatus{id, "banned"});
  r = RunAppendingNothing(d, "officer", ChangePortalStatus{id, "banned"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "PortalStatusChanged"});
}

TEST_CASE("a portal status other than pending active or banned is refused", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
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
  DomainFixture d;
  const std::string id = d.Register("Banned", "1990-01-01", WithEmail("ban@example.org")).first;
  RunOk(d, "officer", ChangePortalStatus{id, "banned"});
  CommandResult r = RunAppendingNothing(d, "supervisor", SendPortalInvitation{id});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "portal-banned");
  CHECK(d.Client(id).invitations_sent == 0);
  // Lifting the ban lets the invitation go
  RunOk(d, "officer", ChangePortalStatus{id, "active"});
  RunOk(d, "supervisor", SendPortalInvitation{id});
  CHECK(d.Client(id).invitations_sent == 1);
}

// ---------------------------------------------------------------------------------------
// OpenCase

TEST_CASE("opening another case on a client assigns it to the officer who opened it",
          "[domain][client]") {
  DomainFixture d;
  // Given a client registered by the officer, with its first case
  auto [id, first_case] = d.Register("Returning", "1979-09-09");
  // When the client re-approaches and a supervisor opens another case
  CommandResult r = RunOk(d, "supervisor", OpenCase{id});
  // Then the answer names the new case, and both streams moved
  const std::string case_id = r.response.at("case_id");
  CHECK(r.response.size() == 1);
  CHECK(case_id != first_case);
  CHECK(r.position == d.Head());
  CHECK(d.Head() == 4);
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}, {CaseStream(case_id), 1}});
  // And the new case is the supervisor's, open on the client, in the supervisor's team
  CaseState k = d.Case(case_id);
  CHECK(k.status == "open");
  CHECK(k.client_id == id);
  CHECK(k.primary_applicant == id);
  CHECK(k.opened_on == DomainFixture::kToday);
  CHECK(k.team_id == "housing-options");
  CHECK(k.officers == std::vector<CaseOfficer>{{"supervisor", "primary"}});
  REQUIRE(k.people.size() == 1);
  CHECK(k.people[0].client_id == id);
  CHECK(k.people[0].relationship == "self");
  // And the client lists both cases in the order they were opened
  CHECK(d.Client(id).cases == std::vector<std::string>{first_case, case_id});
  // And the first case is untouched
  CHECK(d.Case(first_case).officers == std::vector<CaseOfficer>{{"officer", "primary"}});
  CHECK(d.EventTypes(CaseStream(first_case)) == Types{"CaseOpened"});
  // And the events say so
  REQUIRE(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientCaseAdded"});
  CHECK(d.Events(ClientStream(id))[1].case_id == case_id);
  REQUIRE(d.EventTypes(CaseStream(case_id)) == Types{"CaseOpened"});
  const Event opened = d.Events(CaseStream(case_id))[0];
  CHECK(opened.case_id == case_id);
  CHECK(opened.client_id == id);
  CHECK(opened.user_id == "supervisor");
  CHECK(opened.team_id == "housing-options");
  CHECK(opened.date == DomainFixture::kToday);
  CHECK(opened.reason == "new_case");
}

TEST_CASE("each case opened on a client is a new case", "[domain][client]") {
  DomainFixture d;
  auto [id, first_case] = d.Register("Many", "1979-09-09");
  std::vector<std::string> cases = {first_case};
  for (const char* user : {"officer", "admin", "officer"}) {
    INFO(user);
    CommandResult r = RunOk(d, user, OpenCase{id});
    const std::string case_id = r.response.at("case_id");
    CHECK(std::find(cases.begin(), cases.end(), case_id) == cases.end());
    cases.push_back(case_id);
    CHECK(d.Case(case_id).officers == std::vector<CaseOfficer>{{user, "primary"}});
  }
  CHECK(d.Client(id).cases == cases);
}

// Seed 000: an applicant who re-approaches gets a new case on the existing record, which
// by then may well be closed.
TEST_CASE("a case can be opened on a closed client record", "[domain][client]") {
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", ChangeClientStatus{id, "closed"});
  CommandResult r = RunOk(d, "officer", OpenCase{id});
  CHECK(d.Case(r.response.at("case_id")).status == "open");
  CHECK(d.Client(id).cases.size() == 2);
}

// ---------------------------------------------------------------------------------------
// Every client command

TEST_CASE("the auditor cannot send any client command", "[domain][client]") {
  DomainFixture d;
  const std::string id = ClientForEveryCommand(d);
  std::vector<Command> commands = CommandsOnClient(id);
  commands.push_back(Registration("Audited", "1990-01-01"));
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
  DomainFixture d;
  const std::string id = ClientForEveryCommand(d);
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
  DomainFixture d;
  d.Register();  // a client exists, just not this one
  for (const Command& c : CommandsOnClient("no-such-client")) {
    INFO(CommandName(c));
    CommandResult r = RunAppendingNothing(d, "admin", c);
    CHECK(Kind(r) == "not-found");
  }
  // A case id is not a client id either
  const std::string case_id = d.Register().second;
  for (const Command& c : CommandsOnClient(case_id)) {
    INFO(CommandName(c) << " on a case id");
    CommandResult r = RunAppendingNothing(d, "admin", c);
    CHECK(Kind(r) == "not-found");
  }
}

TEST_CASE("a client command needs a well-formed client id", "[domain][client]") {
  DomainFixture d;
  d.Register();
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
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", AddClientToGroup{id, "families"});
  CommandOptions stale;
  stale.expected_version = 1;
  CommandResult r = RunAppendingNothing(d, "officer", AddClientToGroup{id, "families"}, stale);
  CHECK(Kind(r) == "version-mismatch");
  CommandOptions current;
  current.expected_version = 2;
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
  DomainFixture d;
  const std::string id = d.Register().first;
  CommandOptions o;
  o.command_id = "key-1";
  CommandResult first = RunOk(d, "officer", AddClientToGroup{id, "families"}, o);
  const auto head = d.Head();
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
