// libFuzzer target: access tokens and key sets (auth/), the first thing the engine reads
// of a request from anyone. The first byte chooses: a key set to parse, or a token to
// verify against a fixed set of one RSA and one P-256 key. Nothing crashes, and a token
// the fuzzer made never verifies (it cannot sign).
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/jwks.h"
#include "auth/jwt_verifier.h"
#include "base/coding.h"

namespace {

std::string Param(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string bytes(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  BN_free(bn);
  return caseengine::Base64UrlEncode(bytes);
}

const caseengine::Jwks& Keys() {
  static const caseengine::Jwks keys = [] {
    EVP_PKEY* rsa = EVP_RSA_gen(2048);
    EVP_PKEY* ec = EVP_EC_gen("P-256");
    const nlohmann::json set = {{"keys",
                                 {{{"kty", "RSA"},
                                   {"kid", "r"},
                                   {"n", Param(rsa, OSSL_PKEY_PARAM_RSA_N, 0)},
                                   {"e", Param(rsa, OSSL_PKEY_PARAM_RSA_E, 0)}},
                                  {{"kty", "EC"},
                                   {"kid", "e"},
                                   {"crv", "P-256"},
                                   {"x", Param(ec, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
                                   {"y", Param(ec, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}}}}};
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    caseengine::Jwks parsed;
    if (!caseengine::Jwks::Parse(set.dump(), &parsed).ok()) std::abort();
    return parsed;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    caseengine::Jwks set;
    caseengine::Jwks::Parse(input, &set);
    return 0;
  }
  caseengine::JwtVerifier verifier({"https://issuer.example", "caseengine"});
  caseengine::JwtClaims claims;
  if (verifier.Verify(input, Keys(), 1'800'000'000, &claims).ok()) std::abort();
  return 0;
}
