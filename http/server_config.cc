// ServerConfig: see server_config.h.
#include "http/server_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/coding.h"
#include "base/sha256.h"
#include "base/time_format.h"
#include "http/task_settings_config.h"

namespace caseengine {

std::string TokenHash(std::string_view token) { return HexEncode(AsBytes(Sha256({token}))); }

int ServerConfig::QueryThreads(const ServerConfig& config) {
  if (config.threads > 0) return config.threads;
  return std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
}

ServerConfig ServerConfig::Demo() {
  ServerConfig c;
  c.domain = DomainConfig::Demo();
  for (const char* user : {"admin", "officer", "supervisor", "auditor", "provider"}) {
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

const Actor* ServerConfig::Authenticate(std::string_view token, std::string* why,
                                        std::string* credential) const {
  std::string reason = "unknown token";
  std::string kind;
  const Actor* actor = nullptr;
  if (!token.empty()) {
    // Found by the hash of what was sent: no secret is compared byte by byte.
    const std::string hash = TokenHash(token);
    if (auto it = token_users.find(hash); it != token_users.end()) {
      kind = "token";
      auto user = domain.users.find(it->second);
      if (user != domain.users.end()) actor = &user->second;
    } else if (const ApiKey* key = api_keys.Find(hash); key != nullptr) {
      kind = "api_key:" + key->name;
      const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      if (now >= key->expires_at) {
        reason = "the API key has expired (since " + FormatMicrosUtc(key->expires_at) +
                 "): ask for a new one";
      } else if (auto user = domain.users.find(key->user); user != domain.users.end()) {
        actor = &user->second;
      }
    } else if (oidc != nullptr && std::count(token.begin(), token.end(), '.') == 2) {
      kind = "oidc";
      actor = oidc->Authenticate(token, hash, static_cast<int64_t>(std::time(nullptr)), &reason);
    } else if (token.substr(0, ApiKeys::kPrefix.size()) == ApiKeys::kPrefix) {
      reason = "unknown API key";
    }
  }
  if (actor == nullptr && why != nullptr) *why = reason;
  if (credential != nullptr) *credential = kind;
  return actor;
}

namespace {

// The keys an object of the file may have; the first unknown one named, or "".
std::string UnknownKey(const nlohmann::json& object, std::initializer_list<const char*> known,
                       const std::string& where) {
  if (!object.is_object()) return where + " must be a JSON object";
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool found = false;
    for (const char* k : known) found = found || it.key() == k;
    if (found) continue;
    std::string list;
    for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
    return "unknown key \"" + it.key() + "\"" + (where.empty() ? "" : " in " + where) +
           " (known: " + list + ")";
  }
  return "";
}

}  // namespace

bool ParseLogLevel(const std::string& text, LogLevel* out) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (text == LogLevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

bool ServerConfig::IsLoopback(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  return false;
}

nlohmann::json ServerConfig::Summary() const {
  return {{"demo", demo},
          {"listen", host + ":" + std::to_string(port)},
          {"threads", QueryThreads(*this)},
          {"io_threads", io_threads},
          {"max_body_bytes", max_body_bytes},
          {"max_feeds_per_user", max_feeds_per_user},
          {"memory_budget_bytes", memory.total},
          {"users", domain.users.size()},
          {"teams", domain.teams.size()},
          {"delete_mode", DeleteModeName(domain.delete_mode)},
          {"log_level", LogLevelName(log.level)},
          {"log_file", log.file.empty() ? "stdout" : log.file},
          {"log_requests", log.requests},
          {"ready_max_lag", ready_max_lag},
          {"metrics_need_token", metrics_need_token},
          {"openapi_need_token", openapi_need_token},
          {"sign_in",
           {{"max_failures_per_source", sign_in.max_failures_per_source},
            {"max_failures_per_user", sign_in.max_failures_per_user},
            {"lockout_seconds", sign_in.lockout_seconds}}},
          {"api_keys", api_keys.size()},
          {"oidc", oidc == nullptr ? nlohmann::json(nullptr) : oidc->Summary()},
          // File names and the version; the certificate itself is in the listening line.
          {"tls", !tls.enabled() ? nlohmann::json(false)
                                 : nlohmann::json{{"certificate_file", tls.certificate_file},
                                                  {"key_file", tls.key_file},
                                                  {"min_version", tls.min_version}}},
          {"allow_plain_http", allow_plain_http}};
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
  std::string unknown = UnknownKey(j,
                                   {"data",
                                    "listen",
                                    "threads",
                                    "io_threads",
                                    "max_body_bytes",
                                    "max_feeds_per_user",
                                    "memory_budget",
                                    "users",
                                    "teams",
                                    "client_types",
                                    "settings",
                                    "key_encryption_key_file",
                                    "log",
                                    "sign_in",
                                    "ready_max_lag",
                                    "metrics_need_token",
                                    "openapi_need_token",
                                    "cors_origins",
                                    "oidc",
                                    "tls",
                                    "allow_plain_http",
                                    "api_keys",
                                    "time_zone",
                                    "task_types",
                                    "workflows"},
                                   "");
  if (!unknown.empty()) return bad(unknown);
  ServerConfig c;
  try {
    c.data_dir = j.value("data", c.data_dir);
    c.key_encryption_key_file = j.value("key_encryption_key_file", std::string());
    if (j.contains("listen")) {
      Status s = c.SetListen(j["listen"].get<std::string>());
      if (!s.ok()) return bad(s.message());
    }
    // A whole number from lo to hi under `key` of `object`, when present; "" or the
    // error, naming the key.
    auto count = [&](const nlohmann::json& object, const std::string& name, const char* key,
                     int64_t lo, int64_t hi, auto* value) -> std::string {
      if (!object.contains(key)) return "";
      const auto& v = object[key];
      if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
        return name + " must be a whole number from " + std::to_string(lo) + " to " +
               std::to_string(hi);
      }
      *value = v.get<int64_t>();
      return "";
    };
    auto top = [&](const char* key, int64_t lo, int64_t hi, auto* value) {
      return count(j, key, key, lo, hi, value);
    };
    // A true or false under `key`, when present.
    auto flag = [&](const nlohmann::json& object, const std::string& name, const char* key,
                    bool* value) -> std::string {
      if (!object.contains(key)) return "";
      if (!object[key].is_boolean()) return name + " must be true or false";
      *value = object[key].get<bool>();
      return "";
    };
    for (const std::string& error :
         {top("threads", 1, 4096, &c.threads), top("io_threads", 1, 64, &c.io_threads),
          top("max_body_bytes", 1, int64_t{1} << 30, &c.max_body_bytes),
          top("max_feeds_per_user", 1, 4096, &c.max_feeds_per_user),
          top("ready_max_lag", 0, int64_t{1} << 40, &c.ready_max_lag),
          flag(j, "metrics_need_token", "metrics_need_token", &c.metrics_need_token),
          flag(j, "openapi_need_token", "openapi_need_token", &c.openapi_need_token),
          flag(j, "allow_plain_http", "allow_plain_http", &c.allow_plain_http)}) {
      if (!error.empty()) return bad(error);
    }
    if (j.contains("memory_budget")) {
      if (!j["memory_budget"].is_string())
        return bad("memory_budget must be a size such as \"2G\"");
      Status s = MemoryBudget::Parse(j["memory_budget"].get<std::string>(), &c.memory);
      if (!s.ok()) return bad(s.message());
    }
    if (j.contains("log")) {
      const auto& log = j["log"];
      unknown = UnknownKey(log, {"level", "file", "requests"}, "log");
      if (!unknown.empty()) return bad(unknown);
      if (log.contains("level") &&
          (!log["level"].is_string() ||
           !ParseLogLevel(log["level"].get<std::string>(), &c.log.level))) {
        return bad("log.level must be debug, info, warn, error or off");
      }
      c.log.file = log.value("file", c.log.file);
      const std::string error = flag(log, "log.requests", "requests", &c.log.requests);
      if (!error.empty()) return bad(error);
    }
    if (j.contains("sign_in")) {
      const auto& sign_in = j["sign_in"];
      unknown = UnknownKey(sign_in,
                           {"max_failures_per_source", "max_failures_per_user", "lockout_seconds"},
                           "sign_in");
      if (!unknown.empty()) return bad(unknown);
      for (const std::string& error :
           {count(sign_in, "sign_in.max_failures_per_source", "max_failures_per_source", 1, 1000000,
                  &c.sign_in.max_failures_per_source),
            count(sign_in, "sign_in.max_failures_per_user", "max_failures_per_user", 1, 1000000,
                  &c.sign_in.max_failures_per_user),
            count(sign_in, "sign_in.lockout_seconds", "lockout_seconds", 1, 900,
                  &c.sign_in.lockout_seconds)}) {
        if (!error.empty()) return bad(error);
      }
    }
    if (j.contains("tls")) {
      const auto& tls = j["tls"];
      unknown = UnknownKey(tls, {"certificate_file", "key_file", "min_version"}, "tls");
      if (!unknown.empty()) return bad(unknown);
      for (const char* key : {"certificate_file", "key_file"}) {
        if (!tls.contains(key) || !tls[key].is_string() || tls[key].get<std::string>().empty()) {
          return bad(std::string("tls.") + key + " must name a PEM file");
        }
      }
      c.tls.certificate_file = tls["certificate_file"].get<std::string>();
      c.tls.key_file = tls["key_file"].get<std::string>();
      c.tls.min_version = tls.value("min_version", c.tls.min_version);
      if (c.tls.min_version != "1.2" && c.tls.min_version != "1.3") {
        return bad("tls.min_version must be \"1.2\" or \"1.3\"");
      }
    }
    for (const auto& t : j.value("teams", nlohmann::json::array())) {
      unknown = UnknownKey(t, {"id", "name", "allows_cases"}, "a team");
      if (!unknown.empty()) return bad(unknown);
      const std::string id = t.at("id").get<std::string>();
      c.domain.teams[id] = {t.value("name", id), t.value("allows_cases", true)};
    }
    for (const auto& ct : j.value("client_types", nlohmann::json::array())) {
      c.domain.client_types.insert(ct.get<std::string>());
    }
    for (const auto& u : j.value("users", nlohmann::json::array())) {
      unknown = UnknownKey(u, {"id", "team", "permissions", "token_sha256", "kind", "organisation"},
                           "a user");
      if (!unknown.empty()) return bad(unknown);
      Actor a;
      a.user_id = u.at("id").get<std::string>();
      a.team_id = u.value("team", "");
      for (const auto& p : u.value("permissions", nlohmann::json::array())) {
        a.permissions.insert(p.get<std::string>());
      }
      if (!a.team_id.empty() && !c.domain.teams.count(a.team_id)) {
        return bad("user " + a.user_id + " is in unknown team " + a.team_id);
      }
      // A provider user acts for its organisation (docs/tasks.md, "Provider users").
      const std::string kind = u.value("kind", "staff");
      a.organisation = u.value("organisation", "");
      if (kind == "provider") {
        a.kind = ActorKind::kProvider;
        if (a.organisation.empty())
          return bad("provider user " + a.user_id + " needs an organisation");
      } else if (kind != "staff" || !a.organisation.empty()) {
        return bad("user " + a.user_id + ": kind must be staff or provider (with an organisation)");
      }
      // Optional: a service account may sign in with its API keys alone.
      if (u.contains("token_sha256")) {
        const std::string hash = u["token_sha256"].get<std::string>();
        if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != hash.npos) {
          return bad("user " + a.user_id + ": token_sha256 must be 64 lower-case hex digits");
        }
        c.token_users[hash] = a.user_id;
      }
      c.domain.users[a.user_id] = std::move(a);
    }
    if (Status s = LoadTaskSettings(j, &c.domain); !s.ok()) return bad(s.message());
    const auto settings = j.value("settings", nlohmann::json::object());
    unknown = UnknownKey(settings, {"delete_mode", "lobby_assign_closes_open_case"}, "settings");
    if (!unknown.empty()) return bad(unknown);
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
    if (j.contains("api_keys")) {
      Status s = ApiKeys::FromJson(j["api_keys"], c.domain.users, c.token_users, &c.api_keys);
      if (!s.ok()) return bad(s.message());
    }
    if (j.contains("oidc")) {
      std::unique_ptr<StaffSignIn> oidc;
      Status s = StaffSignIn::FromJson(j["oidc"], c.domain.teams, &oidc);
      if (!s.ok()) return bad(s.message());
      c.oidc = std::move(oidc);
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  // Users come from the file, or sign in through the identity provider.
  if (c.domain.users.empty() && c.oidc == nullptr) return bad("no users");
  *out = std::move(c);
  return Status::Ok();
}

}  // namespace caseengine
