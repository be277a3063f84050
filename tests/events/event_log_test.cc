#include "sluice/events/event_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace sluice::events {
namespace {

namespace fs = std::filesystem;

constexpr EpochMillis kStart = 1'763'884'800'000;  // 2025-11-23T08:00:00Z
constexpr EpochMillis kDay = 86'400'000;

std::string TrackJson(const std::string& id, EpochMillis ts, const std::string& unit = "u1") {
  return R"({"event_id":")" + id + R"(","unit_id":")" + unit + R"(","name":"purchase","ts":)" + std::to_string(ts) +
         R"(,"value":2.5,"properties":{"country":"DE","items":3}})";
}

// A JSON array of track events with ids prefix0 .. prefix(n-1).
std::string Batch(const std::string& prefix, int first, int count, EpochMillis ts) {
  std::string body = "[";
  for (int i = first; i < first + count; ++i) {
    if (i > first) body += ",";
    body += TrackJson(prefix + std::to_string(i), ts);
  }
  return body + "]";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_events_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<EventLog> Open(EventLogOptions options = {}) {
    options.group_commit_interval_us = options_interval_;
    Result<std::unique_ptr<EventLog>> log = EventLog::Open(dir_.string(), clock_, options);
    EXPECT_TRUE(log.ok()) << (log.ok() ? "" : log.error().ToString());
    return log.ok() ? std::move(log).value() : nullptr;
  }

  BatchResult AppendJson(EventLog& log, const std::string& body, std::vector<Event>* accepted = nullptr) {
    Result<BatchResult> r = log.AppendJson(body, accepted);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
    return r.ok() ? std::move(r).value() : BatchResult{};
  }

  // Every event from `from` to the durable end, and the position after them.
  std::vector<Event> ReadAll(const EventLog& log, LogPosition from = {}, LogPosition* end = nullptr) {
    std::vector<Event> out;
    Result<std::unique_ptr<LogReader>> reader = log.NewReader(from);
    EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().ToString());
    if (!reader.ok()) return out;
    Event e;
    for (;;) {
      Result<bool> more = (*reader)->Next(e);
      EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.error().ToString());
      if (!more.ok() || !*more) break;
      out.push_back(e);
    }
    if (end != nullptr) *end = (*reader)->position();
    return out;
  }

  std::vector<fs::path> Segments() const {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir_ / "events")) {
      if (entry.path().extension() == ".log") out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::vector<std::string> Ids(const std::vector<Event>& events) {
    std::vector<std::string> ids;
    for (const Event& e : events) ids.push_back(e.event_id);
    return ids;
  }

  fs::path dir_;
  FakeClock clock_{kStart};
  std::int64_t options_interval_ = 0;
};

TEST_F(EventLogTest, AcceptsGoodEventsAndReportsBadOnes) {
  auto log = Open();
  const std::string body = "[" + TrackJson("a", kStart) + R"(,{"event_id":"b","unit_id":"u"},)" +
                           TrackJson("c", kStart) + "," + TrackJson("old", kStart - 8 * kDay) + "," +
                           TrackJson("future", kStart + 2 * kDay) + "]";
  BatchResult r = AppendJson(*log, body);
  EXPECT_EQ(r.received, 5u);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.duplicates, 0u);
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].index, 1u);
  EXPECT_EQ(r.rejected[0].code, RejectCode::kMissingField);
  EXPECT_EQ(r.rejected[1].index, 3u);
  EXPECT_EQ(r.rejected[1].code, RejectCode::kTooOld);
  EXPECT_NE(r.rejected[1].message.find("7 days"), std::string::npos) << r.rejected[1].message;
  EXPECT_EQ(r.rejected[2].index, 4u);
  EXPECT_EQ(r.rejected[2].code, RejectCode::kInFuture);
  EXPECT_EQ(r.end, log->DurableEnd());

  std::vector<Event> events = ReadAll(*log);
  EXPECT_EQ(Ids(events), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(events[0].properties["country"], "DE");
  ASSERT_TRUE(events[0].value.has_value());
  EXPECT_DOUBLE_EQ(*events[0].value, 2.5);

  nlohmann::json j = BatchResultToJson(r, 2);
  EXPECT_EQ(j["received"], 5);
  EXPECT_EQ(j["accepted"], 2);
  EXPECT_EQ(j["rejected_count"], 3);
  ASSERT_EQ(j["rejected"].size(), 2u);
  EXPECT_EQ(j["rejected"][0]["code"], "missing_field");
  EXPECT_EQ(j["rejected"][0]["field"], "name");
}

TEST_F(EventLogTest, UnreadableBodyStoresNothing) {
  auto log = Open();
  Result<BatchResult> r = log->AppendJson("[" + TrackJson("a", kStart) + ",");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ReadAll(*log).empty());
}

TEST_F(EventLogTest, TimeWindowEdges) {
  auto log = Open();
  BatchResult r = AppendJson(
      *log, "[" + TrackJson("oldest", kStart - 7 * kDay) + "," + TrackJson("latest", kStart + kDay) + "," +
                TrackJson("too-old", kStart - 7 * kDay - 1) + "," + TrackJson("too-new", kStart + kDay + 1) + "]");
  EXPECT_EQ(r.accepted, 2u);
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].code, RejectCode::kTooOld);
  EXPECT_EQ(r.rejected[1].code, RejectCode::kInFuture);
}

TEST_F(EventLogTest, DeduplicatesWithinAndAcrossBatches) {
  auto log = Open();
  BatchResult first = AppendJson(
      *log, "[" + TrackJson("a", kStart) + "," + TrackJson("b", kStart) + "," + TrackJson("a", kStart + 5) + "]");
  EXPECT_EQ(first.accepted, 2u);
  EXPECT_EQ(first.duplicates, 1u);
  std::vector<Event> accepted;
  BatchResult second = AppendJson(*log, TrackJson("b", kStart) + "\n" + TrackJson("c", kStart) + "\n", &accepted);
  EXPECT_EQ(second.accepted, 1u);
  EXPECT_EQ(second.duplicates, 1u);
  EXPECT_EQ(Ids(accepted), std::vector<std::string>{"c"});
  EXPECT_EQ(Ids(ReadAll(*log)), (std::vector<std::string>{"a", "b", "c"}));
  // An all-duplicate batch is still acknowledged.
  BatchResult third = AppendJson(*log, Batch("", 0, 0, kStart) + "");
  EXPECT_EQ(third.received, 0u);
  EXPECT_EQ(third.end, log->DurableEnd());
}

TEST_F(EventLogTest, DeduplicatesAcrossReopenInsideTheWindow) {
  {
    auto log = Open();
    EXPECT_EQ(AppendJson(*log, Batch("e", 0, 50, kStart)).accepted, 50u);
  }
  clock_.Advance(6 * kDay);
  {
    auto log = Open();
    EXPECT_EQ(log->recovery().records, 50u);
    EXPECT_EQ(log->recovery().dedup_ids, 50u);
    BatchResult r = AppendJson(*log, Batch("e", 40, 20, kStart + 6 * kDay));
    EXPECT_EQ(r.accepted, 10u);
    EXPECT_EQ(r.duplicates, 10u);
  }
  // Past the window the first events' ids are forgotten: their own retries
  // are too old to accept, and the ids may be used again.
  clock_.Advance(kDay + 2 * 60'000);
  {
    auto log = Open();
    EXPECT_EQ(log->recovery().records, 60u);
    EXPECT_EQ(log->recovery().dedup_ids, 10u);  // e50..e59, sent at kStart + 6 days
    BatchResult old = AppendJson(*log, Batch("e", 0, 1, kStart));
    ASSERT_EQ(old.rejected.size(), 1u);
    EXPECT_EQ(old.rejected[0].code, RejectCode::kTooOld);
    BatchResult reused = AppendJson(*log, Batch("e", 0, 1, clock_.NowMillis()));
    EXPECT_EQ(reused.accepted, 1u);
    BatchResult recent = AppendJson(*log, Batch("e", 55, 1, clock_.NowMillis()));
    EXPECT_EQ(recent.duplicates, 1u);
  }
}

TEST_F(EventLogTest, AppendEventsBuiltInCode) {
  auto log = Open();
  Event exposure;
  exposure.kind = EventKind::kExposure;
  exposure.unit_id = "u1";
  exposure.experiment = "checkout";
  exposure.variant = "b";
  exposure.ts = kStart;
  exposure.attributes = {{"country", "CN"}, {"tags", {"vip"}}};
  Event bad;
  bad.unit_id = "u2";
  std::vector<Event> events = {exposure, bad, exposure};
  Result<AppendResult> r = log->Append(events);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->duplicates, 1u);
  EXPECT_EQ(r->outcomes, (std::vector<Outcome>{Outcome::kAccepted, Outcome::kRejected, Outcome::kDuplicate}));
  ASSERT_EQ(r->rejected.size(), 1u);
  EXPECT_EQ(r->rejected[0].index, 1u);

  std::vector<Event> stored = ReadAll(*log);
  ASSERT_EQ(stored.size(), 1u);
  Event expected = exposure;
  expected.event_id = ExposureEventId("u1", "checkout", "b", kStart);
  EXPECT_EQ(stored[0], expected);
}

TEST_F(EventLogTest, RejectsASecondProcess) {
  auto log = Open();
  Result<std::unique_ptr<EventLog>> second = EventLog::Open(dir_.string(), clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(second.error().message.find("another sluice process"), std::string::npos);
}

// Two batches: e0..e8, then the final record "last". Returns the byte range
// of the final record in the (only) segment.
std::pair<std::uint64_t, std::uint64_t> WriteNinePlusOne(EventLog& log) {
  Result<BatchResult> first = log.AppendJson(Batch("e", 0, 9, kStart));
  Result<BatchResult> second = log.AppendJson(Batch("last", 0, 1, kStart));
  EXPECT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->end.segment, second->end.segment);
  return {first->end.offset, second->end.offset};
}

TEST_F(EventLogTest, RecoversFromATruncatedFinalRecordAtEveryOffset) {
  std::uint64_t a = 0, b = 0;
  {
    auto log = Open();
    std::tie(a, b) = WriteNinePlusOne(*log);
  }
  const fs::path segment = Segments().at(0);
  const std::string original = ReadFile(segment);
  ASSERT_EQ(original.size(), b);
  for (std::uint64_t cut = a; cut < b; ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteFile(segment, std::string_view(original).substr(0, cut));
    auto log = Open();
    ASSERT_NE(log, nullptr);
    const RecoveryReport& report = log->recovery();
    EXPECT_EQ(report.records, 9u);
    EXPECT_EQ(report.truncated_bytes, cut - a);
    EXPECT_EQ(report.dropped_bytes, cut - a);
    EXPECT_EQ(report.dropped_records, cut > a ? 1u : 0u);
    EXPECT_EQ(report.notes.size(), cut > a ? 1u : 0u);
    EXPECT_EQ(fs::file_size(segment), a);
    EXPECT_EQ(ReadAll(*log).size(), 9u);
    // The torn event was never acknowledged: its retry is new; the others are not.
    BatchResult retry = AppendJson(*log, Batch("last", 0, 1, kStart) + "");
    EXPECT_EQ(retry.accepted, 1u);
    EXPECT_EQ(AppendJson(*log, Batch("e", 8, 1, kStart)).duplicates, 1u);
  }
}

TEST_F(EventLogTest, RecoversFromAFlippedByteInTheFinalRecord) {
  std::uint64_t a = 0, b = 0;
  {
    auto log = Open();
    std::tie(a, b) = WriteNinePlusOne(*log);
  }
  const fs::path segment = Segments().at(0);
  const std::string original = ReadFile(segment);
  std::uint32_t payload = 0;
  std::memcpy(&payload, original.data() + a + 4, 4);
  const std::uint64_t checked_end = a + 48 + payload;  // padding after it is not checked
  ASSERT_LE(checked_end, b);
  for (std::uint64_t at = a; at < b; ++at) {
    SCOPED_TRACE("flip at " + std::to_string(at));
    std::string damaged = original;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    WriteFile(segment, damaged);
    auto log = Open();
    ASSERT_NE(log, nullptr);
    const bool detected = at < checked_end;
    EXPECT_EQ(log->recovery().records, detected ? 9u : 10u);
    EXPECT_EQ(log->recovery().dropped_records, detected ? 1u : 0u);
    EXPECT_EQ(log->recovery().truncated_bytes, detected ? b - a : 0u);
    std::vector<Event> events = ReadAll(*log);
    ASSERT_EQ(events.size(), detected ? 9u : 10u);
    if (!detected) {
      EXPECT_EQ(events.back().event_id, "last0");
    }
  }
}

TEST_F(EventLogTest, KeepsRecordsAfterADamagedOneInTheMiddle) {
  LogPosition third;
  {
    auto log = Open();
    WriteNinePlusOne(*log);
    Result<std::unique_ptr<LogReader>> reader = log->NewReader();
    ASSERT_TRUE(reader.ok());
    Event e;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(*(*reader)->Next(e));
    third = (*reader)->position();  // where e3 starts
  }
  const fs::path segment = Segments().at(0);
  std::string bytes = ReadFile(segment);
  bytes[third.offset + 60] ^= 1;  // inside e3's payload
  WriteFile(segment, bytes);
  auto log = Open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 9u);
  EXPECT_EQ(log->recovery().dropped_records, 1u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_GT(log->recovery().dropped_bytes, 0u);
  ASSERT_EQ(log->recovery().notes.size(), 1u);
  EXPECT_NE(log->recovery().notes[0].find("skipped"), std::string::npos) << log->recovery().notes[0];
  EXPECT_EQ(Ids(ReadAll(*log)), (std::vector<std::string>{"e0", "e1", "e2", "e4", "e5", "e6", "e7", "e8", "last0"}));
  // Appends go after the intact tail; the lost event may be sent again.
  EXPECT_EQ(AppendJson(*log, Batch("e", 3, 1, kStart)).accepted, 1u);
  EXPECT_EQ(AppendJson(*log, Batch("e", 4, 1, kStart)).duplicates, 1u);
  EXPECT_EQ(ReadAll(*log).back().event_id, "e3");
}

TEST_F(EventLogTest, RewritesATornSegmentHeader) {
  {
    auto log = Open();
    AppendJson(*log, Batch("e", 0, 5, kStart));
  }
  // A crash right after creating the next segment leaves part of its header.
  WriteFile(dir_ / "events" / "00000000000000000002.log", "SLUICE");
  {
    auto log = Open();
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->recovery().records, 5u);
    EXPECT_EQ(log->recovery().notes.size(), 1u);
    EXPECT_EQ(AppendJson(*log, Batch("e", 5, 5, kStart)).accepted, 5u);
  }
  auto log = Open();
  EXPECT_TRUE(log->recovery().notes.empty());
  EXPECT_EQ(log->recovery().records, 10u);
  EXPECT_EQ(ReadAll(*log).size(), 10u);
}

TEST_F(EventLogTest, RollsSegments) {
  EventLogOptions options;
  options.segment_bytes = 4096;
  std::vector<std::string> expected;
  {
    auto log = Open(options);
    for (int b = 0; b < 30; ++b) {
      EXPECT_EQ(AppendJson(*log, Batch("e", b * 10, 10, kStart)).accepted, 10u);
      for (int i = 0; i < 10; ++i) expected.push_back("e" + std::to_string(b * 10 + i));
    }
    // A batch larger than a segment gets one of its own.
    BatchResult big = AppendJson(*log, Batch("big", 0, 60, kStart));
    EXPECT_EQ(big.accepted, 60u);
    for (int i = 0; i < 60; ++i) expected.push_back("big" + std::to_string(i));
    EXPECT_EQ(log->Stats().segments, Segments().size());
    EXPECT_EQ(Ids(ReadAll(*log)), expected);
  }
  const std::vector<fs::path> segments = Segments();
  ASSERT_GE(segments.size(), 8u);
  for (std::size_t k = 0; k + 1 < segments.size(); ++k) EXPECT_LE(fs::file_size(segments[k]), 4096u);
  EXPECT_GT(fs::file_size(segments.back()), 4096u);
  EXPECT_EQ(segments.front().filename(), "00000000000000000001.log");

  auto log = Open(options);
  EXPECT_EQ(log->recovery().segments, segments.size());
  EXPECT_EQ(log->recovery().records, expected.size());
  EXPECT_EQ(Ids(ReadAll(*log)), expected);
  EXPECT_EQ(AppendJson(*log, Batch("e", 0, 300, kStart)).duplicates, 300u);
}

TEST_F(EventLogTest, ConcurrentAppendersAreAllAcknowledgedAndDurable) {
  options_interval_ = 20'000;  // 20 ms: concurrent batches must share syncs
  constexpr int kThreads = 8, kBatches = 20, kPerBatch = 25;
  EventLogOptions options;
  options.segment_bytes = 64 << 10;
  std::size_t total_accepted = 0, total_duplicates = 0;
  {
    auto log = Open(options);
    std::vector<std::thread> threads;
    std::vector<std::size_t> accepted(kThreads), duplicates(kThreads);
    std::vector<std::string> errors(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int b = 0; b < kBatches; ++b) {
          // Own events plus one that every thread sends for this batch number.
          std::string body = Batch("t" + std::to_string(t) + "-", b * kPerBatch, kPerBatch, kStart);
          body.back() = ',';
          body += TrackJson("shared" + std::to_string(b), kStart) + "]";
          Result<BatchResult> r = log->AppendJson(body);
          if (!r.ok()) {
            errors[t] = r.error().ToString();
            return;
          }
          if (log->DurableEnd() < r->end) errors[t] = "acknowledged before durable";
          accepted[t] += r->accepted;
          duplicates[t] += r->duplicates;
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(errors[t], "");
      total_accepted += accepted[t];
      total_duplicates += duplicates[t];
    }
    EXPECT_LT(log->Stats().syncs, static_cast<std::uint64_t>(kThreads * kBatches / 2));
  }
  EXPECT_EQ(total_accepted, static_cast<std::size_t>(kThreads * kBatches * kPerBatch + kBatches));
  EXPECT_EQ(total_duplicates, static_cast<std::size_t>((kThreads - 1) * kBatches));
  auto log = Open(options);
  std::vector<Event> events = ReadAll(*log);
  EXPECT_EQ(events.size(), total_accepted);
  std::set<std::string> ids;
  for (const Event& e : events) ids.insert(e.event_id);
  EXPECT_EQ(ids.size(), total_accepted);
  EXPECT_TRUE(ids.count("t7-" + std::to_string(kBatches * kPerBatch - 1)));
  EXPECT_TRUE(ids.count("shared" + std::to_string(kBatches - 1)));
}

TEST_F(EventLogTest, ReplaysFromACheckpointedPosition) {
  LogPosition checkpoint;
  {
    auto log = Open();
    BatchResult first = AppendJson(*log, Batch("a", 0, 5, kStart));
    Result<std::unique_ptr<LogReader>> reader = log->NewReader();
    ASSERT_TRUE(reader.ok());
    Event e;
    int n = 0;
    while (*(*reader)->Next(e)) ++n;
    EXPECT_EQ(n, 5);
    checkpoint = (*reader)->position();
    EXPECT_EQ(checkpoint, first.end);
    // The reader follows the tail.
    AppendJson(*log, Batch("b", 0, 3, kStart));
    std::vector<std::string> tail;
    while (*(*reader)->Next(e)) tail.push_back(e.event_id);
    EXPECT_EQ(tail, (std::vector<std::string>{"b0", "b1", "b2"}));
  }
  auto log = Open();
  EXPECT_EQ(Ids(ReadAll(*log, checkpoint)), (std::vector<std::string>{"b0", "b1", "b2"}));
  LogPosition end;
  ReadAll(*log, checkpoint, &end);
  EXPECT_EQ(end, log->DurableEnd());
  EXPECT_TRUE(ReadAll(*log, end).empty());

  for (LogPosition bad : {LogPosition{checkpoint.segment, checkpoint.offset + 8},
                          LogPosition{checkpoint.segment, checkpoint.offset + 1}, LogPosition{checkpoint.segment, 8},
                          LogPosition{checkpoint.segment + 5, 32}, LogPosition{checkpoint.segment, end.offset + 8}}) {
    Result<std::unique_ptr<LogReader>> reader = log->NewReader(bad);
    ASSERT_FALSE(reader.ok()) << bad.segment << ":" << bad.offset;
    EXPECT_EQ(reader.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace sluice::events
