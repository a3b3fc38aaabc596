// Fixed-width big-endian integer coding for RocksDB keys (so that byte order is numeric
// order), and hex/base64 text forms for people and JSON. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace caseengine {

inline void PutBigEndian64(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, 8);
}

inline std::string BigEndian64(uint64_t v) {
  std::string s;
  PutBigEndian64(&s, v);
  return s;
}

// Reads 8 bytes at p; the caller guarantees they exist.
inline uint64_t DecodeBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string HexEncode(std::string_view bytes);
// False when `text` is not an even number of hex digits (either case).
bool HexDecode(std::string_view text, std::string* bytes);
std::string Base64Encode(std::string_view bytes);
// False when `text` is not padded base64.
bool Base64Decode(std::string_view text, std::string* bytes);
// Base64url without padding (RFC 4648 section 5): cursors in URLs, the parts of a JWT.
std::string Base64UrlEncode(std::string_view bytes);
// False when `text` is not unpadded base64url.
bool Base64UrlDecode(std::string_view text, std::string* bytes);

}  // namespace caseengine
