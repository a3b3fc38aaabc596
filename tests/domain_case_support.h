// Helpers of the Given/When/Then tests of the case commands (tests/domain_case_*_test.cc
// and the other case command tests): stream names, versions, running a command that must
// succeed, be refused or change nothing, and a household of two clients.
#pragma once

#include <string>
#include <vector>

#include "tests/domain_fixture.h"

namespace caseengine::testing::domain_case {

using Strings = std::vector<std::string>;

std::string CaseOf(const std::string& case_id);

std::string ClientOf(const std::string& client_id);

// The version a result reports for a stream; 0 when the command did not write to it.
uint64_t VersionOf(const CommandResult& r, const std::string& stream);

// Runs a command that must be refused with `kind`, and checks that nothing was appended.
CommandResult Refused(DomainFixture& d, const std::string& user, Command command,
                      const std::string& kind, const CommandOptions& options = CommandOptions());

// Runs a command that must be accepted with nothing to change: nothing appended.
void Unchanged(DomainFixture& d, const std::string& user, Command command,
               const CommandOptions& options = CommandOptions());

// Runs a command that must be accepted and append events.
CommandResult Ok(DomainFixture& d, const std::string& user, Command command,
                 const CommandOptions& options = CommandOptions());

// A registered client with a case, and a second registered client on that case.
struct Household {
  std::string primary, kase, partner;
};

Household WithPartner(DomainFixture& d, bool joint = false);

}  // namespace caseengine::testing::domain_case
