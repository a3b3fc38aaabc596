// casereplay history (docs/auditing.md): every event of a client, case or lobby stream in
// order with who and when, exit 2 for a stream without events, and erased personal fields
// shown as erased with no plaintext left in any output.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app/command_service.h"
#include "events/event_view.h"
#include "tests/casereplay_audit_support.h"
#include "tests/test_support.h"

namespace caseengine {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

using testing::casereplay_audit::Casereplay;
using testing::casereplay_audit::Clip;
using testing::casereplay_audit::Contains;
using testing::casereplay_audit::Instant;
using testing::casereplay_audit::JsonLines;
using testing::casereplay_audit::kDay;
using testing::casereplay_audit::kMonday;
using testing::casereplay_audit::Lines;
using testing::casereplay_audit::Lower;
using testing::casereplay_audit::Office;
using testing::casereplay_audit::Ok;
using testing::casereplay_audit::Ran;
using testing::casereplay_audit::ThreeDaysFolder;
using testing::casereplay_audit::Worked;
using testing::casereplay_audit::WorkThreeDays;

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

}  // namespace

// =======================================================================================
// History.

TEST_CASE("casereplay history prints every event of a client stream in order with who and when",
          "[audit][history]") {
  // Given three days of casework and a command on the client with a command id and a correlation id
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
  // When casereplay history prints the client's stream
  // Then every event is there in order with who and when
  CheckHistory(o, dir, "client-" + w.client);
  // And personal fields are decrypted where the key exists
  const std::string jsonl =
      Ok({"history", "--data", dir, "--stream", "client-" + w.client, "--format", "jsonl"});
  const auto lines = JsonLines(jsonl);
  REQUIRE(!lines.empty());
  CHECK(lines[0]["type"] == "ClientRegistered");
  CHECK(lines[0]["data"]["personal"]["surname"] == "Harrow");
  CHECK(lines[0]["data"]["personal"]["email"] == "ada.harrow@example.org");
  // And the stored command id and correlation id are shown (the handler keeps each user's ids
  // apart)
  CHECK_THAT(lines.back()["command_id"].get<std::string>(), Catch::EndsWith("audit-cmd-1"));
  CHECK(lines.back()["correlation_id"] == "corr-42");
  const std::string text = Ok({"history", "--data", dir, "--stream", "client-" + w.client});
  CHECK(Contains(text, "Harrow"));
  // And the soft-deleted client's history is all there
  CheckHistory(o, dir, "client-" + w.other_client);
}

TEST_CASE("casereplay history prints every event of a case and a lobby stream in order",
          "[audit][history]") {
  // Given three days of casework
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  // When casereplay history prints case and Lobby streams
  // Then every event is there in order, a note with quotes whole
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
  // Given three days of casework
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  // When casereplay history asks for streams that have no events, in text and JSON lines
  // Then each is exit 2 with a message and nothing printed
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
  // And so is a missing stream, an unknown format and a missing folder (which is not made)
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
  // Given three days of casework with an erased client and a removed Lobby record
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string client = "client-" + w.erased_client, kase = "case-" + w.erased_case;

  // When casereplay history prints the erased client's and its case's streams
  // Then every event is there, the personal fields shown as erased
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

  // And no plaintext is anywhere: history, state and the export of everything
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
  // And the others' are still readable
  CHECK(Contains(Ok({"export", "--data", dir}), "Harrow"));

  // And a removed Lobby record's key is destroyed too
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

  // And the chain still verifies: the events were never changed, only their key destroyed
  const Ran v = Casereplay({"verify", "--data", dir});
  INFO(v);
  CHECK(v.status == 0);
  CHECK(Contains(v.out, "chain ok\n"));
}

}  // namespace caseengine
