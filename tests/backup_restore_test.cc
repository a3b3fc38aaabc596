// Online backup and verified restore (caseengine backup / restore, app/backup.h), against
// a real `caseengine serve` taking commands while the backups are taken: every command
// acknowledged before a backup started is in its restore, at or before the backup's
// digest position, and readable with the folder's key-encryption key (which is not in the
// backup); the backups share their table files; a backup whose files or digest were
// changed is refused and leaves no folder.
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/coding.h"
#include "tests/http_test_support.h"

namespace caseengine::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct Acked {
  std::string client_id, surname;
  uint64_t position = 0;
};

// Registers clients as fast as one officer can until stopped; keeps those acknowledged.
class Load {
 public:
  explicit Load(int port) : thread_([this, port] { Run(port); }) {}
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Acked> SoFar() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  void WaitFor(size_t count) {
    while (SoFar().size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int failures() const { return failures_; }

 private:
  void Run(int port) {
    HttpClient officer(port);
    for (int i = 0; !stop_; ++i) {
      const std::string surname = "Backup" + std::to_string(i);
      HttpAnswer a =
          officer.Post("/clients", {{"surname", surname}, {"date_of_birth", "1980-01-01"}});
      if (a.status != 201) {
        failures_++;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      acked_.push_back({a.json.at("client_id"), surname, a.json.at("position")});
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  std::mutex mu_;
  std::vector<Acked> acked_;
  std::thread thread_;
};

// `caseengine backup`'s digest line.
json DigestOf(const std::string& output) {
  const size_t at = output.find("digest: ");
  REQUIRE(at != std::string::npos);
  const size_t end = output.find('\n', at);
  return json::parse(output.substr(at + 8, end - at - 8));
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// The shared table files a backup's meta file lists.
std::set<std::string> SharedFiles(const std::string& backups, int id) {
  std::set<std::string> files;
  std::istringstream meta(Read(backups + "/meta/" + std::to_string(id)));
  for (std::string line; std::getline(meta, line);) {
    if (line.rfind("shared_checksum/", 0) == 0) files.insert(line.substr(0, line.find(' ')));
  }
  return files;
}

int Restore(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv = {CASEENGINE_PATH, "restore"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, output);
}

TEST_CASE("backup under load restores every command acknowledged before it, verified",
          "[backup][process]") {
  TempDir dir;
  const std::string data = dir.Sub("data"), backups = dir.Sub("backups");
  std::string out;
  // A folder with table files already, so that the backups have files to share.
  REQUIRE(RunCommand({CASEENGINE_PATH, "seed", "--data", data, "--clients", "30"}, &out) == 0);

  std::vector<Acked> before_first, before_second;
  json first, second;
  {
    ServerProcess server(data);
    Load load(server.port());
    load.WaitFor(20);
    // Given commands acknowledged, and more coming while the backup is taken
    before_first = load.SoFar();
    REQUIRE(RunCommand({CASEENGINE_PATH, "backup", "--data", data, "--to", backups}, &out) == 0);
    INFO(out);
    CHECK(out.find("taken by the running engine") != std::string::npos);
    first = DigestOf(out);
    load.WaitFor(before_first.size() + 20);
    before_second = load.SoFar();
    REQUIRE(RunCommand({CASEENGINE_PATH, "backup", "--data", data, "--to", backups, "--digest-out",
                        dir.Sub("digest.json")},
                       &out) == 0);
    second = DigestOf(out);
    load.Stop();
    CHECK(load.failures() == 0);
    CHECK(server.Stop() == 0);
  }
  // The backup's position covers every command acknowledged before it started.
  for (const Acked& a : before_first) CHECK(a.position <= first["position"].get<uint64_t>());
  CHECK(second["position"].get<uint64_t>() > first["position"].get<uint64_t>());

  // Both backups are listed, and the second shares the first's table files (incremental).
  REQUIRE(Restore({"--from", backups, "--list"}, &out) == 0);
  CHECK(out.find("backup 1 ") != std::string::npos);
  CHECK(out.find("backup 2 ") != std::string::npos);
  const auto files1 = SharedFiles(backups, 1), files2 = SharedFiles(backups, 2);
  REQUIRE(!files1.empty());
  std::vector<std::string> common;
  std::set_intersection(files1.begin(), files1.end(), files2.begin(), files2.end(),
                        std::back_inserter(common));
  CHECK(!common.empty());
  // The key-encryption key is in none of the backup's files, as text or as bytes.
  const std::string kek_hex = Read(data + ".kek").substr(0, 64);
  std::string kek_bytes;
  REQUIRE(HexDecode(kek_hex, &kek_bytes));
  for (const auto& e : fs::recursive_directory_iterator(backups)) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = Read(e.path().string());
    INFO(e.path());
    CHECK(bytes.find(kek_hex) == std::string::npos);
    CHECK(bytes.find(kek_bytes) == std::string::npos);
  }

  SECTION("the first backup restores, verifies, and serves every client acknowledged before it") {
    const std::string restored = dir.Sub("restored");
    REQUIRE(Restore({"--from", backups, "--backup", "1", "--data", restored}, &out) == 0);
    INFO(out);
    CHECK(out.find("chain verified") != std::string::npos);
    CHECK(!fs::exists(restored + ".restoring"));
    REQUIRE(RunCommand({CASEREPLAY_PATH, "verify", "--data", restored}, &out) == 0);
    // The key-encryption key is not in the backup: it comes from where it is kept.
    fs::copy_file(data + ".kek", restored + ".kek");
    ServerProcess server(restored);
    CHECK(LogHead(server.port()) >= first["position"].get<uint64_t>());
    HttpClient officer = server.Client();
    for (const Acked& a : before_first) {
      const HttpAnswer c = officer.Get("/clients/" + a.client_id);
      REQUIRE(c.status == 200);
      CHECK(c.json["surname"] == a.surname);
    }
    // It takes commands again.
    Done(officer.Post("/clients", {{"surname", "After"}, {"date_of_birth", "1990-01-01"}}), 201);
  }

  SECTION("the newest backup is restored by default, against a digest kept apart") {
    const std::string digest = dir.Sub("digest.json");  // what --digest-out wrote
    CHECK(json::parse(Read(digest))["hash"] == second["hash"]);
    // casereplay reads it too.
    CHECK(RunCommand({CASEREPLAY_PATH, "verify", "--data", data, "--digest", digest}, &out) == 0);
    REQUIRE(Restore({"--from", backups, "--data", dir.Sub("restored"), "--digest", digest}, &out) ==
            0);
    fs::copy_file(data + ".kek", dir.Sub("restored.kek"));
    ServerProcess server(dir.Sub("restored"));
    HttpClient officer = server.Client();
    for (const Acked& a : before_second)
      CHECK(officer.Get("/clients/" + a.client_id).status == 200);
  }

  SECTION("a digest that the restored log does not carry fails verification") {
    json wrong = first;
    wrong["hash"] = std::string(64, 'a');
    Write(dir.Sub("digest.json"), wrong.dump());
    CHECK(Restore({"--from", backups, "--backup", "1", "--data", dir.Sub("restored"), "--digest",
                   dir.Sub("digest.json")},
                  &out) == 1);
    CHECK(out.find("failed verification") != std::string::npos);
    CHECK(!fs::exists(dir.Sub("restored")));
    CHECK(!fs::exists(dir.Sub("restored.restoring")));
  }

  SECTION("a backup whose digest was changed fails verification") {
    const std::string meta_path = backups + "/meta/1";
    std::string meta = Read(meta_path);
    const size_t at = meta.find("metadata ");
    REQUIRE(at != std::string::npos);
    const size_t end = meta.find('\n', at);
    std::string metadata;
    REQUIRE(HexDecode(meta.substr(at + 9, end - at - 9), &metadata));
    json j = json::parse(metadata);
    j["digest"]["hash"] = std::string(64, 'b');
    meta.replace(at + 9, end - at - 9, HexEncode(j.dump()));
    Write(meta_path, meta);
    CHECK(Restore({"--from", backups, "--backup", "1", "--data", dir.Sub("restored")}, &out) == 1);
    INFO(out);
    CHECK(out.find("not the digest's") != std::string::npos);
    CHECK(!fs::exists(dir.Sub("restored")));
  }

  SECTION("a backup whose table file was changed is refused") {
    const std::string victim = backups + "/" + *files1.begin();
    fs::permissions(victim, fs::perms::owner_write, fs::perm_options::add);
    std::string bytes = Read(victim);
    REQUIRE(bytes.size() > 100);
    bytes[bytes.size() / 2] ^= 0x01;
    Write(victim, bytes);
    CHECK(Restore({"--from", backups, "--backup", "1", "--data", dir.Sub("restored")}, &out) == 1);
    INFO(out);
    CHECK(out.find("damaged") != std::string::npos);
    CHECK(!fs::exists(dir.Sub("restored")));
    CHECK(!fs::exists(dir.Sub("restored.restoring")));
  }
}

TEST_CASE("backup of a folder no engine serves is taken offline, and refuses odd places",
          "[backup][process]") {
  TempDir dir;
  const std::string data = dir.Sub("data");
  std::string out;
  REQUIRE(RunCommand({CASEENGINE_PATH, "seed", "--data", data, "--clients", "5"}, &out) == 0);
  // Inside the data folder: every later backup would hold the earlier ones.
  CHECK(RunCommand({CASEENGINE_PATH, "backup", "--data", data, "--to", data + "/b"}, &out) == 2);
  CHECK(out.find("inside the data folder") != std::string::npos);
  // Not a data folder.
  CHECK(RunCommand({CASEENGINE_PATH, "backup", "--data", dir.Sub("none"), "--to", dir.Sub("b")},
                   &out) == 2);
  // Offline, twice, keeping one.
  REQUIRE(RunCommand({CASEENGINE_PATH, "backup", "--data", data, "--to", dir.Sub("b")}, &out) == 0);
  CHECK(out.find("taken by the running engine") == std::string::npos);
  REQUIRE(
      RunCommand({CASEENGINE_PATH, "backup", "--data", data, "--to", dir.Sub("b"), "--keep", "1"},
                 &out) == 0);
  REQUIRE(Restore({"--from", dir.Sub("b"), "--list"}, &out) == 0);
  CHECK(out.find("backup 1 ") == std::string::npos);
  CHECK(out.find("backup 2 ") != std::string::npos);
  // A restore never goes into a folder that holds something.
  CHECK(Restore({"--from", dir.Sub("b"), "--data", data}, &out) == 2);
  CHECK(out.find("not empty") != std::string::npos);
}

// What another user gets from the control socket of a folder opened up to everyone by
// mistake: run in a child that has become `nobody`; the answer line, or "(child exit 2)"
// when it cannot connect at all (another code: it failed otherwise).
std::string AskAsNobody(const std::string& socket_path) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(out[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) ::_exit(2);
    const std::string request = R"({"op":"backup","to":"/tmp/stolen"})"
                                "\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) ::_exit(4);
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0 && ::write(out[1], buf, n) < 0) ::_exit(4);
    ::_exit(0);
  }
  ::close(out[1]);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof(buf))) > 0;) answer.append(buf, n);
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (answer.empty()) {
    answer = WIFEXITED(status)
                 ? "(child exit " + std::to_string(WEXITSTATUS(status)) + ")"
                 : "(child killed by signal " + std::to_string(WTERMSIG(status)) + ")";
  }
  return answer;
}

TEST_CASE("the control socket takes requests from the engine's own user alone",
          "[backup][process]") {
  if (::geteuid() != 0) {
    WARN("skipped: becoming another user needs root");
    return;
  }
  TempDir dir;
  const std::string data = dir.Sub("data");
  ServerProcess server(data);
  const std::string socket_path = data + "/control.sock";
  REQUIRE(fs::exists(socket_path));
  // The engine refuses what the command refuses, with the same exit status.
  std::string out;
  CHECK(RunCommand({CASEENGINE_PATH, "backup", "--data", data, "--to", data + "/b"}, &out) == 2);
  CHECK(out.find("could not take the backup") != std::string::npos);
  CHECK(out.find("inside the data folder") != std::string::npos);
  // The folder is the engine's alone: another user cannot reach the socket at all.
  CHECK(AskAsNobody(socket_path) == "(child exit 2)");
  // Opened up by mistake, the socket still refuses them, and nothing is written.
  fs::permissions(dir.path(), fs::perms::all);
  fs::permissions(data, fs::perms::all);
  fs::permissions(socket_path, fs::perms::all);
  const std::string answer = AskAsNobody(socket_path);
  INFO(answer);
  CHECK(answer.find("\"ok\":false") != std::string::npos);
  CHECK(answer.find("only the engine's own user") != std::string::npos);
  CHECK(!fs::exists("/tmp/stolen"));
  // The socket goes with the engine.
  CHECK(server.Stop() == 0);
  CHECK(!fs::exists(socket_path));
}

}  // namespace
}  // namespace caseengine::testing
