// `caseengine new-api-key` (http/api_keys.h, docs/operations.md "API keys for service
// accounts"):
//
//   caseengine new-api-key --name NAME [--user USER] [--expires DATE|INSTANT]
//       makes a new random key for a service account and prints it, once, with the entry
//       to add to the config's "api_keys": its name, the SHA-256 of the key (all the
//       config keeps), the user it acts as (USER, by default NAME: a user of the config's
//       "users") and its expiry. Nothing is written anywhere: the key exists only on the
//       terminal, for the operator to hand to the service (its secret store).
//
// Exit status: 0 printed; 2 the arguments are wrong (a name that is not plain, an expiry
// that is not a date or instant or has passed); 1 no randomness from OpenSSL.
//
// Threading: the calling thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace caseengine {

struct ApiKeyCommand {
  CLI::App* command = nullptr;
  std::string name, user, expires;

  bool parsed() const { return command->parsed(); }
};

// Adds the subcommand to `app`; `command` holds its flags and must outlive parsing.
void AddApiKeyCommand(CLI::App* app, ApiKeyCommand* command);

// Runs it; returns the exit status.
int RunApiKeyCommand(const ApiKeyCommand& command);

}  // namespace caseengine
