// The control socket: see control_socket.h.
#include "app/control_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "app/backup.h"
#include "app/engine.h"

namespace caseengine {
namespace {

// A request or an answer is one line; nothing legitimate comes near this.
constexpr size_t kMaxLine = 64 << 10;
// How long a client may take to send its request once connected.
constexpr int kRequestSeconds = 10;

Status Address(const std::string& path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr->sun_path)) {
    return Status::InvalidArgument("the control socket's path " + path + " is longer than " +
                                   std::to_string(sizeof(addr->sun_path) - 1) +
                                   " bytes: use a data folder with a shorter path");
  }
  std::memcpy(addr->sun_path, path.data(), path.size());
  return Status::Ok();
}

// Reads up to the first newline (or the peer's end); false on error or an overlong line.
bool ReadLine(int fd, std::string* line) {
  line->clear();
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return !line->empty();
    line->append(buf, n);
    const size_t nl = line->find('\n');
    if (nl != std::string::npos) {
      line->resize(nl);
      return true;
    }
    if (line->size() > kMaxLine) return false;
  }
}

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

nlohmann::json Refusal(const std::string& error) { return {{"ok", false}, {"error", error}}; }

}  // namespace

std::string ControlSocketPath(const std::string& data_dir) { return data_dir + "/control.sock"; }

ControlServer::ControlServer(Engine* engine)
    : engine_(engine), path_(ControlSocketPath(engine->store().path())) {}

ControlServer::~ControlServer() { Stop(); }

Status ControlServer::Start() {
  sockaddr_un addr;
  Status s = Address(path_, &addr);
  if (!s.ok()) return s;
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  ::unlink(path_.c_str());  // a stale socket of an engine that did not stop cleanly
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 8) != 0 || ::pipe2(wake_, O_CLOEXEC) != 0) {
    const std::string why = std::strerror(errno);
    Stop();
    return Status::IoError("cannot listen on the control socket " + path_ + ": " + why);
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ControlServer::Stop() {
  if (wake_[1] >= 0) {
    ::close(wake_[1]);
    wake_[1] = -1;
  }
  if (thread_.joinable()) thread_.join();
  if (wake_[0] >= 0) ::close(wake_[0]);
  wake_[0] = -1;
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    ::unlink(path_.c_str());
  }
}

void ControlServer::Loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;  // Stop closed the pipe
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // Requests are served in turn: a client that connects and sends nothing must not keep
    // the next one waiting for ever.
    timeval timeout{kRequestSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    // The folder's mode already keeps others out; the peer's user is checked as well, so
    // that a folder made readable by mistake does not open the engine to every user.
    ucred peer{};
    socklen_t len = sizeof(peer);
    nlohmann::json answer;
    std::string line;
    // The request is read before anything is answered, refusals too: a client still
    // sending when the socket closes would lose the answer (its write fails first).
    const bool read = ReadLine(fd, &line);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 ||
        (peer.uid != ::geteuid() && peer.uid != 0)) {
      answer = Refusal("only the engine's own user (or root) may use its control socket");
    } else if (!read) {
      answer = Refusal("a request is one JSON object on one line");
    } else {
      nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      answer = request.is_object() ? Serve(request) : Refusal("the request is not a JSON object");
    }
    WriteAll(fd, answer.dump() + "\n");
    ::close(fd);
  }
}

nlohmann::json ControlServer::Serve(const nlohmann::json& request) {
  const std::string op = request.value("op", "");
  if (op != "backup") return Refusal("unknown op \"" + op + "\" (known: backup)");
  if (!request.contains("to") || !request["to"].is_string()) {
    return Refusal("\"to\" must name the backup folder");
  }
  uint32_t keep = 0;
  if (request.contains("keep")) {
    if (!request["keep"].is_number_unsigned()) return Refusal("\"keep\" must be a whole number");
    keep = request["keep"].get<uint32_t>();
  }
  BackupReport report;
  Status s = TakeBackup(&engine_->store(), engine_->log(), request["to"].get<std::string>(), keep,
                        &report);
  if (!s.ok()) {
    NoteBackupEvent("backup", {{"ok", false}, {"error", s.ToString()}});
    nlohmann::json refusal = Refusal(s.ToString());
    refusal["exit"] = BackupExitStatus(s);
    return refusal;
  }
  nlohmann::json answer = BackupReportToJson(report);
  NoteBackupEvent("backup", answer);
  answer["ok"] = true;
  return answer;
}

Status CallControl(const std::string& data_dir, const nlohmann::json& request,
                   nlohmann::json* answer) {
  const std::string path = ControlSocketPath(data_dir);
  sockaddr_un addr;
  Status s = Address(path, &addr);
  if (!s.ok()) return s;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::Unavailable("no engine answers on " + path + " (" + why + ")");
  }
  std::string line;
  const bool done = WriteAll(fd, request.dump() + "\n") && ReadLine(fd, &line);
  ::close(fd);
  if (!done) return Status::IoError("the engine on " + path + " closed the control socket");
  *answer = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!answer->is_object()) return Status::IoError("the engine's answer is not JSON: " + line);
  return Status::Ok();
}

}  // namespace caseengine
