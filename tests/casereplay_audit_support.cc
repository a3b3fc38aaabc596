#include "tests/casereplay_audit_support.h"

#include <fcntl.h>
#include <rocksdb/options.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <sstream>
#include <thread>
#include <utility>

#include "base/time_format.h"
#include "events/log_format.h"
#include "events/log_store.h"
#include "projections/projection_runner.h"

namespace caseengine::testing::casereplay_audit {

const DomainConfig& DemoConfig() {
  static const DomainConfig config = DomainConfig::Demo();
  return config;
}

std::string Clip(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n) + "\n[... " + std::to_string(s.size() - n) + " more]";
}

std::ostream& operator<<(std::ostream& os, const Ran& r) {
  return os << "exit " << r.status << "\n--- stdout:\n"
            << Clip(r.out) << "\n--- stderr:\n"
            << Clip(r.err);
}

Ran RunApart(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string err_name = fs::temp_directory_path().string() + "/casereplay-stderr-XXXXXX";
  const int err_fd = mkostemp(err_name.data(), O_CLOEXEC);
  REQUIRE(err_fd >= 0);
  unlink(err_name.c_str());
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(err_fd, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  Ran r;
  std::array<char, 65536> buf;
  ssize_t n;
  while ((n = read(fds[0], buf.data(), buf.size())) > 0) r.out.append(buf.data(), n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  lseek(err_fd, 0, SEEK_SET);
  while ((n = read(err_fd, buf.data(), buf.size())) > 0) r.err.append(buf.data(), n);
  close(err_fd);
  return r;
}

Ran Casereplay(const std::vector<std::string>& args) {
  std::vector<std::string> argv{CASEREPLAY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunApart(argv);
}

std::string Ok(const std::vector<std::string>& args) {
  Ran r = Casereplay(args);
  INFO("casereplay " << args[0] << ": " << r);
  REQUIRE(r.status == 0);
  return r.out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

json ParseObject(const std::string& text) {
  INFO("parsing: " << Clip(text));
  json j;
  REQUIRE_NOTHROW(j = json::parse(text));
  REQUIRE(j.is_object());
  return j;
}

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  for (const auto& line : Lines(text)) {
    if (line.empty()) continue;
    out.push_back(ParseObject(line));
  }
  return out;
}

std::string Hex(const Hash256& h) { return HexEncode(AsBytes(h)); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsRfc3339(const std::string& s) {
  static const std::regex re(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
      "$");
  return std::regex_match(s, re);
}

int64_t Instant(const std::string& s) {
  int64_t micros = 0;
  INFO("instant " << s);
  REQUIRE(ParseInstant(s, &micros));
  return micros;
}

std::map<std::string, std::string> FolderHashes(const std::string& dir) {
  return testing::FolderSnapshot(dir);
}

std::unique_ptr<Engine> OpenEngine(const std::string& dir) {
  EngineOptions options;
  options.dir = dir;
  options.config = &DemoConfig();
  options.commands.today = [] { return std::string(testing::DomainFixture::kToday); };
  options.kek = testing::KekFor(dir);
  std::unique_ptr<Engine> engine;
  Status s = Engine::Open(options, &engine);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return engine;
}

json LiveState(Engine& engine, const std::string& stream) {
  std::string_view id_view;
  const StreamKind kind = ParseStream(stream, &id_view);
  const std::string id(id_view);
  Status s;
  json j;
  if (kind == StreamKind::kClient) {
    ClientState st;
    s = engine.commands().ReadClient(id, &st);
    j = ClientToJson(st);
  } else if (kind == StreamKind::kCase) {
    CaseState st;
    s = engine.commands().ReadCase(id, &st);
    j = CaseToJson(st);
  } else if (kind == StreamKind::kLobby) {
    LobbyState st;
    s = engine.commands().ReadLobby(id, &st);
    j = LobbyToJson(st);
  } else {
    FAIL("not an aggregate's stream: " << stream);
  }
  INFO(stream << ": " << s.ToString());
  REQUIRE(s.ok());
  return j;
}

Workload RunWorkload(Engine& engine, int commands, uint32_t seed) {
  Workload w;
  KnownIds known;
  std::mt19937 rng(seed);
  const DomainConfig& config = DemoConfig();
  for (int i = 0; i < commands; ++i) {
    Command c;
    std::string user = "supervisor";
    if (i % 11 == 5) {
      ReceiveReferral r;
      r.source = "self";
      r.personal.surname = "Referred" + std::to_string(i);
      r.personal.postcode = "AB1 " + std::to_string(i % 10) + "CD";
      c = r;
      user = "officer";
    } else if (i % 11 == 8 && !w.lobby.empty()) {
      const std::string lobby = w.lobby[rng() % w.lobby.size()];
      switch (rng() % 3) {
        case 0:
          c = ClaimLobbyRecord{lobby};
          break;
        case 1:
          c = AssignLobbyRecord{lobby, known.Pick(known.clients, rng)};
          break;
        default:
          c = CreateClientFromLobby{lobby};
      }
    } else {
      c = RandomCommand(known, rng);
      if (i % 5 == 0) user = "admin";
    }
    CommandResult r = engine.commands().Execute(config.users.at(user), std::move(c));
    INFO(r.status.ToString());
    REQUIRE(r.status.ok());
    if (r.rejected || r.unchanged) {
      w.refused++;
      continue;
    }
    w.accepted++;
    if (r.response.contains("client_id")) {
      known.Add(known.clients, r.response["client_id"]);
      w.clients.push_back(r.response["client_id"]);
    }
    if (r.response.contains("case_id")) {
      known.Add(known.cases, r.response["case_id"]);
      w.cases.push_back(r.response["case_id"]);
    }
    if (r.response.contains("lobby_id")) w.lobby.push_back(r.response["lobby_id"]);
    const uint64_t head = engine.log().HeadPosition();
    REQUIRE(head == r.position);
    for (const StreamVersion& v : r.versions) {
      w.snaps.push_back({v.stream, head, LiveState(engine, v.stream)});
    }
  }
  return w;
}

void WaitForReadModels(Engine& engine) {
  const uint64_t head = engine.log().HeadPosition();
  const uint64_t applied = engine.runner().WaitForApplied(head, std::chrono::seconds(300));
  INFO(engine.runner().error().ToString());
  REQUIRE(applied >= head);
  REQUIRE(engine.runner().error().ok());
  // And written: read models kept in memory write their rows every write interval.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (engine.runner().Written() < head && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(engine.runner().Written() >= head);
}

rocksdb::ColumnFamilyHandle* Family(Families& f, const std::string& name) {
  return testing::RawFamily(f, name);
}

std::string RawGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& key) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), family, key, &value);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return value;
}

void RawPut(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& key,
            const std::string& value) {
  REQUIRE(db->Put(rocksdb::WriteOptions(), family, key, value).ok());
}

void RawDelete(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& key) {
  REQUIRE(db->Delete(rocksdb::WriteOptions(), family, key).ok());
}

size_t PayloadByte(const std::string& envelope) {
  EventView view;
  REQUIRE(EventView::Parse(envelope, &view).ok());
  REQUIRE(view.payload().size() > 2);
  return static_cast<size_t>(view.payload().data() - envelope.data()) + view.payload().size() / 2;
}

void FlipPayloadByte(const std::string& dir, uint64_t position) {
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    auto* log = Family(f, log_format::kLogFamily);
    std::string value = RawGet(db, log, log_format::LogKey(position));
    value[PayloadByte(value)] ^= 0x01;
    RawPut(db, log, log_format::LogKey(position), value);
  });
}

VerifyReport VerifyInProcess(const std::string& dir) {
  testing::OpenLog ol;
  Status s = OpenLogFolder(dir, /*read_only=*/true, &ol.store, &ol.log);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return ol.log->VerifyChain(1, 0);
}

json Checkpoint(const std::string& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"checkpoint", "--data", dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return ParseObject(Ok(args));
}

Worked WorkThreeDays(Office& o) {
  Worked w;
  const int64_t d1 = kMonday, d2 = kMonday + kDay, d3 = kMonday + 2 * kDay;
  PersonalFields p;
  p.forenames = "Ada";
  p.email = "ada.harrow@example.org";
  std::tie(w.client, w.kase) = o.Register("officer", "Harrow", d1 + 9 * kHour, p);
  PersonalFields phone;
  phone.phone = "01632 960001";
  o.Do("officer", CorrectClientDetails{w.client, phone}, d1 + 9 * kHour + 1);
  o.Do("officer", AddNote{w.kase, "called, she said \"tomorrow\", then hung up", ""},
       d1 + 11 * kHour);
  std::tie(w.other_client, w.other_case) = o.Register("supervisor", "Okafor", d1 + 16 * kHour);
  o.Do("supervisor", ChangeClientStatus{w.client, "inactive"}, d1 + 23 * kHour + 59 * 60 * kSecond);
  // Day 2.
  o.Do("officer", AddClientToGroup{w.client, "families"}, d2);  // exactly midnight
  o.Do("admin", AssignNavigator{w.client, "supervisor"}, d2 + 8 * kHour);
  o.Do("supervisor", ChangeCaseNumber{w.client, "HX-2025-001"}, d2 + 10 * kHour);
  o.Do("officer", CreateAction{w.kase, "Check ID", "2025-12-01", ""}, d2 + 10 * kHour + 7);
  o.Do("supervisor", AssignOfficer{w.kase, "supervisor", "supervisor"}, d2 + 12 * kHour);
  CommandResult lobby = o.Do("officer",
                             ReceiveReferral{"self",
                                             [] {
                                               PersonalFields lp;
                                               lp.surname = "Referred";
                                               lp.postcode = "AB1 2CD";
                                               return lp;
                                             }(),
                                             ""},
                             d2 + 14 * kHour);
  w.lobby = lobby.response["lobby_id"];
  o.Do("officer", ClaimLobbyRecord{w.lobby}, d2 + 15 * kHour);
  CommandResult vanishing = o.Do("officer",
                                 ReceiveReferral{"self",
                                                 [] {
                                                   PersonalFields lp;
                                                   lp.surname = "Vanishingly";
                                                   lp.email = "vanishingly@example.org";
                                                   return lp;
                                                 }(),
                                                 ""},
                                 d2 + 15 * kHour + 30 * 60 * kSecond);
  w.removed_lobby = vanishing.response["lobby_id"];
  PersonalFields z;
  z.forenames = "Quentin";
  z.email = "zanzibarova@example.org";
  std::tie(w.erased_client, w.erased_case) =
      o.Register("officer", "Zanzibarova", d2 + 16 * kHour, z);
  o.Do("officer", AddNote{w.erased_case, "Zanzibarova lives with her sister", ""}, d2 + 17 * kHour);
  // Day 3.
  o.Do("officer", OpenCase{w.client}, d3 + 9 * kHour);
  o.Do("supervisor", CloseCase{w.other_case, "housed"}, d3 + 10 * kHour);
  o.Do("supervisor", DeleteClient{w.other_client, DeleteMode::kSoft}, d3 + 11 * kHour);
  o.Do("admin", DeleteClient{w.erased_client, DeleteMode::kErase}, d3 + 12 * kHour);
  o.Do("officer", AddNote{w.kase, "follow-up booked", ""}, d3 + 13 * kHour);
  o.Do("supervisor", ClaimLobbyRecord{w.removed_lobby}, d3 + 14 * kHour);
  o.Do("supervisor", RemoveLobbyRecord{w.removed_lobby}, d3 + 14 * kHour + 1);
  return w;
}

std::string ThreeDaysFolder(const TempDir& tmp) {
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  WorkThreeDays(o);
  return dir;
}

uint64_t WorkThreeDaysIn(const std::string& dir) {
  Office o(dir);
  WorkThreeDays(o);
  return o.log->HeadPosition();
}

std::map<std::string, DiffLine> DiffSummary(const std::string& out) {
  static const std::regex re(
      "^([a-z_]+): A at ([0-9]+), B at ([0-9]+), ([0-9]+) rows?, ([0-9]+) "
      "differences?.*$");
  std::map<std::string, DiffLine> lines;
  for (const auto& line : Lines(out)) {
    std::smatch m;
    if (!std::regex_match(line, m, re)) continue;
    lines[m[1]] = {m[1], std::stoull(m[2]), std::stoull(m[3]), std::stoull(m[4]), std::stoull(m[5]),
                   line};
  }
  return lines;
}

std::string LastLine(const std::string& out) {
  const auto lines = Lines(out);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!it->empty()) return *it;
  }
  return "";
}

uint64_t WorkedFolder(const std::string& dir, int commands, uint32_t seed) {
  auto engine = OpenEngine(dir);
  RunWorkload(*engine, commands, seed);
  WaitForReadModels(*engine);
  const uint64_t head = engine->log().HeadPosition();
  engine.reset();
  return head;
}

}  // namespace caseengine::testing::casereplay_audit
