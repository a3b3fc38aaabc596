// The data folder at rest: its folders and files are for the engine's user alone, and
// the per-person data keys in it are wrapped with a key-encryption key (KEK) kept outside
// it, so a copy of the folder alone opens nothing. Driven through the real executables
// (caseengine serve, rotate-kek, new-kek; casereplay) and, for the key store's own
// rules, in process.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/engine.h"
#include "base/aes_gcm.h"
#include "base/coding.h"
#include "events/log_store.h"
#include "http/server_config.h"
#include "tests/domain_fixture.h"
#include "tests/http_test_support.h"
#include "tests/ops_support.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Every folder and file under `dir` (and `dir` itself) whose mode is not 0700 (folders)
// or 0600 (files), with its mode in octal.
std::vector<std::string> OpenModes(const std::string& dir) {
  std::vector<std::string> wrong;
  auto check = [&](const std::string& path) {
    struct stat st;
    REQUIRE(lstat(path.c_str(), &st) == 0);
    const mode_t want = S_ISDIR(st.st_mode) ? 0700 : 0600;
    if ((st.st_mode & 07777) != want) {
      std::ostringstream o;
      o << path << " " << std::oct << (st.st_mode & 07777);
      wrong.push_back(o.str());
    }
  };
  check(dir);
  for (const auto& e : fs::recursive_directory_iterator(dir)) check(e.path().string());
  return wrong;
}

// Every byte of every file under `dir`, concatenated.
std::string AllBytes(const std::string& dir) {
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream b;
    b << in.rdbuf();
    all += b.str();
  }
  return all;
}

// The keys family as stored: subject -> value.
std::map<std::string, std::string> RawKeys(const std::string& dir) {
  std::map<std::string, std::string> keys;
  RawEdit(dir, [&](rocksdb::DB* db, RawFamilies& families) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), RawFamily(families, kKeysFamily)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      keys[it->key().ToString()] = it->value().ToString();
    }
  });
  return keys;
}

const std::string kMarker("\0kek", 4);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

// A data folder made by `caseengine serve` (the demo, which makes DIR.kek) with one client
// registered; returns the client id.
std::string MakeFolder(const std::string& dir, const std::string& surname,
                       std::string* banner = nullptr) {
  ServerProcess server(dir);
  HttpClient officer = server.Client("demo-officer");
  const std::string client = Register(officer, surname)["client_id"];
  if (banner != nullptr) *banner = server.banner();
  REQUIRE(server.Stop() == 0);
  return client;
}

}  // namespace

TEST_CASE("the data folder and every file in it are for the engine's user alone", "[datafolder]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::string banner;
  MakeFolder(dir, "Modeson", &banner);
  // The demo made its key beside the folder, not in it, and said so.
  CHECK(banner.find("made a key-encryption key") != std::string::npos);
  CHECK(banner.find(dir + ".kek") != std::string::npos);
  struct stat st;
  REQUIRE(stat((dir + ".kek").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(OpenModes(dir) == std::vector<std::string>{});

  // A folder from before (world-readable) is narrowed at its next writable open.
  chmod(dir.c_str(), 0755);
  for (const auto& e : fs::directory_iterator(dir)) chmod(e.path().c_str(), 0644);
  REQUIRE_FALSE(OpenModes(dir).empty());
  {
    ServerProcess again(dir);
    CHECK(again.banner().find("made a key-encryption key") == std::string::npos);
  }
  CHECK(OpenModes(dir) == std::vector<std::string>{});
}

TEST_CASE("the data keys are stored wrapped: no raw data key is in the folder's files",
          "[datafolder]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string client = MakeFolder(dir, "Wrapperton");
  const KeyEncryptionKey kek = KekFor(dir);
  std::string key;
  {
    EngineOptions options;
    options.dir = dir;
    const DomainConfig config = DomainConfig::Demo();
    options.config = &config;
    options.kek = kek;
    std::unique_ptr<Engine> engine;
    const Status s = Engine::Open(options, &engine);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(engine->keys().KeyFor("client-" + client, false, &key).ok());
    REQUIRE(key.size() == kDataKeyBytes);
  }
  const std::map<std::string, std::string> raw = RawKeys(dir);
  REQUIRE(raw.count("client-" + client));
  const std::string& wrapped = raw.at("client-" + client);
  CHECK(wrapped.size() == 69);
  CHECK(wrapped.find(key) == std::string::npos);
  REQUIRE(raw.count(kMarker));
  // Every entry but the marker is wrapped, and with this KEK.
  for (const auto& [subject, value] : raw) {
    INFO(HexEncode(subject));
    if (subject == kMarker) {
      CHECK(HexEncode(value.substr(1)) == kek.Id());
      continue;
    }
    REQUIRE(value.size() == 69);
    CHECK(HexEncode(value.substr(1, 8)) == kek.Id());
    std::string opened;
    CHECK(Unseal(kek.bytes, value.substr(9), subject, &opened).ok());
  }
  // The files hold the wrapped form (so the scan sees the family) and never the key.
  const std::string bytes = AllBytes(dir);
  CHECK(bytes.find(key) == std::string::npos);
  CHECK(bytes.find(HexEncode(key)) == std::string::npos);
  CHECK(bytes.find(kek.bytes) == std::string::npos);
}

TEST_CASE("a data folder does not open without its key-encryption key or with another one",
          "[datafolder]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string client = MakeFolder(dir, "Lockley");
  const KeyEncryptionKey right = KekFor(dir);
  const KeyEncryptionKey wrong{NewDataKey()};
  const DomainConfig config = DomainConfig::Demo();
  auto open = [&](const KeyEncryptionKey& kek) {
    EngineOptions options;
    options.dir = dir;
    options.config = &config;
    options.kek = kek;
    std::unique_ptr<Engine> engine;
    return Engine::Open(options, &engine);
  };
  Status s = open(KeyEncryptionKey());
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("no key-encryption key") != std::string::npos);
  s = open(wrong);
  CHECK(s.code() == Status::Code::kFailedPrecondition);
  CHECK(s.message() == "the data folder's keys are wrapped with key " + right.Id() +
                           "; the configured key is " + wrong.Id() +
                           " (give the key-encryption key this folder was written with)");
  CHECK(open(right).ok());

  // The executables say the same. A copy of the folder alone: the demo makes a new key
  // for it, which is not the one its keys are wrapped with.
  const std::string copy = tmp.Sub("copy");
  fs::copy(dir, copy, fs::copy_options::recursive);
  std::string out;
  CHECK(Caseengine({"serve", "--demo", "--data", copy, "--listen", "127.0.0.1:0"}, &out) == 2);
  CHECK(out.find("the data folder's keys are wrapped with key " + right.Id()) != std::string::npos);
  CHECK(Casereplay({"export", "--data", copy}, &out) == 2);
  CHECK(out.find("wrapped with key " + right.Id()) != std::string::npos);
  fs::remove(copy + ".kek");
  CHECK(Casereplay({"state", "--data", copy, "--stream", "client-" + client}, &out) == 2);
  CHECK(out.find("no key-encryption key was given") != std::string::npos);
  // The chain needs no key: an auditor verifies a copy without it.
  CHECK(Casereplay({"verify", "--data", copy}, &out) == 0);
  // With the key given, as a file or in the environment, it opens.
  CHECK(Casereplay(
            {"state", "--data", copy, "--stream", "client-" + client, "--key-file", dir + ".kek"},
            &out) == 0);
  CHECK(out.find("Lockley") != std::string::npos);
  setenv("CASEENGINE_KEK", HexEncode(right.bytes).c_str(), 1);
  const int with_env = Casereplay({"state", "--data", copy, "--stream", "client-" + client}, &out);
  unsetenv("CASEENGINE_KEK");
  CHECK(with_env == 0);
  CHECK(out.find("Lockley") != std::string::npos);
  // A config file without a key is refused before the folder is touched.
  const std::string config_file = tmp.Sub("config.json");
  std::ofstream(config_file) << json({{"users",
                                       {{{"id", "officer"},
                                         {"team", "t"},
                                         {"permissions", {"casework"}},
                                         {"token_sha256", TokenHash("a-token")}}}},
                                      {"teams", {{{"id", "t"}}}}})
                                    .dump();
  CHECK(Caseengine({"serve", "--data", tmp.Sub("fresh"), "--config", config_file, "--listen",
                    "127.0.0.1:0"},
                   &out) == 2);
  CHECK(out.find("no key-encryption key") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp.Sub("fresh")));
}

TEST_CASE("a data folder with clear keys from before is migrated at its first open",
          "[datafolder]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string client = MakeFolder(dir, "Oldfield");
  const KeyEncryptionKey kek = KekFor(dir);
  // Back to how an older build stored them: each key in the clear, no marker.
  std::map<std::string, std::string> clear;
  RawEdit(dir, [&](rocksdb::DB* db, RawFamilies& families) {
    auto* keys = RawFamily(families, kKeysFamily);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), keys));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string subject = it->key().ToString(), value = it->value().ToString();
      if (subject == kMarker) continue;
      std::string key;
      REQUIRE(Unseal(kek.bytes, value.substr(9), subject, &key).ok());
      clear[subject] = key;
    }
    it.reset();
    REQUIRE(db->Delete(rocksdb::WriteOptions(), keys, kMarker).ok());
    for (const auto& [subject, key] : clear) {
      REQUIRE(db->Put(rocksdb::WriteOptions(), keys, subject, key).ok());
    }
  });
  REQUIRE(clear.count("client-" + client));
  fs::remove(dir + ".kek");
  // casereplay reads an unmigrated folder as it is, and changes nothing.
  std::string out;
  CHECK(Casereplay({"state", "--data", dir, "--stream", "client-" + client}, &out) == 0);
  CHECK(out.find("Oldfield") != std::string::npos);
  CHECK_FALSE(RawKeys(dir).count(kMarker));
  // The engine's first open with a KEK wraps every key, in one batch with the marker.
  {
    ServerProcess server(dir);
    HttpClient officer = server.Client("demo-officer");
    CHECK(GetOk(officer, "/clients/" + client)["surname"] == "Oldfield");
  }
  const KeyEncryptionKey made = KekFor(dir);
  const std::map<std::string, std::string> raw = RawKeys(dir);
  REQUIRE(raw.count(kMarker));
  CHECK(HexEncode(raw.at(kMarker).substr(1)) == made.Id());
  for (const auto& [subject, key] : clear) {
    INFO(subject);
    REQUIRE(raw.count(subject));
    CHECK(raw.at(subject).size() == 69);
    std::string opened;
    REQUIRE(Unseal(made.bytes, raw.at(subject).substr(9), subject, &opened).ok());
    CHECK(opened == key);
  }
  // And the clear forms are purged from the files.
  const std::string bytes = AllBytes(dir);
  for (const auto& [subject, key] : clear) CHECK(bytes.find(key) == std::string::npos);
}

TEST_CASE("rotating the key-encryption key rewraps every key: the old key opens nothing",
          "[datafolder]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string client = MakeFolder(dir, "Rotherham");
  const std::string old_file = dir + ".kek", new_file = tmp.Sub("new.kek");
  const KeyEncryptionKey old_kek = KekFor(dir);
  const std::map<std::string, std::string> before = RawKeys(dir);
  std::string out;
  REQUIRE(Caseengine({"new-kek", "--out", new_file}, &out) == 0);
  struct stat st;
  REQUIRE(stat(new_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(Caseengine({"new-kek", "--out", new_file}, &out) == 2);  // never overwrites
  KeyEncryptionKey new_kek;
  REQUIRE(ReadKeyEncryptionKey(new_file, &new_kek).ok());

  // A wrong old key changes nothing; nor does a rotation beside a running engine (locked).
  const std::string stranger = tmp.Sub("stranger.kek");
  REQUIRE(Caseengine({"new-kek", "--out", stranger}, &out) == 0);
  CHECK(Caseengine(
            {"rotate-kek", "--data", dir, "--old-key-file", stranger, "--new-key-file", new_file},
            &out) == 1);
  CHECK(out.find("wrapped with key " + old_kek.Id()) != std::string::npos);
  {
    ServerProcess running(dir);
    CHECK(Caseengine(
              {"rotate-kek", "--data", dir, "--old-key-file", old_file, "--new-key-file", new_file},
              &out) == 2);
  }
  CHECK(RawKeys(dir) == before);

  REQUIRE(Caseengine(
              {"rotate-kek", "--data", dir, "--old-key-file", old_file, "--new-key-file", new_file},
              &out) == 0);
  CHECK(out.find(new_kek.Id()) != std::string::npos);
  const std::map<std::string, std::string> after = RawKeys(dir);
  REQUIRE(after.size() == before.size());
  CHECK(HexEncode(after.at(kMarker).substr(1)) == new_kek.Id());
  for (const auto& [subject, value] : after) {
    if (subject == kMarker) continue;
    INFO(subject);
    std::string a, b;
    REQUIRE(Unseal(old_kek.bytes, before.at(subject).substr(9), subject, &a).ok());
    REQUIRE(Unseal(new_kek.bytes, value.substr(9), subject, &b).ok());
    CHECK(a == b);  // the same data key, wrapped anew
    CHECK_FALSE(Unseal(old_kek.bytes, value.substr(9), subject, &b).ok());
  }
  // The old wrapped forms are gone from the files too.
  const std::string bytes = AllBytes(dir);
  for (const auto& [subject, value] : before) {
    if (subject != kMarker) CHECK(bytes.find(value) == std::string::npos);
  }

  // The old key opens nothing; the new one opens everything.
  CHECK(Casereplay({"state", "--data", dir, "--stream", "client-" + client, "--key-file", old_file},
                   &out) == 2);
  CHECK(out.find("the configured key is " + old_kek.Id()) != std::string::npos);
  CHECK(Caseengine({"rebuild", "--data", dir, "--key-file", old_file}, &out) == 2);
  CHECK(Casereplay({"state", "--data", dir, "--stream", "client-" + client, "--key-file", new_file},
                   &out) == 0);
  CHECK(out.find("Rotherham") != std::string::npos);
  CHECK(Caseengine({"rebuild", "--data", dir, "--key-file", new_file}, &out) == 0);
  // The server with the new key, from the environment.
  setenv("CASEENGINE_KEK_FILE", new_file.c_str(), 1);
  {
    ServerProcess server(dir);
    HttpClient officer = server.Client("demo-officer");
    CHECK(GetOk(officer, "/clients/" + client)["surname"] == "Rotherham");
  }
  unsetenv("CASEENGINE_KEK_FILE");
}
