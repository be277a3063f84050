// EventLog: recovery on Open, appends with deduplication, group commit.
// The invariants are listed in include/sluice/events/event_log.h.
#include "sluice/events/event_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "event_log_impl.h"
#include "record.h"

namespace sluice::events {

namespace detail {

std::string ErrnoText(int err) { return std::strerror(err); }

Status WriteAllAt(int fd, const char* data, std::size_t n, std::uint64_t offset, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, "cannot write " + path + ": " + ErrnoText(errno) +
                                           "; free disk space or fix the data directory, then retry");
    }
    data += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
  return {};
}

Result<std::size_t> ReadAt(int fd, char* data, std::size_t n, std::uint64_t offset, const std::string& path) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, data + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, "cannot read " + path + ": " + ErrnoText(errno));
    }
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return done;
}

namespace {

// A batch's records before they are committed.
struct Pending {
  std::size_t offset = 0;  // in the batch buffer
  std::size_t bytes = 0;
  IdHash id;
  EpochMillis ts = 0;
  std::size_t input = 0;  // batch position
  bool duplicate = false;
};

// Marks the second and later occurrences of an id inside one batch.
void MarkDuplicatesInBatch(std::vector<Pending>& pending) {
  if (pending.size() < 2) return;
  const std::size_t cap = std::bit_ceil(2 * pending.size());
  std::vector<std::uint32_t> table(cap, 0);  // 1 + index into pending; 0 = empty
  for (std::size_t k = 0; k < pending.size(); ++k) {
    const IdHash& id = pending[k].id;
    for (std::size_t i = id.lo & (cap - 1);; i = (i + 1) & (cap - 1)) {
      if (table[i] == 0) {
        table[i] = static_cast<std::uint32_t>(k + 1);
        break;
      }
      if (pending[table[i] - 1].id == id) {
        pending[k].duplicate = true;
        break;
      }
    }
  }
}

std::string FormatTs(EpochMillis ts) {
  using namespace std::chrono;
  const sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(ts)));
  const year_month_day ymd(day);
  const EpochMillis in_day = ts - day.time_since_epoch().count() * 86'400'000;
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(in_day / 3'600'000), static_cast<long long>(in_day / 60'000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return text;
}

std::string DurationText(EpochMillis ms) {
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + " days";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + " hours";
  return std::to_string(ms) + " ms";
}

}  // namespace
}  // namespace detail

using detail::DedupIndex;
using detail::EventView;
using detail::IdHash;
using detail::Pending;
using detail::RecordHeader;

namespace {

constexpr std::uint64_t kFirstRecord = detail::kSegmentHeaderBytes;

std::optional<Rejection> CheckWindow(EpochMillis ts, EpochMillis now, const EventLogOptions& o) {
  if (ts < now - o.dedup_window_ms) {
    return detail::Reject(RejectCode::kTooOld, "ts",
                          "ts: " + detail::FormatTs(ts) + " is more than " + detail::DurationText(o.dedup_window_ms) +
                              " before now (" + detail::FormatTs(now) +
                              "), outside the deduplication window; such events are not accepted because a retry "
                              "of them could not be recognised");
  }
  if (ts > now + o.max_future_ms) {
    return detail::Reject(RejectCode::kInFuture, "ts",
                          "ts: " + detail::FormatTs(ts) + " is more than " + detail::DurationText(o.max_future_ms) +
                              " ahead of the server clock (" + detail::FormatTs(now) +
                              "); check the sender's clock and that ts is in milliseconds");
  }
  return std::nullopt;
}

// Scans one segment held in memory; collects the ids inside the window.
// Returns the end of the intact records (the truncation point of the last
// segment).
std::uint64_t ScanSegment(std::uint64_t number, const char* data, std::uint64_t size, bool is_last, EpochMillis horizon,
                          RecoveryReport& report, std::vector<DedupIndex::Entry>& entries, bool& header_bad) {
  const std::string name = detail::SegmentFileName(number);
  header_bad = !detail::CheckSegmentHeader(data, size, number);
  if (header_bad) {
    report.dropped_bytes += std::min<std::uint64_t>(size, kFirstRecord);
    report.notes.push_back(name + ": the segment header is damaged or incomplete (" + std::to_string(size) +
                           " bytes in the file)" + (is_last ? "; rewritten" : ""));
  }
  std::uint64_t off = kFirstRecord;
  while (off < size) {
    RecordHeader h;
    if (detail::CheckRecord(data + off, size - off, h) == detail::RecordCheck::kOk) {
      if (h.ts >= horizon - 60'000) entries.push_back({h.id, h.ts});
      ++report.records;
      off += h.total_bytes;
      continue;
    }
    const std::optional<std::size_t> next = detail::FindNextRecord(data, size, off + 8);
    const std::uint64_t region_end = next ? *next : size;
    const std::uint64_t lost = std::max<std::size_t>(1, detail::CountMagics(data, off, region_end));
    report.dropped_records += lost;
    report.dropped_bytes += region_end - off;
    const std::string where = name + " offset " + std::to_string(off) + ": " + std::to_string(region_end - off) +
                              " damaged bytes (about " + std::to_string(lost) + " record" + (lost == 1 ? "" : "s") +
                              ")";
    if (next) {
      report.notes.push_back(where + " skipped; the records after them are kept");
      off = *next;
      continue;
    }
    if (is_last) {
      report.truncated_bytes += size - off;
      report.notes.push_back(where + " at the end of the log truncated (a write cut short by a crash)");
    } else {
      report.notes.push_back(where + " skipped up to the end of the segment");
    }
    return off;
  }
  return std::max<std::uint64_t>(off, kFirstRecord);
}

Result<int> CreateSegment(const std::string& path, std::uint64_t number) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, "cannot create " + path + ": " + detail::ErrnoText(errno) +
                                         "; check that the data directory is writable");
  }
  const std::string header = detail::SegmentHeader(number);
  if (Status s = detail::WriteAllAt(fd, header.data(), header.size(), 0, path); !s.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return s.error();
  }
  return fd;
}

}  // namespace

std::string EventLog::Impl::SegmentPath(std::uint64_t number) const {
  return dir + "/" + detail::SegmentFileName(number);
}

EventLog::Impl::ReadBound EventLog::Impl::BoundFor(std::uint64_t segment) const {
  std::lock_guard lock(mu);
  ReadBound b;
  auto it = std::lower_bound(segments.begin(), segments.end(), segment,
                             [](const Segment& s, std::uint64_t n) { return s.number < n; });
  if (it == segments.end() || it->number != segment || segment > durable_end.segment) return b;
  b.exists = true;
  b.end = segment == durable_end.segment ? durable_end.offset : it->end;
  if (std::next(it) != segments.end() && std::next(it)->number <= durable_end.segment) b.next = std::next(it)->number;
  return b;
}

void EventLog::Impl::SyncLoop() {
  std::unique_lock lock(mu);
  for (;;) {
    auto pending = [&] { return durable_end < written_end || !unsynced_sealed_fds.empty() || dir_dirty; };
    work_cv.wait(lock, [&] { return stop || (!poisoned && pending()); });
    if (poisoned || !pending()) {
      if (stop) return;
      continue;
    }
    // Two syncs start at least group_commit_interval_us apart; batches that
    // arrive meanwhile share the next one. (Pacing uses the monotonic clock:
    // it is not event time.)
    const auto earliest = last_sync_start + std::chrono::microseconds(options.group_commit_interval_us);
    if (!stop && std::chrono::steady_clock::now() < earliest) {
      work_cv.wait_until(lock, earliest, [&] { return stop; });
    }
    const LogPosition target = written_end;
    std::vector<int> sealed;
    sealed.swap(unsynced_sealed_fds);
    const bool sync_dir = dir_dirty;
    dir_dirty = false;
    const int fd = current_fd;
    last_sync_start = std::chrono::steady_clock::now();
    lock.unlock();

    std::string error;
    for (int old : sealed) {
      if (::fdatasync(old) != 0 && error.empty()) error = "fdatasync of a rolled segment: " + detail::ErrnoText(errno);
      ::close(old);
    }
    if (sync_dir && ::fsync(dir_fd) != 0 && error.empty()) error = "fsync of " + dir + ": " + detail::ErrnoText(errno);
    if (::fdatasync(fd) != 0 && error.empty()) error = "fdatasync: " + detail::ErrnoText(errno);

    lock.lock();
    ++syncs;
    if (!error.empty()) {
      poisoned = true;
      poison_message = "event log " + dir + ": " + error +
                       "; events since the last sync may not be on disk. The log accepts no more events until it "
                       "is reopened: fix the disk and restart";
    } else if (durable_end < target) {
      durable_end = target;
    }
    synced_cv.notify_all();
  }
}

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& data_dir, const Clock& clock,
                                                 EventLogOptions options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.segment_bytes < 4096) {
    return MakeError(ErrorCode::kInvalidArgument, "segment_bytes: must be at least 4096");
  }
  if (options.group_commit_interval_us < 0 || options.dedup_window_ms <= 0 || options.max_future_ms < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "group_commit_interval_us and max_future_ms must be >= 0, dedup_window_ms > 0");
  }
  auto impl = std::make_unique<Impl>();
  impl->dir = (std::filesystem::path(data_dir) / "events").string();
  impl->clock = &clock;
  impl->options = options;
  std::error_code ec;
  std::filesystem::create_directories(impl->dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo,
                     "cannot create " + impl->dir + ": " + ec.message() + "; choose a writable data directory");
  }
  const std::string lock_path = impl->dir + "/LOCK";
  impl->lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (impl->lock_fd < 0) {
    return MakeError(ErrorCode::kIo, "cannot open " + lock_path + ": " + detail::ErrnoText(errno));
  }
  if (::flock(impl->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(impl->lock_fd);
    if (err == EWOULDBLOCK) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       impl->dir + " is in use by another sluice process; stop it or use another data directory");
    }
    return MakeError(ErrorCode::kIo, "cannot lock " + lock_path + ": " + detail::ErrnoText(err));
  }
  // From here on the EventLog owns the descriptors (its destructor closes them).
  std::unique_ptr<EventLog> log(new EventLog(std::move(impl)));
  Impl& s = *log->impl_;
  s.dir_fd = ::open(s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s.dir_fd < 0) return MakeError(ErrorCode::kIo, "cannot open " + s.dir + ": " + detail::ErrnoText(errno));

  std::vector<std::uint64_t> numbers;
  for (const auto& entry : std::filesystem::directory_iterator(s.dir, ec)) {
    if (auto n = detail::ParseSegmentFileName(entry.path().filename().string())) numbers.push_back(*n);
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot list " + s.dir + ": " + ec.message());
  std::sort(numbers.begin(), numbers.end());

  const EpochMillis horizon = clock.NowMillis() - options.dedup_window_ms;
  std::vector<DedupIndex::Entry> entries;
  std::vector<char> buffer;
  bool dir_changed = false;
  for (std::size_t k = 0; k < numbers.size(); ++k) {
    const bool is_last = k + 1 == numbers.size();
    const std::string path = s.SegmentPath(numbers[k]);
    const int fd = ::open(path.c_str(), (is_last ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return MakeError(ErrorCode::kIo, "cannot open " + path + ": " + detail::ErrnoText(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return MakeError(ErrorCode::kIo, "cannot stat " + path + ": " + detail::ErrnoText(errno));
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (buffer.size() < size) buffer.resize(size);
    Result<std::size_t> got = detail::ReadAt(fd, buffer.data(), size, 0, path);
    if (!got.ok() || *got != size) {
      ::close(fd);
      return got.ok() ? MakeError(ErrorCode::kIo, path + " shrank while it was being read") : got.error();
    }
    if (entries.empty()) entries.reserve(size / 128 * (numbers.size() - k));
    bool header_bad = false;
    const std::uint64_t end =
        ScanSegment(numbers[k], buffer.data(), size, is_last, horizon, s.report, entries, header_bad);
    ++s.report.segments;
    if (!is_last) {
      s.report.bytes += size;
      ::close(fd);
      s.segments.push_back({numbers[k], end});
      continue;
    }
    Status repaired;
    if (header_bad) {
      const std::string header = detail::SegmentHeader(numbers[k]);
      repaired = detail::WriteAllAt(fd, header.data(), header.size(), 0, path);
    }
    if (repaired.ok() && end != size && ::ftruncate(fd, static_cast<off_t>(end)) != 0) {
      repaired = MakeError(ErrorCode::kIo, "cannot truncate " + path + ": " + detail::ErrnoText(errno));
    }
    if (repaired.ok() && (header_bad || end != size) && ::fdatasync(fd) != 0) {
      repaired = MakeError(ErrorCode::kIo, "cannot sync " + path + ": " + detail::ErrnoText(errno));
    }
    if (!repaired.ok()) {
      ::close(fd);
      return repaired.error();
    }
    s.report.bytes += end;
    s.current_fd = fd;
    s.segments.push_back({numbers[k], end});
  }
  buffer = {};
  if (s.segments.empty()) {
    Result<int> fd = CreateSegment(s.SegmentPath(1), 1);
    if (!fd.ok()) return fd.error();
    s.current_fd = *fd;
    s.segments.push_back({1, kFirstRecord});
    s.report.bytes += kFirstRecord;
    dir_changed = true;
  }
  if (dir_changed && (::fdatasync(s.current_fd) != 0 || ::fsync(s.dir_fd) != 0)) {
    return MakeError(ErrorCode::kIo, "cannot sync " + s.dir + ": " + detail::ErrnoText(errno));
  }
  s.index.Rebuild(entries, horizon);
  s.report.dedup_ids = s.index.size();
  s.written_end = s.durable_end = LogPosition{s.segments.back().number, s.segments.back().end};
  s.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  s.syncer = std::thread([&s] { s.SyncLoop(); });
  return log;
}

EventLog::EventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventLog::~EventLog() {
  Impl& s = *impl_;
  if (s.syncer.joinable()) {
    {
      std::lock_guard lock(s.mu);
      s.stop = true;
    }
    s.work_cv.notify_all();
    s.syncer.join();
  }
  for (int fd : s.unsynced_sealed_fds) ::close(fd);
  if (s.current_fd >= 0) ::close(s.current_fd);
  if (s.dir_fd >= 0) ::close(s.dir_fd);
  if (s.lock_fd >= 0) ::close(s.lock_fd);  // releases the flock
}

namespace {

// Deduplicates, writes and waits for durability (invariants 1, 3, 4).
// Marks duplicates in `pending`. Returns the durable end covering the batch.
Result<LogPosition> Commit(EventLog::Impl& s, const std::string& buffer, std::vector<Pending>& pending,
                           EpochMillis now) {
  detail::MarkDuplicatesInBatch(pending);
  std::unique_lock lock(s.mu);
  if (s.poisoned) return MakeError(ErrorCode::kIo, s.poison_message);
  bool any_duplicate = false;
  for (std::size_t k = 0; k < pending.size(); ++k) {
    if (k + 8 < pending.size()) s.index.Prefetch(pending[k + 8].id);
    Pending& p = pending[k];
    if (!p.duplicate && s.index.Contains(p.id)) p.duplicate = true;
    any_duplicate |= p.duplicate;
  }
  std::string compacted;
  const std::string* out = &buffer;
  if (any_duplicate) {
    for (const Pending& p : pending) {
      if (!p.duplicate) compacted.append(buffer, p.offset, p.bytes);
    }
    out = &compacted;
  }
  if (!out->empty()) {
    EventLog::Impl::Segment* current = &s.segments.back();
    if (current->end > kFirstRecord && current->end + out->size() > s.options.segment_bytes) {
      const std::uint64_t number = current->number + 1;
      Result<int> fd = CreateSegment(s.SegmentPath(number), number);
      if (!fd.ok()) return fd.error();
      s.unsynced_sealed_fds.push_back(s.current_fd);
      s.current_fd = *fd;
      s.segments.push_back({number, kFirstRecord});
      s.dir_dirty = true;
      current = &s.segments.back();
    }
    const std::string path = s.SegmentPath(current->number);
    if (Status w = detail::WriteAllAt(s.current_fd, out->data(), out->size(), current->end, path); !w.ok()) {
      // Undo a partial write so that later records do not follow garbage.
      if (::ftruncate(s.current_fd, static_cast<off_t>(current->end)) != 0) {
        s.poisoned = true;
        s.poison_message = w.error().message +
                           "; the partial write could not be undone, so the log accepts no "
                           "more events until it is reopened";
        s.synced_cv.notify_all();
      }
      return w.error();
    }
    current->end += out->size();
    s.written_end = LogPosition{current->number, current->end};
    const EpochMillis horizon = now - s.options.dedup_window_ms;
    for (const Pending& p : pending) {
      if (!p.duplicate) s.index.Insert(p.id, p.ts, horizon);
    }
    s.work_cv.notify_one();
  }
  const LogPosition end = s.written_end;
  s.synced_cv.wait(lock, [&] { return s.durable_end >= end || s.poisoned; });
  if (s.durable_end < end) return MakeError(ErrorCode::kIo, s.poison_message);
  return end;
}

}  // namespace

Result<AppendResult> EventLog::Append(std::span<const Event> events) {
  Impl& s = *impl_;
  AppendResult result;
  result.outcomes.assign(events.size(), Outcome::kRejected);
  const EpochMillis now = s.clock->NowMillis();
  EventView view;
  std::string buffer;
  std::vector<Pending> pending;
  pending.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::optional<Rejection> r = detail::ViewOf(events[i], view);
    if (!r) r = CheckWindow(view.ts, now, s.options);
    if (r) {
      r->index = i;
      result.rejected.push_back(std::move(*r));
      continue;
    }
    Pending p;
    p.offset = buffer.size();
    p.id = detail::HashId(view.event_id);
    p.ts = view.ts;
    p.input = i;
    detail::AppendRecord(view, p.id, buffer);
    p.bytes = buffer.size() - p.offset;
    pending.push_back(p);
  }
  Result<LogPosition> end = Commit(s, buffer, pending, now);
  if (!end.ok()) return std::move(end).error();
  for (const Pending& p : pending) {
    result.outcomes[p.input] = p.duplicate ? Outcome::kDuplicate : Outcome::kAccepted;
    ++(p.duplicate ? result.duplicates : result.accepted);
  }
  result.end = *end;
  return result;
}

namespace {

class AppendVisitor final : public detail::BatchVisitor {
 public:
  AppendVisitor(EpochMillis now, const EventLogOptions& options, BatchResult& result, bool keep_events)
      : now_(now), options_(options), result_(result), keep_events_(keep_events) {}

  void OnEvent(std::size_t index, std::size_t line, EventView& view) override {
    if (std::optional<Rejection> r = CheckWindow(view.ts, now_, options_)) {
      r->index = index;
      r->line = line;
      result_.rejected.push_back(std::move(*r));
      return;
    }
    Pending p;
    p.offset = buffer.size();
    p.id = detail::HashId(view.event_id);
    p.ts = view.ts;
    p.input = index;
    detail::AppendRecord(view, p.id, buffer);
    p.bytes = buffer.size() - p.offset;
    pending.push_back(p);
    if (keep_events_) detail::ToEvent(view, events.emplace_back());
  }
  void OnReject(Rejection rejection) override { result_.rejected.push_back(std::move(rejection)); }

  std::string buffer;
  std::vector<Pending> pending;
  std::vector<Event> events;  // parallel to pending when keep_events

 private:
  EpochMillis now_;
  const EventLogOptions& options_;
  BatchResult& result_;
  bool keep_events_;
};

}  // namespace

Result<BatchResult> EventLog::AppendJson(std::string_view body, std::vector<Event>* accepted) {
  Impl& s = *impl_;
  BatchResult result;
  const EpochMillis now = s.clock->NowMillis();
  AppendVisitor visitor(now, s.options, result, accepted != nullptr);
  visitor.buffer.reserve(body.size() + body.size() / 4);
  std::unique_ptr<detail::BatchParser> parser;
  {
    std::lock_guard lock(s.parsers_mu);
    if (!s.parsers.empty()) {
      parser = std::move(s.parsers.back());
      s.parsers.pop_back();
    }
  }
  if (!parser) parser = std::make_unique<detail::BatchParser>();
  Result<std::size_t> received = parser->Parse(body, visitor);
  {
    std::lock_guard lock(s.parsers_mu);
    if (s.parsers.size() < 8) s.parsers.push_back(std::move(parser));
  }
  if (!received.ok()) return std::move(received).error();
  result.received = *received;
  Result<LogPosition> end = Commit(s, visitor.buffer, visitor.pending, now);
  if (!end.ok()) return std::move(end).error();
  for (std::size_t k = 0; k < visitor.pending.size(); ++k) {
    const Pending& p = visitor.pending[k];
    ++(p.duplicate ? result.duplicates : result.accepted);
    if (accepted != nullptr && !p.duplicate) accepted->push_back(std::move(visitor.events[k]));
  }
  result.end = *end;
  return result;
}

LogPosition EventLog::DurableEnd() const {
  std::lock_guard lock(impl_->mu);
  return impl_->durable_end;
}

LogStats EventLog::Stats() const {
  const Impl& s = *impl_;
  std::lock_guard lock(s.mu);
  LogStats st;
  st.written_end = s.written_end;
  st.durable_end = s.durable_end;
  st.segments = s.segments.size();
  st.syncs = s.syncs;
  st.dedup_ids = s.index.size();
  st.dedup_bytes = s.index.bytes();
  return st;
}

const RecoveryReport& EventLog::recovery() const { return impl_->report; }
const std::string& EventLog::directory() const { return impl_->dir; }

}  // namespace sluice::events
