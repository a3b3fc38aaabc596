// AES-256-GCM: see aes_gcm.h.
#include "base/aes_gcm.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace caseengine {
namespace {

constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // no randomness: nothing safe can be sealed
  }
  return out;
}

std::string NewDataKey() { return RandomBytes(kDataKeyBytes); }

Status Seal(std::string_view key, std::string_view plaintext, std::string_view aad,
            std::string* sealed) {
  if (key.size() != kDataKeyBytes) return Status::InvalidArgument("data keys are 32 bytes");
  Ctx ctx(EVP_CIPHER_CTX_new());
  const std::string nonce = RandomBytes(kNonceBytes);
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  out.replace(0, kNonceBytes, nonce);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  int len = 0, fin = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), cipher, &len, U(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) !=
          1) {
    return Status::IoError("AES-GCM encryption failed");
  }
  *sealed = std::move(out);
  return Status::Ok();
}

Status Unseal(std::string_view key, std::string_view sealed, std::string_view aad,
              std::string* plaintext) {
  if (key.size() != kDataKeyBytes) return Status::InvalidArgument("data keys are 32 bytes");
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return Status::Corruption("sealed data is too short");
  }
  const size_t n = sealed.size() - kNonceBytes - kTagBytes;
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string out(n, '\0');
  int len = 0, fin = 0;
  std::string tag(sealed.substr(kNonceBytes + n));
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(sealed)) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        U(sealed.substr(kNonceBytes)), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) !=
          1) {
    return Status::Corruption("sealed data does not open with this key");
  }
  *plaintext = std::move(out);
  return Status::Ok();
}

}  // namespace caseengine
