// Tests of the client search read model: names regardless of accents and case, identifiers
// in their normal form, and Lobby candidates sharing a blocking key.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "aggregates/lobby_matcher.h"
#include "projections/client_search.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_lists_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::read_models_lists::ByName;
using caseengine::testing::read_models_lists::ClientIds;
using caseengine::testing::read_models_lists::Harness;
using caseengine::testing::read_models_lists::Search;

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

TEST_CASE("client search finds names regardless of accents and case", "[read-models]") {
  // Given clients named Müller, Mueller, Smith-Jones and Okafor
  Harness h;
  auto [a, ca] = h.Register("Müller", "José");
  auto [b, cb] = h.Register("Mueller", "Anna");
  auto [c, cc] = h.Register("Smith-Jones", "Mary Ann");
  auto [d, cd] = h.Register("Okafor", "Grace");
  h.Sync();

  // When they are searched by name in any case and with or without accents
  // Then Müller is found first
  for (const std::string q : {"muller", "MÜLLER", "Muller", "mULLer"}) {
    INFO(q);
    const auto ids = ClientIds(Search(h.lists, ByName(q)));
    REQUIRE_FALSE(ids.empty());
    CHECK(ids[0] == a);
    CHECK_FALSE(Contains(ids, d));
  }
  // And a full name scores 1, and prefixes, typos, parts of double names and forenames find theirs
  const auto full = Search(h.lists, ByName("jose muller"));
  REQUIRE_FALSE(full.empty());
  CHECK(full[0]["client_id"] == a);
  CHECK(full[0]["score"] == 1.0);
  CHECK(full[0]["matched"] == nlohmann::json{"surname", "forenames"});
  CHECK(full[0]["surname"] == "Müller");
  CHECK(ClientIds(Search(h.lists, ByName("Müller José")))[0] == a);  // surname first
  CHECK(Contains(ClientIds(Search(h.lists, ByName("Mul"))), a));     // a prefix
  CHECK(Contains(ClientIds(Search(h.lists, ByName("Muler"))), a));   // a typo
  CHECK(Contains(ClientIds(Search(h.lists, ByName("Muler"))), b));
  CHECK(ClientIds(Search(h.lists, ByName("jones"))) == std::vector<std::string>{c});
  CHECK(ClientIds(Search(h.lists, ByName("smith-jones"))) == std::vector<std::string>{c});
  CHECK(ClientIds(Search(h.lists, ByName("ann")))[0] == c);  // a forename (and a prefix of Anna)
  CHECK(ClientIds(Search(h.lists, ByName("Grace Okafor"))) == std::vector<std::string>{d});
  CHECK(Search(h.lists, ByName("Wojcik")).empty());
  ClientSearchQuery limited = ByName("m");
  limited.limit = 1;
  CHECK(Search(h.lists, limited).size() == 1);

  // And a correction moves the client in the index
  CorrectClientDetails fix;
  fix.client_id = d;
  fix.personal.surname = "Adeyemi";
  h.Ok("officer", fix);
  h.Sync();
  CHECK(Search(h.lists, ByName("okafor")).empty());
  CHECK(ClientIds(Search(h.lists, ByName("adeyemi"))) == std::vector<std::string>{d});
}

TEST_CASE("client search compares identifiers in their normal form", "[read-models]") {
  // Given a client with an NI number, a postcode, a phone and an email, and another born the same
  // day
  Harness h;
  PersonalFields extra;
  extra.nino = "AB123456C";
  extra.postcode = "SW1A 1AA";
  extra.phone = "07700 900123";
  extra.email = "Grace.Okafor@Example.org";
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03", extra);
  auto [b, cb] = h.Register("Nowak", "Ewa", "1980-02-03");
  h.Sync();

  auto find = [&](auto set) {
    ClientSearchQuery q;
    set(q);
    return ClientIds(Search(h.lists, q));
  };
  // When they are searched by each identifier in another formatting
  // Then the client is found
  using V = std::vector<std::string>;
  CHECK(find([](auto& q) { q.nino = "ab 12 34 56 c"; }) == V{a});
  CHECK(find([](auto& q) { q.postcode = "sw1a1aa"; }) == V{a});
  CHECK(find([](auto& q) { q.phone = "07700-900-123"; }) == V{a});
  CHECK(find([](auto& q) { q.email = " grace.okafor@EXAMPLE.org"; }) == V{a});
  CHECK(find([](auto& q) { q.nino = "CE123456A"; }).empty());
  CHECK(find([](auto& q) { q.date_of_birth = "1980-02-03"; }).size() == 2);
  // And the client matching most comes first; status only filters
  const auto both = Search(h.lists, [] {
    ClientSearchQuery q;
    q.date_of_birth = "1980-02-03";
    q.postcode = "SW1A 1AA";
    return q;
  }());
  REQUIRE(both.size() == 2);
  CHECK(both[0]["client_id"] == a);
  CHECK(both[0]["matched"] == nlohmann::json{"date_of_birth", "postcode"});
  CHECK(both[0]["score"] == 1.0);
  CHECK(both[1]["matched"] == nlohmann::json{"date_of_birth"});
  CHECK(both[1]["score"].get<double>() < 1.0);
  h.Ok("officer", ChangeClientStatus{b, "inactive"});
  h.Sync();
  CHECK(find([](auto& q) {
          q.date_of_birth = "1980-02-03";
          q.status = "inactive";
        }) == V{b});

  // And a search without criteria or with malformed ones is refused
  nlohmann::json results;
  ClientSearchQuery bad;
  CHECK(h.lists.search.search().Search(bad, &results).code() == Status::Code::kInvalidArgument);
  bad.nino = "not a nino";
  CHECK(h.lists.search.search().Search(bad, &results).code() == Status::Code::kInvalidArgument);
  bad = ClientSearchQuery();
  bad.date_of_birth = "03/02/1980";
  CHECK(h.lists.search.search().Search(bad, &results).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("client search gives lobby candidates sharing a blocking key", "[read-models]") {
  // Given four clients, three sharing a blocking key with a referral
  Harness h;
  PersonalFields extra;
  extra.postcode = "N1 9GU";
  auto [a, ca] = h.Register("Okafor", "Grace", "1980-02-03", extra);
  auto [b, cb] = h.Register("Nowak", "Ewa", "1980-03-02");  // day and month swapped
  auto [c, cc] = h.Register("Okafore", "Tunde", "1971-01-01");
  auto [d, cd] = h.Register("Wojcik", "Piotr", "1960-06-06");
  h.Sync();

  PersonalFields referral;
  referral.surname = "Okafor";
  referral.forenames = "Grace";
  referral.date_of_birth = "1980-02-03";
  referral.postcode = "n1 9gu";
  // When the referral's candidates are found
  // Then they are the three, the one sharing the most keys first, with their details
  const auto candidates = h.lists.search.search().Candidates(referral);
  std::vector<std::string> ids;
  for (const auto& [id, p] : candidates) ids.push_back(id);
  CHECK(ids.size() == 3);
  CHECK(ids[0] == a);  // shares the most keys
  CHECK(Contains(ids, b));
  CHECK(Contains(ids, c));
  CHECK_FALSE(Contains(ids, d));
  CHECK(candidates[0].second.surname == "Okafor");
  CHECK(candidates[0].second.postcode == "N1 9GU");
  CHECK(h.lists.search.search().Candidates(referral, 1).size() == 1);

  // And ranking them puts that client first
  const std::vector<Match> ranked = RankMatches(referral, candidates);
  REQUIRE_FALSE(ranked.empty());
  CHECK(ranked[0].client_id == a);
}
