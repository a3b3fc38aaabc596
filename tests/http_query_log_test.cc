// End-to-end tests of the routes that read the log, against a real `caseengine serve`:
// GET /audit by actor, stream and time, GET /streams/{stream}/events, GET /events from a
// position, and GET /events/stream as server-sent events and then live.
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/http_queries_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_queries::Caseload;
using caseengine::testing::http_queries::Day;
using caseengine::testing::http_queries::MakeCaseload;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::Today;

}  // namespace

TEST_CASE("http: GET /audit filters by actor stream and time", "[http]") {
  // Given a caseload written by the officer and the supervisor
  Served s;
  const Caseload w = MakeCaseload(s);
  const uint64_t head = s.Head();
  // When the auditor reads the whole audit trail
  // Then every event is there with its position, time, actor, stream and type
  const json all = Read(s, s.auditor, "/audit?limit=1000");
  REQUIRE(all["entries"].size() == head);
  for (const auto& e : all["entries"]) {
    CHECK(e.contains("position"));
    CHECK(e.contains("at"));
    CHECK(e.contains("actor"));
    CHECK(e.contains("stream"));
    CHECK(e.contains("type"));
  }
  // And filters by actor and stream answer their events alone (the supervisor registered Delta: the
  // client and its case with the new-case workflow's tasks)
  const json sup = Read(s, s.auditor, "/audit?actor=supervisor");
  CHECK(sup["entries"].size() == kRegistrationEvents);
  for (const auto& e : sup["entries"]) CHECK(e["actor"] == "supervisor");
  const json stream = Read(s, s.auditor, "/audit?stream=case-" + w.c1);
  const uint64_t c1_version = GetOk(s.officer, "/cases/" + w.c1)["version"];
  CHECK(stream["entries"].size() == c1_version);
  for (const auto& e : stream["entries"]) CHECK(e["stream"] == "case-" + w.c1);
  // (the settings the server imported at start are the system's, on the settings stream)
  const json settings = Read(s, s.auditor, "/audit?limit=1000&actor=system&stream=settings");
  CHECK(settings["entries"].size() == kDemoSettingsEvents);
  const json both = Read(s, s.auditor, "/audit?actor=officer&stream=client-" + w.charlie);
  CHECK(both["entries"].size() == 2);  // registered, status changed

  // And time ranges by day or instant narrow it; a malformed time is 422
  const std::string today = Today();
  CHECK(Read(s, s.auditor, "/audit?limit=1000&from=" + today)["entries"].size() == head);
  CHECK(Read(s, s.auditor, "/audit?limit=1000&from=" + today + "&to=" + today)["entries"].size() ==
        head);
  CHECK(Read(s, s.auditor, "/audit?from=2000-01-01&to=2000-01-02")["entries"].empty());
  CHECK(Read(s, s.auditor, "/audit?to=" + Day(-1))["entries"].empty());
  CHECK(Read(s, s.auditor, "/audit?from=" + Day(1) + "T00:00:00Z")["entries"].empty());
  CHECK(Read(s, s.auditor, "/audit?limit=1000&from=2000-01-01T00:00:00Z")["entries"].size() ==
        head);
  CheckProblem(s.auditor.Get("/audit?from=last-tuesday"), 422, kValidation);

  // And it pages by cursor
  const json first = Read(s, s.auditor, "/audit?limit=3");
  REQUIRE(first["entries"].size() == 3);
  const std::string cursor = first["next_cursor"];
  REQUIRE(!cursor.empty());
  const json second = Read(s, s.auditor, "/audit?limit=3&cursor=" + cursor);
  REQUIRE(!second["entries"].empty());
  CHECK(second["entries"][0]["position"].get<uint64_t>() >
        first["entries"][2]["position"].get<uint64_t>());
}

TEST_CASE("http: GET /streams/{stream}/events answers the raw events of one stream", "[http]") {
  // Given a client whose status and groups changed
  Served s;
  const std::string c = Register(s.officer, "Raw")["client_id"];
  Done(s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}));
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "g"}}));
  // When the auditor reads the client's stream
  // Then its three events are there by version with actor, position, time and data
  const json page = GetOk(s.auditor, "/streams/client-" + c + "/events");
  CHECK(page["stream"] == "client-" + c);
  const json& events = page.at("events");
  REQUIRE(events.size() == 3);
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i]["version"] == i + 1);
    CHECK(events[i]["stream"] == "client-" + c);
    CHECK(events[i]["actor"] == "officer");
    CHECK(events[i].contains("position"));
    CHECK(events[i].contains("recorded_at"));
  }
  CHECK(events[0]["type"] == "ClientRegistered");
  CHECK(events[1]["type"] == "ClientStatusChanged");
  CHECK(events[1]["data"]["status"] == "closed");
  // And from_version and limit narrow it, an unknown stream is 404, and the administrator may read
  // it too
  const json later = GetOk(s.auditor, "/streams/client-" + c + "/events?from_version=2&limit=1");
  REQUIRE(later["events"].size() == 1);
  CHECK(later["events"][0]["version"] == 2);
  CheckProblem(s.auditor.Get("/streams/client-" + kUnknown + "/events"), 404, kNotFound);
  CHECK(GetOk(s.admin, "/streams/client-" + c + "/events")["events"].size() == 3);
}

TEST_CASE("http: GET /events answers the global log from a position", "[http]") {
  // Given a caseload
  Served s;
  MakeCaseload(s);
  const uint64_t head = s.Head();
  // When the auditor reads the log from position 1
  // Then every event is there in order, with the head position
  const json all = GetOk(s.auditor, "/events?from=1&limit=1000");
  CHECK(all["head_position"] == head);
  REQUIRE(all["events"].size() == head);
  for (size_t i = 0; i < head; ++i) CHECK(all["events"][i]["position"] == i + 1);
  // And from and limit give a part with where to go next; past the head is empty; a bad position is
  // 422
  const json part = GetOk(s.auditor, "/events?from=3&limit=2");
  REQUIRE(part["events"].size() == 2);
  CHECK(part["events"][0]["position"] == 3);
  CHECK(part["events"][1]["position"] == 4);
  CHECK(part["next"] == 5);
  CHECK(GetOk(s.auditor, "/events?from=" + std::to_string(head + 1))["events"].empty());
  CheckProblem(s.auditor.Get("/events?from=minus-one"), 422, kValidation);
}

TEST_CASE("http: GET /events/stream sends the log as server-sent events and then live", "[http]") {
  // Given a caseload
  Served s;
  MakeCaseload(s);
  const json log = GetOk(s.auditor, "/events?from=1&limit=3");
  // When the auditor reads the event stream from position 1
  // Then it is text/event-stream with the log's events as ids, types and JSON
  const EventStreamAnswer a =
      ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-auditor", 3);
  REQUIRE(a.status == 200);
  CHECK(a.content_type.rfind("text/event-stream", 0) == 0);
  REQUIRE(a.events.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(a.events[i].id == std::to_string(i + 1));
    CHECK(a.events[i].event == log["events"][i]["type"]);
    CHECK(a.events[i].json["position"] == i + 1);
    CHECK(a.events[i].json["stream"] == log["events"][i]["stream"]);
  }
  const EventStreamAnswer from5 =
      ReadEventStream(s.server.port(), "/events/stream?from=5", "demo-auditor", 1);
  REQUIRE(from5.events.size() == 1);
  CHECK(from5.events[0].id == "5");

  // And a reader waiting past the head gets the next command's events as they come
  const uint64_t head = s.Head();
  EventStreamAnswer live;
  std::thread reader([&] {
    live = ReadEventStream(s.server.port(), "/events/stream?from=" + std::to_string(head + 1),
                           "demo-auditor", 2, 20);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpClient writer = s.server.Client("demo-officer");
  const HttpAnswer registered =
      writer.Post("/clients", {{"surname", "Live"}, {"date_of_birth", "1999-09-09"}});
  reader.join();
  REQUIRE(registered.status == 201);
  REQUIRE(live.events.size() == 2);
  CHECK(live.events[0].id == std::to_string(head + 1));
  CHECK(live.events[0].event == "ClientRegistered");
  CHECK(live.events[1].event == "CaseOpened");
}
