// Text forms of bytes: see coding.h.
#include "base/coding.h"

#include <openssl/evp.h>

namespace caseengine {

std::string HexEncode(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

bool HexDecode(std::string_view text, std::string* bytes) {
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return false;
  std::string out(text.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  *bytes = std::move(out);
  return true;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* bytes) {
  if (text.size() % 4 != 0) return false;
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t size = static_cast<size_t>(n);
  if (!text.empty() && text.back() == '=') size--;
  if (text.size() >= 2 && text[text.size() - 2] == '=') size--;
  out.resize(size);
  *bytes = std::move(out);
  return true;
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  return s;
}

bool Base64UrlDecode(std::string_view text, std::string* bytes) {
  std::string s(text);
  for (char c : s) {
    // The standard alphabet's own characters and padding are not base64url.
    if (c == '+' || c == '/' || c == '=') return false;
  }
  for (char& c : s) c = c == '-' ? '+' : (c == '_' ? '/' : c);
  if (s.size() % 4 == 1) return false;
  while (s.size() % 4 != 0) s.push_back('=');
  return Base64Decode(s, bytes);
}

}  // namespace caseengine
