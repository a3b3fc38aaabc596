// JwtVerifier: checks an OpenID Connect access token (a JWS in compact form, RFC 7515/7519)
// against an identity provider's keys and the engine's expectations, and gives its claims.
//
// A token is accepted only when all of these hold:
//   - three base64url parts; the header's "alg" is RS256 or ES256 and matches the type of
//     the key its "kid" names (never "none", never a shared secret: a public key used as
//     an HMAC secret is the classic forgery);
//   - the signature verifies over "header.payload" with that key (ES256: the raw 64-byte
//     r||s of RFC 7518, not DER);
//   - "iss" is the configured issuer; "aud" (a string or an array) holds the configured
//     audience; "exp" is later than now minus the allowed skew; "nbf", when present, is
//     not later than now plus the skew;
//   - the token is at most max_token_bytes long (checked before any decoding).
// Every refusal is InvalidArgument with a reason fit for a security log, never the token
// (the HTTP layer answers 401).
//
// Threading: const and thread-safe; the key set is passed per call (it rotates).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/jwks.h"
#include "base/status.h"

namespace caseengine {

struct JwtVerifierOptions {
  std::string issuer;    // required
  std::string audience;  // required
  std::chrono::seconds skew{60};
  size_t max_token_bytes = 16384;
};

struct JwtClaims {
  std::string subject;  // "sub"
  int64_t expires_at = 0;
  nlohmann::json all;  // every claim, for the configured mapping to users and roles
};

class JwtVerifier {
 public:
  explicit JwtVerifier(JwtVerifierOptions options) : options_(std::move(options)) {}

  // `now` in seconds since the epoch. InvalidArgument (the reason in the message) unless the
  // token holds in every way the header names. `unknown_key`, when given, is set to whether
  // the refusal is for a kid the set lacks (a key set fetched again may have it).
  Status Verify(std::string_view token, const Jwks& keys, int64_t now, JwtClaims* claims,
                bool* unknown_key = nullptr) const;

 private:
  JwtVerifierOptions options_;
};

}  // namespace caseengine
