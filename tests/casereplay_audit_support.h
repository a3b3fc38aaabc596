// Helpers of the casereplay audit tests (tests/casereplay_*_test.cc): running the real
// `casereplay` with stdout and stderr captured apart, parsing what it prints (lines, JSON),
// an Office whose clock the test sets, engines over data folders, random workloads, raw
// edits of a folder's store (rows put and deleted, a flipped payload byte), and the
// three days of casework and the checks that several of the tests share.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "app/command_service.h"
#include "aggregates/config.h"
#include "aggregates/key_store.h"
#include "aggregates/state_json.h"
#include "aggregates/state_reader.h"
#include "base/sha256.h"
#include "events/event_log.h"
#include "events/event_view.h"
#include "app/engine.h"
#include "projections/read_models.h"
#include "storage/rocks_store.h"
#include "tests/domain_fixture.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine::testing::casereplay_audit {

namespace fs = std::filesystem;
using nlohmann::json;

inline constexpr int64_t kSecond = 1000000;
inline constexpr int64_t kHour = 3600 * kSecond;
inline constexpr int64_t kDay = 24 * kHour;
// 2025-11-24T00:00:00Z, a Monday: the day the clocked tests start.
inline constexpr int64_t kMonday = 1763942400LL * kSecond;

const DomainConfig& DemoConfig();

// ---------------------------------------------------------------------------------------
// Running casereplay.

struct Ran {
  int status = -1;
  std::string out, err;
};

std::string Clip(const std::string& s, size_t n = 4000);

std::ostream& operator<<(std::ostream& os, const Ran& r);

// Runs argv with stdout on a pipe and stderr in an unlinked temporary file. Everything is
// prepared before fork and the child only execs: safe beside an engine's threads.
Ran RunApart(const std::vector<std::string>& argv);

Ran Casereplay(const std::vector<std::string>& args);

// Runs a command that must succeed (exit 0); returns its stdout.
std::string Ok(const std::vector<std::string>& args);

std::vector<std::string> Lines(const std::string& text);

json ParseObject(const std::string& text);

std::vector<json> JsonLines(const std::string& text);

std::string Hex(const Hash256& h);

std::string ReadFile(const std::string& path);

void WriteFile(const std::string& path, const std::string& content);

bool Contains(const std::string& haystack, const std::string& needle);

std::string Lower(std::string s);

bool IsRfc3339(const std::string& s);

int64_t Instant(const std::string& s);

std::map<std::string, std::string> FolderHashes(const std::string& dir);

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

std::unique_ptr<Engine> OpenEngine(const std::string& dir);

// The state of an aggregate's stream as the handler reads it now, in the API's shape.
json LiveState(Engine& engine, const std::string& stream);

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
Workload RunWorkload(Engine& engine, int commands, uint32_t seed);

// Waits until the engine's read models have applied its whole log.
void WaitForReadModels(Engine& engine);

// ---------------------------------------------------------------------------------------
// Raw RocksDB edits behind the engine's back (see tamper_test.cc).

using Families = testing::RawFamilies;

rocksdb::ColumnFamilyHandle* Family(Families& f, const std::string& name);

std::string RawGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& key);

void RawPut(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& key,
            const std::string& value);

void RawDelete(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& key);

size_t PayloadByte(const std::string& envelope);

// Flips a payload byte of the event at `position` (its stored hash left as it was).
void FlipPayloadByte(const std::string& dir, uint64_t position);

VerifyReport VerifyInProcess(const std::string& dir);

// ---------------------------------------------------------------------------------------
// Reading casereplay's answers.

// `casereplay checkpoint` (extra arguments appended): the digest it prints.
json Checkpoint(const std::string& dir, const std::vector<std::string>& extra = {});

// A folder with three days of casework by several users, clock known to the microsecond:
// registrations, corrections, notes (one holding a comma and quotes), actions, a lobby
// referral, a soft deletion and an erasure. Returns the ids of the first client and case.
struct Worked {
  std::string client, kase, other_client, other_case, erased_client, erased_case, lobby;
  std::string removed_lobby;  // removed: its key destroyed
};

Worked WorkThreeDays(Office& o);

// A data folder "data" in `tmp` after WorkThreeDays, closed.
std::string ThreeDaysFolder(const TempDir& tmp);

// Three days of work in `dir`, closed; the log's head.
uint64_t WorkThreeDaysIn(const std::string& dir);

struct DiffLine {
  std::string name;
  uint64_t a = 0, b = 0, rows = 0, differences = 0;
  std::string line;
};

// The per-read-model lines of a diff, by name.
std::map<std::string, DiffLine> DiffSummary(const std::string& out);

std::string LastLine(const std::string& out);

// A data folder after a random workload whose read models caught up with its whole log.
uint64_t WorkedFolder(const std::string& dir, int commands, uint32_t seed);

}  // namespace caseengine::testing::casereplay_audit
