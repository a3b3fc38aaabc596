// casereplay: the auditor's command line (docs/auditing.md). Opens a data folder
// read-only and without its lock, so it runs beside a live engine; it never writes to it.
//
//   casereplay verify     --data DIR [--from N] [--to M] | [--digest FILE]
//   casereplay checkpoint --data DIR [--at N] [--out FILE]
//   casereplay history    --data DIR --stream S [--format text|jsonl]
//   casereplay state      --data DIR --stream S [--as-of TIME | --at N]
//   casereplay rebuild    --data DIR --into DIR2 [--to N]
//   casereplay diff       DIR_A DIR_B [--read-model NAME] [--max N]
//   casereplay export     --data DIR [--from T1] [--to T2] [--actor U] [--stream S]
//                         [--format csv|jsonl] [--out FILE]
//   casereplay dump       --data DIR [--stream S] [--from N] [--limit K]
//
// Every command takes --key-file FILE: the key-encryption key that the folder's data keys
// are wrapped with (docs/event_log.md), needed to open personal fields. Without the flag:
// CASEENGINE_KEK (64 hex digits), then the file CASEENGINE_KEK_FILE names, then the demo's
// file beside the folder (DIR.kek) if there is one. A folder with wrapped keys and no key
// given, or the wrong one, is exit 2 with the key ids named.
//
// Exit status (base/exit_codes.h, the same as caseengine's): 0 done, nothing wrong; 1 a
// finding (broken chain, digest mismatch, read models differ); 2 the command could not
// run (the reason on stderr). `casereplay --version` prints the version.
#include <caseengine_version.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "aggregates/state_json.h"
#include "aggregates/state_reader.h"
#include "audit/activity.h"
#include "audit/digest.h"
#include "audit/event_json.h"
#include "audit/read_model_diff.h"
#include "audit/rebuild_into.h"
#include "audit/replay_folder.h"
#include "base/coding.h"
#include "base/exit_codes.h"
#include "events/log_range.h"

namespace caseengine {
namespace {

constexpr int kOk = kExitOk, kFinding = kExitFailed, kCannot = kExitCannotRun;

int Cannot(const std::string& why) {
  std::cerr << "casereplay: " << why << "\n";
  return kCannot;
}

struct Args {
  std::string key_file;
  std::string dir, stream, digest_file, out, into, format, actor, as_of, read_model;
  std::string dir_a, dir_b, from_time, to_time;
  uint64_t from = 1, to = 0, at = 0, limit = UINT64_MAX, max_shown = 20;
  bool at_given = false;  // checkpoint --at 0 is the empty log's digest, not the head's
};

// The KEK for `a.dir`, as the header says; empty when none is given or found.
Status FindKek(const Args& a, KeyEncryptionKey* kek) {
  if (!a.key_file.empty()) return ReadKeyEncryptionKey(a.key_file, kek);
  if (const char* hex = std::getenv("CASEENGINE_KEK"); hex != nullptr && *hex != 0) {
    Status s = ParseKeyEncryptionKey(hex, kek);
    return s.ok() ? s : Status::InvalidArgument("CASEENGINE_KEK: " + s.message());
  }
  if (const char* file = std::getenv("CASEENGINE_KEK_FILE"); file != nullptr && *file != 0) {
    return ReadKeyEncryptionKey(file, kek);
  }
  Status s = KekBeside(a.dir, /*create=*/false, kek);
  return s.code() == Status::Code::kNotFound ? Status::Ok() : s;
}

// `open_keys` off: the command shows no personal field (the chain, raw envelopes), so it
// runs without the KEK too.
Status OpenFolder(const Args& a, std::unique_ptr<ReplayFolder>* folder, bool open_keys = true) {
  KeyEncryptionKey kek;
  Status s = FindKek(a, &kek);
  if (!s.ok()) return s;
  return ReplayFolder::Open(a.dir, kek.empty() ? nullptr : &kek, folder, open_keys);
}

int Verify(const Args& a) {
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder, /*open_keys=*/false);
  if (!s.ok()) return Cannot(s.ToString());
  std::optional<LogDigest> digest;
  if (!a.digest_file.empty()) {
    std::ifstream in(a.digest_file, std::ios::binary);
    if (!in) return Cannot("cannot read the digest file " + a.digest_file);
    std::stringstream text;
    text << in.rdbuf();
    LogDigest d;
    s = ParseDigest(text.str(), &d);
    if (!s.ok()) return Cannot(a.digest_file + ": " + s.message());
    digest = d;
  }
  const EventLog& log = folder->log();
  const uint64_t head = log.HeadPosition();
  s = CheckRange(head, a.from, a.to, "--");
  if (!s.ok()) return Cannot(s.message());
  const AuditReport r = Audit(log, a.from, a.to, digest);
  const bool whole = r.from <= 1 && r.to >= head;
  if (!r.chain.ok) {
    std::cout << "chain BROKEN at position " << r.chain.first_bad << ": " << r.chain.reason << "\n"
              << "verified " << r.chain.checked << " events before it (last good position "
              << r.chain.last_position << ")\n";
  } else {
    std::cout << "chain ok\n"
              << "events: " << r.chain.checked << "\n";
    if (whole) {
      std::cout << "head position: " << r.chain.last_position << "\n"
                << "head hash: " << HexEncode(AsBytes(r.chain.last_hash)) << "\n";
    } else {
      std::cout << "checked positions: " << r.from << ".." << r.chain.last_position << " of "
                << head << "\n"
                << "hash at " << r.chain.last_position << ": "
                << HexEncode(AsBytes(r.chain.last_hash)) << "\n";
    }
  }
  if (digest) {
    if (r.digest_ok) {
      std::cout << "digest ok: the log extends the digest at position " << digest->position << "\n";
    } else {
      std::cout << "digest MISMATCH: " << r.digest_reason << "\n";
    }
  }
  return r.ok() ? kOk : kFinding;
}

int Checkpoint(const Args& a) {
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder, /*open_keys=*/false);
  if (!s.ok()) return Cannot(s.ToString());
  const uint64_t head = folder->log().HeadPosition();
  if (a.at > head) {
    return Cannot("--at " + std::to_string(a.at) + " is past the head position " +
                  std::to_string(head));
  }
  const uint64_t at = a.at_given ? a.at : head;
  // A digest certifies the log up to it: never issue one for a broken chain.
  if (at > 0) {
    const VerifyReport chain = folder->log().VerifyChain(1, at);
    if (!chain.ok) {
      std::cerr << "casereplay: no digest: the chain is broken at position " << chain.first_bad
                << ": " << chain.reason << "\n";
      return kFinding;
    }
  }
  LogDigest digest;
  s = DigestAt(folder->log(), at, &digest);
  if (!s.ok()) return Cannot(s.ToString());
  const std::string text = DigestToJson(digest).dump() + "\n";
  if (!a.out.empty()) {
    std::ofstream file(a.out, std::ios::binary | std::ios::trunc);
    if (!(file << text) || !file.flush()) return Cannot("cannot write " + a.out);
  }
  std::cout << text;
  return kOk;
}

int History(const Args& a) {
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder);
  if (!s.ok()) return Cannot(s.ToString());
  uint64_t events = 0;
  s = folder->log().ScanStream(a.stream, 1, [&](const EventView& v) {
    const nlohmann::json e = ReadableEventJson(v, folder->codec());
    std::cout << (a.format == "jsonl" ? ToJsonLine(e) + "\n" : HistoryText(e));
    ++events;
    return true;
  });
  if (!s.ok()) return Cannot(s.ToString());
  if (events == 0) return Cannot("stream " + a.stream + " has no events");
  return kOk;
}

template <class State>
int PrintState(const ReplayFolder& folder, const std::string& stream, const std::string& what,
               const AsOf& as_of, nlohmann::json (*to_json)(const State&)) {
  State state;
  Status s = ReadState(folder.log(), folder.codec(), stream, what, as_of, &state);
  if (!s.ok()) {
    if (s.code() != Status::Code::kNotFound) return Cannot(s.ToString());
    return Cannot(what + " has no events " +
                  (as_of.position ? "by position " + std::to_string(as_of.position)
                   : as_of.micros ? "by " + FormatMicrosUtc(as_of.micros)
                                  : std::string("in this log")));
  }
  std::cout << to_json(state).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kOk;
}

int State(const Args& a) {
  AsOf as_of;
  as_of.position = a.at;
  if (!a.as_of.empty() && !ParseInstantUntil(a.as_of, &as_of.micros)) {
    return Cannot("--as-of must be an RFC 3339 instant or a date YYYY-MM-DD");
  }
  std::string_view id;
  const StreamKind kind = ParseStream(a.stream, &id);
  if (kind == StreamKind::kOther) {
    return Cannot(
        "--stream must name a client, case or lobby record (client-<id>, case-<id>, "
        "lobby-<id>)");
  }
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder);
  if (!s.ok()) return Cannot(s.ToString());
  if (a.at > folder->log().HeadPosition()) {
    return Cannot("--at " + std::to_string(a.at) + " is past the head position " +
                  std::to_string(folder->log().HeadPosition()));
  }
  const std::string sid(id);
  switch (kind) {
    case StreamKind::kClient:
      return PrintState<ClientState>(*folder, a.stream, "client " + sid, as_of, ClientToJson);
    case StreamKind::kCase:
      return PrintState<CaseState>(*folder, a.stream, "case " + sid, as_of, CaseToJson);
    default:
      return PrintState<LobbyState>(*folder, a.stream, "lobby record " + sid, as_of, LobbyToJson);
  }
}

int Rebuild(const Args& a) {
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder);
  if (!s.ok()) return Cannot(s.ToString());
  RebuildIntoReport r;
  s = RebuildInto(*folder, a.into, a.to, &r);
  if (!s.ok()) return Cannot(s.ToString());
  std::printf("rebuilt every read model into %s\n", a.into.c_str());
  std::printf("positions: 1..%llu\n", static_cast<unsigned long long>(r.to));
  std::printf("events applied: %llu in %.2f s (%.0f events/s)\n",
              static_cast<unsigned long long>(r.stats.events), r.seconds,
              r.seconds > 0 ? r.stats.events / r.seconds : 0.0);
  std::printf("rows written: %llu in %llu batches\n", static_cast<unsigned long long>(r.stats.rows),
              static_cast<unsigned long long>(r.stats.batches));
  std::printf("time decoding, applying and writing: %.2f s, of which writing: %.2f s\n",
              r.stats.apply_micros / 1e6, r.stats.write_micros / 1e6);
  return kOk;
}

int Diff(const Args& a) {
  std::unique_ptr<Store> sa, sb;
  Status s = OpenReadModelFolder(a.dir_a, &sa);
  if (s.ok()) s = OpenReadModelFolder(a.dir_b, &sb);
  if (!s.ok()) return Cannot(s.ToString());
  ReadModelDiffOptions options;
  options.only = a.read_model;
  options.max_shown = a.max_shown;
  ReadModelDiff diff;
  s = DiffReadModels(*sa, *sb, options, &diff);
  if (!s.ok()) return Cannot(s.ToString());
  std::cout << "A: " << a.dir_a << "\nB: " << a.dir_b << "\n";
  for (const ReadModelComparison& c : diff.read_models) {
    std::cout << c.name << ": A at " << c.checkpoint_a << ", B at " << c.checkpoint_b << ", "
              << std::max(c.rows_a, c.rows_b) << " rows, " << c.differences << " differences";
    if (c.checkpoint_a != c.checkpoint_b) {
      std::cout << " (the checkpoints differ: what lies between them is expected to differ)";
    }
    std::cout << "\n";
    for (const std::string& line : c.shown) std::cout << "  " << line << "\n";
    if (c.differences > c.shown.size()) {
      std::cout << "  ... and " << c.differences - c.shown.size() << " more\n";
    }
  }
  if (diff.differences == 0) {
    std::cout << "no differences\n";
    return kOk;
  }
  std::cout << diff.differences << " differences\n";
  return kFinding;
}

int Export(const Args& a) {
  LogRange filter;
  if (!a.from_time.empty() && !ParseInstant(a.from_time, &filter.from_micros)) {
    return Cannot("--from must be an RFC 3339 instant or a date YYYY-MM-DD");
  }
  if (!a.to_time.empty() && !ParseInstantUntil(a.to_time, &filter.to_micros)) {
    return Cannot("--to must be an RFC 3339 instant or a date YYYY-MM-DD");
  }
  if (filter.from_micros > filter.to_micros) return Cannot("--from is after --to");
  filter.actor = a.actor;
  filter.stream = a.stream;
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder);
  if (!s.ok()) return Cannot(s.ToString());
  std::ofstream file;
  if (!a.out.empty()) {
    file.open(a.out, std::ios::binary | std::ios::trunc);
    if (!file) return Cannot("cannot write " + a.out);
  }
  std::ostream& out = a.out.empty() ? std::cout : file;
  const bool csv = a.format == "csv";
  if (csv) out << ActivityCsvHeader();
  s = ScanRange(folder->log(), filter, [&](const EventView& v) {
    const nlohmann::json e = ReadableEventJson(v, folder->codec());
    out << (csv ? ActivityCsvRow(e) : ToJsonLine(e) + "\n");
    return static_cast<bool>(out);
  });
  if (!s.ok()) return Cannot(s.ToString());
  if (!out.flush()) return Cannot("cannot write " + (a.out.empty() ? "the output" : a.out));
  return kOk;
}

int Dump(const Args& a) {
  std::unique_ptr<ReplayFolder> folder;
  Status s = OpenFolder(a, &folder, /*open_keys=*/false);
  if (!s.ok()) return Cannot(s.ToString());
  if (a.limit == 0) return kOk;
  uint64_t printed = 0;
  auto print = [&](const EventView& e) {
    std::cout << ToJsonLine(EventToJson(e)) << "\n";
    return ++printed < a.limit;
  };
  const EventLog& log = folder->log();
  s = a.stream.empty() ? log.Scan(a.from, 0, print) : log.ScanStream(a.stream, a.from, print);
  if (!s.ok()) return Cannot(s.ToString());
  return kOk;
}

}  // namespace
}  // namespace caseengine

int main(int argc, char** argv) {
  using caseengine::Args;
  CLI::App app{"casereplay: verify, replay and export a caseengine data folder (read-only)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("casereplay ") + caseengine::kVersion);
  app.fallthrough();  // --key-file after the command too
  Args a;
  app.add_option("--key-file", a.key_file,
                 "the key-encryption key (64 hex digits) the folder's data keys are wrapped "
                 "with (default: $CASEENGINE_KEK, $CASEENGINE_KEK_FILE, or DIR.kek)");

  auto* verify = app.add_subcommand("verify", "check the hash chain (and a digest)");
  verify->add_option("--data", a.dir, "data folder")->required();
  auto* vfrom = verify->add_option("--from", a.from, "first position to check (default 1)");
  auto* vto = verify->add_option("--to", a.to, "last position to check (default: the head)");
  verify->add_option("--digest", a.digest_file, "a digest from `casereplay checkpoint`")
      ->excludes(vfrom)
      ->excludes(vto);

  auto* checkpoint = app.add_subcommand("checkpoint", "verify, then print a digest to keep");
  checkpoint->add_option("--data", a.dir, "data folder")->required();
  auto* checkpoint_at =
      checkpoint->add_option("--at", a.at, "position of the digest (default: the head)");
  checkpoint->add_option("--out", a.out, "also write the digest to this file");

  auto* history = app.add_subcommand("history", "the readable history of one stream");
  history->add_option("--data", a.dir, "data folder")->required();
  history->add_option("--stream", a.stream, "client-<id>, case-<id> or lobby-<id>")->required();
  history->add_option("--format", a.format, "text (default) or jsonl")
      ->check(CLI::IsMember({"text", "jsonl"}));

  auto* state = app.add_subcommand("state", "an aggregate as it was");
  state->add_option("--data", a.dir, "data folder")->required();
  state->add_option("--stream", a.stream, "client-<id>, case-<id> or lobby-<id>")->required();
  auto* as_of = state->add_option("--as-of", a.as_of, "an RFC 3339 instant or a date");
  state->add_option("--at", a.at, "a log position")->excludes(as_of)->check(CLI::PositiveNumber);

  auto* rebuild = app.add_subcommand("rebuild", "build every read model into a new folder");
  rebuild->add_option("--data", a.dir, "data folder (only read)")->required();
  rebuild->add_option("--into", a.into, "new folder for the read models")->required();
  rebuild->add_option("--to", a.to, "last position to apply (default: the head)");

  auto* diff = app.add_subcommand("diff", "compare two sets of read models row by row");
  diff->add_option("dir_a", a.dir_a, "a data folder or rebuild folder")->required();
  diff->add_option("dir_b", a.dir_b, "another")->required();
  diff->add_option("--read-model", a.read_model, "only this read model");
  diff->add_option("--max", a.max_shown, "differences shown per read model (default 20)");

  auto* exp = app.add_subcommand("export", "the activity export: every action in a time range");
  exp->add_option("--data", a.dir, "data folder")->required();
  exp->add_option("--from", a.from_time, "from this instant or date (inclusive)");
  exp->add_option("--to", a.to_time, "up to this instant or the end of this date");
  exp->add_option("--actor", a.actor, "only this user's actions");
  exp->add_option("--stream", a.stream, "only this stream's events");
  exp->add_option("--format", a.format, "csv (default) or jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  exp->add_option("--out", a.out, "write to this file instead of stdout");

  auto* dump = app.add_subcommand("dump", "print raw events as JSON lines");
  dump->add_option("--data", a.dir, "data folder")->required();
  dump->add_option("--stream", a.stream, "only this stream");
  dump->add_option("--from", a.from, "first position (or stream version with --stream)");
  dump->add_option("--limit", a.limit, "at most this many events");

  umask(077);  // what it writes (rebuild --into, --out) is for the auditor alone
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors are exit 2 like every other "could not run" (CLI11's own codes vary).
    const int code = app.exit(e);
    return code == 0 ? 0 : caseengine::kCannot;
  }
  if (verify->parsed()) return caseengine::Verify(a);
  if (checkpoint->parsed()) {
    a.at_given = checkpoint_at->count() > 0;
    return caseengine::Checkpoint(a);
  }
  if (history->parsed()) return caseengine::History(a);
  if (state->parsed()) return caseengine::State(a);
  if (rebuild->parsed()) return caseengine::Rebuild(a);
  if (diff->parsed()) return caseengine::Diff(a);
  if (exp->parsed()) {
    if (a.format.empty()) a.format = "csv";
    return caseengine::Export(a);
  }
  return caseengine::Dump(a);
}
