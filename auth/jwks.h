// Jwks: the public keys of an identity provider, read from a JSON Web Key Set (RFC 7517):
// RSA keys (kty "RSA": n, e) for RS256 and elliptic-curve keys on P-256 (kty "EC", crv
// "P-256": x, y) for ES256. Keys of other types, curves or uses ("use" other than "sig")
// are passed over, so a provider's set that also lists encryption keys still reads.
//
// Invariants: every key held is a public key OpenSSL accepted; kids are unique (a set
// naming one twice is refused: which key signed would be ambiguous).
//
// Threading: immutable once parsed; shared freely between threads.
#pragma once

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace caseengine {

// The signing algorithms accepted; never "none" nor a shared-secret one.
enum class JwtAlgorithm { kRs256, kEs256 };

struct JwkKey {
  JwtAlgorithm algorithm;  // what its type allows: RSA keys RS256, P-256 keys ES256
  std::shared_ptr<EVP_PKEY> key;
};

class Jwks {
 public:
  // InvalidArgument when `json` is not a key set, names a kid twice, or holds no key
  // this engine can verify with.
  static Status Parse(std::string_view json, Jwks* out);

  // The key `kid` names; with an empty kid, the only key of the set. Null when none.
  const JwkKey* Find(std::string_view kid) const;
  size_t size() const { return keys_.size(); }
  // The kids of the set's keys, for the log ("" for a key without one).
  std::vector<std::string> kids() const;

 private:
  std::map<std::string, JwkKey, std::less<>> keys_;  // by kid ("" for a key without one)
};

}  // namespace caseengine
