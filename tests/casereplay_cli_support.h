// Helpers of the casereplay command line tests (casereplay_cli_test.cc,
// casereplay_dump_test.cc, casereplay_live_writer_test.cc): logs of known content written
// with a clock of known times, `casereplay` run as a separate process, and what its
// `verify` and `dump` print, parsed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "events/event_log.h"
#include "tests/test_support.h"

namespace caseengine::testing::casereplay_cli {

// The first writer round happens at this time: 2025-11-24T16:00:00.123456Z.
inline constexpr int64_t kBaseMicros = 1764000000123456;

// What a test wrote, event by event, in position order.
struct WrittenEvent {
  uint64_t position = 0;
  std::string stream;
  uint64_t version = 0;
  std::string type;
  std::string actor;
  std::string command_id;
  std::string payload;
};

// Streams of the known log; one needs JSON escaping.
const std::vector<std::string>& Streams();

// Opens a RocksDB log for writing whose clock starts at kBaseMicros and moves 1.5 s per
// writer round, so recorded_at values are known and cross a second boundary.
void OpenWithClock(const std::string& dir, testing::OpenLog* ol);

// Appends `requests` requests of mixed shapes (one event, several events, two streams, with
// and without a command id, binary payloads) and returns what was written.
std::vector<WrittenEvent> AppendKnown(EventLog* log, int requests, int first_request = 0);

// A closed log of 60 requests (about 130 events) of known content.
std::vector<WrittenEvent> WriteKnownLog(const std::string& dir);

int Casereplay(const std::vector<std::string>& args, std::string* output);

std::vector<std::string> Lines(const std::string& text);

std::vector<nlohmann::json> DumpJson(const std::vector<std::string>& args);

struct VerifyOutput {
  uint64_t events = 0;
  uint64_t head_position = 0;
  std::string head_hash;
};

VerifyOutput ParseVerify(const std::string& out);

std::string Hex(const Hash256& h);

}  // namespace caseengine::testing::casereplay_cli
