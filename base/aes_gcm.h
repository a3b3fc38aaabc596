// AES-256-GCM sealing of small byte strings (personal data in events), over OpenSSL.
//
//   sealed := nonce:12 ciphertext tag:16
//
// The nonce is random per seal (96 bits: safe for far more seals per key than one person's
// events). `aad` binds the ciphertext to its context (the subject id), so a sealed field
// cannot be moved to another person unnoticed. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace caseengine {

inline constexpr size_t kDataKeyBytes = 32;

// A fresh random 256-bit key.
std::string NewDataKey();
// Random bytes from OpenSSL's CSPRNG (drawn a page at a time per thread).
std::string RandomBytes(size_t n);

Status Seal(std::string_view key, std::string_view plaintext, std::string_view aad,
            std::string* sealed);
// Corruption when the bytes were altered, the key or the aad is wrong.
Status Unseal(std::string_view key, std::string_view sealed, std::string_view aad,
              std::string* plaintext);

}  // namespace caseengine
