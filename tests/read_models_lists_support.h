// Helpers of the tests of the list read models (case officers, case people, client search,
// Lobby queue; tests/read_model_*_test.cc): a harness of real commands projected into a
// store of their own, and queries as the HTTP layer makes them.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "projections/case_officers.h"
#include "projections/case_people.h"
#include "projections/client_search.h"
#include "projections/lobby_queue.h"
#include "projections/projection_runner.h"
#include "storage/memory_store.h"
#include "tests/domain_fixture.h"

namespace caseengine::testing::read_models_lists {

// The four read models and a runner over the fixture's log, with their rows in a store of
// their own (the fixture's store has the log's families only).
struct Lists {
  CaseOfficersProjection officers;
  CasePeopleProjection people;
  ClientSearchProjection search;
  LobbyQueueProjection lobby;

  std::vector<Projection*> All() { return {&officers, &people, &search, &lobby}; }
};

class Harness {
 public:
  Harness() {
    store = std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames(lists.All()));
    runner = OpenRunner(&lists);
  }

  // A runner over the same log and store for `other`, opened (rows loaded) and caught up.
  std::unique_ptr<ProjectionRunner> OpenRunner(Lists* other) {
    auto r = std::make_unique<ProjectionRunner>(fx.log.get(), &fx.handler->codec(), store.get(),
                                                other->All());
    Status s = r->Open();
    INFO(s.ToString());
    REQUIRE(s.ok());
    s = r->CatchUp();
    INFO(s.ToString());
    REQUIRE(s.ok());
    return r;
  }

  void Sync() {
    Status s = runner->CatchUp();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  CommandResult Ok(const std::string& user, Command command) {
    CommandResult r = fx.Run(user, std::move(command));
    INFO(r.rejection.message << " " << r.status.ToString());
    REQUIRE(Kind(r) == "ok");
    return r;
  }

  std::pair<std::string, std::string> Register(const std::string& surname,
                                               const std::string& forenames = "Alex",
                                               const std::string& dob = "1985-04-12",
                                               PersonalFields extra = PersonalFields()) {
    extra.forenames = forenames;
    return fx.Register(surname, dob, extra);
  }

  std::string Referral(const std::string& source, const std::string& surname) {
    ReceiveReferral r;
    r.source = source;
    r.personal.surname = surname;
    r.personal.forenames = "Sam";
    r.personal.date_of_birth = "1992-09-09";
    r.personal.postcode = "n1 9gu";
    r.referrer = "Probation Service";
    return Ok("officer", r).response["lobby_id"];
  }

  // Every key and value of a read model's family.
  std::map<std::string, std::string> Family(const Projection& p) const {
    FamilyId family;
    REQUIRE(store->Family(ReadModelFamily(p), &family).ok());
    std::map<std::string, std::string> out;
    auto it = store->NewIterator(family, ReadPattern::kScan);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace(std::string(it->key()), std::string(it->value()));
    }
    REQUIRE(it->status().ok());
    return out;
  }

  bool AnyValueHas(const Projection& p, const std::string& text) const {
    for (const auto& [key, value] : Family(p)) {
      if (value.find(text) != std::string::npos) return true;
    }
    return false;
  }

  DomainFixture fx;
  Lists lists;
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<ProjectionRunner> runner;
};

ListPage Officers(const Lists& l, std::map<std::string, std::string> filters = {},
                  const std::string& group_by = "", ListRequest list = ListRequest());

ListPage People(const Lists& l, std::map<std::string, std::string> filters = {},
                ListRequest list = ListRequest());

ListPage Lobby(const Lists& l, std::map<std::string, std::string> filters = {},
               ListRequest list = ListRequest());

nlohmann::json Search(const Lists& l, ClientSearchQuery q);

ClientSearchQuery ByName(const std::string& q);

std::vector<std::string> Column(const ListPage& page, const std::string& name);

std::vector<std::string> ClientIds(const nlohmann::json& results);

}  // namespace caseengine::testing::read_models_lists
