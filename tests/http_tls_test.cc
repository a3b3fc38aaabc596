// HTTPS served by the engine itself (the config's "tls"), tested against a real
// `caseengine serve` process with a self-signed certificate made by `openssl` in the
// test's folder: the API answers over TLS as over plain HTTP (bearer tokens, keep-alive,
// X-Request-Id, gzip, CORS, event feeds, the request log); versions before TLS 1.2 and
// plain HTTP are refused on the TLS port; plain HTTP off loopback is refused at start
// unless allowed; SIGHUP reloads the certificate for new connections while an open one
// carries on, and a certificate that does not load keeps the one in use.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/http_test_support.h"
#include "tests/ops_support.h"
#include "tests/tls_support.h"

namespace caseengine::testing {
namespace {

constexpr const char* kOrigin = "https://cases.example.org";

// A server on 127.0.0.1 serving HTTPS with the files `live` (at first a copy of the
// certificate CN=first), logging to engine.log; `tls` adds to the config's "tls".
struct TlsServed {
  explicit TlsServed(const nlohmann::json& tls = nlohmann::json::object()) {
    ReplaceCertificate(first, live);
    nlohmann::json config = {
        {"tls", {{"certificate_file", live.certificate}, {"key_file", live.key}}},
        {"log", {{"file", log}}},
        {"cors_origins", {kOrigin}}};
    config["tls"].update(tls);
    server = std::make_unique<ServerProcess>(
        dir.Sub("data"), std::vector<std::string>{"--config", ConfigFile(dir, config)});
  }
  // A client that trusts the first certificate alone.
  std::unique_ptr<httplib::SSLClient> Client() const {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server->port());
    c->set_ca_cert_path(first.certificate.c_str());
    c->enable_server_certificate_verification(true);
    c->set_keep_alive(true);
    return c;
  }
  // Whether `times` lines of the startup log say `message` within 10 s.
  bool Logged(const std::string& message, int times = 1) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int seen = 0;
      for (const auto& line : LinesOf(LogLines(log), "startup")) {
        seen += line.value("message", "") == message ? 1 : 0;
      }
      if (seen >= times) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  TempDir dir;
  const std::string log = dir.Sub("engine.log");
  const CertificateFiles first = MakeCertificate(dir, "first");
  const CertificateFiles live{dir.Sub("live.crt"), dir.Sub("live.key")};
  std::unique_ptr<ServerProcess> server;
};

// `caseengine` with `args`: its exit status, or -2 when it still runs after `seconds`
// (then it is killed).
int ExitStatusWithin(const std::vector<std::string>& args, int seconds) {
  std::vector<std::string> argv = {CASEENGINE_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  int out_fd = -1;
  const pid_t pid = SpawnWithStdoutPipe(argv, &out_fd);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      close(out_fd);
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  close(out_fd);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The subject's CN a new connection is shown, once it is `expected`, or after 10 s.
std::string NewConnectionSees(int port, const std::string& expected) {
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    seen = TlsConnection(port).PeerCommonName();
    if (seen == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return seen;
}

TEST_CASE("https: the API answers over TLS as over plain HTTP", "[http][tls]") {
  TlsServed s;
  auto officer = s.Client();
  const httplib::Headers bearer = {{"Authorization", std::string("Bearer ") + kOfficerToken}};
  // A command and a query, with a bearer token, on one kept-alive connection.
  auto made =
      officer->Post("/clients", bearer, R"({"surname":"Secure","date_of_birth":"1980-01-01"})",
                    "application/json");
  REQUIRE(made);
  CHECK(made->status == 201);
  httplib::Headers with_id = bearer;
  with_id.emplace("X-Request-Id", "tls-test-1");
  with_id.emplace("Origin", kOrigin);
  // The list once the read models have the new client (read-your-writes).
  const auto position = nlohmann::json::parse(made->body).value("position", uint64_t{0});
  auto list = officer->Get(WithMin(position, "/cases"), with_id);
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->get_header_value("X-Request-Id") == "tls-test-1");
  CHECK(list->get_header_value("Access-Control-Allow-Origin") == kOrigin);
  CHECK(list->body.find("Secure") != std::string::npos);
  // Without a token: 401, as over HTTP.
  auto anonymous = officer->Get("/cases");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);

  // A large answer is gzipped.
  officer->set_decompress(false);
  auto openapi = officer->Get("/openapi.json", {{"Accept-Encoding", "gzip"}});
  REQUIRE(openapi);
  CHECK(openapi->status == 200);
  CHECK(openapi->get_header_value("Content-Encoding") == "gzip");

  // Keep-alive on one connection of the test's own.
  TlsConnection c(s.server->port());
  REQUIRE(c.connected());
  CHECK(c.Get("/cases", kOfficerToken).status == 200);
  CHECK(c.Get("/healthz", "").status == 200);
  CHECK(c.PeerCommonName() == "first");

  // An event feed: the first event comes over TLS.
  auto auditor = s.Client();
  std::string received;
  auto feed = auditor->Get(
      "/events/stream?from=1",
      {{"Authorization", std::string("Bearer ") + kAuditorToken}, {"Accept", "text/event-stream"}},
      [&](const char* data, size_t n) {
        received.append(data, n);
        return received.find("\n\n") == std::string::npos;  // stop after the first event
      });
  CHECK(received.find("data:") != std::string::npos);

  // The start-up log says TLS is on, and which certificate; the request log has the
  // request; no key material anywhere.
  REQUIRE(s.Logged("listening"));
  const auto lines = LogLines(s.log);
  bool listening = false, requested = false;
  for (const auto& line : lines) {
    if (line.value("message", "") == "listening") {
      listening = true;
      CHECK(line.value("url", "").rfind("https://", 0) == 0);
      CHECK(line["tls"].value("subject", "") == "CN=first");
    }
    if (line.value("message", "") == "starting") {
      CHECK(line["settings"]["tls"].value("certificate_file", "") == s.live.certificate);
    }
  }
  CHECK(listening);
  s.server->Stop();
  for (const auto& line : LogLines(s.log)) {
    requested = requested || line.value("request_id", "") == "tls-test-1";
  }
  CHECK(requested);
  std::ifstream key_in(s.live.key);
  std::string key_line, log_text;
  std::getline(key_in, key_line);  // -----BEGIN PRIVATE KEY-----
  std::getline(key_in, key_line);  // the key's first bytes
  std::ifstream log_in(s.log);
  log_text.assign(std::istreambuf_iterator<char>(log_in), {});
  CHECK(log_text.find("PRIVATE KEY") == std::string::npos);
  CHECK(log_text.find(key_line) == std::string::npos);
}

TEST_CASE("https: TLS before 1.2, and plain HTTP, are refused on the TLS port", "[http][tls]") {
  TlsServed s;
  const int port = s.server->port();
  TlsConnection tls11(port, TLS1_1_VERSION);
  CHECK_FALSE(tls11.connected());
  TlsConnection tls10(port, TLS1_VERSION);
  CHECK_FALSE(tls10.connected());
  TlsConnection tls12(port, TLS1_2_VERSION);
  REQUIRE(tls12.connected());
  CHECK(tls12.Version() == "TLSv1.2");
  CHECK(tls12.Get("/cases", kOfficerToken).status == 200);
  TlsConnection tls13(port);
  REQUIRE(tls13.connected());
  CHECK(tls13.Version() == "TLSv1.3");
  // Plain HTTP gets no answer: the bytes are not a TLS handshake.
  RawConnection plain(port);
  REQUIRE(plain.connected());
  plain.Send(RequestText("GET", "/healthz", ""));
  CHECK(plain.Read(5).status == 0);
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(5, 0);
  auto answer = http.Get("/healthz");
  CHECK((!answer || answer->status != 200));
  // The server still serves TLS after all that.
  CHECK(TlsConnection(port).Get("/healthz", "").status == 200);
}

TEST_CASE("https: min_version 1.3 refuses TLS 1.2", "[http][tls]") {
  TlsServed s(nlohmann::json{{"min_version", "1.3"}});
  CHECK_FALSE(TlsConnection(s.server->port(), TLS1_2_VERSION).connected());
  TlsConnection tls13(s.server->port());
  REQUIRE(tls13.connected());
  CHECK(tls13.Get("/cases", kOfficerToken).status == 200);
}

TEST_CASE("https: SIGHUP reloads the certificate for new connections, open ones carry on",
          "[http][tls]") {
  TlsServed s;
  const int port = s.server->port();
  TlsConnection before(port);
  REQUIRE(before.connected());
  REQUIRE(before.Get("/cases", kOfficerToken).status == 200);
  const std::string first_serial = before.PeerSerial();
  CHECK(before.PeerCommonName() == "first");

  // A renewal: new files under the same names, then SIGHUP (systemctl reload).
  const CertificateFiles second = MakeCertificate(s.dir, "second");
  ReplaceCertificate(second, s.live);
  REQUIRE(kill(s.server->pid(), SIGHUP) == 0);
  CHECK(NewConnectionSees(port, "second") == "second");
  TlsConnection after(port);
  REQUIRE(after.connected());
  CHECK(after.PeerSerial() != first_serial);
  CHECK(after.Get("/cases", kOfficerToken).status == 200);
  CHECK(s.Logged("certificate reloaded"));

  // The connection opened before is still open, on the certificate it started with.
  CHECK(before.Get("/cases", kOfficerToken).status == 200);
  CHECK(before.Get("/healthz", "").status == 200);
  CHECK(before.PeerSerial() == first_serial);
}

TEST_CASE("https: a certificate that does not load on SIGHUP keeps the one in use", "[http][tls]") {
  TlsServed s;
  const int port = s.server->port();
  // Half a renewal: a certificate file that is not one, and a key of another certificate.
  std::ofstream(s.live.certificate, std::ios::trunc) << "not a certificate\n";
  REQUIRE(kill(s.server->pid(), SIGHUP) == 0);
  REQUIRE(s.Logged("the certificate could not be reloaded; the one in use stays"));
  TlsConnection c(port);
  REQUIRE(c.connected());
  CHECK(c.PeerCommonName() == "first");
  CHECK(c.Get("/cases", kOfficerToken).status == 200);
  bool warned = false;
  for (const auto& line : LinesOf(LogLines(s.log), "startup")) {
    if (line.value("level", "") != "warning") continue;
    warned = true;
    CHECK_THAT(line.value("why", ""), Catch::Contains(s.live.certificate));
    CHECK(line["tls"].value("subject", "") == "CN=first");
  }
  CHECK(warned);

  // A matching pair loads again at the next SIGHUP.
  const CertificateFiles second = MakeCertificate(s.dir, "second");
  const CertificateFiles third = MakeCertificate(s.dir, "third");
  std::filesystem::copy_file(third.key, s.live.key,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(second.certificate, s.live.certificate,
                             std::filesystem::copy_options::overwrite_existing);
  REQUIRE(kill(s.server->pid(), SIGHUP) == 0);  // a key that does not match: kept
  REQUIRE(s.Logged("the certificate could not be reloaded; the one in use stays", 2));
  CHECK(TlsConnection(port).PeerCommonName() == "first");
  ReplaceCertificate(second, s.live);
  REQUIRE(kill(s.server->pid(), SIGHUP) == 0);
  CHECK(NewConnectionSees(port, "second") == "second");
}

TEST_CASE("serve refuses plain HTTP off loopback unless the config allows it", "[ops][tls]") {
  TempDir tmp;
  std::string out;
  const std::string plain = ConfigFile(tmp);
  const std::vector<std::string> args = {"serve",         "--config", plain,      "--data",
                                         tmp.Sub("data"), "--listen", "0.0.0.0:0"};
  // A server that starts instead of refusing is stopped, not waited for.
  REQUIRE(ExitStatusWithin(args, 30) == 2);
  CHECK(Caseengine(args, &out) == 2);
  CHECK_THAT(out, Catch::Contains("plain HTTP"));
  CHECK_THAT(out, Catch::Contains("\"tls\""));
  CHECK_THAT(out, Catch::Contains("allow_plain_http"));
  CHECK_FALSE(std::filesystem::exists(tmp.Sub("data")));
  {
    // Allowed: behind a proxy that terminates TLS.
    TempDir allowed_dir;
    ServerProcess allowed(allowed_dir.Sub("data"),
                          {"--config", ConfigFile(allowed_dir, {{"allow_plain_http", true}}),
                           "--listen", "0.0.0.0:0"});
    CHECK(allowed.Client(kOfficerToken).Get("/cases").status == 200);
  }
  {
    // With TLS, any address.
    TempDir tls_dir;
    const CertificateFiles cert = MakeCertificate(tls_dir, "anywhere");
    ServerProcess tls(
        tls_dir.Sub("data"),
        {"--config",
         ConfigFile(tls_dir,
                    {{"tls", {{"certificate_file", cert.certificate}, {"key_file", cert.key}}}}),
         "--listen", "0.0.0.0:0"});
    CHECK(TlsConnection(tls.port()).Get("/cases", kOfficerToken).status == 200);
  }
}

TEST_CASE("a tls config that cannot be used stops the start", "[ops][tls]") {
  TempDir tmp;
  const CertificateFiles a = MakeCertificate(tmp, "a");
  const CertificateFiles b = MakeCertificate(tmp, "b");
  const std::string garbage = tmp.Sub("garbage.pem");
  std::ofstream(garbage) << "not a certificate\n";
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"cert_file", a.certificate}, {"key_file", a.key}}, "\"cert_file\" in tls"},
      {{{"certificate_file", a.certificate}}, "tls.key_file"},
      {{{"certificate_file", a.certificate}, {"key_file", a.key}, {"min_version", "1.1"}},
       "tls.min_version"},
      {{{"certificate_file", garbage}, {"key_file", a.key}}, garbage},
      {{{"certificate_file", tmp.Sub("missing.pem")}, {"key_file", a.key}}, "cannot be read"},
      {{{"certificate_file", a.certificate}, {"key_file", b.key}}, "does not match"},
  };
  for (const auto& [tls, named] : cases) {
    INFO(tls.dump());
    std::string out;
    CHECK(Caseengine({"serve", "--config", ConfigFile(tmp, {{"tls", tls}}), "--data",
                      tmp.Sub("data"), "--listen", "127.0.0.1:0"},
                     &out) == 2);
    CHECK_THAT(out, Catch::Contains(named));
    // Refused before the data folder was made.
    CHECK_FALSE(std::filesystem::exists(tmp.Sub("data")));
  }
}

}  // namespace
}  // namespace caseengine::testing
