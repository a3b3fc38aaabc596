// Helpers of the list read model tests (see read_models_lists_support.h).
#include "tests/read_models_lists_support.h"

#include <utility>

namespace caseengine::testing::read_models_lists {

ListPage Officers(const Lists& l, std::map<std::string, std::string> filters,
                  const std::string& group_by, ListRequest list) {
  CaseOfficersQuery q{std::move(filters), group_by, std::move(list)};
  ListPage page;
  Status s = l.officers.officers().Query(q, &page);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return page;
}

ListPage People(const Lists& l, std::map<std::string, std::string> filters, ListRequest list) {
  CasePeopleQuery q{std::move(filters), std::move(list)};
  ListPage page;
  Status s = l.people.people().Query(q, &page);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return page;
}

ListPage Lobby(const Lists& l, std::map<std::string, std::string> filters, ListRequest list) {
  LobbyQueueQuery q{std::move(filters), std::move(list)};
  ListPage page;
  Status s = l.lobby.queue().Query(q, &page);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return page;
}

nlohmann::json Search(const Lists& l, ClientSearchQuery q) {
  nlohmann::json results;
  Status s = l.search.search().Search(q, &results);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return results;
}

ClientSearchQuery ByName(const std::string& q) {
  ClientSearchQuery query;
  query.q = q;
  return query;
}

std::vector<std::string> Column(const ListPage& page, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& row : page.rows) out.push_back(row.at(name).get<std::string>());
  return out;
}

std::vector<std::string> ClientIds(const nlohmann::json& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.at("client_id").get<std::string>());
  return out;
}

}  // namespace caseengine::testing::read_models_lists
