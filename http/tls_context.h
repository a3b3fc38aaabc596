// TlsContext: the server's TLS settings and its certificate, as an OpenSSL context that
// new connections take (internal to http/; used by HttpServer::Impl).
//
// What it allows: TLS 1.2 and 1.3 (or 1.3 alone, config.tls.min_version "1.3"); for 1.2
// only forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305); no
// compression, no renegotiation, the server's order of preference. The certificate chain
// (leaf first) and the private key are PEM files named by the config; the key must match
// the leaf.
//
// Invariants: Current() is always a context made from files that loaded and matched. A
// Reload that fails (a file missing, unreadable, malformed, a key that does not match)
// changes nothing: the old certificate stays in use, and the error names the file.
// Nothing it reports (Summary, errors) holds key material: the certificate's subject,
// serial and expiry, and file names.
//
// Threading: Current and Summary from any thread (accepting connections); Reload from any
// thread (the SIGHUP waiter). The swap is a pointer under a mutex: a connection keeps
// the context it was accepted with (it holds a reference) for as long as it is open, so
// open connections carry on with the old certificate and new ones get the new.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "http/server_config.h"

namespace caseengine {

class TlsContext {
 public:
  // Loads the files `config` names; InvalidArgument, naming the file and what is wrong.
  static Status Load(const TlsConfig& config, std::unique_ptr<TlsContext>* out);

  // Reads the files again (a renewed certificate); on failure keeps the current one.
  Status Reload();
  // The context for a new connection.
  std::shared_ptr<boost::asio::ssl::context> Current() const;
  // The current certificate: {"subject", "serial", "not_after"}, and the minimum version.
  nlohmann::json Summary() const;

 private:
  struct Loaded {
    std::shared_ptr<boost::asio::ssl::context> context;
    nlohmann::json certificate;
  };
  explicit TlsContext(const TlsConfig& config) : config_(config) {}
  static Status Make(const TlsConfig& config, Loaded* out);

  const TlsConfig config_;
  mutable std::mutex mu_;
  Loaded current_;  // under mu_
};

}  // namespace caseengine
