// Test support for OpenID Connect sign-in: see jwt_support.h.
#include "tests/jwt_support.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>

#include "base/coding.h"

namespace caseengine::testing::jwt {

Key NewRsa() { return Key(EVP_RSA_gen(2048), EVP_PKEY_free); }
Key NewP256() { return Key(EVP_EC_gen("P-256"), EVP_PKEY_free); }

namespace {

std::string BnParam(const Key& key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(key.get(), name, &bn) == 1);
  std::string bytes(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

}  // namespace

nlohmann::json Jwk(const Key& key, const std::string& kid) {
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    return {{"kty", "RSA"},
            {"kid", kid},
            {"use", "sig"},
            {"alg", "RS256"},
            {"n", BnParam(key, OSSL_PKEY_PARAM_RSA_N)},
            {"e", BnParam(key, OSSL_PKEY_PARAM_RSA_E)}};
  }
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
          {"y", BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
}

std::string Sign(const Key& key, const std::string& input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1);
  size_t n = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &n, in, input.size()) == 1);
  std::string sig(n, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n, in,
                         input.size()) == 1);
  sig.resize(n);
  if (EVP_PKEY_is_a(key.get(), "RSA")) return sig;
  // DER to JOSE's r||s.
  const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ec = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
  REQUIRE(ec != nullptr);
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(ec), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(ec), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(ec);
  return raw;
}

std::string Token(const Key& key, const std::string& kid, const nlohmann::json& claims,
                  std::string alg) {
  if (alg.empty()) alg = EVP_PKEY_is_a(key.get(), "RSA") ? "RS256" : "ES256";
  const std::string input =
      Base64UrlEncode(nlohmann::json{{"alg", alg}, {"kid", kid}, {"typ", "JWT"}}.dump()) + "." +
      Base64UrlEncode(claims.dump());
  return input + "." + Base64UrlEncode(Sign(key, input));
}

}  // namespace caseengine::testing::jwt
