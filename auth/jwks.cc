// Jwks: see jwks.h. Keys are built with OpenSSL 3's EVP_PKEY_fromdata from the set's
// big-endian integers and points, decoded from base64url.
#include "auth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>

#include "auth/json_member.h"
#include "base/coding.h"

namespace caseengine {
namespace {

// Builds a public key of `type` ("RSA" or "EC") from what `fill` pushes; null when
// OpenSSL refuses it.
template <class Fill>
std::shared_ptr<EVP_PKEY> FromData(const char* type, Fill&& fill) {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        OSSL_PARAM_BLD_free);
  std::vector<std::unique_ptr<BIGNUM, decltype(&BN_free)>> numbers;
  if (!build || !fill(build.get(), &numbers)) return nullptr;
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

bool Field(const nlohmann::json& jwk, const char* name, std::string* bytes) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() && Base64UrlDecode(it->get<std::string>(), bytes) &&
         !bytes->empty();
}

std::shared_ptr<EVP_PKEY> RsaKey(const nlohmann::json& jwk) {
  std::string n, e;
  if (!Field(jwk, "n", &n) || !Field(jwk, "e", &e)) return nullptr;
  return FromData("RSA", [&](OSSL_PARAM_BLD* b, auto* numbers) {
    for (const auto& [name, bytes] :
         {std::pair{OSSL_PKEY_PARAM_RSA_N, &n}, std::pair{OSSL_PKEY_PARAM_RSA_E, &e}}) {
      numbers->emplace_back(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                                      static_cast<int>(bytes->size()), nullptr),
                            BN_free);
      if (!numbers->back() || OSSL_PARAM_BLD_push_BN(b, name, numbers->back().get()) != 1) {
        return false;
      }
    }
    return true;
  });
}

std::shared_ptr<EVP_PKEY> P256Key(const nlohmann::json& jwk) {
  std::string x, y;
  if (!Field(jwk, "x", &x) || !Field(jwk, "y", &y) || x.size() != 32 || y.size() != 32) {
    return nullptr;
  }
  const std::string point = std::string(1, '\x04') + x + y;  // uncompressed
  return FromData("EC", [&](OSSL_PARAM_BLD* b, auto*) {
    return OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size()) == 1;
  });
}

}  // namespace

Status Jwks::Parse(std::string_view json, Jwks* out) {
  auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return Status::InvalidArgument("a JSON Web Key Set is an object with an array \"keys\"");
  }
  Jwks set;
  for (const auto& jwk : doc["keys"]) {
    if (!jwk.is_object()) continue;
    const std::string kty = StringMember(jwk, "kty", "");
    const std::string use = StringMember(jwk, "use", "sig");
    if (use != "sig") continue;
    JwkKey key;
    if (kty == "RSA") {
      key.algorithm = JwtAlgorithm::kRs256;
      key.key = RsaKey(jwk);
    } else if (kty == "EC" && StringMember(jwk, "crv", "") == "P-256") {
      key.algorithm = JwtAlgorithm::kEs256;
      key.key = P256Key(jwk);
    } else {
      continue;  // a type or curve this engine does not verify with
    }
    const std::string kid = StringMember(jwk, "kid", "");
    if (key.key == nullptr) {
      return Status::InvalidArgument("key '" + kid + "' of the key set is not a valid " + kty +
                                     " public key");
    }
    if (!set.keys_.emplace(kid, std::move(key)).second) {
      return Status::InvalidArgument("the key set names kid '" + kid + "' twice");
    }
  }
  if (set.keys_.empty()) {
    return Status::InvalidArgument("the key set holds no RSA or P-256 signing key");
  }
  *out = std::move(set);
  return Status::Ok();
}

std::vector<std::string> Jwks::kids() const {
  std::vector<std::string> out;
  for (const auto& [kid, key] : keys_) out.push_back(kid);
  return out;
}

const JwkKey* Jwks::Find(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? &keys_.begin()->second : nullptr;
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace caseengine
