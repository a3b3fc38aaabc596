// StaffSignIn: see staff_sign_in.h.
#include "http/staff_sign_in.h"

#include <fstream>
#include <sstream>

#include "auth/json_member.h"

namespace caseengine {
namespace {

// A day: longer than any request or feed holds the actor it started with.
constexpr int64_t kKeepAfterExpiry = 24 * 3600;
constexpr uint64_t kSweepEvery = 256;  // sign-ins between sweeps of the cache

}  // namespace

Status StaffSignIn::FromJson(const nlohmann::json& j,
                             const std::map<std::string, TeamConfig>& teams,
                             std::unique_ptr<StaffSignIn>* out) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("oidc: " + what); };
  if (!j.is_object()) return bad("must be an object");
  static const std::set<std::string> kKeys = {
      "issuer", "audience", "jwks_file", "skew_seconds", "user_claim", "roles_claim", "roles"};
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
  if (jwks_file.empty()) return bad("jwks_file is required (the provider's JSON Web Key Set)");
  std::ifstream in(jwks_file);
  if (!in) return bad("jwks_file " + jwks_file + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  Status st = Jwks::Parse(text.str(), &s->keys_);
  if (!st.ok()) return bad("jwks_file " + jwks_file + ": " + st.message());
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

const Actor* StaffSignIn::Authenticate(std::string_view token, const std::string& hash, int64_t now,
                                       std::string* why) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = signed_in_.find(hash);
    if (it != signed_in_.end()) {
      if (it->second.expires_at > now - options_.skew.count()) return &it->second.actor;
      *why = "access token has expired";
      return nullptr;
    }
  }
  JwtClaims claims;
  Status s = verifier_.Verify(token, keys_, now, &claims);
  if (!s.ok()) {
    *why = s.message();
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(mu_);
  // Now and then, users whose tokens expired more than a day ago go: nothing a request
  // may still hold.
  if (++sign_ins_ % kSweepEvery == 0) {
    for (auto it = signed_in_.begin(); it != signed_in_.end();) {
      it = it->second.expires_at + kKeepAfterExpiry < now ? signed_in_.erase(it) : std::next(it);
    }
  }
  auto [it, added] = signed_in_.emplace(hash, Signed{ActorOf(claims), claims.expires_at});
  return &it->second.actor;
}

nlohmann::json StaffSignIn::Summary() const {
  return {{"issuer", options_.issuer},
          {"audience", options_.audience},
          {"keys", keys_.size()},
          {"roles", roles_.size()}};
}

}  // namespace caseengine
