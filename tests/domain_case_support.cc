// Helpers of the case command tests (see domain_case_support.h).
#include "tests/domain_case_support.h"

#include <catch2/catch.hpp>
#include <utility>

namespace caseengine::testing::domain_case {

std::string CaseOf(const std::string& case_id) { return "case-" + case_id; }

std::string ClientOf(const std::string& client_id) { return "client-" + client_id; }

uint64_t VersionOf(const CommandResult& r, const std::string& stream) {
  for (const auto& v : r.versions) {
    if (v.stream == stream) return v.version;
  }
  return 0;
}

CommandResult Refused(DomainFixture& d, const std::string& user, Command command,
                      const std::string& kind, const CommandOptions& options) {
  const std::string name = CommandName(command);
  const auto before = d.Head();
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << " as " << user << ": " << r.rejection.message << " " << r.status.ToString());
  CHECK(Kind(r) == kind);
  CHECK(r.rejected);
  CHECK(r.position == 0);
  CHECK(r.versions.empty());
  CHECK(d.Head() == before);
  return r;
}

void Unchanged(DomainFixture& d, const std::string& user, Command command,
               const CommandOptions& options) {
  const std::string name = CommandName(command);
  const auto before = d.Head();
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << ": " << r.rejection.message);
  CHECK(Kind(r) == "unchanged");
  CHECK(r.ok());
  CHECK(r.position == 0);
  CHECK(r.versions.empty());
  CHECK(d.Head() == before);
}

CommandResult Ok(DomainFixture& d, const std::string& user, Command command,
                 const CommandOptions& options) {
  const std::string name = CommandName(command);
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << ": " << r.rejection.message << " " << r.status.ToString());
  REQUIRE(Kind(r) == "ok");
  CHECK(r.position == d.Head());
  return r;
}

Household WithPartner(DomainFixture& d, bool joint) {
  auto [primary, kase] = d.Register("Primary", "1980-01-01");
  const std::string partner = d.Register("Partner", "1982-02-02").first;
  Ok(d, "officer", AddPerson{kase, partner, "partner", joint, ""});
  return {primary, kase, partner};
}

}  // namespace caseengine::testing::domain_case
