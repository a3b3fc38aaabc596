// The engine's control socket: a Unix socket in the data folder (DIR/control.sock) on
// which a running `caseengine serve` takes requests that need the open database and must
// not go over the network: today, "take a backup" (`caseengine backup`, app/backup.h).
//
// Who may ask: the socket is in the data folder, which is for the engine's user alone
// (mode 0700), and each connection's peer is checked (SO_PEERCRED): the engine's own user
// or root, nobody else. Nothing on it is reachable from the HTTP API, and it needs no
// token: a backup writes to a path on the engine's machine, which only someone who could
// read the data folder anyway may name.
//
// Protocol: one request per connection, one JSON object on one line; one answer, one JSON
// object on one line: {"ok": true, ...} or {"ok": false, "error": "..."}.
//   {"op": "backup", "to": "/abs/backup/folder", "keep": N}
//     -> {"ok": true, "backup_id": 3, "to": ..., "digest": {...}}
//     or {"ok": false, "error": "...", "exit": 1 or 2} (caseengine backup's exit status)
//
// Invariants: requests are served one at a time, in the order they connect (a second
// backup waits for the first: one writer per backup folder); the socket file is removed
// when the server stops, and a stale one (a crash) is replaced at the next start (the
// engine holds the folder's lock, so no other engine serves it).
//
// Threading: one thread of its own accepts and serves; Start and Stop from one thread.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "base/status.h"

namespace caseengine {

class Engine;

// The control socket's path for a data folder.
std::string ControlSocketPath(const std::string& data_dir);

class ControlServer {
 public:
  explicit ControlServer(Engine* engine);
  ~ControlServer();  // Stop
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds the socket and starts serving. An error leaves the engine without one (a path
  // too long for a Unix socket, a folder it cannot write).
  Status Start();
  // Stops taking connections; a request being served is finished first.
  void Stop();

 private:
  void Loop();
  nlohmann::json Serve(const nlohmann::json& request);

  Engine* engine_;
  std::string path_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe whose write end Stop closes to wake the loop
  std::thread thread_;
};

// Sends `request` to the engine serving `data_dir` and reads its answer. Unavailable
// when no engine listens there (no socket, or nobody behind it); the answer's own error
// is the caller's to read.
Status CallControl(const std::string& data_dir, const nlohmann::json& request,
                   nlohmann::json* answer);

}  // namespace caseengine
