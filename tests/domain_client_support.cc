// Helpers of the client command tests (see domain_client_support.h).
#include "tests/domain_client_support.h"

#include <catch2/catch.hpp>
#include <utility>

namespace caseengine::testing::domain_client {

CommandResult RunAppendingNothing(DomainFixture& d, const std::string& user, Command command,
                                  const CommandOptions& options) {
  const auto before = d.Head();
  CommandResult r = d.Run(user, std::move(command), options);
  CHECK(d.Head() == before);
  CHECK(r.position == 0);
  CHECK(r.versions.empty());
  CHECK_FALSE(r.duplicate);
  return r;
}

CommandResult RunOk(DomainFixture& d, const std::string& user, Command command,
                    const CommandOptions& options) {
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

}  // namespace caseengine::testing::domain_client
