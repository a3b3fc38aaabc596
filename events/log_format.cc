// The log's keys and hash chain: see log_format.h for the grammar.
#include "events/log_format.h"

#include <cstring>

#include "base/coding.h"

namespace caseengine {
namespace log_format {

std::string LogKey(uint64_t position) { return BigEndian64(position); }

bool ParseLogKey(std::string_view key, uint64_t* position) {
  if (key.size() != 8) return false;
  *position = DecodeBigEndian64(key.data());
  return true;
}

std::string StreamPrefix(std::string_view stream) {
  std::string key;
  key.reserve(stream.size() + 9);
  key.append(stream);
  key.push_back('\0');
  return key;
}

std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string key = StreamPrefix(stream);
  PutBigEndian64(&key, version);
  return key;
}

bool ParseStreamKey(std::string_view key, std::string_view* stream, uint64_t* version) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') return false;
  *stream = key.substr(0, key.size() - 9);
  *version = DecodeBigEndian64(key.data() + key.size() - 8);
  return true;
}

std::string CommittedHeadValue(uint64_t position, const Hash256& hash) {
  std::string v = BigEndian64(position);
  v.append(AsBytes(hash));
  return v;
}

bool ParseCommittedHeadValue(std::string_view value, uint64_t* position, Hash256* hash) {
  if (value.size() != 40) return false;
  *position = DecodeBigEndian64(value.data());
  std::memcpy(hash->data(), value.data() + 8, 32);
  return true;
}

std::string HeadValue(uint64_t version, uint64_t last_position) {
  std::string v;
  PutBigEndian64(&v, version);
  PutBigEndian64(&v, last_position);
  return v;
}

bool ParseHeadValue(std::string_view value, uint64_t* version, uint64_t* last_position) {
  if (value.size() != 16) return false;
  *version = DecodeBigEndian64(value.data());
  *last_position = DecodeBigEndian64(value.data() + 8);
  return true;
}

bool ValidStreamId(std::string_view stream) {
  if (stream.empty() || stream.size() > 256) return false;
  for (char c : stream) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool ValidEventType(std::string_view type) {
  if (type.empty() || type.size() > 128) return false;
  for (char c : type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Hash256 ChainHash(const Hash256& prev, std::string_view envelope, size_t hash_offset) {
  static const char kZeros[32] = {};
  return Sha256({AsBytes(prev), envelope.substr(0, hash_offset), std::string_view(kZeros, 32),
                 envelope.substr(hash_offset + 32)});
}

}  // namespace log_format
}  // namespace caseengine
