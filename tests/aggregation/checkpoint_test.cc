// Checkpoints: restoring and applying the log's tail gives exactly the state
// of applying everything; damaged bytes and changed configurations are refused.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstring>

#include "generated_events.h"
#include "sluice/aggregation/aggregates_json.h"
#include "test_events.h"

namespace sluice::aggregation {
namespace {

using testing::GeneratedConfig;
using testing::GenerateLog;
using testing::Make;
using testing::ParseOrDie;

// Everything a caller can observe, as one JSON document.
core::Json Observe(const Aggregator& a) {
  core::Json out = {{"counters", CountersToJson(a.counters())}, {"complete_through", a.complete_through()}};
  for (const char* experiment : {"exp_a", "exp_b"}) {
    out[experiment]["all"] = AggregatesToJson(a.Query(experiment, {.filter = std::nullopt, .daily = true}).value());
    out[experiment]["cn"] =
        AggregatesToJson(a.Query(experiment, {.filter = DimensionFilter{"country", "CN"}, .daily = true}).value());
    out[experiment]["dimensions"] = DimensionsToJson(a.Dimensions(experiment).value());
  }
  return out;
}

TEST(CheckpointTest, RestoreThenApplyTailEqualsApplyingEverything) {
  core::Config config = ParseOrDie(GeneratedConfig());
  testing::GeneratedLog log = GenerateLog(7, 600);
  ASSERT_GT(log.events.size(), 10'000u);
  Aggregator whole = Make(config);
  for (const events::Event& e : log.events) whole.Apply(e);
  const core::Json unflushed = Observe(whole);
  const std::string unflushed_bytes = whole.Checkpoint("end");
  whole.Flush();
  const core::Json expected = Observe(whole);
  const std::string expected_bytes = whole.Checkpoint("end");

  for (std::size_t cut :
       {std::size_t{0}, std::size_t{1}, log.events.size() / 3, log.events.size() / 2 + 17, log.events.size()}) {
    SCOPED_TRACE("checkpoint after " + std::to_string(cut) + " events");
    Aggregator head = Make(config);
    for (std::size_t i = 0; i < cut; ++i) head.Apply(log.events[i]);
    const std::string bytes = head.Checkpoint("offset=" + std::to_string(cut));
    Result<Aggregator::Restored> restored = Aggregator::Restore(config, bytes);
    ASSERT_TRUE(restored.ok()) << restored.error().ToString();
    EXPECT_EQ(restored->log_position, "offset=" + std::to_string(cut));
    Aggregator& tail = restored->aggregator;
    EXPECT_EQ(tail.Checkpoint("x"), head.Checkpoint("x")) << "restore must reproduce the state exactly";
    for (std::size_t i = cut; i < log.events.size(); ++i) tail.Apply(log.events[i]);
    EXPECT_EQ(tail.Checkpoint("end"), unflushed_bytes);
    EXPECT_EQ(Observe(tail), unflushed);
    tail.Flush();
    EXPECT_EQ(tail.Checkpoint("end"), expected_bytes);
    EXPECT_EQ(Observe(tail), expected);
  }
}

TEST(CheckpointTest, BufferedEventsSurviveARestart) {
  core::Config config = ParseOrDie(GeneratedConfig());
  testing::GeneratedLog log = GenerateLog(11, 50);
  Aggregator a = Make(config);
  for (std::size_t i = 0; i < log.events.size() / 2; ++i) a.Apply(log.events[i]);
  ASSERT_GT(a.counters().pending_events, 0);
  Result<Aggregator::Restored> r = Aggregator::Restore(config, a.Checkpoint(""));
  ASSERT_TRUE(r.ok());
  a.Flush();
  r->aggregator.Flush();
  EXPECT_EQ(Observe(r->aggregator), Observe(a));
  EXPECT_EQ(r->aggregator.counters().pending_events, 0);
}

class DamagedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::GeneratedLog log = GenerateLog(3, 40);
    Aggregator a = Make(config_);
    for (const events::Event& e : log.events) a.Apply(e);
    bytes_ = a.Checkpoint("42");
  }
  Error RestoreError(std::string_view bytes, const AggregatorOptions& options = {}) {
    Result<Aggregator::Restored> r = Aggregator::Restore(config_, bytes, options);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error{} : std::move(r).error();
  }
  // Rewrites the trailing checksum so that a deliberate change passes it.
  static void Reseal(std::string& bytes) {
    const std::uint64_t sum = XXH64(bytes.data(), bytes.size() - 8, 0);
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  }
  core::Config config_ = ParseOrDie(GeneratedConfig());
  std::string bytes_;
};

TEST_F(DamagedCheckpointTest, FlippedBitsAreDetected) {
  for (std::size_t pos : {std::size_t{20}, bytes_.size() / 2, bytes_.size() - 9}) {
    std::string damaged = bytes_;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x10);
    Error e = RestoreError(damaged);
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
    EXPECT_NE(e.message.find("checksum mismatch"), std::string::npos) << e.message;
  }
}

TEST_F(DamagedCheckpointTest, TruncatedAndForeignBytesAreRefused) {
  EXPECT_EQ(RestoreError("").code, ErrorCode::kInvalidArgument);
  EXPECT_NE(RestoreError("hello world, this is not a checkpoint").message.find("not an aggregation checkpoint"),
            std::string::npos);
  std::string truncated = bytes_.substr(0, bytes_.size() - 100);
  EXPECT_EQ(RestoreError(truncated).code, ErrorCode::kInvalidArgument);
  Reseal(truncated);  // a consistent checksum over a cut body: the reader notices
  Error e = RestoreError(truncated);
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(e.message.find("checkpoint is damaged"), std::string::npos) << e.message;
}

TEST_F(DamagedCheckpointTest, OtherFormatVersionIsRefused) {
  std::string other = bytes_;
  const std::uint32_t version = 2;
  std::memcpy(other.data() + 8, &version, 4);
  Reseal(other);
  Error e = RestoreError(other);
  EXPECT_EQ(e.code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(e.message.find("version 2"), std::string::npos) << e.message;
}

TEST_F(DamagedCheckpointTest, ChangedConfigurationOrOptionsAreRefused) {
  std::string text = GeneratedConfig();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string changed = text;
    const std::size_t at = changed.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    changed.replace(at, from.size(), to);
    return ParseOrDie(changed);
  };
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"("window_hours": 72)", R"("window_hours": 96)"},
           {R"({"key": "t2", "weight": 33})", R"({"key": "t3", "weight": 33})"},
           {R"("secondary": ["opens_48h", "d1"])", R"("secondary": ["d1", "opens_48h"])"}}) {
    SCOPED_TRACE(to);
    core::Config changed = with(from, to);
    Result<Aggregator::Restored> r = Aggregator::Restore(changed, bytes_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(r.error().message.find("replay the log from the start"), std::string::npos);
  }
  Error e = RestoreError(bytes_, {.reorder_window_ms = 60'000, .max_dimension_values = 64});
  EXPECT_EQ(e.code, ErrorCode::kFailedPrecondition);
  // What only shapes reports (direction, role, description) may change.
  core::Config relabelled = with(R"("direction": "decrease")", R"("direction": "increase", "description": "Crashes")");
  Result<Aggregator::Restored> ok = Aggregator::Restore(relabelled, bytes_);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->log_position, "42");
  ExperimentAggregates q = ok->aggregator.Query("exp_a").value();
  EXPECT_EQ(q.metrics.back().metric, "crash");
  EXPECT_EQ(q.metrics.back().direction, core::MetricDirection::kIncrease);
}

}  // namespace
}  // namespace sluice::aggregation
