// StaffSignIn: see staff_sign_in.h.
#include "http/staff_sign_in.h"

#include <fstream>
#include <sstream>

#include "auth/json_member.h"
#include "auth/jwks_fetcher.h"

namespace caseengine {
namespace {

// A day: longer than any request or feed holds the actor it started with.
constexpr int64_t kKeepAfterExpiry = 24 * 3600;
constexpr uint64_t kSweepEvery = 256;  // sign-ins between sweeps of the cache
// A fetch of the key set takes at most this long; a request waits a little longer.
constexpr std::chrono::milliseconds kFetchTimeout{4000};
constexpr std::chrono::milliseconds kFetchWait{5000};

}  // namespace

Status StaffSignIn::FromJson(const nlohmann::json& j,
                             const std::map<std::string, TeamConfig>& teams,
                             std::unique_ptr<StaffSignIn>* out) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("oidc: " + what); };
  if (!j.is_object()) return bad("must be an object");
  static const std::set<std::string> kKeys = {
      "issuer",     "audience",    "jwks_file", "jwks_url",    "jwks_refresh_seconds",
      "user_claim", "roles_claim", "roles",     "skew_seconds"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!kKeys.count(it.key())) return bad("unknown key \"" + it.key() + "\"");
  }
  JwtVerifierOptions options;
  options.issuer = StringMember(j, "issuer", "");
  options.audience = StringMember(j, "audience", "");
  if (options.issuer.empty()) return bad("issuer is required (the provider's iss)");
  if (options.audience.empty()) return bad("audience is required (the aud tokens carry)");
  if (j.contains("skew_seconds")) {
    if (!j["skew_seconds"].is_number_integer() || j["skew_seconds"].get<int64_t>() < 0 ||
        j["skew_seconds"].get<int64_t>() > 600) {
      return bad("skew_seconds must be a whole number from 0 to 600");
    }
    options.skew = std::chrono::seconds(j["skew_seconds"].get<int64_t>());
  }
  std::unique_ptr<StaffSignIn> s(new StaffSignIn(options));
  s->user_claim_ = StringMember(j, "user_claim", s->user_claim_);
  s->roles_claim_ = StringMember(j, "roles_claim", s->roles_claim_);
  const std::string jwks_file = StringMember(j, "jwks_file", "");
  const std::string jwks_url = StringMember(j, "jwks_url", "");
  if (jwks_file.empty() == jwks_url.empty()) {
    return bad(
        "exactly one of jwks_file (a saved JSON Web Key Set) and jwks_url (the provider's "
        "jwks_uri) is required");
  }
  if (!jwks_url.empty()) {
    Status st = JwksFetcher::CheckUrl(jwks_url);
    if (!st.ok()) return bad(st.message());
    JwksCacheOptions cache;
    cache.wait = kFetchWait;
    if (j.contains("jwks_refresh_seconds")) {
      const auto& v = j["jwks_refresh_seconds"];
      if (!v.is_number_integer() || v.get<int64_t>() < 60 || v.get<int64_t>() > 86400) {
        return bad("jwks_refresh_seconds must be a whole number from 60 to 86400");
      }
      cache.refresh = std::chrono::seconds(v.get<int64_t>());
    }
    auto fetcher = std::make_shared<JwksFetcher>(jwks_url, kFetchTimeout);
    s->jwks_url_ = jwks_url;
    s->cache_ = std::make_unique<JwksCache>(cache, [fetcher](std::string* body, int64_t* max_age) {
      return fetcher->Fetch(body, max_age);
    });
  } else {
    if (j.contains("jwks_refresh_seconds")) {
      return bad("jwks_refresh_seconds goes with jwks_url (a file is read once, at start)");
    }
    std::ifstream in(jwks_file);
    if (!in) return bad("jwks_file " + jwks_file + " cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    auto keys = std::make_shared<Jwks>();
    Status st = Jwks::Parse(text.str(), keys.get());
    if (!st.ok()) return bad("jwks_file " + jwks_file + ": " + st.message());
    s->file_keys_ = std::move(keys);
  }
  if (j.contains("roles")) {
    if (!j["roles"].is_array()) return bad("roles must be an array");
    for (const auto& r : j["roles"]) {
      const std::string claim = r.is_object() ? StringMember(r, "claim", "") : "";
      if (claim.empty()) return bad("every role needs its \"claim\" (the role's name in tokens)");
      Role role;
      role.team = StringMember(r, "team", "");
      if (!role.team.empty() && !teams.count(role.team)) {
        return bad("role " + claim + " names unknown team " + role.team);
      }
      if (r.contains("permissions")) {
        if (!r["permissions"].is_array()) return bad("role " + claim + ": permissions is a list");
        for (const auto& p : r["permissions"]) {
          if (!p.is_string()) return bad("role " + claim + ": a permission is a string");
          role.permissions.insert(p.get<std::string>());
        }
      }
      if (!s->roles_.emplace(claim, std::move(role)).second) {
        return bad("role " + claim + " is mapped twice");
      }
    }
  }
  *out = std::move(s);
  return Status::Ok();
}

Actor StaffSignIn::ActorOf(const JwtClaims& claims) const {
  Actor actor;
  actor.user_id = StringMember(claims.all, user_claim_.c_str(), claims.subject);
  std::vector<std::string> names;
  if (auto it = claims.all.find(roles_claim_); it != claims.all.end()) {
    if (it->is_string()) names.push_back(it->get<std::string>());
    if (it->is_array()) {
      for (const auto& v : *it) {
        if (v.is_string()) names.push_back(v.get<std::string>());
      }
    }
  }
  for (const std::string& name : names) {
    auto role = roles_.find(name);
    if (role == roles_.end()) continue;
    actor.permissions.insert(role->second.permissions.begin(), role->second.permissions.end());
    if (actor.team_id.empty()) actor.team_id = role->second.team;
  }
  return actor;
}

Status StaffSignIn::Start(JwksCache::Note note) {
  if (cache_ == nullptr) return Status::Ok();
  return cache_->Start(std::move(note));
}

void StaffSignIn::Stop() {
  if (cache_ != nullptr) cache_->Stop();
}

bool StaffSignIn::Ready(std::string* why) const { return cache_ == nullptr || cache_->Ready(why); }

std::shared_ptr<const Jwks> StaffSignIn::Keys(uint64_t* generation) const {
  if (cache_ == nullptr) {
    *generation = 0;
    return file_keys_;
  }
  static const auto* const kNone = new std::shared_ptr<const Jwks>(std::make_shared<Jwks>());
  std::shared_ptr<const Jwks> keys = cache_->Current(generation);
  return keys != nullptr ? keys : *kNone;
}

Status StaffSignIn::Verify(std::string_view token, int64_t now, JwtClaims* claims,
                           uint64_t* generation) const {
  bool unknown_key = false;
  Status s = verifier_.Verify(token, *Keys(generation), now, claims, &unknown_key);
  // A kid the set lacks: the provider may have published a new key since the last fetch.
  if (!s.ok() && unknown_key && cache_ != nullptr && cache_->RefreshForUnknownKid()) {
    s = verifier_.Verify(token, *Keys(generation), now, claims);
  }
  if (!s.ok() && unknown_key && cache_ != nullptr && cache_->Current(generation) == nullptr) {
    return Status::InvalidArgument(
        "access token cannot be verified: the identity provider's key set is not fetched yet");
  }
  return s;
}

const Actor* StaffSignIn::Authenticate(std::string_view token, const std::string& hash, int64_t now,
                                       std::string* why) const {
  const uint64_t current = cache_ == nullptr ? 0 : cache_->generation();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = signed_in_.find(hash);
    if (it != signed_in_.end() && it->second.generation == current) {
      if (!it->second.refused.empty()) {
        *why = it->second.refused;
        return nullptr;
      }
      if (it->second.expires_at > now - options_.skew.count()) return &it->second.actor;
      *why = "access token has expired";
      return nullptr;
    }
  }
  // Not seen, or seen against another key set (a key the provider dropped must stop
  // verifying): verified, off the lock.
  JwtClaims claims;
  uint64_t generation = 0;
  Status s = Verify(token, now, &claims, &generation);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = signed_in_.find(hash);
  if (it != signed_in_.end()) {
    // Its actor stays where it is (a request may hold it); only whether it verifies changes.
    it->second.generation = generation;
    it->second.refused = s.ok() ? "" : s.message();
    if (s.ok()) return &it->second.actor;
    *why = s.message();
    return nullptr;
  }
  if (!s.ok()) {
    *why = s.message();
    return nullptr;
  }
  // Now and then, users whose tokens expired more than a day ago go: nothing a request
  // may still hold.
  if (++sign_ins_ % kSweepEvery == 0) {
    for (auto it = signed_in_.begin(); it != signed_in_.end();) {
      it = it->second.expires_at + kKeepAfterExpiry < now ? signed_in_.erase(it) : std::next(it);
    }
  }
  auto [added, _] =
      signed_in_.emplace(hash, Signed{ActorOf(claims), claims.expires_at, generation, ""});
  return &added->second.actor;
}

nlohmann::json StaffSignIn::Summary() const {
  nlohmann::json j = {
      {"issuer", options_.issuer}, {"audience", options_.audience}, {"roles", roles_.size()}};
  if (cache_ != nullptr) {
    j["jwks_url"] = jwks_url_;
  } else {
    j["keys"] = file_keys_->size();
  }
  return j;
}

}  // namespace caseengine
