// The auditor's tools of docs/auditing.md, driven as the real `casereplay` process on data
// folders written through the real command path (an Engine, or a CommandService over a
// log whose clock the test sets): digests (`checkpoint`, `verify --digest`) against logs
// that were extended, cut back or rewritten and re-hashed; `history` of a stream, with
// erasure; `state` equal to the live state at every position of a random workload;
// `rebuild` and `diff` of the read models; the activity `export`; and every command
// leaving the folder untouched, also beside an engine that has it open.
//
// casereplay runs with its stdout and stderr captured apart, so that what a command prints
// (JSON, CSV) is parsed without the diagnostics.
#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/command_service.h"
#include "aggregates/config.h"
#include "aggregates/key_store.h"
#include "aggregates/state_json.h"
#include "aggregates/state_reader.h"
#include "base/sha256.h"
#include "base/time_format.h"
#include "events/event_log.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "events/log_store.h"
#include "app/engine.h"
#include "projections/projection_runner.h"
#include "projections/read_models.h"
#include "storage/rocks_store.h"
#include "tests/domain_fixture.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::KnownIds;
using testing::RandomCommand;
using testing::TempDir;

constexpr int64_t kSecond = 1000000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
// 2025-11-24T00:00:00Z, a Monday: the day the clocked tests start.
constexpr int64_t kMonday = 1763942400LL * kSecond;
const std::string kZeros(64, '0');

const std::vector<std::string>& ReadModelNames() {
  static const std::vector<std::string> names{"case_list",     "case_officers", "case_people",
                                              "client_search", "lobby_queue",   "journal",
                                              "case_history",  "audit_trail"};
  return names;
}

const DomainConfig& DemoConfig() {
  static const DomainConfig config = DomainConfig::Demo();
  return config;
}

// ---------------------------------------------------------------------------------------
// Running casereplay.

struct Ran {
  int status = -1;
  std::string out, err;
};

std::string Clip(const std::string& s, size_t n = 4000) {
  return s.size() <= n ? s : s.substr(0, n) + "\n[... " + std::to_string(s.size() - n) + " more]";
}

std::ostream& operator<<(std::ostream& os, const Ran& r) {
  return os << "exit " << r.status << "\n--- stdout:\n"
            << Clip(r.out) << "\n--- stderr:\n"
            << Clip(r.err);
}

// Runs argv with stdout on a pipe and stderr in an unlinked temporary file. Everything is
// prepared before fork and the child only execs: safe beside an engine's threads.
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

// Runs a command that must succeed (exit 0); returns its stdout.
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

// ---------------------------------------------------------------------------------------
// Writing data folders.

// A data folder worked through the real command path: the store with every family an
// engine has, a log whose clock is `now` (set by the test), the key store and a handler.
// ReopenReadOnly closes the writer (whose erasures compact the store in the background)
// and reads the folder read-only, for the expected answers, while casereplay runs.
class Office {
 public:
  explicit Office(const std::string& dir, const DomainConfig* config = &DemoConfig())
      : dir_(dir), config_(config) {
    Status s = OpenRocksStore(Engine::StoreOptions(dir, false), &store);
    INFO(s.ToString());
    REQUIRE(s.ok());
    EventLogOptions lo;
    lo.clock = [this] { return now.load(); };
    REQUIRE(EventLog::Open(store.get(), lo, &log).ok());
    kek_ = testing::KekFor(dir);
    REQUIRE(KeyStore::Open(store.get(), &kek_, &keys).ok());
    CommandServiceOptions ho;
    ho.today = [] { return std::string("2025-11-24"); };
    handler = std::make_unique<CommandService>(log.get(), keys.get(), config_, ho);
  }
  ~Office() { Close(); }
  void Close() {
    handler.reset();
    codec_.reset();
    log.reset();
    keys.reset();
    store.reset();
  }
  void ReopenReadOnly() {
    Close();
    Status s = OpenRocksStore(Engine::StoreOptions(dir_, true), &store);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
    REQUIRE(KeyStore::Open(store.get(), &kek_, &keys, /*migrate=*/false).ok());
    codec_ = std::make_unique<EventCodec>(keys.get());
  }
  const EventCodec& codec() const { return handler ? handler->codec() : *codec_; }

  // Runs a command as `user` at instant `at` (0: the current `now`); it must be accepted.
  CommandResult Do(const std::string& user, Command command, int64_t at = 0,
                   const CommandOptions& options = CommandOptions()) {
    if (at != 0) now = at;
    const std::string name = CommandName(command);
    CommandResult r = handler->Execute(config_->users.at(user), std::move(command), options);
    INFO(name << " as " << user << ": " << r.status.ToString() << " " << r.rejection.message);
    REQUIRE(r.ok());
    REQUIRE_FALSE(r.unchanged);
    return r;
  }
  std::pair<std::string, std::string> Register(const std::string& user, const std::string& surname,
                                               int64_t at = 0,
                                               PersonalFields extra = PersonalFields()) {
    RegisterClient c;
    c.personal = std::move(extra);
    c.personal.surname = surname;
    if (!c.personal.date_of_birth) c.personal.date_of_birth = "1980-01-01";
    CommandResult r = Do(user, c, at);
    return {r.response["client_id"], r.response["case_id"]};
  }

  std::vector<RecordedEvent> All() {
    std::vector<RecordedEvent> all;
    REQUIRE(log->ReadAll(1, SIZE_MAX, &all).ok());
    return all;
  }
  std::vector<RecordedEvent> Stream(const std::string& stream) {
    std::vector<RecordedEvent> events;
    REQUIRE(log->ReadStream(stream, 1, SIZE_MAX, &events).ok());
    return events;
  }
  json Fields(const RecordedEvent& r) {
    Event e;
    REQUIRE(codec().Decode(r.type, r.payload, &e).ok());
    return EventFieldsToJson(e);
  }
  // The aggregate as the live API answers it, as of `as_of`; null when it had no events.
  json StateAsOf(const std::string& stream, const AsOf& as_of) {
    std::string_view id;
    Status s;
    json j;
    switch (ParseStream(stream, &id)) {
      case StreamKind::kClient: {
        ClientState st;
        s = ReadState(*log, codec(), stream, stream, as_of, &st);
        if (s.ok()) j = ClientToJson(st);
        break;
      }
      case StreamKind::kCase: {
        CaseState st;
        s = ReadState(*log, codec(), stream, stream, as_of, &st);
        if (s.ok()) j = CaseToJson(st);
        break;
      }
      case StreamKind::kLobby: {
        LobbyState st;
        s = ReadState(*log, codec(), stream, stream, as_of, &st);
        if (s.ok()) j = LobbyToJson(st);
        break;
      }
      default:
        FAIL("not an aggregate's stream: " << stream);
    }
    if (s.code() == Status::Code::kNotFound) return json();
    INFO(s.ToString());
    REQUIRE(s.ok());
    return j;
  }

  std::atomic<int64_t> now{kMonday + 9 * kHour};
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<CommandService> handler;

 private:
  std::string dir_;
  const DomainConfig* config_;
  KeyEncryptionKey kek_;
  std::unique_ptr<EventCodec> codec_;  // when read-only
};

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

// The state of an aggregate's stream as the handler reads it now, in the API's shape.
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

// The live state of a stream right after a command touched it.
struct Snap {
  std::string stream;
  uint64_t position = 0;
  json state;
};

struct Workload {
  std::vector<Snap> snaps;
  std::vector<std::string> clients, cases, lobby;
  int accepted = 0, refused = 0;
};

// Random casework through the engine's handler on this thread, one command at a time, so
// the log's head after each command is that command's last position. Lobby referrals are
// mixed in (claimed, assigned, turned into clients; never removed, which destroys keys).
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

// Waits until the engine's read models have applied its whole log.
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

// ---------------------------------------------------------------------------------------
// Raw RocksDB edits behind the engine's back (see tamper_test.cc).

using Families = testing::RawFamilies;
using testing::RawEdit;

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

// The first `n` (key, value) rows of a family.
std::vector<std::pair<std::string, std::string>> FirstRows(rocksdb::DB* db,
                                                           rocksdb::ColumnFamilyHandle* family,
                                                           size_t n) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid() && rows.size() < n; it->Next()) {
    rows.emplace_back(it->key().ToString(), it->value().ToString());
  }
  REQUIRE(it->status().ok());
  return rows;
}

size_t PayloadByte(const std::string& envelope) {
  EventView view;
  REQUIRE(EventView::Parse(envelope, &view).ok());
  REQUIRE(view.payload().size() > 2);
  return static_cast<size_t>(view.payload().data() - envelope.data()) + view.payload().size() / 2;
}

// Flips a payload byte of the event at `position` (its stored hash left as it was).
void FlipPayloadByte(const std::string& dir, uint64_t position) {
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    auto* log = Family(f, log_format::kLogFamily);
    std::string value = RawGet(db, log, log_format::LogKey(position));
    value[PayloadByte(value)] ^= 0x01;
    RawPut(db, log, log_format::LogKey(position), value);
  });
}

// A forger's rewrite: changes a payload byte of the event at `from`, re-chains every event
// from there to `head` (prev_hash and hash) and rewrites the committed head record, so
// the chain and the folder are consistent again. Returns the new head hash.
Hash256 RewriteAndRehash(const std::string& dir, uint64_t from, uint64_t head) {
  Hash256 prev{};
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    auto* log = Family(f, log_format::kLogFamily);
    auto* meta = Family(f, log_format::kMetaFamily);
    for (uint64_t p = from; p <= head; ++p) {
      std::string value = RawGet(db, log, log_format::LogKey(p));
      EventView view;
      REQUIRE(EventView::Parse(value, &view).ok());
      if (p == from) {
        prev = view.prev_hash();
        value[PayloadByte(value)] ^= 0x01;
      }
      prev = testing::Rechain(&value, prev);
      RawPut(db, log, log_format::LogKey(p), value);
    }
    RawPut(db, meta, log_format::kHeadKey, log_format::CommittedHeadValue(head, prev));
  });
  return prev;
}

// Cuts the log back to `keep` events and rewrites the committed head record to match, so
// the folder holds exactly the log as it stood then.
void CutBackTo(const std::string& dir, uint64_t keep, uint64_t head) {
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    auto* log = Family(f, log_format::kLogFamily);
    auto* meta = Family(f, log_format::kMetaFamily);
    EventView view;
    const std::string last = RawGet(db, log, log_format::LogKey(keep));
    REQUIRE(EventView::Parse(last, &view).ok());
    for (uint64_t p = keep + 1; p <= head; ++p) RawDelete(db, log, log_format::LogKey(p));
    RawPut(db, meta, log_format::kHeadKey, log_format::CommittedHeadValue(keep, view.hash()));
  });
}

VerifyReport VerifyInProcess(const std::string& dir) {
  testing::OpenLog ol;
  Status s = OpenLogFolder(dir, /*read_only=*/true, &ol.store, &ol.log);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return ol.log->VerifyChain(1, 0);
}

// ---------------------------------------------------------------------------------------
// Reading casereplay's answers.

// `casereplay checkpoint` (extra arguments appended): the digest it prints.
json Checkpoint(const std::string& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"checkpoint", "--data", dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return ParseObject(Ok(args));
}

// The hash `casereplay verify --to N` reports for position N.
std::string VerifiedHashAt(const std::string& dir, uint64_t n) {
  const std::string out = Ok({"verify", "--data", dir, "--to", std::to_string(n)});
  INFO(out);
  std::smatch m;
  static const std::regex at("hash at ([0-9]+): ([0-9a-f]{64})");
  static const std::regex head("head position: ([0-9]+)\nhead hash: ([0-9a-f]{64})");
  if (std::regex_search(out, m, at) || std::regex_search(out, m, head)) {
    CHECK(std::stoull(m[1]) == n);
    return m[2];
  }
  FAIL("verify --to " << n << " printed no hash");
  return "";
}

// The dump of a folder (or one stream) by position.
std::map<uint64_t, json> DumpByPosition(const std::string& dir, const std::string& stream = "") {
  std::vector<std::string> args{"dump", "--data", dir};
  if (!stream.empty()) {
    args.push_back("--stream");
    args.push_back(stream);
  }
  std::map<uint64_t, json> out;
  for (json& j : JsonLines(Ok(args))) {
    const uint64_t position = j["position"].get<uint64_t>();
    out[position] = std::move(j);
  }
  return out;
}

// One heading and its field lines of `history` text.
struct TextEvent {
  std::string heading;
  std::map<std::string, std::string> fields;  // name -> value as printed
};

std::vector<TextEvent> ParseHistoryText(const std::string& out) {
  std::vector<TextEvent> events;
  for (const auto& line : Lines(out)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      events.push_back({line, {}});
      continue;
    }
    INFO("line: " << line);
    REQUIRE(!events.empty());
    REQUIRE(line.rfind("  ", 0) == 0);
    const size_t colon = line.find(": ", 2);
    REQUIRE(colon != std::string::npos);
    const std::string name = line.substr(2, colon - 2);
    CHECK(events.back().fields.count(name) == 0);
    events.back().fields[name] = line.substr(colon + 2);
  }
  return events;
}

// A text field's printed value against the decoded value: strings as they are (or as a
// JSON string), nested values as JSON, erased personal fields as "erased".
void CheckTextValue(const std::string& name, const std::string& printed, const json& expected) {
  INFO("field " << name << ": printed " << printed << ", expected " << expected.dump());
  if (name == "personal" && expected == json{{"erased", true}}) {
    CHECK(printed == "erased");
  } else if (expected.is_string()) {
    CHECK((printed == expected.get<std::string>() || printed == expected.dump()));
  } else {
    json parsed;
    try {
      parsed = json::parse(printed);
    } catch (const std::exception&) {
      FAIL_CHECK("not JSON");
      return;
    }
    CHECK(parsed == expected);
  }
}

// Checks `history` of one stream, in both forms, against the log read in process.
void CheckHistory(Office& office, const std::string& dir, const std::string& stream) {
  INFO("history of " << stream);
  const auto expected = office.Stream(stream);
  REQUIRE(!expected.empty());
  const auto dump = DumpByPosition(dir, stream);
  REQUIRE(dump.size() == expected.size());

  const auto jsonl =
      JsonLines(Ok({"history", "--data", dir, "--stream", stream, "--format", "jsonl"}));
  REQUIRE(jsonl.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const RecordedEvent& r = expected[i];
    const json& j = jsonl[i];
    INFO(j.dump());
    const json& d = dump.at(r.position);
    for (const char* field : {"position", "stream", "version", "type", "recorded_at", "actor",
                              "command_id", "correlation_id", "causation_id"}) {
      INFO("field " << field);
      REQUIRE(j.contains(field));
      CHECK(j[field] == d[field]);
    }
    CHECK(j["position"] == r.position);
    CHECK(j["version"] == r.version);
    CHECK(j["type"] == r.type);
    CHECK(j["actor"] == r.actor);
    CHECK(Instant(j["recorded_at"]) == r.recorded_at);
    CHECK_FALSE(j.contains("payload_base64"));
    CHECK_FALSE(j.contains("hash"));
    CHECK_FALSE(j.contains("prev_hash"));
    REQUIRE(j.contains("data"));
    CHECK(j["data"] == office.Fields(r));
  }

  // Text is the default form.
  const std::string text = Ok({"history", "--data", dir, "--stream", stream});
  CHECK(text == Ok({"history", "--data", dir, "--stream", stream, "--format", "text"}));
  const auto blocks = ParseHistoryText(text);
  REQUIRE(blocks.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const RecordedEvent& r = expected[i];
    const json& d = dump.at(r.position);
    CHECK(blocks[i].heading == "#" + std::to_string(r.position) + " v" + std::to_string(r.version) +
                                   " " + d["recorded_at"].get<std::string>() + " " + r.actor + " " +
                                   r.type);
    const json data = office.Fields(r);
    std::set<std::string> printed, wanted;
    for (const auto& [name, value] : blocks[i].fields) printed.insert(name);
    for (const auto& [name, value] : data.items()) wanted.insert(name);
    CHECK(printed == wanted);
    for (const auto& [name, value] : data.items()) {
      auto it = blocks[i].fields.find(name);
      if (it != blocks[i].fields.end()) CheckTextValue(name, it->second, value);
    }
  }
}

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180) as a strict reader: quoted cells may hold commas, quotes (doubled) and line
// breaks; a quote anywhere else is an error.

bool ParseCsv(const std::string& text, std::vector<std::vector<std::string>>* rows,
              std::string* error) {
  rows->clear();
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, was_quoted = false;
  auto end_cell = [&] {
    row.push_back(cell);
    cell.clear();
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        cell.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
        if (i + 1 < text.size() && text[i + 1] != ',' && text[i + 1] != '\n' &&
            text[i + 1] != '\r') {
          *error = "text after a closing quote at byte " + std::to_string(i);
          return false;
        }
      }
      continue;
    }
    if (c == '"') {
      if (!cell.empty() || was_quoted) {
        *error = "a quote inside an unquoted cell at byte " + std::to_string(i);
        return false;
      }
      quoted = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_cell();
      rows->push_back(std::move(row));
      row.clear();
    } else {
      cell.push_back(c);
    }
  }
  if (quoted) {
    *error = "an unterminated quoted cell";
    return false;
  }
  if (!cell.empty() || !row.empty() || was_quoted) {
    end_cell();
    rows->push_back(std::move(row));
  }
  return true;
}

const char* kCsvHeader = "position,recorded_at,actor,stream,type,command_id,details";

// The rows of an export in CSV (the header checked and dropped).
std::vector<std::vector<std::string>> CsvRows(const std::string& out) {
  INFO("csv:\n" << Clip(out));
  REQUIRE(!out.empty());
  const std::string first = Lines(out)[0];
  CHECK(first == kCsvHeader);
  std::vector<std::vector<std::string>> rows;
  std::string error;
  const bool parsed = ParseCsv(out, &rows, &error);
  INFO(error);
  REQUIRE(parsed);
  REQUIRE(!rows.empty());
  rows.erase(rows.begin());
  for (const auto& row : rows) {
    INFO("row of " << row.size() << " cells: " << (row.empty() ? "" : row[0]));
    REQUIRE(row.size() == 7);
  }
  return rows;
}

// Checks export rows against the events expected, in order.
void CheckExportRows(Office& office, const std::vector<std::vector<std::string>>& rows,
                     const std::vector<RecordedEvent>& expected) {
  std::vector<uint64_t> got, want;
  for (const auto& row : rows) got.push_back(std::stoull(row[0]));
  for (const auto& r : expected) want.push_back(r.position);
  REQUIRE(got == want);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const RecordedEvent& r = expected[i];
    INFO("position " << r.position);
    CHECK(IsRfc3339(row[1]));
    CHECK(Instant(row[1]) == r.recorded_at);
    CHECK(row[2] == r.actor);
    CHECK(row[3] == r.stream);
    CHECK(row[4] == r.type);
    CHECK(row[5] == r.command_id);
    json details;
    REQUIRE_NOTHROW(details = json::parse(row[6]));
    CHECK(details == office.Fields(r));
    CHECK_FALSE(Contains(row[6], "\n"));  // compact
  }
}

std::vector<RecordedEvent> Between(const std::vector<RecordedEvent>& all, int64_t from,
                                   int64_t to) {
  std::vector<RecordedEvent> out;
  for (const auto& r : all) {
    if (r.recorded_at >= from && r.recorded_at <= to) out.push_back(r);
  }
  return out;
}

// A folder with three days of casework by several users, clock known to the microsecond:
// registrations, corrections, notes (one holding a comma and quotes), actions, a lobby
// referral, a soft deletion and an erasure. Returns the ids of the first client and case.
struct Worked {
  std::string client, kase, other_client, other_case, erased_client, erased_case, lobby;
  std::string removed_lobby;  // removed: its key destroyed
};

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

// A data folder "data" in `tmp` after WorkThreeDays, closed.
std::string ThreeDaysFolder(const TempDir& tmp) {
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  WorkThreeDays(o);
  return dir;
}

// Three days of work in `dir`, closed; the log's head.
uint64_t WorkThreeDaysIn(const std::string& dir) {
  Office o(dir);
  WorkThreeDays(o);
  return o.log->HeadPosition();
}

// The folder is a sound log up to `head` on its own: in process and for casereplay.
void CheckChainSound(const std::string& dir, uint64_t head) {
  const VerifyReport r = VerifyInProcess(dir);
  INFO(r.reason);
  REQUIRE(r.ok);
  CHECK(r.last_position == head);
  const Ran plain = Casereplay({"verify", "--data", dir});
  INFO(plain);
  CHECK(plain.status == 0);
}

// casereplay verify --digest names the mismatch and never says the digest is ok.
void CheckDigestMismatch(const std::string& dir, const std::string& digest) {
  const Ran ran = Casereplay({"verify", "--data", dir, "--digest", digest});
  INFO(ran);
  CHECK(ran.status == 1);
  CHECK(Contains(ran.out, "digest MISMATCH: "));
  CHECK_FALSE(Contains(ran.out, "digest ok"));
}

}  // namespace

// =======================================================================================
// Digests: checkpoint.

TEST_CASE("casereplay checkpoint prints the digest of the head with the documented fields",
          "[audit][checkpoint]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::vector<RecordedEvent> all;
  VerifyReport report;
  {
    Office o(dir);
    WorkThreeDays(o);
    all = o.All();
    report = o.log->VerifyChain(1, 0);
  }
  REQUIRE(report.ok);
  const uint64_t head = all.size();
  REQUIRE(report.last_position == head);

  const auto before = std::chrono::system_clock::now();
  const Ran ran = Casereplay({"checkpoint", "--data", dir});
  const auto after = std::chrono::system_clock::now();
  INFO(ran);
  REQUIRE(ran.status == 0);
  const json d = ParseObject(ran.out);
  for (const char* field :
       {"format", "log_format", "position", "hash", "recorded_at", "taken_at"}) {
    INFO("field " << field);
    CHECK(d.contains(field));
  }
  CHECK(d["format"] == "caseengine-digest/1");
  CHECK(d["log_format"] == "caseengine-log/1");
  REQUIRE(d["position"].is_number_unsigned());
  CHECK(d["position"] == head);
  CHECK(d["hash"] == Hex(report.last_hash));
  CHECK(d["hash"] == Hex(all.back().hash));
  REQUIRE(d["recorded_at"].is_string());
  CHECK(IsRfc3339(d["recorded_at"]));
  CHECK(Instant(d["recorded_at"]) == all.back().recorded_at);
  REQUIRE(d["taken_at"].is_string());
  CHECK(IsRfc3339(d["taken_at"]));
  auto micros = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  CHECK(Instant(d["taken_at"]) >= micros(before) - 2 * kSecond);
  CHECK(Instant(d["taken_at"]) <= micros(after) + 2 * kSecond);
  // The same as verify reports for the head.
  CHECK(d["hash"] == VerifiedHashAt(dir, head));
}

TEST_CASE("casereplay checkpoint --out writes the digest it prints", "[audit][checkpoint]") {
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const std::string file = tmp.Sub("digest.json");
  const Ran ran = Casereplay({"checkpoint", "--data", dir, "--out", file});
  INFO(ran);
  REQUIRE(ran.status == 0);
  REQUIRE(fs::exists(file));
  const json written = ParseObject(ReadFile(file));
  CHECK(written == ParseObject(ran.out));
  CHECK(written["format"] == "caseengine-digest/1");
  CHECK(written["position"] == Checkpoint(dir)["position"]);
  CHECK(written["hash"] == Checkpoint(dir)["hash"]);
}

TEST_CASE("casereplay checkpoint --at N gives the hash that verify --to N reports",
          "[audit][checkpoint]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::vector<RecordedEvent> all;
  {
    Office o(dir);
    WorkThreeDays(o);
    all = o.All();
  }
  const uint64_t head = all.size();
  REQUIRE(head > 10);
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, head / 2, head - 1, head}) {
    INFO("--at " << n);
    const json d = Checkpoint(dir, {"--at", std::to_string(n)});
    CHECK(d["format"] == "caseengine-digest/1");
    CHECK(d["position"] == n);
    CHECK(d["hash"] == Hex(all[n - 1].hash));
    CHECK(d["hash"] == VerifiedHashAt(dir, n));
    CHECK(Instant(d["recorded_at"]) == all[n - 1].recorded_at);
  }
  {
    const Ran r = Casereplay({"checkpoint", "--data", dir, "--at", std::to_string(head + 1)});
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(Contains(r.out, "caseengine-digest/1"));
  }
}

TEST_CASE("casereplay checkpoint --at 0 certifies position 0 and never the head",
          "[audit][checkpoint]") {
  // Position 0 is the log before its first event, whose digest is 64 zeros: asked for
  // explicitly, that is what --at 0 prints (or it is refused as a usage error), never the
  // digest of another position.
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const Ran r = Casereplay({"checkpoint", "--data", dir, "--at", "0"});
  INFO(r);
  CHECK(r.status == 0);
  if (r.status == 0) {
    const json d = ParseObject(r.out);
    CHECK(d["position"] == 0);
    CHECK(d["hash"] == kZeros);
  }
}

TEST_CASE("casereplay checkpoint of an empty log is position 0 with a hash of 64 zeros",
          "[audit][checkpoint]") {
  TempDir tmp;
  SECTION("a log folder") {
    const std::string dir = tmp.Sub("data");
    {
      testing::OpenLog ol;
      REQUIRE(testing::OpenRocksLog(dir, &ol).ok());
    }
    const json d = Checkpoint(dir);
    CHECK(d["format"] == "caseengine-digest/1");
    CHECK(d["position"] == 0);
    CHECK(d["hash"] == kZeros);
  }
  SECTION("an engine's folder") {
    const std::string dir = tmp.Sub("engine");
    OpenEngine(dir).reset();
    const json d = Checkpoint(dir);
    CHECK(d["position"] == 0);
    CHECK(d["hash"] == kZeros);
  }
}

TEST_CASE("casereplay checkpoint refuses to certify a broken log", "[audit][checkpoint]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const uint64_t head = WorkThreeDaysIn(dir);
  const uint64_t bad = head / 2;
  FlipPayloadByte(dir, bad);
  const std::string file = tmp.Sub("digest.json");

  const std::vector<std::vector<std::string>> variants = {
      {}, {"--at", std::to_string(bad)}, {"--at", std::to_string(head)}, {"--out", file}};
  for (const auto& extra : variants) {
    std::vector<std::string> args{"checkpoint", "--data", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == 1);
    CHECK_FALSE(Contains(r.out, "caseengine-digest/1"));
  }
  CHECK_FALSE(fs::exists(file));
  // The chain before the damage is intact and can still be certified.
  const json d = Checkpoint(dir, {"--at", std::to_string(bad - 1)});
  CHECK(d["position"] == bad - 1);
  CHECK(d["hash"] == VerifiedHashAt(dir, bad - 1));
}

// =======================================================================================
// Digests: verify --digest.

TEST_CASE("casereplay verify --digest accepts a log that extends the digest", "[audit][digest]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string at_head = tmp.Sub("head.json"), at_3 = tmp.Sub("three.json"),
                    empty = tmp.Sub("empty.json");
  const uint64_t first_head = WorkThreeDaysIn(dir);
  Ok({"checkpoint", "--data", dir, "--out", at_head});
  Ok({"checkpoint", "--data", dir, "--at", "3", "--out", at_3});
  {
    // The digest of the log as it was before its first event.
    const std::string blank = tmp.Sub("blank");
    {
      testing::OpenLog ol;
      REQUIRE(testing::OpenRocksLog(blank, &ol).ok());
    }
    Ok({"checkpoint", "--data", blank, "--out", empty});
  }

  SECTION("at its own head") {
    const Ran r = Casereplay({"verify", "--data", dir, "--digest", at_head});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(Contains(r.out, "chain ok\n"));
    // The chain report first, then the digest's line.
    CHECK(r.out.find("chain ok") < r.out.find("digest ok"));
    CHECK(Contains(
        r.out, "digest ok: the log extends the digest at position " + std::to_string(first_head)));
    CHECK_FALSE(Contains(r.out, "MISMATCH"));
  }
  SECTION("after more commands were appended") {
    {
      Office o(dir);
      o.now = kMonday + 5 * kDay;
      auto [client, kase] = o.Register("officer", "Later");
      o.Do("officer", AddNote{kase, "more", ""});
      REQUIRE(o.log->HeadPosition() > first_head + 2);
    }
    for (const auto& [file, position] : std::vector<std::pair<std::string, uint64_t>>{
             {at_head, first_head}, {at_3, 3}, {empty, 0}}) {
      INFO("digest at " << position);
      const Ran r = Casereplay({"verify", "--data", dir, "--digest", file});
      INFO(r);
      CHECK(r.status == 0);
      CHECK(Contains(r.out, "chain ok\n"));
      CHECK(Contains(
          r.out, "digest ok: the log extends the digest at position " + std::to_string(position)));
    }
  }
}

TEST_CASE("a log cut back below a digest and given a matching head record fails verify --digest",
          "[audit][digest]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string digest = tmp.Sub("digest.json");
  const uint64_t head = WorkThreeDaysIn(dir);
  Ok({"checkpoint", "--data", dir, "--out", digest});
  REQUIRE(Casereplay({"verify", "--data", dir, "--digest", digest}).status == 0);

  const uint64_t keep = head - 4;
  CutBackTo(dir, keep, head);
  // On its own the folder is a valid log of `keep` events.
  CheckChainSound(dir, keep);
  CheckDigestMismatch(dir, digest);
}

TEST_CASE("a log changed before a digest and re-hashed to its head fails verify --digest",
          "[audit][digest]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string digest = tmp.Sub("digest.json"), early = tmp.Sub("early.json");
  const uint64_t head = WorkThreeDaysIn(dir);
  const uint64_t changed = head / 2;
  Ok({"checkpoint", "--data", dir, "--out", digest});
  Ok({"checkpoint", "--data", dir, "--at", std::to_string(changed - 1), "--out", early});
  const json before = ParseObject(ReadFile(digest));

  const Hash256 forged = RewriteAndRehash(dir, changed, head);
  CHECK(Hex(forged) != before["hash"].get<std::string>());
  // The forgery is complete: the chain verifies and the engine would open it for writing.
  CheckChainSound(dir, head);
  CheckDigestMismatch(dir, digest);
  // A digest taken before the changed event still matches: the log extends it.
  const Ran old = Casereplay({"verify", "--data", dir, "--digest", early});
  INFO(old);
  CHECK(old.status == 0);
  CHECK(Contains(
      old.out, "digest ok: the log extends the digest at position " + std::to_string(changed - 1)));
}

TEST_CASE("casereplay verify --digest reports a broken chain even when the digest matches",
          "[audit][digest]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string digest = tmp.Sub("digest.json");
  const uint64_t head = WorkThreeDaysIn(dir);
  Ok({"checkpoint", "--data", dir, "--at", "4", "--out", digest});
  // An event after the digest's position changed: the digest still matches, the chain not.
  const uint64_t bad = head - 3;
  FlipPayloadByte(dir, bad);
  const Ran r = Casereplay({"verify", "--data", dir, "--digest", digest});
  INFO(r);
  CHECK(r.status == 1);
  CHECK(Contains(r.out, "chain BROKEN at position " + std::to_string(bad) + ":"));
  CHECK_FALSE(Contains(r.out, "chain ok"));
}

TEST_CASE("casereplay verify refuses a file that is not a digest and --digest with a range",
          "[audit][digest]") {
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const std::string good = tmp.Sub("good.json");
  Ok({"checkpoint", "--data", dir, "--out", good});
  const json g = ParseObject(ReadFile(good));

  std::vector<std::pair<std::string, std::string>> bad = {
      {"not JSON", "this is not a digest\n"},
      {"empty", ""},
      {"an array", "[1,2,3]"},
      {"no hash", json{{"format", "caseengine-digest/1"}, {"position", 3}}.dump()},
      {"no position", json{{"format", "caseengine-digest/1"}, {"hash", g["hash"]}}.dump()},
      {"a short hash",
       [&] {
         json j = g;
         j["hash"] = g["hash"].get<std::string>().substr(1);
         return j.dump();
       }()},
      {"a hash that is not hex",
       [&] {
         json j = g;
         j["hash"] = std::string(64, 'g');
         return j.dump();
       }()},
      {"a position that is not a number",
       [&] {
         json j = g;
         j["position"] = "three";
         return j.dump();
       }()},
      {"another format",
       [&] {
         json j = g;
         j["format"] = "something-else/1";
         return j.dump();
       }()},
  };
  for (const auto& [what, content] : bad) {
    INFO("a digest file with " << what);
    const std::string file = tmp.Sub("bad.json");
    WriteFile(file, content);
    const Ran r = Casereplay({"verify", "--data", dir, "--digest", file});
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  {
    const Ran r = Casereplay({"verify", "--data", dir, "--digest", tmp.Sub("missing.json")});
    INFO(r);
    CHECK(r.status == 2);
  }
  const std::vector<std::vector<std::string>> ranges = {
      {"--from", "2"}, {"--to", "5"}, {"--from", "1", "--to", "5"}};
  for (const auto& range : ranges) {
    std::vector<std::string> args{"verify", "--data", dir, "--digest", good};
    args.insert(args.end(), range.begin(), range.end());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  // The good one is fine.
  CHECK(Casereplay({"verify", "--data", dir, "--digest", good}).status == 0);
  // A folder that is not there cannot be certified.
  const std::string missing = tmp.Sub("nowhere");
  const Ran r = Casereplay({"checkpoint", "--data", missing, "--out", tmp.Sub("d2.json")});
  INFO(r);
  CHECK(r.status == 2);
  CHECK_FALSE(fs::exists(missing));
  CHECK_FALSE(fs::exists(tmp.Sub("d2.json")));
}

// =======================================================================================
// History.

TEST_CASE("casereplay history prints every event of a client stream in order with who and when",
          "[audit][history]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  {
    CommandOptions with_ids;
    with_ids.command_id = "audit-cmd-1";
    with_ids.correlation_id = "corr-42";
    o.Do("officer", AddClientToGroup{w.client, "single-parents"}, kMonday + 4 * kDay, with_ids);
  }
  o.ReopenReadOnly();
  CheckHistory(o, dir, "client-" + w.client);
  // Personal fields are decrypted where the key exists.
  const std::string jsonl =
      Ok({"history", "--data", dir, "--stream", "client-" + w.client, "--format", "jsonl"});
  const auto lines = JsonLines(jsonl);
  REQUIRE(!lines.empty());
  CHECK(lines[0]["type"] == "ClientRegistered");
  CHECK(lines[0]["data"]["personal"]["surname"] == "Harrow");
  CHECK(lines[0]["data"]["personal"]["email"] == "ada.harrow@example.org");
  // The stored command id (the handler keeps each user's ids apart).
  CHECK_THAT(lines.back()["command_id"].get<std::string>(), Catch::EndsWith("audit-cmd-1"));
  CHECK(lines.back()["correlation_id"] == "corr-42");
  const std::string text = Ok({"history", "--data", dir, "--stream", "client-" + w.client});
  CHECK(Contains(text, "Harrow"));
  // The soft-deleted client's history is all there.
  CheckHistory(o, dir, "client-" + w.other_client);
}

TEST_CASE("casereplay history prints every event of a case and a lobby stream in order",
          "[audit][history]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  CheckHistory(o, dir, "case-" + w.kase);
  CheckHistory(o, dir, "case-" + w.other_case);
  CheckHistory(o, dir, "lobby-" + w.lobby);
  const auto lines =
      JsonLines(Ok({"history", "--data", dir, "--stream", "case-" + w.kase, "--format", "jsonl"}));
  bool quoted_note = false;
  for (const auto& j : lines) {
    if (j["type"] == "NoteAdded" && j["data"].contains("personal") &&
        j["data"]["personal"].value("text", "") == "called, she said \"tomorrow\", then hung up") {
      quoted_note = true;
    }
  }
  CHECK(quoted_note);
}

TEST_CASE("casereplay history of a stream without events is exit 2", "[audit][history]") {
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  for (const std::string& stream : {std::string("client-0123456789abcdef"),
                                    std::string("case-nobody"), std::string("lobby-none")}) {
    for (const char* format : {"text", "jsonl"}) {
      const Ran r = Casereplay({"history", "--data", dir, "--stream", stream, "--format", format});
      INFO(stream << " " << format << ": " << r);
      CHECK(r.status == 2);
      CHECK(r.out.empty());
      CHECK_FALSE(r.err.empty());
    }
  }
  const Ran no_stream = Casereplay({"history", "--data", dir});
  INFO(no_stream);
  CHECK(no_stream.status == 2);
  const Ran bad_format =
      Casereplay({"history", "--data", dir, "--stream", "client-x", "--format", "xml"});
  INFO(bad_format);
  CHECK(bad_format.status == 2);
  const Ran missing = Casereplay({"history", "--data", tmp.Sub("nowhere"), "--stream", "case-1"});
  INFO(missing);
  CHECK(missing.status == 2);
  CHECK_FALSE(fs::exists(tmp.Sub("nowhere")));
}

TEST_CASE(
    "after erasure history shows the personal fields as erased and no plaintext of the person "
    "is left in any output",
    "[audit][history][erasure]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string client = "client-" + w.erased_client, kase = "case-" + w.erased_case;

  CheckHistory(o, dir, client);
  CheckHistory(o, dir, kase);

  const auto lines =
      JsonLines(Ok({"history", "--data", dir, "--stream", client, "--format", "jsonl"}));
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0]["type"] == "ClientRegistered");
  CHECK(lines[0]["data"]["personal"] == json{{"erased", true}});
  CHECK(lines.back()["type"] == "ClientDeleted");
  CHECK(lines.back()["actor"] == "admin");
  const auto case_lines =
      JsonLines(Ok({"history", "--data", dir, "--stream", kase, "--format", "jsonl"}));
  bool note_erased = false;
  for (const auto& j : case_lines) {
    if (j["type"] == "NoteAdded") note_erased = j["data"]["personal"] == json{{"erased", true}};
  }
  CHECK(note_erased);
  const std::string text = Ok({"history", "--data", dir, "--stream", client});
  CHECK(Contains(text, "\n  personal: erased\n"));

  // No plaintext anywhere: history, state and the export of everything.
  std::vector<std::vector<std::string>> commands = {
      {"history", "--data", dir, "--stream", client},
      {"history", "--data", dir, "--stream", client, "--format", "jsonl"},
      {"history", "--data", dir, "--stream", kase},
      {"history", "--data", dir, "--stream", kase, "--format", "jsonl"},
      {"state", "--data", dir, "--stream", client},
      {"state", "--data", dir, "--stream", kase},
      {"export", "--data", dir},
      {"export", "--data", dir, "--format", "jsonl"},
  };
  for (const auto& args : commands) {
    const std::string out = Ok(args);
    INFO(args[0] << " " << args.back() << ":\n" << Clip(out));
    CHECK_FALSE(Contains(Lower(out), "zanzibarova"));
    CHECK_FALSE(Contains(out, "Quentin"));
    CHECK_FALSE(Contains(out, "sister"));
  }
  // ... while the others' are still readable.
  CHECK(Contains(Ok({"export", "--data", dir}), "Harrow"));

  // A removed lobby record's key is destroyed too.
  const std::string removed = "lobby-" + w.removed_lobby;
  CheckHistory(o, dir, removed);
  const auto removed_lines =
      JsonLines(Ok({"history", "--data", dir, "--stream", removed, "--format", "jsonl"}));
  REQUIRE(!removed_lines.empty());
  CHECK(removed_lines[0]["type"] == "ReferralReceived");
  CHECK(removed_lines[0]["data"]["personal"] == json{{"erased", true}});
  CHECK(removed_lines.back()["type"] == "LobbyRecordRemoved");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"history", "--data", dir, "--stream", removed},
                                             {"state", "--data", dir, "--stream", removed},
                                             {"export", "--data", dir}}) {
    const std::string out = Ok(args);
    INFO(args[0] << ":\n" << Clip(out));
    CHECK_FALSE(Contains(Lower(out), "vanishingly"));
  }

  // The chain still verifies: the events were never changed, only their key destroyed.
  const Ran v = Casereplay({"verify", "--data", dir});
  INFO(v);
  CHECK(v.status == 0);
  CHECK(Contains(v.out, "chain ok\n"));
}

// =======================================================================================
// State as it was.

TEST_CASE("casereplay state --at equals the live state at that position", "[audit][state]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Workload w;
  {
    auto engine = OpenEngine(dir);
    w = RunWorkload(*engine, 220, 7);
  }
  REQUIRE(w.accepted > 80);
  REQUIRE(w.refused > 10);
  REQUIRE(!w.lobby.empty());
  std::set<std::string> kinds;
  for (const Snap& s : w.snaps) kinds.insert(s.stream.substr(0, s.stream.find('-')));
  CHECK(kinds == std::set<std::string>{"case", "client", "lobby"});

  bool format_checked = false;
  for (const Snap& s : w.snaps) {
    INFO(s.stream << " at " << s.position);
    const Ran r = Casereplay(
        {"state", "--data", dir, "--stream", s.stream, "--at", std::to_string(s.position)});
    INFO(r);
    REQUIRE(r.status == 0);
    const json got = ParseObject(r.out);
    CHECK(got == s.state);
    if (!format_checked) {
      // Printed with two-space indentation.
      std::string trimmed = r.out;
      while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) {
        trimmed.pop_back();
      }
      CHECK(trimmed == got.dump(2));
      format_checked = true;
    }
  }
  // Without --at or --as-of: the state now, which is each stream's last snapshot.
  std::map<std::string, json> last;
  for (const Snap& s : w.snaps) last[s.stream] = s.state;
  int checked = 0;
  for (const auto& [stream, state] : last) {
    if (++checked > 40) break;
    INFO(stream << " now");
    CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) == state);
  }
}

TEST_CASE("casereplay state --as-of shows the aggregate as recorded up to that instant or day",
          "[audit][state]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();

  for (const std::string& stream :
       {"client-" + w.client, "case-" + w.kase, "lobby-" + w.lobby, "client-" + w.other_client}) {
    INFO(stream);
    const auto events = o.Stream(stream);
    REQUIRE(!events.empty());
    for (size_t i = 0; i < events.size(); ++i) {
      const RecordedEvent& e = events[i];
      INFO("event " << e.position << " " << e.type << " at " << FormatMicrosUtc(e.recorded_at));
      const json at_event = o.StateAsOf(stream, AsOf{e.position, 0});
      // At the instant an event was recorded, it is included...
      const json got = ParseObject(Ok(
          {"state", "--data", dir, "--stream", stream, "--as-of", FormatMicrosUtc(e.recorded_at)}));
      CHECK(got == at_event);
      CHECK(got == o.StateAsOf(stream, AsOf{0, e.recorded_at}));
      CHECK(got == ParseObject(Ok({"state", "--data", dir, "--stream", stream, "--at",
                                   std::to_string(e.position)})));
      // ... a microsecond before, it is not.
      if (i > 0 && events[i - 1].recorded_at < e.recorded_at) {
        const json before = ParseObject(Ok({"state", "--data", dir, "--stream", stream, "--as-of",
                                            FormatMicrosUtc(e.recorded_at - 1)}));
        CHECK(before == o.StateAsOf(stream, AsOf{events[i - 1].position, 0}));
      }
    }
    // Neither flag: now.
    CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) ==
          o.StateAsOf(stream, AsOf()));
  }

  const std::string client = "client-" + w.client;
  // A date means the end of that day (UTC): the first day's changes, not the second's
  // (whose first one was recorded at midnight exactly).
  const json day1 =
      ParseObject(Ok({"state", "--data", dir, "--stream", client, "--as-of", "2025-11-24"}));
  CHECK(day1 == o.StateAsOf(client, AsOf{0, kMonday + kDay - 1}));
  CHECK(day1["status"] == "inactive");
  CHECK(day1["groups"] == json::array());
  const json day2 =
      ParseObject(Ok({"state", "--data", dir, "--stream", client, "--as-of", "2025-11-25"}));
  CHECK(day2 == o.StateAsOf(client, AsOf{0, kMonday + 2 * kDay - 1}));
  CHECK(day2["groups"] == json::array({"families"}));
  CHECK(day2["case_number"] == "HX-2025-001");
  // An instant without a fraction, and one with an offset (10:00+01:00 is 09:00Z).
  CHECK(ParseObject(
            Ok({"state", "--data", dir, "--stream", client, "--as-of", "2025-11-25T09:00:00Z"})) ==
        o.StateAsOf(client, AsOf{0, kMonday + kDay + 9 * kHour}));
  CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", client, "--as-of",
                        "2025-11-25T10:00:00+01:00"})) ==
        o.StateAsOf(client, AsOf{0, kMonday + kDay + 9 * kHour}));
}

TEST_CASE("casereplay state of a stream with no events by then is exit 2", "[audit][state]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string stream = "client-" + w.other_client;  // its first event is not position 1
  const auto events = o.Stream(stream);
  REQUIRE(events[0].position > 1);
  const int64_t first = events[0].recorded_at;

  const std::vector<std::vector<std::string>> exit2 = {
      {"state", "--data", dir, "--stream", "client-0123456789abcdef"},
      {"state", "--data", dir, "--stream", "case-nobody", "--at", "5"},
      {"state", "--data", dir, "--stream", stream, "--at", std::to_string(events[0].position - 1)},
      {"state", "--data", dir, "--stream", stream, "--as-of", "2025-11-23"},
      {"state", "--data", dir, "--stream", stream, "--as-of", FormatMicrosUtc(first - 1)},
      {"state", "--data", dir, "--stream", stream, "--as-of", "yesterday"},
      {"state", "--data", dir, "--stream", stream, "--at", "seven"},
      {"state", "--data", dir, "--stream", stream, "--at", "5", "--as-of", "2025-11-26"},
      {"state", "--data", dir},
      {"state", "--data", tmp.Sub("nowhere"), "--stream", stream},
  };
  for (const auto& args : exit2) {
    const Ran r = Casereplay(args);
    INFO(args[args.size() - 2] << " " << args.back() << ": " << r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  // At its first event it exists.
  CHECK(Casereplay({"state", "--data", dir, "--stream", stream, "--at",
                    std::to_string(events[0].position)})
            .status == 0);
  CHECK(Casereplay({"state", "--data", dir, "--stream", stream, "--as-of", FormatMicrosUtc(first)})
            .status == 0);
}

TEST_CASE("casereplay state reads only the stream's own events", "[audit][state]") {
  // An unreadable event of another stream, in the middle of the log, is never read.
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string stream = "client-" + w.client;
  const json expected = o.StateAsOf(stream, AsOf());
  const auto all = o.All();
  const auto own = o.Stream(stream);
  o.Close();
  uint64_t garbage = 0;
  for (const auto& r : all) {
    if (r.stream != stream && r.position > own.front().position &&
        r.position < own.back().position) {
      garbage = r.position;
      break;
    }
  }
  REQUIRE(garbage != 0);
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    RawPut(db, Family(f, log_format::kLogFamily), log_format::LogKey(garbage),
           "not an envelope at all");
  });
  REQUIRE_FALSE(VerifyInProcess(dir).ok);
  CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) == expected);
  CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream, "--as-of", "2025-11-27"})) ==
        expected);
}

TEST_CASE("casereplay state shows the personal fields of an erased client as erased",
          "[audit][state][erasure]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string client = "client-" + w.erased_client;
  const auto events = o.Stream(client);
  REQUIRE(events.size() >= 2);

  const json now = ParseObject(Ok({"state", "--data", dir, "--stream", client}));
  CHECK(now == o.StateAsOf(client, AsOf()));
  CHECK(now["erased"] == true);
  CHECK(now["deleted"] == true);
  for (const char* field : {"surname", "forenames", "email", "date_of_birth"}) {
    CHECK_FALSE(now.contains(field));
  }
  // Before the erasure was recorded the key was there, but it is gone now: the replay
  // cannot show what the person's fields were then either.
  const json then = ParseObject(
      Ok({"state", "--data", dir, "--stream", client, "--at", std::to_string(events[0].position)}));
  CHECK(then == o.StateAsOf(client, AsOf{events[0].position, 0}));
  for (const char* field : {"surname", "forenames", "email", "date_of_birth"}) {
    CHECK_FALSE(then.contains(field));
  }
  CHECK_FALSE(Contains(then.dump(), "Zanzibarova"));
  CHECK(then["erased"] == true);  // what an auditor reads: the details are gone
  CHECK(then["deleted"] == false);
  // A client whose key exists shows them.
  const json kept = ParseObject(Ok({"state", "--data", dir, "--stream", "client-" + w.client}));
  CHECK(kept["surname"] == "Harrow");
  CHECK(kept["erased"] == false);
}

// =======================================================================================
// Rebuild and diff.

namespace {

struct DiffLine {
  std::string name;
  uint64_t a = 0, b = 0, rows = 0, differences = 0;
  std::string line;
};

// The per-read-model lines of a diff, by name.
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

bool SaysDifferences(const std::string& last, uint64_t n) {
  return last == std::to_string(n) + " differences" ||
         (n == 1 && last == std::to_string(n) + " difference");
}

// Printable ASCII as is, other bytes as \xNN (both cases of hex digits accepted by the
// callers, which search for either).
std::string Printable(const std::string& s, bool upper = false) {
  std::string out;
  char buf[8];
  for (unsigned char c : s) {
    if (c >= 0x20 && c <= 0x7e) {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(buf, sizeof buf, upper ? "\\x%02X" : "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

bool ContainsPrintable(const std::string& out, const std::string& prefix, const std::string& raw) {
  return Contains(out, prefix + Printable(raw)) || Contains(out, prefix + Printable(raw, true));
}

// A data folder after a random workload whose read models caught up with its whole log.
uint64_t WorkedFolder(const std::string& dir, int commands, uint32_t seed) {
  auto engine = OpenEngine(dir);
  RunWorkload(*engine, commands, seed);
  WaitForReadModels(*engine);
  const uint64_t head = engine->log().HeadPosition();
  engine.reset();
  return head;
}

}  // namespace

TEST_CASE("a rebuild of the read models from the log equals the live read models",
          "[audit][rebuild]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), into = tmp.Sub("rebuilt");
  const uint64_t head = WorkedFolder(dir, 300, 11);
  REQUIRE(head > 100);

  const Ran rebuild = Casereplay({"rebuild", "--data", dir, "--into", into});
  INFO(rebuild);
  REQUIRE(rebuild.status == 0);
  CHECK(Contains(rebuild.out, std::to_string(head)));  // the events applied
  REQUIRE(fs::is_directory(into));
  {
    // Only read models and their checkpoints: no log, and no data keys.
    std::vector<std::string> families;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), into, &families);
    INFO(s.ToString());
    REQUIRE(s.ok());
    for (const std::string& f : families) {
      INFO("family " << f);
      CHECK((f == "default" || f == kCheckpointsFamily || f.rfind("rm.", 0) == 0));
    }
    for (const std::string& name : ReadModelNames()) {
      CHECK(std::count(families.begin(), families.end(), "rm." + name) == 1);
    }
  }

  const Ran diff = Casereplay({"diff", dir, into});
  INFO(diff);
  CHECK(diff.status == 0);
  CHECK(LastLine(diff.out) == "no differences");
  const auto summary = DiffSummary(diff.out);
  for (const std::string& name : ReadModelNames()) {
    INFO(name);
    REQUIRE(summary.count(name) == 1);
    CHECK(summary.at(name).a == head);
    CHECK(summary.at(name).b == head);
    CHECK(summary.at(name).differences == 0);
  }
  CHECK(summary.at("case_list").rows > 0);
  CHECK(summary.at("audit_trail").rows > 0);
  CHECK_FALSE(Contains(diff.out, "only in"));
  CHECK_FALSE(Contains(diff.out, "differs:"));
  // Either way round.
  const Ran back = Casereplay({"diff", into, dir});
  INFO(back);
  CHECK(back.status == 0);
  CHECK(LastLine(back.out) == "no differences");
}

namespace {

// The read models a rebuild in `dir` marked as under way and did not finish (see
// ProjectionRunner: "rebuilding/" keys in the checkpoints family).
std::vector<std::string> RebuildMarkers(const std::string& dir) {
  RocksStoreOptions options;
  options.path = dir;
  options.read_only = true;
  options.open_all_families = true;
  std::unique_ptr<Store> store;
  Status s = OpenRocksStore(options, &store);
  INFO(s.ToString());
  REQUIRE(s.ok());
  FamilyId family;
  REQUIRE(store->Family(kCheckpointsFamily, &family).ok());
  std::vector<std::string> names;
  auto it = store->NewIterator(family);
  for (it->Seek("rebuilding/"); it->Valid() && it->key().starts_with("rebuilding/"); it->Next()) {
    names.emplace_back(it->key().substr(11));
  }
  return names;
}

}  // namespace

TEST_CASE(
    "a rebuild killed at random moments is finished when the engine next opens and equals "
    "a fresh one",
    "[audit][rebuild][crash]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), fresh = tmp.Sub("fresh");
  const Ran seeded = RunApart({CASEENGINE_PATH, "seed", "--data", dir, "--clients", "1500"});
  INFO(seeded);
  REQUIRE(seeded.status == 0);
  std::mt19937 random(7);
  int killed_mid_rebuild = 0;
  for (int round = 0; round < 30 && killed_mid_rebuild < 3; ++round) {
    int out = -1;
    const pid_t pid =
        testing::SpawnWithStdoutPipe({CASEENGINE_PATH, "rebuild", "--data", dir}, &out);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 1000));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    close(out);
    const std::vector<std::string> marked = RebuildMarkers(dir);
    if (WIFSIGNALED(status) && !marked.empty()) ++killed_mid_rebuild;
    // Opening the engine finishes the rebuild before anything else.
    OpenEngine(dir).reset();
    INFO("round " << round);
    CHECK(RebuildMarkers(dir).empty());
  }
  CHECK(killed_mid_rebuild >= 1);

  REQUIRE(Casereplay({"rebuild", "--data", dir, "--into", fresh}).status == 0);
  const Ran diff = Casereplay({"diff", dir, fresh});
  INFO(diff);
  CHECK(diff.status == 0);
  CHECK(LastLine(diff.out) == "no differences");
}

TEST_CASE("casereplay rebuild refuses a folder that is not empty", "[audit][rebuild]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WorkedFolder(dir, 60, 3);
  const std::string full = tmp.Sub("full");
  fs::create_directories(full);
  WriteFile(full + "/keep.txt", "the auditor's notes");
  const auto full_before = FolderHashes(full);
  const auto data_before = FolderHashes(dir);

  const Ran r = Casereplay({"rebuild", "--data", dir, "--into", full});
  INFO(r);
  CHECK(r.status == 2);
  CHECK_FALSE(r.err.empty());
  CHECK(FolderHashes(full) == full_before);
  // Not into the data folder itself either.
  const Ran self = Casereplay({"rebuild", "--data", dir, "--into", dir});
  INFO(self);
  CHECK(self.status == 2);
  CHECK(FolderHashes(dir) == data_before);
  // An existing empty folder is fine.
  const std::string empty = tmp.Sub("empty");
  fs::create_directories(empty);
  const Ran ok = Casereplay({"rebuild", "--data", dir, "--into", empty});
  INFO(ok);
  CHECK(ok.status == 0);
  CHECK(Casereplay({"diff", dir, empty}).status == 0);
}

TEST_CASE("casereplay diff names a changed row and rows only in one folder", "[audit][diff]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), into = tmp.Sub("rebuilt");
  const uint64_t head = WorkedFolder(dir, 200, 5);
  Ok({"rebuild", "--data", dir, "--into", into});
  REQUIRE(Casereplay({"diff", dir, into}).status == 0);

  std::pair<std::string, std::string> changed;  // key, old value
  std::string new_value;
  std::pair<std::string, std::string> deleted;
  const std::string extra_key = std::string("zz-extra\x01", 9);
  RawEdit(into, [&](rocksdb::DB* db, Families& f) {
    auto* case_list = Family(f, "rm.case_list");
    auto rows = FirstRows(db, case_list, 1);
    REQUIRE(rows.size() == 1);
    changed = rows[0];
    new_value = changed.second + "!";
    RawPut(db, case_list, changed.first, new_value);
    auto* people = Family(f, "rm.case_people");
    rows = FirstRows(db, people, 1);
    REQUIRE(rows.size() == 1);
    deleted = rows[0];
    RawDelete(db, people, deleted.first);
    RawPut(db, Family(f, "rm.journal"), extra_key, "a row nobody wrote");
  });

  const Ran diff = Casereplay({"diff", dir, into});
  INFO(diff);
  CHECK(diff.status == 1);
  CHECK(ContainsPrintable(diff.out, "  differs: ", changed.first));
  CHECK(ContainsPrintable(diff.out, "    A: ", changed.second));
  CHECK(ContainsPrintable(diff.out, "    B: ", new_value));
  CHECK(ContainsPrintable(diff.out, "  only in A: ", deleted.first));
  CHECK(ContainsPrintable(diff.out, "  only in B: ", extra_key));
  CHECK((Contains(diff.out, "  only in B: zz-extra\\x01") ||
         Contains(diff.out, "  only in B: zz-extra\\X01")));
  const auto summary = DiffSummary(diff.out);
  REQUIRE(summary.count("case_list") == 1);
  CHECK(summary.at("case_list").differences == 1);
  CHECK(summary.at("case_people").differences == 1);
  CHECK(summary.at("journal").differences == 1);
  CHECK(summary.at("audit_trail").differences == 0);
  CHECK(summary.at("case_list").a == head);
  CHECK(summary.at("case_list").b == head);
  CHECK(SaysDifferences(LastLine(diff.out), 3));

  // The differs line comes with both values, right after it.
  const auto lines = Lines(diff.out);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("  differs: ", 0) != 0) continue;
    REQUIRE(i + 2 < lines.size());
    CHECK(lines[i + 1].rfind("    A: ", 0) == 0);
    CHECK(lines[i + 2].rfind("    B: ", 0) == 0);
  }

  // One read model.
  const Ran one = Casereplay({"diff", dir, into, "--read-model", "case_people"});
  INFO(one);
  CHECK(one.status == 1);
  const auto one_summary = DiffSummary(one.out);
  CHECK(one_summary.size() == 1);
  CHECK(one_summary.count("case_people") == 1);
  CHECK(ContainsPrintable(one.out, "  only in A: ", deleted.first));
  CHECK_FALSE(Contains(one.out, "differs:"));
  CHECK(SaysDifferences(LastLine(one.out), 1));
  const Ran missing = Casereplay({"diff", dir, tmp.Sub("nowhere")});
  INFO(missing);
  CHECK(missing.status == 2);
  CHECK_FALSE(fs::exists(tmp.Sub("nowhere")));
  const Ran clean = Casereplay({"diff", dir, into, "--read-model", "lobby_queue"});
  INFO(clean);
  CHECK(clean.status == 0);
  CHECK(LastLine(clean.out) == "no differences");
}

TEST_CASE("casereplay diff --max limits the differences printed but not those counted",
          "[audit][diff]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), into = tmp.Sub("rebuilt");
  WorkedFolder(dir, 200, 9);
  Ok({"rebuild", "--data", dir, "--into", into});
  RawEdit(into, [&](rocksdb::DB* db, Families& f) {
    auto* journal = Family(f, "rm.journal");
    const auto rows = FirstRows(db, journal, 5);
    REQUIRE(rows.size() == 5);
    for (const auto& row : rows) RawDelete(db, journal, row.first);
  });
  auto count = [](const std::string& out, const std::string& what) {
    size_t n = 0;
    for (const auto& line : Lines(out)) n += line.rfind(what, 0) == 0;
    return n;
  };
  const Ran two = Casereplay({"diff", dir, into, "--max", "2"});
  INFO(two);
  CHECK(two.status == 1);
  CHECK(count(two.out, "  only in A: ") == 2);
  CHECK(DiffSummary(two.out).at("journal").differences == 5);
  CHECK(SaysDifferences(LastLine(two.out), 5));
  const Ran all = Casereplay({"diff", dir, into});
  INFO(all);
  CHECK(count(all.out, "  only in A: ") == 5);  // the default shows up to 20
  CHECK(SaysDifferences(LastLine(all.out), 5));
}

TEST_CASE("a rebuild up to a position compared with a full rebuild says the checkpoints differ",
          "[audit][rebuild][diff]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), full = tmp.Sub("full"), part = tmp.Sub("part"),
                    part2 = tmp.Sub("part2");
  const uint64_t head = WorkedFolder(dir, 250, 13);
  const uint64_t n = head / 2;
  Ok({"rebuild", "--data", dir, "--into", full});
  const Ran rebuild =
      Casereplay({"rebuild", "--data", dir, "--into", part, "--to", std::to_string(n)});
  INFO(rebuild);
  REQUIRE(rebuild.status == 0);
  CHECK(Contains(rebuild.out, std::to_string(n)));

  const Ran diff = Casereplay({"diff", full, part});
  INFO(diff);
  CHECK(diff.status == 1);  // rows changed after n
  const auto summary = DiffSummary(diff.out);
  for (const std::string& name : ReadModelNames()) {
    INFO(name);
    REQUIRE(summary.count(name) == 1);
    CHECK(summary.at(name).a == head);
    CHECK(summary.at(name).b == n);
    CHECK(Contains(Lower(summary.at(name).line), "checkpoint"));
  }
  // Like with like: two rebuilds to the same position agree, and their lines do not
  // mention checkpoints.
  Ok({"rebuild", "--data", dir, "--into", part2, "--to", std::to_string(n)});
  const Ran same = Casereplay({"diff", part, part2});
  INFO(same);
  CHECK(same.status == 0);
  CHECK(LastLine(same.out) == "no differences");
  for (const auto& [name, line] : DiffSummary(same.out)) {
    INFO(line.line);
    CHECK(line.a == n);
    CHECK(line.b == n);
    CHECK_FALSE(Contains(Lower(line.line), "checkpoint"));
  }
}

// =======================================================================================
// Activity export.

TEST_CASE("casereplay export writes a CSV of every event recorded in the time range",
          "[audit][export]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  WorkThreeDays(o);
  o.ReopenReadOnly();
  const auto all = o.All();
  REQUIRE(all.size() > 20);

  SECTION("no range: everything") {
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir})), all);
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--format", "csv"})), all);
  }
  SECTION("instants: both ends included") {
    const int64_t t1 = all[4].recorded_at, t2 = all[all.size() - 5].recorded_at;
    const auto out =
        Ok({"export", "--data", dir, "--from", FormatMicrosUtc(t1), "--to", FormatMicrosUtc(t2)});
    CheckExportRows(o, CsvRows(out), Between(all, t1, t2));
    // A microsecond inside on both sides leaves the ends out.
    const auto inner = Ok({"export", "--data", dir, "--from", FormatMicrosUtc(t1 + 1), "--to",
                           FormatMicrosUtc(t2 - 1)});
    CheckExportRows(o, CsvRows(inner), Between(all, t1 + 1, t2 - 1));
    CHECK(Between(all, t1 + 1, t2 - 1).size() < Between(all, t1, t2).size());
  }
  SECTION("dates: the start of the first day to the end of the last") {
    const auto day2 = Ok({"export", "--data", dir, "--from", "2025-11-25", "--to", "2025-11-25"});
    const auto expected = Between(all, kMonday + kDay, kMonday + 2 * kDay - 1);
    REQUIRE(!expected.empty());
    REQUIRE(expected.front().recorded_at == kMonday + kDay);  // an event at midnight exactly
    CheckExportRows(o, CsvRows(day2), expected);
    const auto days12 = Ok({"export", "--data", dir, "--from", "2025-11-24", "--to", "2025-11-25"});
    CheckExportRows(o, CsvRows(days12), Between(all, kMonday, kMonday + 2 * kDay - 1));
  }
  SECTION("only one end") {
    const int64_t t = kMonday + kDay + 12 * kHour;
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--from", FormatMicrosUtc(t)})),
                    Between(all, t, INT64_MAX));
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--to", FormatMicrosUtc(t)})),
                    Between(all, INT64_MIN, t));
  }
  SECTION("a range with nothing in it is the header alone") {
    const Ran r =
        Casereplay({"export", "--data", dir, "--from", "2030-01-01", "--to", "2030-12-31"});
    INFO(r);
    CHECK(r.status == 0);
    const auto lines = Lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == kCsvHeader);
    const Ran before = Casereplay({"export", "--data", dir, "--to", "2020-01-01"});
    INFO(before);
    CHECK(before.status == 0);
    CHECK(Lines(before.out) == std::vector<std::string>{kCsvHeader});
  }
}

TEST_CASE("casereplay export --actor and --stream keep only that user's or stream's events",
          "[audit][export]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const auto all = o.All();
  auto only = [&](const std::function<bool(const RecordedEvent&)>& keep) {
    std::vector<RecordedEvent> out;
    for (const auto& r : all) {
      if (keep(r)) out.push_back(r);
    }
    return out;
  };
  for (const char* actor : {"officer", "supervisor", "admin"}) {
    INFO("actor " << actor);
    const auto expected = only([&](const RecordedEvent& r) { return r.actor == actor; });
    REQUIRE(!expected.empty());
    CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--actor", actor})), expected);
  }
  CHECK(CsvRows(Ok({"export", "--data", dir, "--actor", "nobody"})).empty());
  const std::string stream = "case-" + w.kase;
  CheckExportRows(o, CsvRows(Ok({"export", "--data", dir, "--stream", stream})),
                  only([&](const RecordedEvent& r) { return r.stream == stream; }));
  // Together, and with a range.
  const int64_t from = kMonday + kDay, to = kMonday + 3 * kDay;
  CheckExportRows(o,
                  CsvRows(Ok({"export", "--data", dir, "--actor", "officer", "--stream", stream,
                              "--from", "2025-11-25", "--to", FormatMicrosUtc(to)})),
                  only([&](const RecordedEvent& r) {
                    return r.actor == "officer" && r.stream == stream && r.recorded_at >= from &&
                           r.recorded_at <= to;
                  }));
}

TEST_CASE("casereplay export --format jsonl writes the objects history writes", "[audit][export]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  WorkThreeDays(o);
  o.ReopenReadOnly();
  const auto all = o.All();
  std::map<uint64_t, json> history;
  std::set<std::string> streams;
  for (const auto& r : all) streams.insert(r.stream);
  for (const auto& s : streams) {
    for (json& j : JsonLines(Ok({"history", "--data", dir, "--stream", s, "--format", "jsonl"}))) {
      const uint64_t position = j["position"].get<uint64_t>();
      history[position] = std::move(j);
    }
  }
  REQUIRE(history.size() == all.size());
  const int64_t t1 = all[3].recorded_at, t2 = all[all.size() - 3].recorded_at;
  const auto lines = JsonLines(Ok({"export", "--data", dir, "--format", "jsonl", "--from",
                                   FormatMicrosUtc(t1), "--to", FormatMicrosUtc(t2)}));
  const auto expected = Between(all, t1, t2);
  REQUIRE(lines.size() == expected.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i].dump());
    CHECK(lines[i]["position"] == expected[i].position);
    CHECK(lines[i] == history.at(expected[i].position));
  }
  const auto by_actor =
      JsonLines(Ok({"export", "--data", dir, "--format", "jsonl", "--actor", "supervisor"}));
  REQUIRE(!by_actor.empty());
  for (const auto& j : by_actor) CHECK(j["actor"] == "supervisor");
}

TEST_CASE("casereplay export quotes a cell holding a comma and a quote as RFC 4180 says",
          "[audit][export]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  DomainConfig config = DomainConfig::Demo();
  const std::string odd = "smith, \"jo\"";
  config.users[odd] = {odd, "housing-options", {kCasework}};
  Office o(dir, &config);
  auto [client, kase] = o.Register(odd, "Plain", kMonday + 10 * kHour);
  o.Do(odd, AddNote{kase, "said \"no\", twice", ""}, kMonday + 11 * kHour);
  o.Do("officer", AddNote{kase, "plain note", ""}, kMonday + 12 * kHour);
  o.ReopenReadOnly();
  const auto all = o.All();

  const std::string out = Ok({"export", "--data", dir});
  INFO(out);
  // The actor cell, quoted with its quotes doubled.
  CHECK(Contains(out, ",\"smith, \"\"jo\"\"\","));
  // Details are JSON, so always hold quotes: quoted, and the note's own quotes escaped in
  // JSON and then doubled for CSV.
  CHECK(Contains(out, "said \\\"\"no\\\"\", twice"));
  const auto rows = CsvRows(out);
  CheckExportRows(o, rows, all);
  size_t by_odd = 0, expected_odd = 0;
  for (const auto& row : rows) by_odd += row[2] == odd;
  for (const auto& r : all) expected_odd += r.actor == odd;
  CHECK(expected_odd >= 3);  // the registration (a client and a case) and the note
  CHECK(by_odd == expected_odd);

  // --out writes the same to a file.
  const std::string file = tmp.Sub("export.csv");
  const Ran r = Casereplay({"export", "--data", dir, "--out", file});
  INFO(r);
  CHECK(r.status == 0);
  CHECK(ReadFile(file) == out);
  // And the jsonl form carries the actor as it is.
  bool found = false;
  for (const auto& j : JsonLines(Ok({"export", "--data", dir, "--format", "jsonl"}))) {
    found = found || j["actor"] == odd;
  }
  CHECK(found);
}

TEST_CASE("casereplay export refuses a malformed time or format as a usage error",
          "[audit][export]") {
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const std::vector<std::vector<std::string>> variants = {
      {"--from", "last tuesday"}, {"--to", "2025-13-45"}, {"--format", "xlsx"}};
  for (const auto& extra : variants) {
    std::vector<std::string> args{"export", "--data", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  const Ran missing = Casereplay({"export", "--data", tmp.Sub("nowhere")});
  INFO(missing);
  CHECK(missing.status == 2);
}

// =======================================================================================
// Read-only, and beside a live engine.

TEST_CASE("every casereplay audit command leaves the data folder byte for byte unchanged",
          "[audit][readonly]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Worked w;
  {
    Office o(dir);
    w = WorkThreeDays(o);
  }
  {
    // Read models too, so rebuild and diff have something to read.
    auto engine = OpenEngine(dir);
    WaitForReadModels(*engine);
  }
  const auto before = FolderHashes(dir);
  REQUIRE(before.count("CURRENT") == 1);
  const std::string digest = tmp.Sub("digest.json");
  const std::string client = "client-" + w.client, kase = "case-" + w.kase;

  const std::vector<std::pair<std::vector<std::string>, int>> commands = {
      {{"checkpoint", "--data", dir}, 0},
      {{"checkpoint", "--data", dir, "--at", "3", "--out", digest}, 0},
      {{"verify", "--data", dir, "--digest", digest}, 0},
      {{"history", "--data", dir, "--stream", client}, 0},
      {{"history", "--data", dir, "--stream", kase, "--format", "jsonl"}, 0},
      {{"history", "--data", dir, "--stream", "client-erased-or-never"}, 2},
      {{"state", "--data", dir, "--stream", client}, 0},
      {{"state", "--data", dir, "--stream", kase, "--at", "5"}, 0},
      {{"state", "--data", dir, "--stream", client, "--as-of", "2025-11-25"}, 0},
      {{"rebuild", "--data", dir, "--into", tmp.Sub("rebuilt")}, 0},
      {{"rebuild", "--data", dir, "--into", tmp.Sub("rebuilt-to"), "--to", "10"}, 0},
      {{"diff", dir, tmp.Sub("rebuilt")}, 0},
      {{"diff", tmp.Sub("rebuilt-to"), dir, "--max", "1"}, 1},
      {{"export", "--data", dir}, 0},
      {{"export", "--data", dir, "--format", "jsonl", "--from", "2025-11-25", "--out",
        tmp.Sub("export.jsonl")},
       0},
  };
  for (const auto& [args, status] : commands) {
    INFO(args[0] << " " << args.back());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == status);
    CHECK(FolderHashes(dir) == before);
  }
}

TEST_CASE("casereplay audit commands work beside an engine that has the folder open",
          "[audit][readonly]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  auto engine = OpenEngine(dir);
  Workload w = RunWorkload(*engine, 150, 21);
  WaitForReadModels(*engine);
  const uint64_t head = engine->log().HeadPosition();
  auto hash_at = [&](uint64_t position) {
    std::vector<RecordedEvent> e;
    REQUIRE(engine->log().ReadAll(position, 1, &e).ok());
    REQUIRE(e.size() == 1);
    return Hex(e[0].hash);
  };

  // A digest of the open log, and verify against it.
  const std::string digest = tmp.Sub("digest.json");
  const json d = Checkpoint(dir, {"--out", digest});
  CHECK(d["position"] == head);
  CHECK(d["hash"] == hash_at(head));
  CHECK(Casereplay({"verify", "--data", dir, "--digest", digest}).status == 0);

  // State and history of what the engine holds.
  std::map<std::string, json> last;
  for (const Snap& s : w.snaps) last[s.stream] = s.state;
  int n = 0;
  for (const auto& [stream, state] : last) {
    if (++n > 10) break;
    INFO(stream);
    CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) ==
          LiveState(*engine, stream));
    std::vector<RecordedEvent> events;
    REQUIRE(engine->log().ReadStream(stream, 1, SIZE_MAX, &events).ok());
    CHECK(
        JsonLines(Ok({"history", "--data", dir, "--stream", stream, "--format", "jsonl"})).size() ==
        events.size());
  }

  // Rebuild from the open folder and compare with its live read models.
  const std::string into = tmp.Sub("rebuilt");
  Ok({"rebuild", "--data", dir, "--into", into});
  const Ran diff = Casereplay({"diff", dir, into});
  INFO(diff);
  CHECK(diff.status == 0);
  CHECK(LastLine(diff.out) == "no differences");

  // While the engine keeps writing: each run sees the log as it stood when it started.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0}, failed{0};
  std::thread writer([&] {
    const Actor& officer = DemoConfig().users.at("officer");
    for (int i = 0; !stop.load(); ++i) {
      if (i % 2 == 0) {
        RegisterClient c;
        c.personal.surname = "Busy" + std::to_string(i);
        c.personal.date_of_birth = "1990-01-01";
        if (engine->commands().Execute(officer, c).ok()) {
          written++;
        } else {
          failed++;
        }
      } else if (!w.cases.empty()) {
        engine->commands().Execute(officer, AddNote{w.cases[i % w.cases.size()], "busy", ""});
        written++;
      }
    }
  });
  for (int i = 0; i < 1000 && written.load() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::vector<json> digests;
  std::vector<Ran> verifies, exports;
  for (int round = 0; round < 4; ++round) {
    const uint64_t before = engine->log().HeadPosition();
    const json c = Checkpoint(dir);
    CHECK(c["position"].get<uint64_t>() >= before);
    digests.push_back(c);
    verifies.push_back(Casereplay({"verify", "--data", dir, "--digest", digest}));
    exports.push_back(Casereplay({"export", "--data", dir, "--format", "jsonl"}));
    CHECK(JsonLines(exports.back().out).size() >= before);
  }
  stop = true;
  writer.join();
  CHECK(failed.load() == 0);
  CHECK(written.load() > 0);
  for (const json& c : digests) CHECK(c["hash"] == hash_at(c["position"].get<uint64_t>()));
  for (const Ran& r : verifies) {
    INFO(r);
    CHECK(r.status == 0);
    CHECK(Contains(r.out, "digest ok"));
  }
  for (const Ran& r : exports) {
    INFO(r.err);
    CHECK(r.status == 0);
    // A prefix of the log, with no gap.
    const auto lines = JsonLines(r.out);
    for (size_t i = 0; i < lines.size(); ++i) CHECK(lines[i]["position"] == i + 1);
  }
  engine.reset();
  // The engine's folder still opens and verifies.
  CHECK(Casereplay({"verify", "--data", dir}).status == 0);
}

TEST_CASE("casereplay runs beside an engine that compacts its store after erasures",
          "[audit][readonly][erasure]") {
  // Each erasure makes the engine compact the store on a background thread (so the key's
  // bytes leave the files), which replaces table files under a reader that opened the
  // folder without its lock. The auditor's commands must still run: a live engine is their
  // normal company, and "the folder is damaged" is not an answer an auditor can act on.
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  auto engine = OpenEngine(dir);
  RunWorkload(*engine, 60, 31);
  const DomainConfig& config = DemoConfig();
  std::atomic<bool> stop{false};
  std::atomic<int> erased{0}, failed{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      RegisterClient c;
      c.personal.surname = "Fleeting" + std::to_string(i);
      c.personal.date_of_birth = "1990-01-01";
      CommandResult r = engine->commands().Execute(config.users.at("officer"), c);
      if (!r.ok()) {
        failed++;
        continue;
      }
      CommandResult e = engine->commands().Execute(
          config.users.at("admin"), DeleteClient{r.response["client_id"], DeleteMode::kErase});
      if (e.ok()) {
        erased++;
      } else {
        failed++;
      }
    }
  });
  for (int i = 0; i < 1000 && erased.load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::vector<std::vector<std::string>> commands = {
      {"verify", "--data", dir},
      {"checkpoint", "--data", dir},
      {"export", "--data", dir, "--format", "jsonl"},
  };
  std::vector<std::pair<std::string, Ran>> runs;
  for (int round = 0; round < 8; ++round) {
    for (const auto& args : commands) runs.emplace_back(args[0], Casereplay(args));
  }
  stop = true;
  writer.join();
  CHECK(failed.load() == 0);
  CHECK(erased.load() > 3);
  int bad = 0;
  for (const auto& [command, r] : runs) {
    if (r.status == 0) continue;
    // Only the first few, in full.
    if (++bad <= 3) {
      INFO(command << ": " << r);
      CHECK(r.status == 0);
    }
  }
  INFO(bad << " of " << runs.size() << " runs failed");
  CHECK(bad == 0);
}

}  // namespace caseengine
