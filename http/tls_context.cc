// TlsContext: see tls_context.h.
#include "http/tls_context.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <fstream>

#include "base/time_format.h"

namespace caseengine {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2's suites: forward secrecy (ECDHE) and AEAD only, ECDSA certificates first.
constexpr const char* kCiphers12 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kCiphers13 =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

// OpenSSL's queued errors, oldest first, as one message; the queue is emptied.
std::string OpenSslErrors() {
  std::string out;
  char buf[256];
  while (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    out += std::string(out.empty() ? "" : "; ") + buf;
  }
  return out.empty() ? "unknown error" : out;
}

std::string Subject(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

std::string Serial(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return "";
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string NotAfter(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return "";
  return FormatMicrosUtc(static_cast<int64_t>(timegm(&tm)) * 1000000);
}

}  // namespace

Status TlsContext::Make(const TlsConfig& config, Loaded* out) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("tls: " + what); };
  for (const std::string& file : {config.certificate_file, config.key_file}) {
    if (!std::ifstream(file)) return bad(file + " cannot be read");
  }
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  const int min = config.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kCiphers12) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kCiphers13) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return bad("the protocol settings were refused: " + OpenSslErrors());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_use_certificate_chain_file(ctx, config.certificate_file.c_str()) != 1) {
    return bad("certificate_file " + config.certificate_file +
               " is not a PEM certificate chain: " + OpenSslErrors());
  }
  const bool key_loaded =
      SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) == 1;
  // A key that reads but is another certificate's fails here too (half a renewal).
  if (!key_loaded && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
    return bad("key_file " + config.key_file + " is not a PEM private key: " + OpenSslErrors());
  }
  if (!key_loaded || SSL_CTX_check_private_key(ctx) != 1) {
    return bad("key_file " + config.key_file + " does not match the certificate of " +
               config.certificate_file + ": " + OpenSslErrors());
  }
  X509* cert = SSL_CTX_get0_certificate(ctx);
  out->certificate = {{"subject", Subject(cert)},
                      {"serial", Serial(cert)},
                      {"not_after", NotAfter(cert)},
                      {"min_version", config.min_version}};
  out->context = std::move(context);
  return Status::Ok();
}

Status TlsContext::Load(const TlsConfig& config, std::unique_ptr<TlsContext>* out) {
  std::unique_ptr<TlsContext> tls(new TlsContext(config));
  Status s = Make(config, &tls->current_);
  if (!s.ok()) return s;
  *out = std::move(tls);
  return Status::Ok();
}

Status TlsContext::Reload() {
  Loaded next;
  Status s = Make(config_, &next);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  // The old context goes when the last connection that holds it closes.
  current_ = std::move(next);
  return Status::Ok();
}

std::shared_ptr<boost::asio::ssl::context> TlsContext::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_.context;
}

nlohmann::json TlsContext::Summary() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_.certificate;
}

}  // namespace caseengine
