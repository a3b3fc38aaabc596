// Test support for OpenID Connect sign-in: the tests are their own identity provider.
// They make RSA and P-256 keys with OpenSSL, publish them as JSON Web Keys, and sign
// their own access tokens (JOSE's raw r||s for ES256). Test-only; any thread.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace caseengine::testing::jwt {

using Key = std::shared_ptr<EVP_PKEY>;

Key NewRsa();
Key NewP256();
// The public key as a JSON Web Key named `kid`.
nlohmann::json Jwk(const Key& key, const std::string& kid);
// A signature of `input` with `key` (SHA-256), as JOSE writes it.
std::string Sign(const Key& key, const std::string& input);
// A compact JWS of `claims` with header {alg, kid, typ}; `alg` defaults to the key's.
std::string Token(const Key& key, const std::string& kid, const nlohmann::json& claims,
                  std::string alg = "");

}  // namespace caseengine::testing::jwt
