// EventLog: the durable, deduplicating, append-only log of ingested events.
//
// Files: DIR/events/<20-digit segment number>.log, plus DIR/events/LOCK (one
// process at a time). The on-disk format is specified in docs/events.md.
//
// Guarantees (the numbered invariants the implementation keeps):
//  1. An append returns only after every record it wrote, and every record
//     it reported as a duplicate of, is on disk (fdatasync, plus an fsync of
//     the directory when a segment was created). Syncs are shared: one sync
//     covers every batch written since the previous one, and two syncs start
//     at least `group_commit_interval_us` apart.
//  2. Each record carries a checksum (XXH3-64). Open() scans every segment,
//     truncates a torn or corrupt tail of the last segment, skips a damaged
//     region in the middle of a segment (records after it are kept), and says
//     what it dropped in recovery(). An acknowledged record is never dropped
//     unless the disk itself corrupted it.
//  3. Deduplication: an event whose event_id was already accepted with an
//     event time inside the window is reported as a duplicate and not
//     written again, also across restarts (the index is rebuilt from the log
//     on Open). The window is `dedup_window_ms` (7 days) before the Clock's
//     now; events older than that are rejected ("too_old"), because a retry
//     of them could no longer be recognised. Events more than
//     `max_future_ms` ahead of the clock are rejected ("in_future").
//     The index keeps 96 bits of XXH3-128(event_id) and the event minute
//     (16 bytes a slot, at most 75% full).
//  4. A segment is rolled when the next batch would take it past
//     `segment_bytes`; a batch is never split between segments, so a batch
//     larger than that gets a segment of its own.
//  5. After a failed write or sync the log refuses further appends (kIo)
//     until it is reopened, because the state of the file is then unknown.
//
// Thread-safety: Append, AppendJson, Stats, DurableEnd and NewReader may be
// called from many threads at once; the destructor must not race with them.
// A LogReader is used by one thread at a time and must not outlive its log.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/events/event.h"
#include "sluice/events/validation.h"

namespace sluice::events {

// A place in the log: a segment number and a byte offset in it. Positions
// returned by the log are record boundaries; {0, 0} means "the beginning".
struct LogPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  friend auto operator<=>(const LogPosition&, const LogPosition&) = default;
};

struct EventLogOptions {
  std::uint64_t segment_bytes = 64ull << 20;             // roll size (invariant 4)
  std::int64_t group_commit_interval_us = 2000;          // minimum gap between two syncs
  EpochMillis dedup_window_ms = 7ll * 24 * 3600 * 1000;  // invariant 3
  EpochMillis max_future_ms = 24ll * 3600 * 1000;        // invariant 3
};

// What Open() found. Damaged regions are listed in `notes`, one line each.
struct RecoveryReport {
  std::uint64_t segments = 0;         // segment files read
  std::uint64_t records = 0;          // intact records kept
  std::uint64_t bytes = 0;            // total size of the segments after recovery
  std::uint64_t dropped_records = 0;  // damaged records dropped (at least one per damaged region)
  std::uint64_t dropped_bytes = 0;    // bytes truncated or skipped
  std::uint64_t truncated_bytes = 0;  // of which cut off the end of the last segment
  std::uint64_t dedup_ids = 0;        // event ids loaded into the dedup index (inside the window)
  double seconds = 0;                 // wall time Open() took
  std::vector<std::string> notes;
};

enum class Outcome : unsigned char { kAccepted, kDuplicate, kRejected };

struct AppendResult {
  std::size_t accepted = 0;
  std::size_t duplicates = 0;
  std::vector<Rejection> rejected;  // Rejection::index is the position in the input
  std::vector<Outcome> outcomes;    // one per input event
  LogPosition end;                  // durable end once this batch is on disk
};

// The answer to a JSON batch (POST /v1/events, sluice import).
struct BatchResult {
  std::size_t received = 0;
  std::size_t accepted = 0;
  std::size_t duplicates = 0;
  std::vector<Rejection> rejected;  // batch positions (and lines, for JSON lines)
  LogPosition end;
};

// {"received", "accepted", "duplicates", "rejected": [{"index", "line"?, "code",
//  "field", "message"}]}, listing at most `max_rejections` rejections
// ("rejected_count" always gives the total).
nlohmann::json BatchResultToJson(const BatchResult& result, std::size_t max_rejections = 100);

struct LogStats {
  LogPosition written_end;  // end of the last record written (maybe not yet synced)
  LogPosition durable_end;  // end of the last record on disk
  std::uint64_t segments = 0;
  std::uint64_t syncs = 0;        // group commits since Open
  std::uint64_t dedup_ids = 0;    // ids in the dedup index
  std::uint64_t dedup_bytes = 0;  // memory held by the dedup index
};

class LogReader;

class EventLog {
 public:
  // Opens (creating if needed) the log under `data_dir`/events and recovers
  // it (invariant 2). `clock` must outlive the log. Fails with
  // kFailedPrecondition when another process holds the log, kIo on disk
  // errors, kInvalidArgument for unusable options.
  static Result<std::unique_ptr<EventLog>> Open(const std::string& data_dir, const Clock& clock,
                                                EventLogOptions options = {});
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Validates (ValidateEvent plus the time window), deduplicates, writes and
  // waits until the batch is durable. Invalid events are rejected one by one;
  // an Error is returned only when nothing could be stored (kIo).
  Result<AppendResult> Append(std::span<const Event> events);

  // ParseEvents + Append, without building Events on the way (the fast path
  // for POST /v1/events). When `accepted` is given, the accepted events are
  // appended to it in batch order. kInvalidArgument when the body as a whole
  // is unreadable (ParseEvents); nothing is stored then.
  Result<BatchResult> AppendJson(std::string_view body, std::vector<Event>* accepted = nullptr);

  // A reader of the records from `from` (a position this log returned, e.g.
  // a checkpointed AppendResult::end or LogReader::position()) up to the
  // durable end. kInvalidArgument if `from` is not a record boundary.
  Result<std::unique_ptr<LogReader>> NewReader(LogPosition from = {}) const;

  LogPosition DurableEnd() const;
  LogStats Stats() const;
  const RecoveryReport& recovery() const;
  const std::string& directory() const;  // DIR/events

  struct Impl;

 private:
  explicit EventLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads events in log order. It sees a record once it is durable, so a
// reader that returned false ("caught up") returns more after later appends.
// Checkpoint position() after processing an event; a new reader from that
// position continues with the next one, also after a restart.
class LogReader {
 public:
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // The next event into `event` (its fields are overwritten): true, or false
  // when there is nothing more yet. kIo on a read error.
  Result<bool> Next(Event& event);

  // Where the next Next() starts; after a Next() that returned true, the end
  // of the event it returned.
  LogPosition position() const;

  struct Impl;

 private:
  friend class EventLog;
  explicit LogReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::events
