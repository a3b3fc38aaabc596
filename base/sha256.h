// SHA-256 over OpenSSL's EVP interface, with the digest implementation fetched once and a
// context reused per thread (the one-shot helpers re-fetch on every call, which costs more
// than hashing a 300-byte event). Uses the CPU's SHA instructions where OpenSSL has them.
// Thread-safe: each thread hashes with its own context.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace caseengine {

using Hash256 = std::array<uint8_t, 32>;

// SHA-256 of the concatenation of `parts`.
Hash256 Sha256(std::initializer_list<std::string_view> parts);

inline std::string_view AsBytes(const Hash256& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace caseengine
