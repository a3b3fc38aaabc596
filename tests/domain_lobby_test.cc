// The Lobby: referrals wait there, not as clients, until an officer claims one and assigns
// it to a client, makes a new client of it, or removes it. Given/When/Then, named after the
// rules of the Lobby article.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

ReceiveReferral Referral(const std::string& surname = "Referred") {
  ReceiveReferral r;
  r.source = "duty_to_refer";
  r.personal.surname = surname;
  r.personal.forenames = "Sam";
  r.personal.date_of_birth = "1992-09-09";
  r.personal.postcode = "n1 9gu";
  r.referrer = "Probation Service";
  return r;
}

std::string Receive(DomainFixture& d, const std::string& surname = "Referred") {
  CommandResult r = d.Run("officer", Referral(surname));
  REQUIRE(Kind(r) == "ok");
  return r.response["lobby_id"];
}

LobbyState Lobby(DomainFixture& d, const std::string& id) {
  LobbyState s;
  REQUIRE(d.handler->ReadLobby(id, &s).ok());
  return s;
}

}  // namespace

TEST_CASE("a referral lands in the Lobby, not as a client", "[domain][lobby]") {
  DomainFixture d;
  const auto before = d.Head();
  const std::string id = Receive(d, "Ofori");
  CHECK(d.Head() == before + 1);
  CHECK(d.EventTypes("lobby-" + id) == std::vector<std::string>{"ReferralReceived"});
  LobbyState s = Lobby(d, id);
  CHECK(s.status == "received");
  CHECK(s.source == "duty_to_refer");
  CHECK(s.referrer == "Probation Service");
  CHECK(s.personal.surname == "Ofori");
  CHECK(s.personal.postcode == "N1 9GU");
  std::vector<RecordedEvent> all;
  REQUIRE(d.log->ReadAll(1, 10, &all).ok());
  CHECK(all.back().payload.find("Ofori") == std::string::npos);  // sealed
}

TEST_CASE("a lobby record must be claimed before any work on it", "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d);
  auto [client, kase] = d.Register();
  const auto before = d.Head();
  for (Command c : std::vector<Command>{AssignLobbyRecord{id, client}, CreateClientFromLobby{id},
                                        RemoveLobbyRecord{id}}) {
    CommandResult r = d.Run("officer", c);
    CHECK(Kind(r) == "rule-violated");
    CHECK(r.rejection.rule == "lobby-not-claimed");
  }
  CHECK(d.Head() == before);
  CHECK(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CHECK(Lobby(d, id).claimed_by == "officer");
  CHECK(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "unchanged");
}

TEST_CASE("a lobby record claimed by one officer cannot be worked by another", "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d);
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CommandResult claim = d.Run("supervisor", ClaimLobbyRecord{id});
  CHECK(claim.rejection.rule == "lobby-claimed-by-another");
  CommandResult create = d.Run("supervisor", CreateClientFromLobby{id});
  CHECK(create.rejection.rule == "lobby-claimed-by-another");
}

TEST_CASE("assigning a lobby record to a client with an open case closes the new case at once",
          "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d);
  auto [client, first] = d.Register();  // its first case is open
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CommandResult r = d.Run("officer", AssignLobbyRecord{id, client});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["case_closed_automatically"] == true);
  const std::string kase = r.response["case_id"];
  CHECK(d.Case(kase).status == "closed");
  CHECK(d.Case(kase).primary_applicant == client);
  CHECK(d.Client(client).cases == std::vector<std::string>{first, kase});
  LobbyState s = Lobby(d, id);
  CHECK(s.status == "assigned");
  CHECK(s.client_id == client);
  CHECK(s.case_id == kase);
}

TEST_CASE("assigning a lobby record to a client with no open case opens a case on the client",
          "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d);
  auto [client, first] = d.Register();
  REQUIRE(Kind(d.Run("officer", CloseCase{first, "housed"})) == "ok");
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CommandResult r = d.Run("officer", AssignLobbyRecord{id, client});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["case_closed_automatically"] == false);
  CHECK(d.Case(r.response["case_id"]).status == "open");
}

TEST_CASE("the deployment can keep the new case open when the client already has one",
          "[domain][lobby]") {
  DomainFixture d;
  d.config.lobby_assign_closes_open_case = false;  // HRS's behaviour
  const std::string id = Receive(d);
  auto [client, first] = d.Register();
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CommandResult r = d.Run("officer", AssignLobbyRecord{id, client});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["case_closed_automatically"] == false);
  CHECK(d.Case(r.response["case_id"]).status == "open");
}

TEST_CASE("creating a new client from a lobby record registers the referral's person with a case",
          "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d, "Nakamura");
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CommandResult r = d.Run("officer", CreateClientFromLobby{id});
  REQUIRE(Kind(r) == "ok");
  ClientState c = d.Client(r.response["client_id"]);
  CHECK(c.personal.surname == "Nakamura");
  CHECK(c.personal.date_of_birth == "1992-09-09");
  CHECK(c.cases == std::vector<std::string>{r.response["case_id"]});
  CaseState k = d.Case(r.response["case_id"]);
  CHECK(k.officers[0] == CaseOfficer{"officer", "primary"});
  CHECK(Lobby(d, id).status == "created");
}

TEST_CASE("none of the Lobby's actions can be undone: a second action is refused",
          "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d);
  auto [client, kase] = d.Register();
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  REQUIRE(Kind(d.Run("officer", AssignLobbyRecord{id, client})) == "ok");
  const auto before = d.Head();
  for (Command c : std::vector<Command>{AssignLobbyRecord{id, client}, CreateClientFromLobby{id},
                                        RemoveLobbyRecord{id}, ClaimLobbyRecord{id}}) {
    CommandResult r = d.Run("officer", c);
    CHECK(Kind(r) == "rule-violated");
    CHECK(r.rejection.rule == "lobby-already-decided");
  }
  CHECK(d.Head() == before);
}

TEST_CASE("a removed lobby record is gone and its details are erased", "[domain][lobby]") {
  DomainFixture d;
  const std::string id = Receive(d, "Vanishing");
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  REQUIRE(Kind(d.Run("officer", RemoveLobbyRecord{id})) == "ok");
  CHECK(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "not-found");
  std::vector<Event> events = d.Events("lobby-" + id);
  CHECK(events[0].personal.erased);
  CHECK_FALSE(events[0].personal.surname.has_value());
  std::string key;
  CHECK(d.keys->KeyFor("lobby-" + id, false, &key).code() == Status::Code::kNotFound);
  CHECK(d.log->VerifyChain(1, 0).ok);
}

TEST_CASE("a lobby referral and its commands refuse bad input and write nothing",
          "[domain][lobby]") {
  DomainFixture d;
  const auto before = d.Head();
  ReceiveReferral bad_source = Referral();
  bad_source.source = "walk_in";
  CHECK(NamesField(d.Run("officer", bad_source), "source"));
  ReceiveReferral no_name = Referral();
  no_name.personal.surname.reset();
  CHECK(NamesField(d.Run("officer", no_name), "surname"));
  ReceiveReferral bad_nino = Referral();
  bad_nino.personal.nino = "not a nino";
  CHECK(NamesField(d.Run("officer", bad_nino), "nino"));
  CHECK(Kind(d.Run("officer", ClaimLobbyRecord{"nosuchrecord"})) == "not-found");
  CHECK(NamesField(d.Run("officer", ClaimLobbyRecord{""}), "lobby_id"));
  CHECK(Kind(d.Run("auditor", Referral())) == "forbidden");
  const std::string id = Receive(d);
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{id})) == "ok");
  CHECK(Kind(d.Run("officer", AssignLobbyRecord{id, "nosuchclient"})) == "not-found");
  CHECK(d.Head() == before + 2);  // only the referral and the claim
}

TEST_CASE("officers racing to claim one lobby record: exactly one claim is appended",
          "[domain][lobby][concurrency]") {
  DomainFixture d;
  const std::string id = Receive(d);
  const auto before = d.Head();
  std::atomic<int> ok{0}, other{0};
  std::vector<std::thread> threads;
  const char* users[] = {"officer", "supervisor", "admin"};
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      CommandResult r = d.handler->Execute(d.config.users.at(users[t % 3]), ClaimLobbyRecord{id});
      const std::string kind = Kind(r);
      if (kind == "ok") {
        ok++;
      } else if (kind != "rule-violated" && kind != "unchanged") {
        other++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok.load() == 1);
  CHECK(other.load() == 0);
  CHECK(d.Head() == before + 1);
}

TEST_CASE("erasing a client erases the lobby referrals it came from", "[domain][lobby][delete]") {
  DomainFixture d;
  // One referral made into the client, another assigned to it later.
  const std::string created = Receive(d, "Forgettable");
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{created})) == "ok");
  CommandResult made = d.Run("officer", CreateClientFromLobby{created});
  REQUIRE(Kind(made) == "ok");
  const std::string client = made.response["client_id"];
  const std::string assigned = Receive(d, "Forgettable");
  REQUIRE(Kind(d.Run("officer", ClaimLobbyRecord{assigned})) == "ok");
  REQUIRE(Kind(d.Run("officer", AssignLobbyRecord{assigned, client})) == "ok");
  const std::string unrelated = Receive(d, "Someone Else");

  CommandResult erased = d.Run("admin", DeleteClient{client, DeleteMode::kErase});
  REQUIRE(Kind(erased) == "ok");
  CHECK(erased.response["lobby_records_erased"] == 2);
  for (const std::string& id : {created, assigned}) {
    LobbyState s = Lobby(d, id);
    CHECK(s.status == "removed");
    CHECK(s.personal.erased);
    std::vector<Event> events = d.Events("lobby-" + id);
    CHECK(events.back().type == EventType::kLobbyRecordRemoved);
    CHECK(events.back().reason == "client erased");
    CHECK(events.front().personal.erased);  // the referral itself can no longer be read
    std::string key;
    CHECK(d.keys->KeyFor("lobby-" + id, false, &key).code() == Status::Code::kNotFound);
  }
  CHECK(Lobby(d, unrelated).personal.surname == "Someone Else");
  CHECK(d.log->VerifyChain(1, 0).ok);
}
