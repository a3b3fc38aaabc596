// ServerConfig: see server_config.h.
#include "http/server_config.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/coding.h"
#include "base/sha256.h"

namespace caseengine {

std::string TokenHash(std::string_view token) { return HexEncode(AsBytes(Sha256({token}))); }

int ServerConfig::QueryThreads(const ServerConfig& config) {
  if (config.threads > 0) return config.threads;
  return std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
}

ServerConfig ServerConfig::Demo() {
  ServerConfig c;
  c.domain = DomainConfig::Demo();
  for (const char* user : {"admin", "officer", "supervisor", "auditor"}) {
    c.token_users[TokenHash(std::string("demo-") + user)] = user;
  }
  c.demo = true;
  return c;
}

Status ServerConfig::SetListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("listen address '" + listen + "' is not host:port");
  }
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos ||
      std::stoi(port) > 65535) {
    return Status::InvalidArgument("listen address '" + listen + "' has no valid port");
  }
  host = listen.substr(0, colon);
  this->port = std::stoi(port);
  return Status::Ok();
}

const Actor* ServerConfig::Authenticate(std::string_view token) const {
  if (token.empty()) return nullptr;
  auto it = token_users.find(TokenHash(token));
  if (it == token_users.end()) return nullptr;
  auto user = domain.users.find(it->second);
  return user == domain.users.end() ? nullptr : &user->second;
}

Status ServerConfig::Load(const std::string& path, ServerConfig* out) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("config file " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("config file " + path + ": " + what);
  };
  if (!j.is_object()) return bad("not a JSON object");
  ServerConfig c;
  try {
    c.data_dir = j.value("data", c.data_dir);
    c.key_encryption_key_file = j.value("key_encryption_key_file", std::string());
    if (j.contains("listen")) {
      Status s = c.SetListen(j["listen"].get<std::string>());
      if (!s.ok()) return bad(s.message());
    }
    // A whole number from lo to hi under `key`, when present; "" or the error, naming the
    // key.
    auto count = [&](const char* key, int64_t lo, int64_t hi, auto* value) -> std::string {
      if (!j.contains(key)) return "";
      const auto& v = j[key];
      if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
        return std::string(key) + " must be a whole number from " + std::to_string(lo) + " to " +
               std::to_string(hi);
      }
      *value = v.get<int64_t>();
      return "";
    };
    for (const std::string& error :
         {count("threads", 1, 4096, &c.threads), count("io_threads", 1, 64, &c.io_threads),
          count("max_body_bytes", 1, int64_t{1} << 30, &c.max_body_bytes),
          count("max_feeds_per_user", 1, 4096, &c.max_feeds_per_user)}) {
      if (!error.empty()) return bad(error);
    }
    if (j.contains("memory_budget")) {
      if (!j["memory_budget"].is_string())
        return bad("memory_budget must be a size such as \"2G\"");
      Status s = MemoryBudget::Parse(j["memory_budget"].get<std::string>(), &c.memory);
      if (!s.ok()) return bad(s.message());
    }
    for (const auto& t : j.value("teams", nlohmann::json::array())) {
      const std::string id = t.at("id").get<std::string>();
      c.domain.teams[id] = {t.value("name", id), t.value("allows_cases", true)};
    }
    for (const auto& ct : j.value("client_types", nlohmann::json::array())) {
      c.domain.client_types.insert(ct.get<std::string>());
    }
    for (const auto& u : j.value("users", nlohmann::json::array())) {
      Actor a;
      a.user_id = u.at("id").get<std::string>();
      a.team_id = u.value("team", "");
      for (const auto& p : u.value("permissions", nlohmann::json::array())) {
        a.permissions.insert(p.get<std::string>());
      }
      if (!a.team_id.empty() && !c.domain.teams.count(a.team_id)) {
        return bad("user " + a.user_id + " is in unknown team " + a.team_id);
      }
      const std::string hash = u.at("token_sha256").get<std::string>();
      if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != hash.npos) {
        return bad("user " + a.user_id + ": token_sha256 must be 64 lower-case hex digits");
      }
      c.token_users[hash] = a.user_id;
      c.domain.users[a.user_id] = std::move(a);
    }
    const auto settings = j.value("settings", nlohmann::json::object());
    const std::string mode =
        settings.value("delete_mode", std::string(DeleteModeName(c.domain.delete_mode)));
    if (!ParseDeleteMode(mode, &c.domain.delete_mode) ||
        c.domain.delete_mode == DeleteMode::kNone) {
      return bad("settings.delete_mode must be soft or erase");
    }
    c.domain.lobby_assign_closes_open_case =
        settings.value("lobby_assign_closes_open_case", c.domain.lobby_assign_closes_open_case);
    // An origin is compared byte for byte with what a browser sends: scheme://host[:port],
    // no path, no trailing slash, no wildcard.
    for (const auto& o : j.value("cors_origins", nlohmann::json::array())) {
      const std::string origin = o.get<std::string>();
      const size_t scheme = origin.find("://");
      const bool web = origin.rfind("https://", 0) == 0 || origin.rfind("http://", 0) == 0;
      if (!web || origin.find('/', scheme + 3) != std::string::npos ||
          origin.find('*') != std::string::npos || origin.size() == scheme + 3) {
        return bad("cors_origins: '" + origin +
                   "' is not an origin such as https://cases.council.gov.uk");
      }
      c.cors_origins.push_back(origin);
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  if (c.domain.users.empty()) return bad("no users");
  *out = std::move(c);
  return Status::Ok();
}

}  // namespace caseengine
