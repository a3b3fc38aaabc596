// End-to-end tests of the audit routes of docs/auditing.md against a real `caseengine
// serve`: GET /audit/digest (the digest of the durable head, in the shape `casereplay
// checkpoint` prints, and the same hash) and GET /audit/verify (the chain, a range of it,
// and whether the log extends a digest), who may call them, and the validation problems of their
// parameters.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

const std::string kZeros(64, '0');

bool IsHash(const json& j) {
  static const std::regex re("^[0-9a-f]{64}$");
  return j.is_string() && std::regex_match(j.get<std::string>(), re);
}

bool IsRfc3339(const json& j) {
  static const std::regex re(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
      "$");
  return j.is_string() && std::regex_match(j.get<std::string>(), re);
}

json Digest(HttpClient& auditor) {
  HttpAnswer a = auditor.Get("/audit/digest");
  INFO(a.status << " " << a.body);
  REQUIRE(a.status == 200);
  CHECK(a.ContentType().rfind("application/json", 0) == 0);
  REQUIRE(a.json.is_object());
  return a.json;
}

json Verify(HttpClient& auditor, const std::string& query = "") {
  HttpAnswer a = auditor.Get("/audit/verify" + query);
  INFO(query << ": " << a.status << " " << a.body);
  REQUIRE(a.status == 200);
  REQUIRE(a.json.is_object());
  return a.json;
}

// GET /audit/verify against a digest (position, hash).
json VerifyDigest(HttpClient& auditor, uint64_t position, const std::string& hash) {
  return Verify(auditor, "?position=" + std::to_string(position) + "&hash=" + hash);
}

// The verification refused the digest, with a reason.
void CheckDigestRefused(const json& v) {
  INFO(v.dump());
  CHECK(v["ok"] == false);
  REQUIRE(v.contains("digest"));
  CHECK(v["digest"]["ok"] == false);
  CHECK(v["digest"].value("reason", "") != "");
}

// The event at `position` as GET /events shows it.
json EventAt(HttpClient& auditor, uint64_t position) {
  HttpAnswer a = auditor.Get("/events?from=" + std::to_string(position) + "&limit=1");
  INFO(a.status << " " << a.body);
  REQUIRE(a.status == 200);
  REQUIRE(a.json["events"].size() == 1);
  return a.json["events"][0];
}

void Work(Served& s, int clients) {
  for (int i = 0; i < clients; ++i) {
    json r = Register(s.officer, "Audited" + std::to_string(i));
    Done(s.officer.Post("/cases/" + r["case_id"].get<std::string>() + "/notes",
                        {{"text", "note " + std::to_string(i)}}),
         201);
  }
}

int Casereplay(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv{CASEREPLAY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, out);
}

// Flips a byte in the middle of the payload of the stored event at `position`, with plain
// RocksDB on a closed data folder (see tamper_test.cc).
void FlipPayloadByte(const std::string& dir, uint64_t position) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir, descriptors, &handles, &db);
  INFO(st.ToString());
  REQUIRE(st.ok());
  rocksdb::ColumnFamilyHandle* log = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == caseengine::log_format::kLogFamily) log = handles[i];
  }
  REQUIRE(log != nullptr);
  const std::string key = caseengine::log_format::LogKey(position);
  std::string value;
  REQUIRE(db->Get(rocksdb::ReadOptions(), log, key, &value).ok());
  caseengine::EventView view;
  REQUIRE(caseengine::EventView::Parse(value, &view).ok());
  const size_t offset =
      static_cast<size_t>(view.payload().data() - value.data()) + view.payload().size() / 2;
  value[offset] = static_cast<char>(value[offset] ^ 0x01);
  REQUIRE(db->Put(rocksdb::WriteOptions(), log, key, value).ok());
  for (auto* h : handles) REQUIRE(db->Flush(rocksdb::FlushOptions(), h).ok());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  REQUIRE(db->Close().ok());
  delete db;
}

}  // namespace

TEST_CASE("http: GET /audit/digest answers the digest of the log's head as casereplay does",
          "[http][audit]") {
  Served s;
  // At start the log holds the settings the server imported from its config (the demo's
  // 14 task types and 3 workflows): the digest is that head's.
  const json start = Digest(s.auditor);
  CHECK(start["format"] == "caseengine-digest/1");
  CHECK(start["log_format"] == "caseengine-log/1");
  CHECK(start["position"] == 17);
  CHECK(start["position"] == s.Head());
  CHECK(start["hash"] == EventAt(s.auditor, 17)["hash"]);
  CHECK(start["hash"] != kZeros);
  Work(s, 4);
  // The log written since extends the digest taken at start.
  const json extends =
      VerifyDigest(s.auditor, start["position"].get<uint64_t>(), start["hash"].get<std::string>());
  CHECK(extends["ok"] == true);
  CHECK(extends["digest"]["ok"] == true);
  const uint64_t head = s.Head();
  REQUIRE(head >= 8);
  const json d = Digest(s.auditor);
  INFO(d.dump());
  for (const char* field :
       {"format", "log_format", "position", "hash", "recorded_at", "taken_at"}) {
    INFO("field " << field);
    CHECK(d.contains(field));
  }
  CHECK(d["format"] == "caseengine-digest/1");
  CHECK(d["log_format"] == "caseengine-log/1");
  CHECK(d["position"] == head);
  CHECK(IsHash(d["hash"]));
  CHECK(IsRfc3339(d["recorded_at"]));
  CHECK(IsRfc3339(d["taken_at"]));
  const json last = EventAt(s.auditor, head);
  CHECK(d["hash"] == last["hash"]);
  int64_t digest_at = 0, event_at = 0;
  REQUIRE(caseengine::ParseInstant(d["recorded_at"].get<std::string>(), &digest_at));
  REQUIRE(caseengine::ParseInstant(last["recorded_at"].get<std::string>(), &event_at));
  CHECK(digest_at == event_at);
  // An administrator has every permission.
  CHECK(Digest(s.admin)["hash"] == d["hash"]);

  // The same digest as the auditor's command line on the folder, once the server stopped.
  REQUIRE(s.server.Stop() == 0);
  std::string out;
  const int status = Casereplay({"checkpoint", "--data", s.dir.Sub("data")}, &out);
  INFO(out);
  REQUIRE(status == 0);
  json c;
  REQUIRE_NOTHROW(c = json::parse(out));
  CHECK(c["position"] == d["position"]);
  CHECK(c["hash"] == d["hash"]);
  CHECK(c["recorded_at"] == d["recorded_at"]);
  CHECK(c["format"] == d["format"]);
  CHECK(c["log_format"] == d["log_format"]);
}

TEST_CASE("http: the audit routes need the audit permission", "[http][audit]") {
  Served s;
  Work(s, 1);
  for (const std::string path : {"/audit/digest", "/audit/verify"}) {
    INFO(path);
    CheckProblem(s.officer.Get(path), 403, kForbidden);
    CheckProblem(s.supervisor.Get(path), 403, kForbidden);
    HttpClient anonymous = s.server.Client("");
    HttpAnswer a = anonymous.Get(path);
    INFO(a.body);
    CHECK(a.status == 401);
    HttpClient stranger = s.server.Client("no-such-token");
    CHECK(stranger.Get(path).status == 401);
    CHECK(s.auditor.Get(path).status == 200);
    CHECK(s.admin.Get(path).status == 200);
  }
}

TEST_CASE("http: GET /audit/verify checks the whole chain or a range of it", "[http][audit]") {
  Served s;
  Work(s, 5);
  const uint64_t head = s.Head();
  const json d = Digest(s.auditor);

  const json v = Verify(s.auditor);
  INFO(v.dump());
  CHECK(v["ok"] == true);
  CHECK(v["checked"] == head);
  CHECK(v["head_position"] == head);
  CHECK(v["last_position"] == head);
  CHECK(v["last_hash"] == d["hash"]);

  const json range = Verify(s.auditor, "?from=2&to=5");
  INFO(range.dump());
  CHECK(range["ok"] == true);
  CHECK(range["checked"] == 4);
  CHECK(range["last_position"] == 5);
  CHECK(range["last_hash"] == EventAt(s.auditor, 5)["hash"]);
  CHECK(range["head_position"] == head);

  const json from = Verify(s.auditor, "?from=3");
  CHECK(from["ok"] == true);
  CHECK(from["checked"] == head - 2);
  CHECK(from["last_position"] == head);
}

TEST_CASE("http: GET /audit/verify with an earlier digest says the log extends it",
          "[http][audit]") {
  Served s;
  Work(s, 3);
  const json earlier = Digest(s.auditor);
  const uint64_t p = earlier["position"].get<uint64_t>();
  Work(s, 3);
  const uint64_t head = s.Head();
  REQUIRE(head > p);

  const std::string hash = earlier["hash"].get<std::string>();
  const json v = VerifyDigest(s.auditor, p, hash);
  INFO(v.dump());
  CHECK(v["ok"] == true);
  CHECK(v["checked"] == head);
  REQUIRE(v.contains("digest"));
  CHECK(v["digest"]["ok"] == true);
  CHECK(v["digest"]["position"] == p);
  CHECK(v["digest"]["hash"] == hash);
  // The head's own digest too.
  const json now = Digest(s.auditor);
  const json v2 =
      VerifyDigest(s.auditor, now["position"].get<uint64_t>(), now["hash"].get<std::string>());
  CHECK(v2["ok"] == true);
  CHECK(v2["digest"]["ok"] == true);
}

TEST_CASE("http: GET /audit/verify with a wrong hash says the digest does not match",
          "[http][audit]") {
  Served s;
  Work(s, 3);
  const json d = Digest(s.auditor);
  const uint64_t p = d["position"].get<uint64_t>();
  std::string wrong = d["hash"].get<std::string>();
  wrong[10] = wrong[10] == '0' ? '1' : '0';

  const json v = VerifyDigest(s.auditor, p, wrong);
  CheckDigestRefused(v);
  CHECK(v["digest"]["position"] == p);
  CHECK(v["digest"]["hash"] == wrong);
  // The chain itself is fine.
  CHECK(v["checked"] == p);
  CHECK(v["last_position"] == p);

  // A digest past the end of the log: events were removed from its end.
  CheckDigestRefused(VerifyDigest(s.auditor, p + 100, d["hash"].get<std::string>()));
  // An earlier position with the head's hash.
  CheckDigestRefused(VerifyDigest(s.auditor, 2, d["hash"].get<std::string>()));
}

TEST_CASE("http: GET /audit/verify refuses malformed parameters with validation problems",
          "[http][audit]") {
  Served s;
  Work(s, 2);
  const std::string hash = Digest(s.auditor)["hash"].get<std::string>();
  const std::vector<std::string> bad = {
      "?position=2&hash=xyz",
      "?position=2&hash=" + hash.substr(1),
      "?position=2&hash=" + hash + "0",
      "?position=2&hash=" + std::string(64, 'g'),
      "?position=2",
      "?hash=" + hash,
      "?from=5&to=3",
  };
  for (const std::string& query : bad) {
    // Each checked on its own (CheckProblem stops at the first), so that every wrong
    // answer is reported.
    HttpAnswer a = s.auditor.Get("/audit/verify" + query);
    INFO(query << ": " << a.status << " " << a.body);
    CHECK(a.status == 422);
    CHECK(a.ContentType().rfind("application/problem+json", 0) == 0);
    CHECK(a.json.is_object());
    CHECK(a.json.value("type", "") == kValidation);
    CHECK(a.json.value("status", 0) == 422);
    CHECK(a.json.value("detail", "") != "");
  }
  // The boundary: from equal to to is one event.
  const json one = Verify(s.auditor, "?from=3&to=3");
  CHECK(one["ok"] == true);
  CHECK(one["checked"] == 1);
}

TEST_CASE("http: the live reads with at= answer the JSON casereplay state prints",
          "[http][audit]") {
  // "The JSON is exactly what GET /clients/{id}, GET /cases/{id} or GET /lobby/{id}
  // answers (the live routes take at= and as_of= too)": the same position asked of both.
  Served s;
  const json reg = Register(s.officer, "Livesey");
  const std::string client = reg["client_id"], kase = reg["case_id"];
  struct Read {
    std::string path, stream;
    uint64_t at;
    json live;
  };
  std::vector<Read> reads;
  reads.push_back({"/clients/" + client, "client-" + client, reg["position"], {}});
  reads.push_back({"/cases/" + kase, "case-" + kase, reg["position"], {}});
  uint64_t p =
      Done(s.officer.Patch("/clients/" + client, {{"surname", "Livesey-Smith"}}))["position"];
  reads.push_back({"/clients/" + client, "client-" + client, p, {}});
  p = Done(s.officer.Post("/cases/" + kase + "/notes", {{"text", "first visit"}}), 201)["position"];
  reads.push_back({"/cases/" + kase, "case-" + kase, p, {}});
  const json lobby =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Walkin"}}), 201);
  const std::string lobby_id = lobby["lobby_id"];
  reads.push_back({"/lobby/" + lobby_id, "lobby-" + lobby_id, lobby["position"], {}});
  p = Done(s.officer.Post("/lobby/" + lobby_id + "/claim"))["position"];
  reads.push_back({"/lobby/" + lobby_id, "lobby-" + lobby_id, p, {}});
  // Later changes, so that at= matters for each.
  Done(s.officer.Post("/clients/" + client + "/groups", {{"group", "later"}}));
  Done(s.officer.Post("/cases/" + kase + "/actions", {{"title", "Later"}}), 201);
  Done(s.officer.Post("/lobby/" + lobby_id + "/assign", {{"client_id", client}}));

  for (Read& r : reads) {
    const std::string path = r.path + "?at=" + std::to_string(r.at);
    HttpAnswer a = s.officer.Get(path);
    INFO(path << ": " << a.status << " " << a.body);
    CHECK(a.status == 200);
    r.live = a.json;
  }
  // as_of= a date far ahead: everything so far.
  for (const std::string& path : {"/clients/" + client, "/cases/" + kase, "/lobby/" + lobby_id}) {
    HttpAnswer now = s.officer.Get(path);
    HttpAnswer as_of = s.officer.Get(path + "?as_of=2999-01-01");
    INFO(path << ": " << as_of.status << " " << as_of.body);
    CHECK(as_of.status == 200);
    CHECK(as_of.json == now.json);
  }

  REQUIRE(s.server.Stop() == 0);
  for (const Read& r : reads) {
    INFO(r.stream << " at " << r.at << "; live: " << r.live.dump());
    std::string out;
    const int status = Casereplay(
        {"state", "--data", s.dir.Sub("data"), "--stream", r.stream, "--at", std::to_string(r.at)},
        &out);
    INFO(out);
    REQUIRE(status == 0);
    json replayed;
    REQUIRE_NOTHROW(replayed = json::parse(out));
    CHECK(replayed == r.live);
  }
}

TEST_CASE("http: GET /audit/verify names the first bad position of a tampered log",
          "[http][audit]") {
  TempDir dir;
  const std::string data = dir.Sub("data");
  json before;
  {
    ServerProcess server(data);
    HttpClient officer = server.Client("demo-officer"), auditor = server.Client("demo-auditor");
    for (int i = 0; i < 4; ++i) Register(officer, "Tampered" + std::to_string(i));
    before = Digest(auditor);
    REQUIRE(server.Stop() == 0);
  }
  const uint64_t head = before["position"].get<uint64_t>();
  REQUIRE(head >= 8);
  FlipPayloadByte(data, 3);

  ServerProcess server(data);
  HttpClient auditor = server.Client("demo-auditor");
  const json v = Verify(auditor);
  INFO(v.dump());
  CHECK(v["ok"] == false);
  CHECK(v["first_bad"] == 3);
  CHECK(v.value("reason", "") != "");
  CHECK(v["checked"] == 2);
  CHECK(v["last_position"] == 2);
  CHECK(v["head_position"] == head);
  // With a digest the log does extend, the answer is still not ok: the chain is broken.
  const json with_digest =
      Verify(auditor, "?position=2&hash=" + EventAt(auditor, 2)["hash"].get<std::string>());
  INFO(with_digest.dump());
  CHECK(with_digest["ok"] == false);
  CHECK(with_digest["first_bad"] == 3);
  // A range that ends before the damage verifies.
  CHECK(Verify(auditor, "?from=1&to=2")["ok"] == true);
  // The digest does not verify the chain first: it answers whatever the log holds.
  const json d = Digest(auditor);
  CHECK(d["position"] == head);
  CHECK(d["hash"] == before["hash"]);
}
