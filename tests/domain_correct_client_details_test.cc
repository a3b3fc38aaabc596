// Given/When/Then tests of CorrectClientDetails (seed 000): only what was given and really
// changes is recorded, a correction that changes nothing appends nothing, fields are checked
// as at registration, and corrected personal data is stored sealed.
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
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When a correction gives nothing, only blanks, or only free text
  // Then it is refused naming personal, and nothing is appended
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
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register("Checked", "1985-04-12").first;
  struct Bad {
    const char* field;
    PersonalFields fields;
  };
  // When corrections give an impossible NI number, date of birth, email, phone, postcode or surname
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
  // Then each is refused naming the field, and nothing changes
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
  // Given a registered client
  DomainFixture d;
  const std::string id = d.Register("Before", "1985-04-12").first;
  PersonalFields fix;
  fix.surname = "Wolstenholme";
  fix.email = "Wolstenholme.Jr@Example.org";
  fix.nino = "ce 12 34 56 b";
  // When its surname, email and NI number are corrected
  RunOk(d, "officer", CorrectClientDetails{id, fix});
  // Then no stored event holds them in plaintext
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
  // And the key opens them again, in their normal forms
  CHECK(d.Client(id).personal.surname == "Wolstenholme");
  CHECK(d.Client(id).personal.email == "wolstenholme.jr@example.org");
  CHECK(d.Client(id).personal.nino == "CE123456B");
}
