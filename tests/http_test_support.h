// End-to-end test support: a real `caseengine serve` process on a free loopback port
// over a data folder, and a small HTTP client to talk to it. The only test file that
// includes the HTTP library.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  HttpAnswer Delete(const std::string& path, const Headers& headers = {});

  void set_token(const std::string& token) { token_ = token; }  // "" sends none

 private:
  HttpAnswer Send(const std::string& method, const std::string& path, const std::string& body,
                  const Headers& headers);
  int port_;
  std::string token_;
};

// `caseengine serve` on a data folder, on a free port, started in the constructor (it
// waits until the server listens) and stopped with SIGTERM in the destructor.
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
// then the connection is dropped. `token` "" sends none.
EventStreamAnswer ReadEventStream(int port, const std::string& path, const std::string& token,
                                  size_t count, int seconds = 10);

// The log's head position, as the auditor reads it (GET /events: head_position). Throws
// when the server does not answer 200.
uint64_t LogHead(int port);

}  // namespace caseengine::testing
