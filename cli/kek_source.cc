// FindKeyEncryptionKey: see kek_source.h.
#include "cli/kek_source.h"

#include <limits.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

namespace caseengine {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

Status FindKeyEncryptionKey(const std::string& flag_file, const std::string& config_file,
                            const std::string& data_dir, bool demo, bool create,
                            KeyEncryptionKey* kek, std::string* made) {
  made->clear();
  std::string file = flag_file;
  Status s;
  if (file.empty() && !Env("CASEENGINE_KEK").empty()) {
    s = ParseKeyEncryptionKey(Env("CASEENGINE_KEK"), kek);
    return s.ok() ? s : Status::InvalidArgument("CASEENGINE_KEK: " + s.message());
  }
  if (file.empty()) file = Env("CASEENGINE_KEK_FILE");
  if (file.empty()) file = config_file;
  if (file.empty()) {
    if (!demo) {
      return Status::InvalidArgument(
          "no key-encryption key: set key_encryption_key_file in the config file, or "
          "CASEENGINE_KEK_FILE, or give --key-file (caseengine new-kek --out FILE makes one)");
    }
    bool created = false;
    s = KekBeside(data_dir, create, kek, &created);
    if (s.code() == Status::Code::kNotFound) {
      return Status::NotFound(
          "no key-encryption key: give --key-file, or set CASEENGINE_KEK_FILE (" + s.message() +
          ")");
    }
    if (!s.ok()) return s;
    file = KekFileBeside(data_dir);
    if (created) *made = file;
  } else {
    s = ReadKeyEncryptionKey(file, kek);
    if (!s.ok()) return s;
  }
  // The key protects the folder only if it is not in it.
  char key_path[PATH_MAX], data_path[PATH_MAX];
  if (realpath(file.c_str(), key_path) != nullptr &&
      realpath(data_dir.c_str(), data_path) != nullptr &&
      std::string(key_path).rfind(std::string(data_path) + "/", 0) == 0) {
    return Status::InvalidArgument("the key-encryption key " + file +
                                   " is inside the data folder " + data_dir +
                                   ": keep it elsewhere, or a copy of the folder opens with it");
  }
  struct stat st;
  if (stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    std::cerr << "caseengine: warning: the key-encryption key " << file
              << " can be read by other users (chmod 600 it)\n";
  }
  return Status::Ok();
}

}  // namespace caseengine
