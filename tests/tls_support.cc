// TLS test helpers: see tls_support.h.
#include "tests/tls_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

namespace caseengine::testing {

CertificateFiles MakeCertificate(const TempDir& dir, const std::string& name) {
  CertificateFiles files{dir.Sub(name + ".crt"), dir.Sub(name + ".key")};
  std::string out;
  const int rc = RunCommand({OPENSSL_COMMAND, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                             "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                             "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                             "-keyout", files.key, "-out", files.certificate},
                            &out);
  INFO(out);
  REQUIRE(rc == 0);
  return files;
}

void ReplaceCertificate(const CertificateFiles& from, const CertificateFiles& to) {
  namespace fs = std::filesystem;
  for (const auto& [src, dst] :
       {std::pair{from.certificate, to.certificate}, std::pair{from.key, to.key}}) {
    fs::copy_file(src, dst + ".new", fs::copy_options::overwrite_existing);
    fs::rename(dst + ".new", dst);
  }
}

TlsConnection::TlsConnection(int port, int max_version) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = "connect failed";
    return;
  }
  ctx_ = SSL_CTX_new(TLS_client_method());
  // Old versions offered for real: only the server may refuse them.
  SSL_CTX_set_security_level(ctx_, 0);
  SSL_CTX_set_cipher_list(ctx_, "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_VERSION);
  if (max_version != 0) SSL_CTX_set_max_proto_version(ctx_, max_version);
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, "localhost");
  ERR_clear_error();
  if (SSL_connect(ssl_) == 1) {
    handshake_ok_ = true;
  } else {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    error_ = buf;
  }
}

TlsConnection::~TlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

std::string TlsConnection::PeerCommonName() const {
  if (!connected()) return "";
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

std::string TlsConnection::PeerSerial() const {
  if (!connected()) return "";
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  X509_free(cert);
  return out;
}

std::string TlsConnection::Version() const { return connected() ? SSL_get_version(ssl_) : ""; }

HttpAnswer TlsConnection::Get(const std::string& path, const std::string& token) {
  HttpAnswer answer;
  if (!connected()) return answer;
  const std::string request = "GET " + path +
                              " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token +
                              "\r\nConnection: keep-alive\r\n\r\n";
  if (SSL_write(ssl_, request.data(), static_cast<int>(request.size())) <= 0) return answer;
  char buf[16384];
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) return answer;
    buffer_.append(buf, static_cast<size_t>(n));
  }
  const std::string head = buffer_.substr(0, header_end);
  size_t length = 0;
  size_t start = head.find("\r\n");
  while (start != std::string::npos) {
    const size_t end = head.find("\r\n", start + 2);
    const std::string line =
        head.substr(start + 2, end == std::string::npos ? end : end - start - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      const std::string value = line.substr(colon + 1 + (line[colon + 1] == ' ' ? 1 : 0));
      answer.headers[line.substr(0, colon)] = value;
      if (strcasecmp(line.substr(0, colon).c_str(), "Content-Length") == 0) {
        length = std::stoul(value);
      }
    }
    start = end;
  }
  while (buffer_.size() < header_end + 4 + length) {
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) return answer;
    buffer_.append(buf, static_cast<size_t>(n));
  }
  answer.status = std::stoi(head.substr(9, 3));
  answer.body = buffer_.substr(header_end + 4, length);
  buffer_.erase(0, header_end + 4 + length);
  answer.json = nlohmann::json::parse(answer.body, nullptr, false);
  if (answer.json.is_discarded()) answer.json = nullptr;
  return answer;
}

}  // namespace caseengine::testing
