// JwtVerifier: see jwt_verifier.h.
#include "auth/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <memory>

#include "auth/json_member.h"
#include "base/coding.h"

namespace caseengine {
namespace {

Status Refuse(const std::string& why) { return Status::InvalidArgument("access token " + why); }

// ES256's signature as JOSE writes it (r||s, 32 bytes each) in the DER OpenSSL verifies.
bool RawToDer(const std::string& raw, std::string* der) {
  if (raw.size() != 64) return false;
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  const int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (n <= 0) return false;
  der->resize(static_cast<size_t>(n));
  auto* out = reinterpret_cast<unsigned char*>(der->data());
  return i2d_ECDSA_SIG(sig.get(), &out) == n;
}

bool SignatureHolds(const JwkKey& key, std::string_view signed_part, const std::string& sig) {
  std::string der;
  const std::string* checked = &sig;
  if (key.algorithm == JwtAlgorithm::kEs256) {
    if (!RawToDer(sig, &der)) return false;
    checked = &der;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.key.get()) == 1 &&
         EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(checked->data()), checked->size(),
             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

bool ParsePart(std::string_view part, nlohmann::json* out) {
  std::string text;
  if (!Base64UrlDecode(part, &text)) return false;
  *out = nlohmann::json::parse(text, nullptr, false);
  return !out->is_discarded() && out->is_object();
}

bool NumericClaim(const nlohmann::json& claims, const char* name, int64_t* value) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return false;
  *value = it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
  return true;
}

}  // namespace

Status JwtVerifier::Verify(std::string_view token, const Jwks& keys, int64_t now, JwtClaims* claims,
                           bool* unknown_key) const {
  if (unknown_key != nullptr) *unknown_key = false;
  if (token.size() > options_.max_token_bytes) return Refuse("is too long");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Refuse("is not a signed JWT (three parts)");
  }
  nlohmann::json header, payload;
  if (!ParsePart(token.substr(0, dot1), &header)) return Refuse("header is not base64url JSON");
  const std::string alg = StringMember(header, "alg");
  JwtAlgorithm algorithm;
  if (alg == "RS256") {
    algorithm = JwtAlgorithm::kRs256;
  } else if (alg == "ES256") {
    algorithm = JwtAlgorithm::kEs256;
  } else {
    return Refuse("algorithm '" + alg + "' is not accepted (RS256 or ES256)");
  }
  const std::string kid = StringMember(header, "kid");
  const JwkKey* key = keys.Find(kid);
  if (key == nullptr) {
    if (unknown_key != nullptr) *unknown_key = true;
    return Refuse("names a key the identity provider's set lacks ('" + kid + "')");
  }
  if (key->algorithm != algorithm) return Refuse("algorithm does not match its key's type");
  std::string signature;
  if (!Base64UrlDecode(token.substr(dot2 + 1), &signature) || signature.empty()) {
    return Refuse("signature is not base64url");
  }
  if (!SignatureHolds(*key, token.substr(0, dot2), signature)) {
    return Refuse("signature does not verify");
  }
  // Only a signed payload is read.
  if (!ParsePart(token.substr(dot1 + 1, dot2 - dot1 - 1), &payload)) {
    return Refuse("payload is not base64url JSON");
  }
  if (StringMember(payload, "iss") != options_.issuer)
    return Refuse("was issued by another issuer");
  bool audience = false;
  if (auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) audience = aud->get<std::string>() == options_.audience;
    if (aud->is_array()) {
      for (const auto& a : *aud) audience = audience || (a.is_string() && a == options_.audience);
    }
  }
  if (!audience) return Refuse("is not meant for this engine (aud)");
  const int64_t skew = options_.skew.count();
  int64_t exp = 0, nbf = 0;
  if (!NumericClaim(payload, "exp", &exp)) return Refuse("has no expiry (exp)");
  if (exp <= now - skew) return Refuse("has expired");
  if (NumericClaim(payload, "nbf", &nbf) && nbf > now + skew) return Refuse("is not valid yet");
  claims->subject = StringMember(payload, "sub");
  if (claims->subject.empty()) return Refuse("names no subject (sub)");
  claims->expires_at = exp;
  claims->all = std::move(payload);
  return Status::Ok();
}

}  // namespace caseengine
