// Helpers of the TLS tests (http_tls_test.cc): self-signed certificates made with the
// `openssl` command into a test's folder, a config file that serves HTTPS with them, and
// a TLS connection of the test's own (OpenSSL, blocking, with timeouts) that can be held
// open across a certificate reload, offer only old protocol versions, and tell which
// certificate the server showed.
//
// Threading: each object on one thread.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "tests/http_test_support.h"
#include "tests/test_support.h"

namespace caseengine::testing {

// A certificate and its key, PEM files.
struct CertificateFiles {
  std::string certificate, key;
};

// A self-signed P-256 certificate for 127.0.0.1 and localhost, with subject CN=`name`,
// written to dir/<name>.crt and dir/<name>.key (overwritten). Fails the test when
// `openssl` fails.
CertificateFiles MakeCertificate(const TempDir& dir, const std::string& name);

// Copies `from`'s files over `to`'s (as a renewal does: same names, new contents; each
// file replaced at once by a rename).
void ReplaceCertificate(const CertificateFiles& from, const CertificateFiles& to);

// A TLS connection to 127.0.0.1:port. Closed on destruction.
class TlsConnection {
 public:
  // `max_version` (TLS1_1_VERSION, ...; 0: any) bounds what the client offers; old
  // versions are enabled on the client's side (security level 0), so only the server can
  // refuse them. See connected() and error().
  explicit TlsConnection(int port, int max_version = 0);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Whether the handshake succeeded; why not.
  bool connected() const { return ssl_ != nullptr && handshake_ok_; }
  const std::string& error() const { return error_; }
  // The certificate the server showed: its subject's CN, its serial (hex).
  std::string PeerCommonName() const;
  std::string PeerSerial() const;
  // The protocol version agreed ("TLSv1.3", ...).
  std::string Version() const;

  // GET `path` with the bearer `token` on this connection (keep-alive); the answer by
  // Content-Length. Status 0 when the connection is gone or nothing came in 10 s.
  HttpAnswer Get(const std::string& path, const std::string& token);

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool handshake_ok_ = false;
  std::string error_;
  std::string buffer_;  // read and not yet taken
};

}  // namespace caseengine::testing
