// ApiKeys: see api_keys.h.
#include "http/api_keys.h"

#include <openssl/rand.h>

#include <set>

#include "auth/json_member.h"
#include "base/coding.h"
#include "base/time_format.h"

namespace caseengine {

bool ApiKeys::ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

bool ApiKeys::ParseExpiry(std::string_view text, int64_t* expires_at) {
  int64_t days = 0;
  if (ParseDate(text, &days)) {
    *expires_at = (days + 1) * 86400 * int64_t{1000000};  // the start of the next day
    return true;
  }
  return text.find('T') != std::string_view::npos && ParseInstant(text, expires_at);
}

Status ApiKeys::FromJson(const nlohmann::json& list, const std::map<std::string, Actor>& users,
                         const std::map<std::string, std::string>& token_users, ApiKeys* out) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("api_keys: " + what); };
  if (!list.is_array()) return bad("must be a list of {name, key_sha256, user, expires?}");
  static const std::set<std::string> kKeys = {"name", "key_sha256", "user", "expires"};
  ApiKeys keys;
  std::set<std::string> names;
  for (const auto& entry : list) {
    if (!entry.is_object()) return bad("every entry is an object {name, key_sha256, user}");
    const std::string name = StringMember(entry, "name");
    if (!ValidName(name)) {
      return bad("every key needs a \"name\" of 1 to 64 letters, digits, '.', '_' or '-'");
    }
    auto fault = [&](const std::string& what) { return bad("key " + name + ": " + what); };
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      if (!kKeys.count(it.key())) {
        return fault("unknown key \"" + it.key() + "\" (known: name, key_sha256, user, expires)");
      }
    }
    if (!names.insert(name).second) return fault("the name is used twice");
    ApiKey key;
    key.name = name;
    key.user = StringMember(entry, "user");
    if (key.user.empty()) return fault("\"user\" (the configured user it acts as) is required");
    if (!users.count(key.user)) return fault("acts as unknown user " + key.user);
    const std::string hash = StringMember(entry, "key_sha256");
    if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return fault("key_sha256 must be 64 lower-case hex digits (caseengine new-api-key)");
    }
    if (token_users.count(hash)) return fault("key_sha256 is a user's token_sha256 too");
    if (entry.contains("expires")) {
      const auto& expires = entry["expires"];
      if (!expires.is_string() || !ParseExpiry(expires.get<std::string>(), &key.expires_at)) {
        return fault("expires must be a date (2027-06-30) or an instant (2027-06-30T17:00:00Z)");
      }
    }
    if (!keys.by_hash_.emplace(hash, std::move(key)).second) {
      return fault("key_sha256 is another key's too");
    }
  }
  *out = std::move(keys);
  return Status::Ok();
}

const ApiKey* ApiKeys::Find(const std::string& hash) const {
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : &it->second;
}

Status NewApiKey(std::string* key) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Status::Unavailable("OpenSSL's random generator failed: no key was made");
  }
  *key = std::string(ApiKeys::kPrefix) +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  return Status::Ok();
}

}  // namespace caseengine
