// Where `serve`, `seed` and `rebuild` take the key-encryption key (KEK, docs/event_log.md)
// from: --key-file, then CASEENGINE_KEK (64 hex digits), then the file CASEENGINE_KEK_FILE
// names, then the config's key_encryption_key_file; without any, and only for the demo,
// DATA.kek beside the data folder (made when missing if asked). A key inside the data
// folder is refused (a copy of the folder would open with it); a key file others can
// read is warned about on standard error.
//
// Threading: called once, at start, on the main thread (it reads the environment).
#pragma once

#include <string>

#include "aggregates/key_store.h"
#include "base/status.h"

namespace caseengine {

// The KEK in *kek; `made` names the demo's key file when this call made it ("" else).
Status FindKeyEncryptionKey(const std::string& flag_file, const std::string& config_file,
                            const std::string& data_dir, bool demo, bool create,
                            KeyEncryptionKey* kek, std::string* made);

}  // namespace caseengine
