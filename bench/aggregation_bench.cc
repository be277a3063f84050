// Streaming aggregation (sluice_aggregation): events applied per second,
// memory per (unit, experiment) and per (unit, metric) accumulator at 10 M
// units, query and checkpoint times.
//
// Fixed workload (seeded): 2 experiments (2 and 3 variants) and 6 metrics of
// every type (conversion, mean count, mean sum with a filter, ratio with
// filters, day-1 retention, a guardrail); 14 days; 4 track events per unit on
// average (app opens, purchases with status and amount, impressions and
// clicks with a module) plus exposures with 4 attributes. Each unit is
// exposed to each experiment with probability 1/2 at its first visit; events
// arrive in time order with up to 5 minutes of jitter (reorder window 1 h).
//
//   build/bench/aggregation_bench                        # everything (the 10 M run takes ~1-2 min)
//   build/bench/aggregation_bench --benchmark_filter=Apply
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "sluice/aggregation/aggregator.h"
#include "sluice/core/config.h"

namespace sluice::aggregation {
namespace {

constexpr const char* kConfig = R"({
  "layers": [{"key": "home"}, {"key": "push"}],
  "metrics": [
    {"key": "buy", "type": "conversion", "event": "purchase", "window_hours": 168},
    {"key": "opens", "type": "mean", "event": "app_open"},
    {"key": "gmv", "type": "mean", "event": "purchase", "aggregate": "sum",
     "filter": [{"property": "status", "op": "ne", "value": "refunded"}]},
    {"key": "ctr", "type": "ratio",
     "numerator": {"event": "click", "filter": [{"property": "module", "op": "eq", "value": "carousel"}]},
     "denominator": {"event": "impression", "filter": [{"property": "module", "op": "eq", "value": "carousel"}]}},
    {"key": "d1", "type": "retention", "event": "app_open", "day": 1},
    {"key": "misclick", "type": "conversion", "event": "undo", "direction": "decrease", "guardrail": true,
     "pre_period_days": 0}
  ],
  "experiments": [
    {"key": "carousel", "layer": "home", "status": "running", "traffic_share": 100,
     "variants": [{"key": "control", "weight": 50}, {"key": "six", "weight": 50}],
     "metrics": {"primary": "ctr", "secondary": ["buy", "gmv", "opens", "d1"]}},
    {"key": "push-time", "layer": "push", "status": "running", "traffic_share": 100,
     "variants": [{"key": "control", "weight": 34}, {"key": "noon", "weight": 33}, {"key": "evening", "weight": 33}],
     "metrics": {"primary": "opens", "secondary": ["gmv"]}}
  ]})";

constexpr EpochMillis kStart = 1'793'491'200'000;  // 2026-11-01T00:00:00Z
constexpr EpochMillis kSpan = 14 * core::kDayMillis;

core::Config BenchConfig() { return core::ParseConfigText(kConfig).value(); }

// Produces the workload in batches, in time order (with jitter).
class Workload {
 public:
  Workload(std::uint64_t units, std::uint64_t events) : units_(units), events_(events), exposed_(units, 0) {}

  bool done() const { return produced_ >= events_; }

  void Next(std::size_t n, std::vector<events::Event>& out) {
    out.clear();
    static const char* kCountries[] = {"CN", "US", "JP", "BR", "DE", "IN"};
    static const char* kPlatforms[] = {"ios", "android", "web"};
    static const char* kCarouselVariants[] = {"control", "six"};
    static const char* kPushVariants[] = {"control", "noon", "evening"};
    for (std::size_t i = 0; i < n && !done(); ++i, ++produced_) {
      const EpochMillis ts =
          kStart + static_cast<EpochMillis>(produced_ * kSpan / events_) + static_cast<EpochMillis>(rng_() % 300'000);
      const std::uint64_t u = rng_() % units_;
      const std::string unit = "user-" + std::to_string(u);
      if (exposed_[u] == 0) {  // first visit: exposures
        exposed_[u] = 1;
        const std::uint64_t r = rng_();
        core::Json attributes = {{"country", kCountries[r % 6]},
                                 {"platform", kPlatforms[(r >> 8) % 3]},
                                 {"is_new_user", ((r >> 16) & 3) == 0},
                                 {"city_tier", 1 + (r >> 20) % 4}};
        if (r & (1ull << 30))
          out.push_back(Exposure(unit, "carousel", kCarouselVariants[(r >> 32) % 2], ts, attributes));
        if (r & (1ull << 31)) out.push_back(Exposure(unit, "push-time", kPushVariants[(r >> 40) % 3], ts, attributes));
      }
      events::Event e;
      e.kind = events::EventKind::kTrack;
      e.event_id = "e" + std::to_string(produced_);
      e.unit_id = unit;
      e.ts = ts + 1000;
      const std::uint64_t r = rng_() % 100;
      if (r < 40) {
        e.name = "app_open";
      } else if (r < 70) {
        e.name = "impression";
        e.properties = {{"module", r < 60 ? "carousel" : "banner"}};
      } else if (r < 80) {
        e.name = "click";
        e.properties = {{"module", r < 77 ? "carousel" : "banner"}};
      } else if (r < 92) {
        e.name = "purchase";
        e.value = static_cast<double>(1 + rng_() % 200);
        e.properties = {{"status", r < 90 ? "paid" : "refunded"}, {"amount", *e.value}};
      } else if (r < 93) {
        e.name = "undo";
      } else {
        e.name = "page_view";  // selected by no metric
      }
      out.push_back(std::move(e));
    }
  }

 private:
  static events::Event Exposure(const std::string& unit, const char* experiment, const char* variant, EpochMillis ts,
                                const core::Json& attributes) {
    events::Event e;
    e.kind = events::EventKind::kExposure;
    e.unit_id = unit;
    e.ts = ts;
    e.experiment = experiment;
    e.variant = variant;
    e.attributes = attributes;
    e.event_id = "x:" + unit + ":" + experiment;
    return e;
  }

  std::uint64_t units_;
  std::uint64_t events_;
  std::uint64_t produced_ = 0;
  std::vector<char> exposed_;
  std::mt19937_64 rng_{20261101};
};

// Resident set size in bytes (Linux).
std::int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t pages = 0;
  std::int64_t resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

void ReportMemory(benchmark::State& state, const Aggregator& a) {
  const MemoryUsage m = a.Memory();
  state.counters["units"] = static_cast<double>(m.units);
  state.counters["exposure_records"] = static_cast<double>(m.exposure_records);
  state.counters["metric_accumulators"] = static_cast<double>(m.metric_accumulators);
  state.counters["B_per_exposure_record"] = static_cast<double>(m.exposure_bytes) / m.exposure_records;
  state.counters["B_per_metric_accumulator"] = static_cast<double>(m.accumulator_bytes) / m.metric_accumulators;
  state.counters["B_per_unit_interned"] = static_cast<double>(m.unit_bytes) / m.units;
  state.counters["pre_period_MiB"] = m.pre_period_bytes / 1048576.0;
  state.counters["buffer_MiB"] = m.buffer_bytes / 1048576.0;
  state.counters["dimension_KiB"] = m.dimension_bytes / 1024.0;
  state.counters["total_MiB"] = m.total_bytes() / 1048576.0;
}

// Events applied per second, 1 M units, 10 M events (+ exposures).
void BM_ApplyEvents(benchmark::State& state) {
  const core::Config config = BenchConfig();
  Aggregator a = Aggregator::Create(config).value();
  Workload workload(1'000'000, 10'000'000);
  std::vector<events::Event> batch;
  std::int64_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    workload.Next(100'000, batch);
    state.ResumeTiming();
    for (const events::Event& e : batch) benchmark::DoNotOptimize(a.Apply(e));
    applied += static_cast<std::int64_t>(batch.size());
  }
  state.SetItemsProcessed(applied);
  ReportMemory(state, a);
}
BENCHMARK(BM_ApplyEvents)->Iterations(100)->Unit(benchmark::kMillisecond);

// Memory at 10 M units (about 40 M events); also times one full query with
// the daily series and a checkpoint at that size.
void BM_MemoryAt10MUnits(benchmark::State& state) {
  for (auto _ : state) {
    const std::int64_t rss_before = ResidentBytes();
    const core::Config config = BenchConfig();
    Aggregator a = Aggregator::Create(config).value();
    Workload workload(10'000'000, 40'000'000);
    std::vector<events::Event> batch;
    while (!workload.done()) {
      workload.Next(100'000, batch);
      for (const events::Event& e : batch) a.Apply(e);
    }
    a.Flush();
    batch = {};
    state.counters["rss_growth_MiB"] = (ResidentBytes() - rss_before) / 1048576.0;
    ReportMemory(state, a);
    auto t0 = std::chrono::steady_clock::now();
    auto q = a.Query("carousel", {.filter = std::nullopt, .daily = true});
    auto t1 = std::chrono::steady_clock::now();
    auto cn = a.Query("carousel", {.filter = DimensionFilter{"country", "CN"}, .daily = false});
    auto t2 = std::chrono::steady_clock::now();
    std::string bytes = a.Checkpoint("bench");
    auto t3 = std::chrono::steady_clock::now();
    auto restored = Aggregator::Restore(config, bytes);
    auto t4 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(q);
    benchmark::DoNotOptimize(cn);
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    state.counters["query_daily_ms"] = ms(t0, t1);
    state.counters["query_drilldown_ms"] = ms(t1, t2);
    state.counters["checkpoint_ms"] = ms(t2, t3);
    state.counters["restore_ms"] = ms(t3, t4);
    state.counters["checkpoint_MiB"] = bytes.size() / 1048576.0;
    if (!restored.ok()) state.SkipWithError("restore failed");
  }
}
BENCHMARK(BM_MemoryAt10MUnits)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace sluice::aggregation
