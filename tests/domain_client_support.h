// Helpers of the Given/When/Then tests of the client commands
// (tests/domain_*client*_test.cc and the other client command tests): running a command that
// must succeed or must append nothing, and registrations.
#pragma once

#include <string>
#include <vector>

#include "tests/domain_fixture.h"

namespace caseengine::testing::domain_client {

using Types = std::vector<std::string>;

// Runs a command that must append nothing (refused, or nothing to change): the log does
// not move and the answer names no position or version.
CommandResult RunAppendingNothing(DomainFixture& d, const std::string& user, Command command,
                                  const CommandOptions& options = CommandOptions());

// Runs a command that must succeed; fails the test with the rejection otherwise.
CommandResult RunOk(DomainFixture& d, const std::string& user, Command command,
                    const CommandOptions& options = CommandOptions());

PersonalFields WithEmail(const std::string& email);

RegisterClient Registration(const std::string& surname, const std::string& date_of_birth);

}  // namespace caseengine::testing::domain_client
