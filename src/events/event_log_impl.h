// EventLog::Impl, shared by event_log.cc (writing, recovery, group commit)
// and log_reader.cc (replay).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "batch_parser.h"
#include "dedup_index.h"
#include "sluice/events/event_log.h"

namespace sluice::events {

namespace detail {

// pread/pwrite loops that retry on EINTR and short counts.
Status WriteAllAt(int fd, const char* data, std::size_t n, std::uint64_t offset, const std::string& path);
Result<std::size_t> ReadAt(int fd, char* data, std::size_t n, std::uint64_t offset, const std::string& path);
std::string ErrnoText(int err);

}  // namespace detail

struct EventLog::Impl {
  struct Segment {
    std::uint64_t number = 0;
    std::uint64_t end = 0;  // sealed: end of the intact records; current: write offset
  };
  // Where a reader may read in one segment: up to `end`; then `next` if set.
  struct ReadBound {
    bool exists = false;
    std::uint64_t end = 0;
    std::optional<std::uint64_t> next;
  };

  std::string dir;  // DIR/events
  const Clock* clock = nullptr;
  EventLogOptions options;
  RecoveryReport report;
  int lock_fd = -1;
  int dir_fd = -1;

  mutable std::mutex mu;
  std::condition_variable work_cv;    // wakes the syncer
  std::condition_variable synced_cv;  // wakes appenders waiting for durability
  // Guarded by mu:
  std::vector<Segment> segments;  // ascending numbers; the last one is current
  int current_fd = -1;
  LogPosition written_end;
  LogPosition durable_end;
  std::vector<int> unsynced_sealed_fds;  // rolled segments the syncer must sync and close
  bool dir_dirty = false;
  bool poisoned = false;
  std::string poison_message;
  bool stop = false;
  std::uint64_t syncs = 0;
  detail::DedupIndex index;
  std::chrono::steady_clock::time_point last_sync_start{};

  std::mutex parsers_mu;
  std::vector<std::unique_ptr<detail::BatchParser>> parsers;  // pool for AppendJson

  std::thread syncer;

  std::string SegmentPath(std::uint64_t number) const;
  ReadBound BoundFor(std::uint64_t segment) const;  // locks mu
  void SyncLoop();
};

}  // namespace sluice::events
