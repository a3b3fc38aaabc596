// AES-256-GCM: see aes_gcm.h.
#include "base/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace caseengine {
namespace {

constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

// One cipher, fetched once: an implicit fetch by EVP_aes_256_gcm() looks the algorithm up
// in the provider store on every init. Never freed (it lives as long as the process).
const EVP_CIPHER* Cipher() {
  static const EVP_CIPHER* cipher = [] {
    const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (c == nullptr) std::abort();  // no AES-GCM: nothing safe can be sealed or opened
    return c;
  }();
  return cipher;
}

// A context per thread, reset by each init, instead of one allocated per call.
struct ThreadCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~ThreadCtx() { EVP_CIPHER_CTX_free(ctx); }
};

EVP_CIPHER_CTX* Ctx() {
  thread_local ThreadCtx t;
  return t.ctx;
}

// Random bytes drawn from OpenSSL's CSPRNG a page at a time: each RAND_bytes call pays
// for locks and a fork check, and the writer thread asks for a few bytes many times per
// command (ids, nonces). Bytes handed out are wiped from the pool.
class RandomPool {
 public:
  void Fill(unsigned char* out, size_t n) {
    while (n > 0) {
      if (used_ == sizeof(pool_)) Refill();
      const size_t take = std::min(n, sizeof(pool_) - used_);
      std::memcpy(out, pool_ + used_, take);
      OPENSSL_cleanse(pool_ + used_, take);
      used_ += take;
      out += take;
      n -= take;
    }
  }
  ~RandomPool() { OPENSSL_cleanse(pool_, sizeof(pool_)); }

 private:
  void Refill() {
    if (RAND_bytes(pool_, sizeof(pool_)) != 1) std::abort();  // no randomness: nothing is safe
    used_ = 0;
  }
  unsigned char pool_[4096];
  size_t used_ = sizeof(pool_);
};

void FillRandom(void* out, size_t n) {
  thread_local RandomPool pool;
  pool.Fill(static_cast<unsigned char*>(out), n);
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  FillRandom(out.data(), n);
  return out;
}

std::string NewDataKey() { return RandomBytes(kDataKeyBytes); }

Status Seal(std::string_view key, std::string_view plaintext, std::string_view aad,
            std::string* sealed) {
  if (key.size() != kDataKeyBytes) return Status::InvalidArgument("data keys are 32 bytes");
  EVP_CIPHER_CTX* ctx = Ctx();
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  FillRandom(nonce, kNonceBytes);
  auto* cipher = nonce + kNonceBytes;
  int len = 0, fin = 0;
  if (EVP_EncryptInit_ex(ctx, Cipher(), nullptr, U(key), nonce) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx, cipher, &len, U(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, cipher + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) != 1) {
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
  EVP_CIPHER_CTX* ctx = Ctx();
  std::string out(n, '\0');
  int len = 0, fin = 0;
  unsigned char tag[kTagBytes];
  std::memcpy(tag, sealed.data() + kNonceBytes + n, kTagBytes);
  if (EVP_DecryptInit_ex(ctx, Cipher(), nullptr, U(key), U(sealed)) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx, nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                        U(sealed.substr(kNonceBytes)), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &fin) != 1) {
    return Status::Corruption("sealed data does not open with this key");
  }
  *plaintext = std::move(out);
  return Status::Ok();
}

}  // namespace caseengine
