// End-to-end test support: see http_test_support.h.
#include "tests/http_test_support.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

namespace caseengine::testing {

HttpClient::HttpClient(int port, std::string token) : port_(port), token_(std::move(token)) {}

HttpAnswer HttpClient::Send(const std::string& method, const std::string& path,
                            const std::string& body, const Headers& headers) {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(30, 0);
  httplib::Headers h;
  if (!token_.empty()) h.emplace("Authorization", "Bearer " + token_);
  for (const auto& [k, v] : headers) h.emplace(k, v);
  const char* type = "application/json";
  // httplib::Result has no default constructor: one call, chosen by method.
  auto call = [&]() -> httplib::Result {
    if (method == "POST") return client.Post(path, h, body, type);
    if (method == "PATCH") return client.Patch(path, h, body, type);
    if (method == "PUT") return client.Put(path, h, body, type);
    if (method == "DELETE") return client.Delete(path, h);
    if (method == "HEAD") return client.Head(path, h);
    return client.Get(path, h);
  };
  httplib::Result r = call();
  HttpAnswer answer;
  if (!r) return answer;
  answer.status = r->status;
  for (const auto& [k, v] : r->headers) answer.headers[k] = v;
  answer.body = r->body;
  answer.json = nlohmann::json::parse(r->body, nullptr, false);
  if (answer.json.is_discarded()) answer.json = nullptr;
  return answer;
}

HttpAnswer HttpClient::Get(const std::string& path, const Headers& headers) {
  return Send("GET", path, "", headers);
}
HttpAnswer HttpClient::Post(const std::string& path, const nlohmann::json& body,
                            const Headers& headers) {
  return Send("POST", path, body.dump(), headers);
}
HttpAnswer HttpClient::PostRaw(const std::string& path, const std::string& body,
                               const Headers& headers) {
  return Send("POST", path, body, headers);
}
HttpAnswer HttpClient::Patch(const std::string& path, const nlohmann::json& body,
                             const Headers& headers) {
  return Send("PATCH", path, body.dump(), headers);
}
HttpAnswer HttpClient::PatchRaw(const std::string& path, const std::string& body,
                                const Headers& headers) {
  return Send("PATCH", path, body, headers);
}
HttpAnswer HttpClient::PutRaw(const std::string& path, const std::string& body,
                              const Headers& headers) {
  return Send("PUT", path, body, headers);
}
HttpAnswer HttpClient::Delete(const std::string& path, const Headers& headers) {
  return Send("DELETE", path, "", headers);
}
HttpAnswer HttpClient::Head(const std::string& path, const Headers& headers) {
  return Send("HEAD", path, "", headers);
}

RawConnection::RawConnection(int port, int receive_buffer) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  // Before connect, so that the window offered is the small one.
  if (receive_buffer > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return;
  }
  fd_ = fd;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return fd_ >= 0;
}

RawConnection::Received RawConnection::Receive(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0) return Received::kClosed;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Received::kNothing;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return Received::kNothing;
    char buf[16384];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
      return Received::kBytes;
    }
    // 0 is the server's FIN; a reset closes it as surely.
    if (n == 0 || errno != EINTR) return Received::kClosed;
  }
}

HttpAnswer RawConnection::Read(int seconds, bool answers_head) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return HttpAnswer();
  }
  HttpAnswer answer;
  const std::string head = buffer_.substr(0, end);
  size_t pos = head.find("\r\n");
  const std::string status_line = head.substr(0, pos);
  // "HTTP/1.1 200 OK"
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return HttpAnswer();
  const int status = std::stoi(status_line.substr(9, 3));
  while (pos != std::string::npos) {
    const size_t start = pos + 2;
    pos = head.find("\r\n", start);
    const std::string line = head.substr(start, pos == std::string::npos ? pos : pos - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    answer.headers[line.substr(0, colon)] = value;
  }
  size_t at = end + 4;
  std::string body;
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  if (answers_head || status < 200 || status == 204 || status == 304) {
    // No body.
  } else if (lower(answer.Header("Transfer-Encoding")) == "chunked") {
    for (;;) {
      size_t eol;
      while ((eol = buffer_.find("\r\n", at)) == std::string::npos) {
        if (!Fill(deadline)) return HttpAnswer();
      }
      const size_t size = std::stoul(buffer_.substr(at, eol - at), nullptr, 16);
      while (buffer_.size() < eol + 2 + size + 2) {
        if (!Fill(deadline)) return HttpAnswer();
      }
      body.append(buffer_, eol + 2, size);
      at = eol + 2 + size + 2;
      if (size == 0) break;  // no trailers are sent
    }
  } else {
    const std::string length = answer.Header("Content-Length");
    const size_t size = length.empty() ? 0 : std::stoul(length);
    while (buffer_.size() < at + size) {
      if (!Fill(deadline)) return HttpAnswer();
    }
    body = buffer_.substr(at, size);
    at += size;
  }
  buffer_.erase(0, at);
  answer.status = status;
  answer.body = std::move(body);
  answer.json = nlohmann::json::parse(answer.body, nullptr, false);
  if (answer.json.is_discarded()) answer.json = nullptr;
  return answer;
}

bool RawConnection::ClosedByServer(int seconds) {
  if (fd_ < 0 || !buffer_.empty()) return false;
  return Receive(std::chrono::steady_clock::now() + std::chrono::seconds(seconds)) ==
         Received::kClosed;
}

std::string RequestText(const std::string& method, const std::string& path,
                        const std::string& token, const std::string& body,
                        const HttpClient::Headers& headers) {
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) text += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty()) text += "Content-Type: application/json\r\n";
  if (!body.empty() || method != "GET") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  for (const auto& [k, v] : headers) text += k + ": " + v + "\r\n";
  return text + "\r\n" + body;
}

ServerProcess::ServerProcess(const std::string& data_dir,
                             const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {CASEENGINE_PATH, "serve", "--data", data_dir};
  // On a free loopback port, unless the test says where.
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  // The demo configuration (--demo), unless the test gives its own (--config).
  if (std::find(extra_args.begin(), extra_args.end(), "--config") == extra_args.end()) {
    argv.push_back("--demo");
  }
  // The server refuses a flag given twice.
  if (std::find(extra_args.begin(), extra_args.end(), "--threads") == extra_args.end()) {
    argv.insert(argv.end(), {"--threads", "16"});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = SpawnWithStdoutPipe(argv, &stdout_fd_);
  // The banner names the port, and a line says when the read models, loaded after the
  // server starts answering, are loaded: read until both are there (or the process ends),
  // so that a test's first list is not refused as loading.
  static const std::regex kPort(R"(\(port (\d+)\))");
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::smatch m;
  while (!std::regex_search(banner_, m, kPort) ||
         banner_.find("read models loaded") == std::string::npos) {
    const ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0 || std::chrono::steady_clock::now() > deadline) {
      Kill();
      throw std::runtime_error("caseengine serve did not start: " + banner_);
    }
    banner_.append(buf, static_cast<size_t>(n));
  }
  std::regex_search(banner_, m, kPort);
  port_ = std::stoi(m[1]);
  // From here on the server's standard output (its JSON log among the rest) is read and
  // dropped, on a copy of the pipe's end, until the process ends: a pipe nobody reads
  // would fill, and the server's log writer would wait on it.
  const int drain = dup(stdout_fd_);
  if (drain >= 0) {
    std::thread([drain] {
      char sink[8192];
      while (read(drain, sink, sizeof sink) > 0) {
      }
      close(drain);
    }).detach();
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ServerProcess::StopWithin(int seconds) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      Kill();
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

EventStreamAnswer ReadEventStream(int port, const std::string& path, const std::string& token,
                                  size_t count, int seconds, const HttpClient::Headers& headers) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(seconds + 5, 0);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  h.emplace("Accept", "text/event-stream");
  for (const auto& [k, v] : headers) h.emplace(k, v);
  EventStreamAnswer answer;
  std::string pending;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  // Events end at a blank line; a line is "field: value", or a comment starting with ':'.
  auto parse = [&] {
    size_t end;
    while ((end = pending.find("\n\n")) != std::string::npos) {
      const std::string block = pending.substr(0, end);
      pending.erase(0, end + 2);
      ServerSentEvent e;
      bool any = false;  // a data field: a block without one dispatches no event (retry:)
      size_t start = 0;
      while (start < block.size()) {
        size_t eol = block.find('\n', start);
        if (eol == std::string::npos) eol = block.size();
        const std::string line = block.substr(start, eol - start);
        start = eol + 1;
        if (line.empty() || line[0] == ':') continue;
        const size_t colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") e.id = value;
        if (field == "event") e.event = value;
        if (field == "data") {
          e.data += (any ? "\n" : "") + value;
          any = true;
        }
      }
      if (!any || answer.events.size() >= count) continue;
      e.json = nlohmann::json::parse(e.data, nullptr, false);
      if (e.json.is_discarded()) e.json = nullptr;
      answer.events.push_back(std::move(e));
    }
  };
  client.Get(
      path, h,
      [&](const httplib::Response& r) {
        answer.status = r.status;
        answer.content_type = r.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, size_t n) {
        answer.body.append(data, n);
        pending.append(data, n);
        parse();
        return answer.events.size() < count && std::chrono::steady_clock::now() < deadline;
      });
  return answer;
}

uint64_t LogHead(int port) {
  HttpAnswer a = HttpClient(port, "demo-auditor").Get("/events?from=1&limit=1");
  if (a.status != 200 || !a.json.is_object() || !a.json.contains("head_position")) {
    throw std::runtime_error("GET /events answered " + std::to_string(a.status) + ": " + a.body);
  }
  return a.json["head_position"].get<uint64_t>();
}

void CheckProblem(const HttpAnswer& a, int status, const std::string& type) {
  INFO(a.status << " " << a.body);
  REQUIRE(a.status == status);
  CHECK(a.ContentType().rfind("application/problem+json", 0) == 0);
  REQUIRE(a.json.is_object());
  CHECK(a.json.value("type", "") == type);
  CHECK(a.json.value("status", 0) == status);
  CHECK(a.json.contains("title"));
  CHECK(a.json.contains("detail"));
}

nlohmann::json Done(const HttpAnswer& a, int status) {
  INFO(a.status << " " << a.body);
  REQUIRE(a.status == status);
  REQUIRE(a.json.is_object());
  CHECK(a.ContentType().rfind("application/json", 0) == 0);
  REQUIRE(a.json.contains("position"));
  CHECK(a.json["position"].is_number_unsigned());
  REQUIRE(a.json.contains("versions"));
  CHECK(a.json["versions"].is_object());
  if (!a.json.value("unchanged", false)) {
    CHECK(a.json["position"].get<uint64_t>() > 0);
    CHECK(!a.json["versions"].empty());
  }
  return a.json;
}

nlohmann::json GetOk(HttpClient& c, const std::string& path) {
  HttpAnswer a = c.Get(path);
  INFO(path << ": " << a.status << " " << a.body);
  REQUIRE(a.status == 200);
  REQUIRE(a.json.is_object());
  return a.json;
}

nlohmann::json Register(HttpClient& c, const std::string& surname, const nlohmann::json& extra) {
  nlohmann::json body = {{"surname", surname}, {"date_of_birth", "1980-01-01"}};
  body.update(extra);
  return Done(c.Post("/clients", body), 201);
}

std::string WithMin(uint64_t position, const std::string& path) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") +
         "min_position=" + std::to_string(position);
}

std::string WithMin(const Served& s, const std::string& path) { return WithMin(s.Head(), path); }

HttpAnswer Send(const Call& c) {
  if (c.method == "POST") return c.who->Post(c.path, c.body, c.headers);
  if (c.method == "PATCH") return c.who->Patch(c.path, c.body, c.headers);
  if (c.method == "DELETE") return c.who->Delete(c.path, c.headers);
  return c.who->Get(c.path, c.headers);
}

}  // namespace caseengine::testing
