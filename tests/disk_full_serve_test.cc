// A full disk under a real `caseengine serve`: the test mounts a 20 MB tmpfs of its own,
// serves a data folder on it, and fills it. Commands answer 507 problem+json, reads,
// /healthz and /metrics go on, and the process lives; once the filler is removed,
// commands go through again by themselves, everything acknowledged is there and the
// chain verifies; a backup taken while the disk is full restores with everything
// acknowledged before it. Skipped, with a warning, where a tmpfs cannot be mounted (not root).
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/http_test_support.h"

namespace caseengine::testing {
namespace {

// A tmpfs mounted on `path` for the life of this object.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, const char* size) : path_(path) {
    std::filesystem::create_directories(path);
    const std::string options = std::string("size=") + size;
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

// Writes a file until the disk is full; how many bytes went in.
size_t Fill(const std::string& file) {
  FILE* f = std::fopen(file.c_str(), "wb");
  if (f == nullptr) return 0;
  const std::string block(64 << 10, 'x');
  size_t written = 0;
  for (;;) {
    const size_t n = std::fwrite(block.data(), 1, block.size(), f);
    written += n;
    if (n < block.size() || std::fflush(f) != 0) break;
  }
  std::fclose(f);
  return written;
}

TEST_CASE(
    "serve on a full disk answers 507 and goes on reading and writes again once space is freed",
    "[http][disk][failure]") {
  TempDir dir;
  const std::string mount_point = dir.Sub("disk");
  if (geteuid() != 0) {
    WARN("skipped: mounting a tmpfs for a full disk needs root");
    return;
  }
  SmallDisk disk(mount_point, "20m");
  if (!disk.mounted()) {
    WARN("skipped: cannot mount a tmpfs on " << mount_point << ": " << disk.error());
    return;
  }
  // Declared after the disk: stopped before it is unmounted.
  auto server = std::make_unique<ServerProcess>(mount_point + "/data");
  HttpClient officer = server->Client();
  HttpClient auditor = server->Client("demo-auditor");
  std::vector<std::string> acknowledged;  // client ids
  for (int i = 0; i < 20; ++i) acknowledged.push_back(Register(officer, "Before")["client_id"]);

  const std::string filler = mount_point + "/filler";
  REQUIRE(Fill(filler) > 0);
  // Commands until one is refused: the WAL may still have had room for a few.
  HttpAnswer refused;
  std::string refused_key;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "full-" + std::to_string(i);
    HttpAnswer a =
        officer.Post("/clients", {{"surname", "During"}, {"date_of_birth", "1980-01-01"}},
                     {{"Idempotency-Key", key}});
    REQUIRE(a.status != 0);  // the server answers, and lives
    if (a.status == 201) {
      acknowledged.push_back(a.json["client_id"]);
      continue;
    }
    refused = a;
    refused_key = key;
    break;
  }
  CheckProblem(refused, 507, "/problems/storage-full");
  CHECK(refused.Header("Retry-After") == "5");
  // The next commands are refused the same way, without touching the disk.
  for (int i = 0; i < 5; ++i) {
    CheckProblem(officer.Post("/clients", {{"surname", "Again"}, {"date_of_birth", "1980-01-01"}}),
                 507, "/problems/storage-full");
  }
  // Reads, /healthz and /metrics go on.
  const HttpAnswer health = officer.Get("/healthz");
  CHECK(health.status == 503);
  CHECK(health.json.value("writes", "") == "storage-full");
  CHECK(health.json.value("status", "") == "failing");
  CHECK(officer.Get("/clients/" + acknowledged.front()).status == 200);
  CHECK(officer.Get("/cases?limit=5").status == 200);
  const HttpAnswer metrics = officer.Get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("caseengine_writes_stopped 1") != std::string::npos);
  CHECK(::kill(server->pid(), 0) == 0);
  // A backup to another disk goes on as well (before anyone frees space, an operator may
  // want one), and holds everything acknowledged so far.
  const std::vector<std::string> backed_up = acknowledged;
  std::string backup_output;
  CHECK(RunCommand({CASEENGINE_PATH, "backup", "--data", mount_point + "/data", "--to",
                    dir.Sub("backups")},
                   &backup_output) == 0);
  INFO(backup_output);

  // Space comes back: the engine writes again by itself, and the refused command, retried
  // with its key, goes through once.
  std::filesystem::remove(filler);
  HttpAnswer retried;
  for (int i = 0; i < 300; ++i) {
    retried = officer.Post("/clients", {{"surname", "During"}, {"date_of_birth", "1980-01-01"}},
                           {{"Idempotency-Key", refused_key}});
    if (retried.status == 201) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(retried.body);
  REQUIRE(retried.status == 201);
  acknowledged.push_back(retried.json["client_id"]);
  for (int i = 0; i < 5; ++i) acknowledged.push_back(Register(officer, "After")["client_id"]);
  // The read models go on too, a moment later: /healthz says ok once they have.
  HttpAnswer healthy;
  for (int i = 0; i < 300; ++i) {
    healthy = officer.Get("/healthz");
    if (healthy.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(healthy.body);
  CHECK(healthy.status == 200);
  CHECK(healthy.json.value("writes", "") == "ok");
  CHECK(healthy.json.value("recoveries", 0) >= 1);
  CHECK(officer.Get("/metrics").body.find("caseengine_writes_stopped 0") != std::string::npos);

  // Everything acknowledged is there, the read models caught up, the chain whole.
  for (const std::string& id : acknowledged) {
    INFO(id);
    CHECK(officer.Get("/clients/" + id).status == 200);
  }
  CHECK(officer.Get(WithMin(LogHead(server->port()), "/clients?q=After")).status == 200);
  const HttpAnswer verified = auditor.Get("/audit/verify");
  INFO(verified.body);
  CHECK(verified.status == 200);
  CHECK(verified.json.value("ok", false));

  CHECK(server->StopWithin(60) == 0);
  server.reset();
  std::string output;
  CHECK(RunCommand({CASEREPLAY_PATH, "verify", "--data", mount_point + "/data"}, &output) == 0);
  INFO(output);

  // The backup taken while the disk was full restores, verified, with what it held.
  const std::string restored = dir.Sub("restored");
  REQUIRE(RunCommand({CASEENGINE_PATH, "restore", "--from", dir.Sub("backups"), "--data", restored},
                     &output) == 0);
  std::filesystem::copy_file(mount_point + "/data.kek", restored + ".kek");
  ServerProcess again(restored);
  HttpClient reader = again.Client();
  for (const std::string& id : backed_up) CHECK(reader.Get("/clients/" + id).status == 200);
}

}  // namespace
}  // namespace caseengine::testing
