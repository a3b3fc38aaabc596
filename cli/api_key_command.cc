// `caseengine new-api-key`: see api_key_command.h.
#include "cli/api_key_command.h"

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "http/api_keys.h"
#include "http/server_config.h"

namespace caseengine {

void AddApiKeyCommand(CLI::App* app, ApiKeyCommand* command) {
  command->command = app->add_subcommand(
      "new-api-key", "print a new API key for a service account, and its config entry");
  command->command
      ->add_option("--name", command->name,
                   "the key's name, as logs show it (letters, digits, . _ -)")
      ->required();
  command->command->add_option("--user", command->user,
                               "the configured user the key acts as (default: the name)");
  command->command->add_option("--expires", command->expires,
                               "a date (the key works through it, UTC) or an RFC 3339 instant");
}

int RunApiKeyCommand(const ApiKeyCommand& command) {
  auto usage = [](const std::string& what) {
    std::cerr << "caseengine: new-api-key: " << what << "\n";
    return kExitCannotRun;
  };
  if (!ApiKeys::ValidName(command.name)) {
    return usage("--name must be 1 to 64 letters, digits, '.', '_' or '-'");
  }
  const std::string user = command.user.empty() ? command.name : command.user;
  nlohmann::json entry = {{"name", command.name}};
  if (!command.expires.empty()) {
    int64_t expires_at = 0;
    if (!ApiKeys::ParseExpiry(command.expires, &expires_at)) {
      return usage("--expires must be a date (2027-06-30) or an instant (2027-06-30T17:00:00Z)");
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (expires_at <= now) return usage("--expires " + command.expires + " has passed already");
  }
  std::string key;
  if (Status s = NewApiKey(&key); !s.ok()) {
    std::cerr << "caseengine: " << s.ToString() << "\n";
    return kExitFailed;
  }
  entry["key_sha256"] = TokenHash(key);
  entry["user"] = user;
  if (!command.expires.empty()) entry["expires"] = command.expires;
  std::cout << "New API key \"" << command.name
            << "\" (shown this once, and kept nowhere: give it to the service now, through its "
               "secret store):\n"
            << key << "\n"
            << "Add this entry to \"api_keys\" in the config file (it keeps only the key's "
               "SHA-256; user "
            << user << " must be one of its \"users\"), then restart the engine:\n"
            << entry.dump() << "\n";
  return kExitOk;
}

}  // namespace caseengine
