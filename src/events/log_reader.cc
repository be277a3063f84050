// LogReader: replays records from a position up to the durable end.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "event_log_impl.h"
#include "record.h"

namespace sluice::events {

namespace {
constexpr std::size_t kChunk = 1u << 20;
constexpr std::uint64_t kFirstRecord = detail::kSegmentHeaderBytes;
}  // namespace

struct LogReader::Impl {
  const EventLog::Impl* log = nullptr;
  LogPosition pos;
  int fd = -1;
  std::uint64_t fd_segment = 0;
  std::vector<char> buffer;
  std::uint64_t buffer_offset = 0;  // file offset of buffer[0]
  std::size_t buffer_len = 0;
  detail::EventView view;

  ~Impl() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    buffer_len = 0;
  }

  Status OpenSegment() {
    if (fd >= 0 && fd_segment == pos.segment) return {};
    Close();
    const std::string path = log->SegmentPath(pos.segment);
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return MakeError(ErrorCode::kIo, "cannot open " + path + ": " + detail::ErrnoText(errno));
    fd_segment = pos.segment;
    return {};
  }

  // Bytes [offset, offset + min(want, end - offset)) of the current segment.
  // Bytes below the durable end never change, so buffered ones stay valid.
  Result<std::string_view> Window(std::uint64_t offset, std::size_t want, std::uint64_t end) {
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, end - offset));
    if (offset >= buffer_offset && offset + want <= buffer_offset + buffer_len) {
      return std::string_view(buffer.data() + (offset - buffer_offset), want);
    }
    const auto len = static_cast<std::size_t>(std::min<std::uint64_t>(std::max(want, kChunk), end - offset));
    if (buffer.size() < len) buffer.resize(len);
    Result<std::size_t> got = detail::ReadAt(fd, buffer.data(), len, offset, log->SegmentPath(pos.segment));
    if (!got.ok()) {
      buffer_len = 0;
      return got.error();
    }
    buffer_offset = offset;
    buffer_len = *got;
    return std::string_view(buffer.data(), std::min(want, buffer_len));
  }
};

LogReader::LogReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogReader::~LogReader() = default;

LogPosition LogReader::position() const { return impl_->pos; }

Result<bool> LogReader::Next(Event& event) {
  Impl& r = *impl_;
  for (;;) {
    const EventLog::Impl::ReadBound bound = r.log->BoundFor(r.pos.segment);
    if (!bound.exists) return false;
    if (r.pos.offset >= bound.end) {
      if (!bound.next) return false;
      r.pos = LogPosition{*bound.next, kFirstRecord};
      continue;
    }
    if (Status s = r.OpenSegment(); !s.ok()) return s.error();
    Result<std::string_view> head = r.Window(r.pos.offset, detail::kRecordHeaderBytes, bound.end);
    if (!head.ok()) return std::move(head).error();
    detail::RecordHeader header;
    if (head->size() == detail::kRecordHeaderBytes) {
      std::uint32_t payload = 0;
      std::memcpy(&payload, head->data() + 4, 4);
      if (payload <= detail::kMaxPayloadBytes) {
        Result<std::string_view> record = r.Window(r.pos.offset, detail::RecordBytes(payload), bound.end);
        if (!record.ok()) return std::move(record).error();
        if (detail::CheckRecord(record->data(), record->size(), header) == detail::RecordCheck::kOk) {
          const std::string_view body = record->substr(detail::kRecordHeaderBytes, header.payload_bytes);
          if (!detail::DecodePayload(header, body, r.view)) {
            return MakeError(ErrorCode::kInternal, r.log->SegmentPath(r.pos.segment) + " offset " +
                                                       std::to_string(r.pos.offset) +
                                                       ": a record with a valid checksum does not decode");
          }
          detail::ToEvent(r.view, event);
          r.pos.offset += header.total_bytes;
          return true;
        }
      }
    }
    // A damaged region (recovery reported it): continue at the next intact
    // record, as recovery did.
    Result<std::string_view> rest = r.Window(r.pos.offset, bound.end - r.pos.offset, bound.end);
    if (!rest.ok()) return std::move(rest).error();
    std::optional<std::size_t> next = detail::FindNextRecord(rest->data(), rest->size(), 8);
    r.pos.offset = next ? r.pos.offset + *next : bound.end;
  }
}

Result<std::unique_ptr<LogReader>> EventLog::NewReader(LogPosition from) const {
  auto r = std::make_unique<LogReader::Impl>();
  r->log = impl_.get();
  if (from == LogPosition{}) {
    std::lock_guard lock(impl_->mu);
    r->pos = LogPosition{impl_->segments.front().number, kFirstRecord};
    return std::unique_ptr<LogReader>(new LogReader(std::move(r)));
  }
  const std::string where =
      "position {segment " + std::to_string(from.segment) + ", offset " + std::to_string(from.offset) + "}";
  const Impl::ReadBound bound = impl_->BoundFor(from.segment);
  if (!bound.exists) {
    return MakeError(ErrorCode::kInvalidArgument,
                     where +
                         ": this log has no such durable segment; use a position the log returned, or {0, 0} "
                         "to read from the beginning");
  }
  if (from.offset < kFirstRecord || from.offset % 8 != 0 || from.offset > bound.end) {
    return MakeError(ErrorCode::kInvalidArgument, where + ": is not a record boundary of segment " +
                                                      std::to_string(from.segment) + " (records lie in [" +
                                                      std::to_string(kFirstRecord) + ", " + std::to_string(bound.end) +
                                                      "]); use a position the log returned");
  }
  r->pos = from;
  if (from.offset < bound.end) {
    if (Status s = r->OpenSegment(); !s.ok()) return s.error();
    Result<std::string_view> head = r->Window(from.offset, detail::kMaxPayloadBytes, bound.end);
    if (!head.ok()) return std::move(head).error();
    detail::RecordHeader header;
    if (detail::CheckRecord(head->data(), head->size(), header) != detail::RecordCheck::kOk) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ": no intact record starts there; use a position the log returned");
    }
  }
  return std::unique_ptr<LogReader>(new LogReader(std::move(r)));
}

}  // namespace sluice::events
