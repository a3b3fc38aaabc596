// SHA-256: see sha256.h.
#include "base/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace caseengine {
namespace {

const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();  // OpenSSL without SHA-256 cannot run the engine at all
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

Hash256 Sha256(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = ThreadContext();
  Hash256 out{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1) std::abort();
  for (std::string_view p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  return out;
}

}  // namespace caseengine
