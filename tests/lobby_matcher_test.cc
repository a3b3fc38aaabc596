// Lobby match confidence: Fellegi–Sunter weights over names (Jaro-Winkler, case- and
// accent-insensitive), NI number, date of birth (or day and month swapped), email, phone
// and postcode, lowered when several candidates match.
#include "aggregates/lobby_matcher.h"

#include <catch2/catch.hpp>

#include "projections/client_search.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

PersonalFields Person(const std::string& surname, const std::string& forenames,
                      const std::string& dob) {
  PersonalFields p;
  p.surname = surname;
  p.forenames = forenames;
  p.date_of_birth = dob;
  return p;
}

const FieldContribution& Field(const Match& m, const std::string& field) {
  for (const auto& f : m.fields) {
    if (f.field == field) return f;
  }
  FAIL("no field " << field);
  return m.fields[0];
}

}  // namespace

TEST_CASE("Jaro-Winkler scores equal, close and unrelated names as expected", "[lobby][match]") {
  CHECK(JaroWinkler("martha", "martha") == Approx(1.0));
  CHECK(JaroWinkler("martha", "marhta") == Approx(0.961).epsilon(0.01));
  CHECK(JaroWinkler("dixon", "dicksonx") == Approx(0.813).epsilon(0.01));
  CHECK(JaroWinkler("smith", "okafor") < 0.6);
  CHECK(FoldName("José-Álvarez ") == "jose-alvarez ");
  CHECK(FoldName("O'Brien") == "obrien");
}

TEST_CASE("the same person in the same details matches with high confidence", "[lobby][match]") {
  PersonalFields r = Person("Okafor", "Chidi", "1988-03-21");
  r.nino = "JG103789A";
  r.postcode = "N1 9GU";
  Match m = Compare(r, r);
  CHECK(m.probability > 0.99);
  CHECK(Field(m, "nino").comparison == "agree");
  CHECK(Field(m, "email").comparison == "missing");
  CHECK(Field(m, "email").weight == 0);
}

TEST_CASE("names match case- and accent-insensitively and survive a typo", "[lobby][match]") {
  Match accents =
      Compare(Person("ALVAREZ", "josé", "1990-01-01"), Person("Álvarez", "Jose", "1990-01-01"));
  CHECK(Field(accents, "surname").comparison == "agree");
  CHECK(Field(accents, "forenames").comparison == "agree");
  Match typo =
      Compare(Person("Okafr", "Chidi", "1988-03-21"), Person("Okafor", "Chidi", "1988-03-21"));
  CHECK(Field(typo, "surname").comparison != "disagree");
  CHECK(typo.probability > 0.5);
}

TEST_CASE("a date of birth with day and month swapped counts in part", "[lobby][match]") {
  Match swapped = Compare(Person("Lee", "Ann", "1990-04-07"), Person("Lee", "Ann", "1990-07-04"));
  CHECK(Field(swapped, "date_of_birth").comparison == "partial");
  Match exact = Compare(Person("Lee", "Ann", "1990-04-07"), Person("Lee", "Ann", "1990-04-07"));
  Match other = Compare(Person("Lee", "Ann", "1990-04-07"), Person("Lee", "Ann", "1971-12-30"));
  CHECK(exact.probability > swapped.probability);
  CHECK(swapped.probability > other.probability);
}

TEST_CASE("a disagreeing NI number counts against a match", "[lobby][match]") {
  PersonalFields a = Person("Lee", "Ann", "1990-04-07"), b = a;
  a.nino = "JG103789A";
  b.nino = "AB123456C";
  Match m = Compare(a, b);
  CHECK(Field(m, "nino").comparison == "disagree");
  CHECK(Field(m, "nino").weight < 0);
  CHECK(m.probability < Compare(a, a).probability);
}

TEST_CASE("several strong candidates share the confidence", "[lobby][match]") {
  PersonalFields r = Person("Smith", "John", "1980-01-01");
  std::vector<std::pair<std::string, PersonalFields>> one = {{"a", r}};
  std::vector<std::pair<std::string, PersonalFields>> three = {{"a", r}, {"b", r}, {"c", r}};
  const double alone = RankMatches(r, one)[0].confidence;
  auto shared = RankMatches(r, three);
  REQUIRE(shared.size() == 3);
  CHECK(shared[0].confidence < alone / 2);
  double total = 0;
  for (const auto& m : shared) total += m.confidence;
  CHECK(total <= 1.0 + 1e-9);
}

TEST_CASE("unrelated people do not match", "[lobby][match]") {
  PersonalFields r = Person("Okafor", "Chidi", "1988-03-21");
  std::vector<std::pair<std::string, PersonalFields>> others = {
      {"x", Person("Smith", "Mary", "1950-06-06")}, {"y", Person("Nguyen", "Lan", "2001-11-30")}};
  CHECK(RankMatches(r, others).empty());
}

TEST_CASE("match candidates come from the client search, deleted ones hidden", "[lobby][match]") {
  DomainFixture d;
  ClientSearchProjection search;
  MemoryStore rows(ProjectionRunner::FamilyNames({&search}));
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), &rows, {&search});
  REQUIRE(runner.Open().ok());
  auto find = [&](const PersonalFields& referral) {
    REQUIRE(runner.CatchUp().ok());
    return RankMatches(referral, search.search().Candidates(referral), 10);
  };
  PersonalFields extra;
  extra.postcode = "N1 9GU";
  auto [match, first] = d.Register("Okafor", "1988-03-21", extra);
  auto [other, second] = d.Register("Smith", "1950-06-06");
  auto [hidden, third] = d.Register("Okafor", "1988-03-21", extra);
  REQUIRE(Kind(d.Run("supervisor", DeleteClient{hidden, DeleteMode::kSoft})) == "ok");
  PersonalFields referral;
  referral.surname = "okafor";
  referral.date_of_birth = "1988-03-21";
  referral.postcode = "N1 9GU";
  std::vector<Match> matches = find(referral);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].client_id == match);
  CHECK(matches[0].confidence > 0.9);
  REQUIRE(Kind(d.Run("admin", RestoreClient{hidden})) == "ok");
  matches = find(referral);
  CHECK(matches.size() == 2);
  CHECK(matches[0].confidence < 0.6);  // two equally good candidates
}
