// End-to-end test support: a real `caseengine serve` process on a free loopback port
// over a data folder, a small HTTP client to talk to it, and the checks the HTTP tests
// share (problems, command answers, reads). Its .cc and tests/jwks_server.cc (a key set
// served to the engine) are the only test files that include the HTTP library. The checks assert
// with Catch2, so they are called from the test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace caseengine::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection failed)
  std::map<std::string, std::string> headers;
  std::string body;
  nlohmann::json json;  // the body parsed, or null when it is not JSON

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string ContentType() const { return Header("Content-Type"); }
};

class HttpClient {
 public:
  HttpClient(int port, std::string token = "demo-officer");

  // Extra headers (Idempotency-Key, If-Match, Accept, ...) for one call.
  using Headers = std::map<std::string, std::string>;
  HttpAnswer Get(const std::string& path, const Headers& headers = {});
  HttpAnswer Post(const std::string& path, const nlohmann::json& body = nlohmann::json::object(),
                  const Headers& headers = {});
  // The body sent as it is (malformed JSON and the like).
  HttpAnswer PostRaw(const std::string& path, const std::string& body, const Headers& headers = {});
  HttpAnswer Patch(const std::string& path, const nlohmann::json& body,
                   const Headers& headers = {});
  HttpAnswer PatchRaw(const std::string& path, const std::string& body,
                      const Headers& headers = {});
  HttpAnswer PutRaw(const std::string& path, const std::string& body, const Headers& headers = {});
  HttpAnswer Delete(const std::string& path, const Headers& headers = {});
  HttpAnswer Head(const std::string& path, const Headers& headers = {});

  void set_token(const std::string& token) { token_ = token; }  // "" sends none

 private:
  HttpAnswer Send(const std::string& method, const std::string& path, const std::string& body,
                  const Headers& headers);
  int port_;
  std::string token_;
};

// A plain TCP connection to the server, for what HttpClient cannot send or see: several
// requests on one connection, pipelining, Expect: 100-continue, bytes that are not HTTP,
// the server closing the connection. Closed on destruction.
class RawConnection {
 public:
  // A `receive_buffer` in bytes (0: the system's) makes a client that does not read
  // fill the server's side quickly.
  explicit RawConnection(int port, int receive_buffer = 0);  // see connected()
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all the bytes as they are; false when the connection is gone.
  bool Send(const std::string& bytes);
  // Reads one answer (an interim 1xx one too), its body by Content-Length or chunked
  // (none when it answers a HEAD request). Status 0 when the connection ended or `seconds`
  // passed before a whole answer came.
  HttpAnswer Read(int seconds = 10, bool head = false);
  // Whether the server closes the connection within `seconds` and sends nothing more
  // before it: false when bytes come, or the connection stays open.
  bool ClosedByServer(int seconds = 5);

 private:
  enum class Received { kBytes, kClosed, kNothing };
  // Reads what comes before `deadline` into buffer_: bytes, the end of the stream (or a
  // reset), or nothing by the deadline.
  Received Receive(std::chrono::steady_clock::time_point deadline);
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    return Receive(deadline) == Received::kBytes;
  }
  int fd_ = -1;
  std::string buffer_;  // read and not yet taken by Read
};

// An HTTP/1.1 request as bytes: Host, Authorization with `token` unless it is "", a JSON
// body (Content-Length always, but for a GET without one) and `headers`.
std::string RequestText(const std::string& method, const std::string& path,
                        const std::string& token = "demo-officer", const std::string& body = "",
                        const HttpClient::Headers& headers = {});

// `caseengine serve` on a data folder, on a free port, started in the constructor (it
// waits until the server listens) and stopped with SIGTERM in the destructor. It runs
// with 16 query workers unless `extra_args` names --threads.
class ServerProcess {
 public:
  explicit ServerProcess(const std::string& data_dir,
                         const std::vector<std::string>& extra_args = {});
  ~ServerProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  HttpClient Client(const std::string& token = "demo-officer") const {
    return HttpClient(port_, token);
  }
  // SIGTERM, then waits; returns the exit status (-1 when it did not exit normally).
  int Stop();
  // SIGKILL, then waits.
  void Kill();
  // SIGTERM, then waits at most `seconds` for the exit (then SIGKILL). Returns the exit
  // status, -1 when it did not exit normally, -2 when it had to be killed.
  int StopWithin(int seconds);
  // What the server printed on stdout before it started listening.
  const std::string& banner() const { return banner_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::string banner_;
};

// One server-sent event: its id, event name and data (comments are skipped).
struct ServerSentEvent {
  std::string id, event, data;
  nlohmann::json json;  // data parsed, or null when it is not JSON
};

struct EventStreamAnswer {
  int status = 0;  // 0: no answer
  std::string content_type;
  std::string body;  // everything received (for answers that are not a stream)
  std::vector<ServerSentEvent> events;
};

// GET `path` read as server-sent events until `count` events came or `seconds` passed;
// then the connection is dropped. `token` "" sends none; `headers` are sent besides.
EventStreamAnswer ReadEventStream(int port, const std::string& path, const std::string& token,
                                  size_t count, int seconds = 10,
                                  const HttpClient::Headers& headers = {});

// The log's head position, as the auditor reads it (GET /events: head_position). Throws
// when the server does not answer 200.
uint64_t LogHead(int port);

// The problem types of docs/http_api.md.
inline constexpr const char* kForbidden = "/problems/forbidden";
inline constexpr const char* kMalformed = "/problems/malformed";
inline constexpr const char* kValidation = "/problems/validation";
inline constexpr const char* kNotFound = "/problems/not-found";
inline constexpr const char* kRuleViolated = "/problems/rule-violated";
// A well-formed id nothing has.
inline const std::string kUnknown = "0123456789abcdef";

// What the demo configuration writes, now that every path that opens a case loads the
// new-case workflow (docs/tasks.md). At start the server imports the demo settings: 14
// TaskTypeDefined and 3 WorkflowDefined on the settings stream.
inline constexpr uint64_t kDemoSettingsEvents = 17;
// The new-case workflow's tasks: first_contact, provide_id, income_expenditure.
inline constexpr uint64_t kNewCaseTasks = 3;
// A registration: ClientRegistered, CaseOpened and the new-case workflow's TaskCreated.
inline constexpr uint64_t kRegistrationEvents = 2 + kNewCaseTasks;

// A server on a fresh data folder, with a client for each demo user.
struct Served {
  TempDir dir;
  ServerProcess server{dir.Sub("data")};
  HttpClient officer = server.Client("demo-officer");
  HttpClient supervisor = server.Client("demo-supervisor");
  HttpClient admin = server.Client("demo-admin");
  HttpClient auditor = server.Client("demo-auditor");
  uint64_t Head() const { return LogHead(server.port()); }
};

// A problem+json answer with this status and type, a title and a detail.
void CheckProblem(const HttpAnswer& a, int status, const std::string& type);

// A command's answer: the status, and the position and versions every answer carries
// (a change has a position and at least one version). Returns the body.
nlohmann::json Done(const HttpAnswer& a, int status = 200);

// GET `path`, which must answer 200 with a JSON object; returns it.
nlohmann::json GetOk(HttpClient& c, const std::string& path);

// Registers a client born 1980-01-01 (`extra` adds or overrides fields); returns the 201
// answer with its client_id and case_id.
nlohmann::json Register(HttpClient& c, const std::string& surname,
                        const nlohmann::json& extra = nlohmann::json::object());

// `path` with min_position: a read of the read models once they have applied `position`,
// or everything written so far.
std::string WithMin(uint64_t position, const std::string& path);
std::string WithMin(const Served& s, const std::string& path);

// A request of a table: who sends it, the method, the path, the body and extra headers.
struct Call {
  HttpClient* who;
  std::string method, path;
  nlohmann::json body = nlohmann::json::object();
  HttpClient::Headers headers = {};
};
HttpAnswer Send(const Call& c);

}  // namespace caseengine::testing
