// Event log benchmarks.
//
//  - BM_AppendJson/threads:T: POST /v1/events without HTTP: batches of 500
//    track events (~170 bytes of JSON each) parsed, validated, deduplicated,
//    appended and synced (fdatasync, group commit), T appenders at once;
//    cpu_us_per_event is the CPU time of all threads per event.
//  - BM_ParseEvents / BM_NlohmannParse: JSON parsing alone, simdjson (with
//    validation and building Events) against nlohmann::json (parse only);
//    the reason the hot path uses simdjson.
//  - BM_Recovery: EventLog::Open over a log of N events (scan, checksum,
//    dedup index rebuild). N comes from SLUICE_EVENTS_RECOVERY_N (default
//    1,000,000; the goal is < 5 s at 10,000,000). The log is written once to
//    $SLUICE_BENCH_DIR (default: the system temp dir) and reused.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "sluice/events/event_log.h"

namespace sluice::events {
namespace {

namespace fs = std::filesystem;

constexpr EpochMillis kStart = 1'763'884'800'000;  // 2025-11-23T08:00:00Z
constexpr int kBatchEvents = 500;

// CPU seconds used by the whole process (all threads) so far.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

fs::path BenchDir(const std::string& name) {
  const char* base = std::getenv("SLUICE_BENCH_DIR");
  return fs::path(base != nullptr ? base : fs::temp_directory_path().string()) / name;
}

// Batch `n` of 500 track events with ids unique across batches.
std::string Batch(std::uint64_t n) {
  std::string body = "[";
  for (int i = 0; i < kBatchEvents; ++i) {
    const std::uint64_t id = n * kBatchEvents + static_cast<std::uint64_t>(i);
    if (i > 0) body += ",";
    body += R"({"event_id":"evt-)" + std::to_string(id) + R"(-7f3a","unit_id":"user-)" +
            std::to_string(id * 7919 % 1'000'003) + R"(","name":"purchase","ts":)" + std::to_string(kStart + i) +
            R"(,"value":)" + std::to_string(i % 97) + R"(.5,"properties":{"country":"DE","platform":"ios","items":)" +
            std::to_string(i % 7) + "}}";
  }
  return body + "]";
}

std::unique_ptr<EventLog> OpenOrDie(const fs::path& dir, const Clock& clock) {
  Result<std::unique_ptr<EventLog>> log = EventLog::Open(dir.string(), clock);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.error().ToString().c_str());
    std::abort();
  }
  return std::move(log).value();
}

void BM_AppendJson(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr int kBatchesPerThread = 8;
  FakeClock clock(kStart);
  const fs::path dir = BenchDir("sluice-events-bench-append");
  fs::remove_all(dir);
  auto log = OpenOrDie(dir, clock);
  std::uint64_t next = 0;
  std::vector<std::string> bodies(static_cast<std::size_t>(threads * kBatchesPerThread));
  std::size_t bytes = 0;
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& body : bodies) body = Batch(next++);
    const double cpu_before = ProcessCpuSeconds();
    state.ResumeTiming();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int b = 0; b < kBatchesPerThread; ++b) {
          const std::string& body = bodies[static_cast<std::size_t>(t * kBatchesPerThread + b)];
          Result<BatchResult> r = log->AppendJson(body);
          if (!r.ok() || r->accepted != kBatchEvents) std::abort();
        }
      });
    }
    for (auto& w : workers) w.join();
    cpu += ProcessCpuSeconds() - cpu_before;
    for (const auto& body : bodies) bytes += body.size();
  }
  // CPU of every thread (appenders and the syncer) per event.
  state.counters["cpu_us_per_event"] =
      cpu * 1e6 / static_cast<double>(state.iterations() * threads * kBatchesPerThread * kBatchEvents);
  state.SetItemsProcessed(state.iterations() * threads * kBatchesPerThread * kBatchEvents);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["syncs_per_batch"] =
      static_cast<double>(log->Stats().syncs) / static_cast<double>(state.iterations() * threads * kBatchesPerThread);
  log.reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_AppendJson)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ParseEvents(benchmark::State& state) {
  const std::string body = Batch(0);
  for (auto _ : state) {
    Result<ParsedEvents> parsed = ParseEvents(body);
    if (!parsed.ok() || parsed->events.size() != kBatchEvents) std::abort();
    benchmark::DoNotOptimize(parsed->events.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatchEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_ParseEvents)->Unit(benchmark::kMicrosecond);

void BM_NlohmannParse(benchmark::State& state) {
  const std::string body = Batch(0);
  for (auto _ : state) {
    nlohmann::json j = nlohmann::json::parse(body);
    benchmark::DoNotOptimize(j.size());
  }
  state.SetItemsProcessed(state.iterations() * kBatchEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_NlohmannParse)->Unit(benchmark::kMicrosecond);

std::uint64_t RecoveryEvents() {
  const char* n = std::getenv("SLUICE_EVENTS_RECOVERY_N");
  return n != nullptr ? std::strtoull(n, nullptr, 10) : 1'000'000;
}

void BM_Recovery(benchmark::State& state) {
  const std::uint64_t n = RecoveryEvents() / kBatchEvents * kBatchEvents;
  FakeClock clock(kStart);
  const fs::path dir = BenchDir("sluice-events-bench-recovery-" + std::to_string(n));
  if (!fs::exists(dir / "events" / "COMPLETE")) {
    fs::remove_all(dir);
    auto log = OpenOrDie(dir, clock);
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t) {
      writers.emplace_back([&, t] {
        for (std::uint64_t b = static_cast<std::uint64_t>(t); b < n / kBatchEvents; b += 2) {
          if (!log->AppendJson(Batch(b)).ok()) std::abort();
        }
      });
    }
    for (auto& w : writers) w.join();
    log.reset();
    std::FILE* done = std::fopen((dir / "events" / "COMPLETE").c_str(), "w");
    if (done != nullptr) std::fclose(done);
  }
  RecoveryReport report;
  std::uint64_t dedup_bytes = 0;
  for (auto _ : state) {
    auto log = OpenOrDie(dir, clock);
    report = log->recovery();
    dedup_bytes = log->Stats().dedup_bytes;
    state.PauseTiming();
    log.reset();
    state.ResumeTiming();
  }
  if (report.records != n || report.dedup_ids != n) {
    state.SkipWithError("the recovered log does not hold every event");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["events"] = static_cast<double>(n);
  state.counters["log_MiB"] = static_cast<double>(report.bytes) / (1 << 20);
  state.counters["segments"] = static_cast<double>(report.segments);
  state.counters["dedup_MiB"] = static_cast<double>(dedup_bytes) / (1 << 20);
}
BENCHMARK(BM_Recovery)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice::events
