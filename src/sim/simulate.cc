#include "sluice/sim/simulate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/aggregation/aggregator.h"
#include "sluice/core/config.h"
#include "sluice/core/engine.h"
#include "sluice/events/exposures.h"
#include "sluice/events/validation.h"
#include "sluice/report/report.h"
#include "sluice/stats/distributions.h"
#include "sluice/stats/power.h"

namespace sluice::sim {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kExperiment = "simulated";
constexpr std::string_view kMetric = "outcome";
constexpr EpochMillis kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr EpochMillis kHour = 3'600'000;
constexpr EpochMillis kArrivalSpan = 18 * kHour;  // units arrive in the first 18 h of their day
constexpr EpochMillis kMaxOutcomeDelay = 6 * kHour;
constexpr double kZ95 = 1.959963984540054;  // two-sided 95 % normal quantile

std::string OutcomeEvent(MetricModel metric) { return metric == MetricModel::kConversion ? "convert" : "purchase"; }

// The one-experiment configuration of replicate `index`, as a user would write it.
std::string ConfigText(const Scenario& s, std::int64_t index) {
  Json metric = {{"key", kMetric}, {"event", OutcomeEvent(s.metric)}, {"pre_period_days", 0}};
  if (s.metric == MetricModel::kConversion) {
    metric["type"] = "conversion";
  } else {
    metric["type"] = "mean";
    metric["aggregate"] = "sum";
  }
  Json experiment = {
      {"key", kExperiment},
      {"layer", "sim"},
      {"status", "running"},
      {"traffic_share", 100},
      {"salt", "sim-" + std::to_string(s.seed) + "-" + std::to_string(index)},
      {"variants", {{{"key", "control"}, {"weight", 50}}, {{"key", "treatment"}, {"weight", 50}}}},
      {"metrics", {{"primary", kMetric}}}};
  return Json{{"layers", {{{"key", "sim"}}}}, {"metrics", {metric}}, {"experiments", {experiment}}}.dump();
}

// SplitMix64 (Steele, Lea & Flood 2014): decorrelates the seeds of neighbouring replicates.
std::uint64_t ReplicateSeed(std::uint64_t seed, std::int64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(index) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Verdict {
  bool rejected = false;
  bool ran = false;  // the test could run
  std::optional<double> relative_effect;
  bool srm_alarm = false;
};

struct ReplicateResult {
  Verdict final_look;
  bool sequential_rejected = false;  // at any look
  bool naive_rejected = false;       // at any look
  std::int64_t units = 0;
  std::int64_t exposures = 0;
  std::int64_t outcome_events = 0;
};

Result<Verdict> Judge(const core::Config& config, const aggregation::Aggregator& aggregator,
                      report::Method method, double alpha) {
  Result<aggregation::ExperimentAggregates> sums = aggregator.Query(kExperiment);
  if (!sums.ok()) return sums.error();
  report::ReportOptions options;
  options.alpha = alpha;
  options.method = method;
  Result<report::Report> built = report::BuildReport(config, *sums, {}, options);
  if (!built.ok()) return built.error();
  const report::Comparison& c = built->metrics.at(0).comparisons.at(0);
  Verdict v;
  v.ran = !c.unavailable.has_value();
  v.rejected = c.significance != report::Significance::kNone;
  v.relative_effect = c.rel_diff;
  v.srm_alarm = built->srm.alarm;
  return v;
}

class Replicate {
 public:
  Replicate(const Scenario& s, std::int64_t index) : s_(s), index_(index), rng_(ReplicateSeed(s.seed, index)) {}

  Result<ReplicateResult> Run() {
    Result<core::Config> config = core::ParseConfigText(ConfigText(s_, index_));
    if (!config.ok()) return Internal("configuration", config.error().ToString());
    core::Engine engine(std::move(config).value());
    Result<aggregation::Aggregator> aggregator = aggregation::Aggregator::Create(engine.config());
    if (!aggregator.ok()) return aggregator.error();

    if (Status made = MakeEvents(engine); !made.ok()) return made.error();
    ReplicateResult result;
    result.units = s_.units;
    std::size_t next = 0;
    for (std::int32_t day = 0; day < s_.days; ++day) {
      const EpochMillis day_end = kStart + (day + 1) * core::kDayMillis;
      for (; next < events_.size() && events_[next].ts < day_end; ++next) aggregator->Apply(events_[next]);
      aggregator->Flush();
      const bool last = day + 1 == s_.days;
      if (s_.looks == Looks::kDaily) {
        Result<Verdict> sequential = Judge(engine.config(), *aggregator, report::Method::kSequential, s_.alpha);
        if (!sequential.ok()) return sequential.error();
        result.sequential_rejected |= sequential->rejected;
      }
      if (s_.looks == Looks::kDaily || last) {
        Result<Verdict> fixed = Judge(engine.config(), *aggregator, report::Method::kFixedHorizon, s_.alpha);
        if (!fixed.ok()) return fixed.error();
        result.naive_rejected |= fixed->rejected;
        if (last) result.final_look = *fixed;
      }
    }
    const aggregation::AggregatorCounters& counters = aggregator->counters();
    result.exposures = counters.exposures;
    result.outcome_events = counters.tracks;
    return result;
  }

 private:
  static Error Internal(std::string_view what, const std::string& detail) {
    return MakeError(ErrorCode::kInternal, "simulation: the pipeline refused its own " + std::string(what) +
                                               ": " + detail);
  }

  // Decides every unit and draws its outcome; events_ ends in time order
  // (an exposure before the events at the same millisecond).
  Status MakeEvents(const core::Engine& engine) {
    core::Scratch scratch;
    core::Decision decision;
    const Json no_attributes = Json::object();
    std::uniform_int_distribution<EpochMillis> arrival(0, kArrivalSpan - 1);
    std::uniform_int_distribution<EpochMillis> delay(1, kMaxOutcomeDelay);
    std::normal_distribution<double> noise(0.0, s_.sd);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const double treatment = s_.baseline * (1.0 + s_.relative_effect);
    events_.clear();
    events_.reserve(static_cast<std::size_t>(2 * s_.units));
    for (std::int64_t k = 0; k < s_.units; ++k) {
      const std::string unit = "u" + std::to_string(k);
      const std::int64_t day = k * s_.days / s_.units;  // uniform arrivals over the days
      const EpochMillis seen = kStart + day * core::kDayMillis + arrival(rng_);
      engine.Decide(core::UnitInput{unit, {}, seen}, scratch, decision);
      std::vector<events::Event> exposures = events::ExposureEvents(engine, decision, unit, no_attributes, seen);
      if (exposures.size() != 1) return Internal("assignment", unit + " got no exposure");
      const bool treated = exposures.front().variant == "treatment";
      for (events::Event& e : exposures) events_.push_back(std::move(e));

      events::Event outcome;
      outcome.unit_id = unit;
      outcome.event_id = "o" + std::to_string(k);
      outcome.name = OutcomeEvent(s_.metric);
      outcome.ts = seen + delay(rng_);
      if (s_.metric == MetricModel::kConversion) {
        if (uniform(rng_) >= (treated ? treatment : s_.baseline)) continue;  // did not convert
      } else {
        outcome.value = (treated ? treatment : s_.baseline) + noise(rng_);
      }
      events_.push_back(std::move(outcome));
    }
    for (events::Event& e : events_) {
      if (std::optional<events::Rejection> r = events::ValidateEvent(e)) return Internal("event", r->message);
    }
    std::stable_sort(events_.begin(), events_.end(), [](const events::Event& a, const events::Event& b) {
      if (a.ts != b.ts) return a.ts < b.ts;
      return a.kind == events::EventKind::kExposure && b.kind != events::EventKind::kExposure;
    });
    return {};
  }

  const Scenario& s_;
  std::int64_t index_;
  std::mt19937_64 rng_;
  std::vector<events::Event> events_;
};

Status Validate(const Scenario& s) {
  std::vector<Problem> problems;
  auto check = [&](bool ok, std::string path, std::string message) {
    if (!ok) problems.push_back({std::move(path), std::move(message)});
  };
  if (s.metric == MetricModel::kConversion) {
    check(s.baseline > 0 && s.baseline < 1, "baseline", "a conversion rate must lie in (0, 1), e.g. 0.1");
    const double treatment = s.baseline * (1 + s.relative_effect);
    check(!(treatment <= 0 || treatment >= 1) && std::isfinite(treatment), "relative_effect",
          "baseline · (1 + relative_effect) must stay in (0, 1) for a conversion rate");
  } else {
    check(std::isfinite(s.baseline), "baseline", "must be a finite mean");
    check(s.sd > 0 && std::isfinite(s.sd), "sd", "must be > 0 (standard deviation of the unit's value)");
    check(std::isfinite(s.relative_effect), "relative_effect", "must be finite");
  }
  check(s.units >= 20 && s.units <= 10'000'000, "units", "must be between 20 and 10,000,000 (both arms together)");
  check(s.days >= 1 && s.days <= 365, "days", "must be between 1 and 365");
  check(s.replicates >= 1 && s.replicates <= 1'000'000, "experiments", "must be between 1 and 1,000,000");
  check(s.alpha > 0 && s.alpha < 1, "alpha", "must lie in (0, 1), e.g. 0.05");
  check(s.threads >= 0 && s.threads <= 256, "threads", "must be between 0 (one per core) and 256");
  if (problems.empty()) return {};
  return Error{ErrorCode::kInvalidArgument, "invalid simulation scenario", std::move(problems)};
}

Rate MakeRate(std::int64_t hits, std::int64_t trials) {
  Rate r{hits, trials, 0, 0, 0};
  if (trials == 0) return r;
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(hits) / n;
  const double z2 = kZ95 * kZ95;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ95 / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  r.rate = p;
  r.ci_low = std::max(0.0, center - half);
  r.ci_high = std::min(1.0, center + half);
  return r;
}

stats::SampleSizeOptions PowerOptions(const Scenario& s, double power) { return {s.alpha, power, true}; }

}  // namespace

std::string_view MetricModelName(MetricModel model) {
  return model == MetricModel::kConversion ? "conversion" : "mean";
}

std::string_view LooksName(Looks looks) { return looks == Looks::kFinal ? "final" : "daily"; }

Result<double> RelativeEffectForPower(const Scenario& s, double power) {
  const double per_arm = static_cast<double>(s.units) / 2;
  if (s.metric == MetricModel::kConversion) {
    stats::StatsResult<double> mde = stats::MdeProportions(s.baseline, per_arm, PowerOptions(s, power));
    if (mde.ok()) return *mde;
  } else if (s.baseline != 0) {
    stats::StatsResult<double> mde = stats::MdeMeans(s.sd, per_arm, PowerOptions(s, power));
    if (mde.ok()) return *mde / std::abs(s.baseline);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "no effect reaches power " + std::to_string(power) + " with " + std::to_string(s.units) +
                       " units at this baseline: raise units or lower the power");
}

double PlannedPower(const Scenario& s) {
  // Two-sided normal test, the opposite tail ignored (as in stats/power.h):
  // power = Φ(|Δ| / se − z_{1−α/2}).
  const double per_arm = static_cast<double>(s.units) / 2;
  const double p1 = s.baseline;
  const double p2 = s.baseline * (1 + s.relative_effect);
  const double se = s.metric == MetricModel::kConversion
                        ? std::sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / per_arm)
                        : s.sd * std::sqrt(2 / per_arm);
  if (!(se > 0)) return 0;
  const double z = -stats::NormalQuantile(s.alpha / 2);
  return stats::NormalCdf(std::abs(p2 - p1) / se - z);
}

Result<Outcome> Simulate(const Scenario& scenario) {
  if (Status valid = Validate(scenario); !valid.ok()) return valid.error();
  const std::int64_t n = scenario.replicates;
  std::vector<ReplicateResult> results(static_cast<std::size_t>(n));
  std::atomic<std::int64_t> next{0};
  std::mutex failure_mutex;
  std::optional<Error> failure;
  auto work = [&] {
    for (std::int64_t i = next++; i < n; i = next++) {
      Result<ReplicateResult> r = Replicate(scenario, i).Run();
      if (!r.ok()) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = r.error();
        next = n;  // stop the others early
        return;
      }
      results[static_cast<std::size_t>(i)] = *r;
    }
  };
  const int threads = scenario.threads > 0 ? scenario.threads
                                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (failure) return *failure;

  // Sums in replicate order, so the outcome does not depend on the threads.
  Outcome out;
  out.scenario = scenario;
  if (scenario.relative_effect != 0) out.planned_power = PlannedPower(scenario);
  std::int64_t fixed = 0, sequential = 0, naive = 0, srm = 0, ran = 0;
  double effect_sum = 0;
  for (const ReplicateResult& r : results) {
    fixed += r.final_look.rejected;
    sequential += r.sequential_rejected;
    naive += r.naive_rejected;
    srm += r.final_look.srm_alarm;
    if (r.final_look.ran && r.final_look.relative_effect) {
      ++ran;
      effect_sum += *r.final_look.relative_effect;
    } else {
      ++out.cannot_compute;
    }
    out.units_decided += r.units;
    out.exposures_aggregated += r.exposures;
    out.outcome_events_aggregated += r.outcome_events;
  }
  out.fixed_horizon = MakeRate(fixed, n);
  if (scenario.looks == Looks::kDaily) {
    out.sequential = MakeRate(sequential, n);
    out.naive_peeking = MakeRate(naive, n);
  }
  out.srm_alarms = MakeRate(srm, n);
  out.mean_observed_relative_effect = ran > 0 ? effect_sum / static_cast<double>(ran) : 0;
  return out;
}

}  // namespace sluice::sim
