// Calibration by simulation: many synthetic two-arm experiments with a known
// true effect, each run through the real pipeline, to measure how often the
// report calls a difference significant.
//
// One simulated experiment (a "replicate"):
//   1. configuration: a JSON document with one layer, one running experiment
//      (control, treatment, 50/50, salt unique to the replicate) and one
//      metric, parsed and validated by core::ParseConfigText;
//   2. decide: `units` units ("u0", "u1", ...) arrive uniformly over `days`
//      days (18 h of each day); core::Engine::Decide assigns each one;
//   3. events: an exposure per unit as decide logs it, and the unit's outcome
//      drawn from its variant's true distribution (conversion: one "convert"
//      event with probability p; mean: one "purchase" event whose value is
//      Normal(mean, sd)), 1 ms to 6 h after its exposure; every event passes
//      events::ValidateEvent;
//   4. aggregation: events go through aggregation::Aggregator in time order;
//      after each day (looks = daily) or after the last one (looks = final)
//      the experiment's sums are queried and report::BuildReport judges the
//      treatment (two-sided, at `alpha`).
// The treatment's true value is baseline · (1 + relative_effect); 0 = A/A.
//
// A replicate "rejects" when the report marks the treatment significant
// (either direction). Rejection rates are the false-positive rate for A/A and
// the detection rate (power) otherwise, with 95 % Wilson intervals.
//
// Determinism: replicate i draws from its own generator seeded from (seed, i),
// so the result depends on the scenario only, not on the number of threads.
// Thread-safety: Simulate is a pure function of its arguments (it starts and
// joins its own threads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::sim {

enum class MetricModel : std::uint8_t { kConversion, kMean };
std::string_view MetricModelName(MetricModel model);  // "conversion", "mean"

enum class Looks : std::uint8_t {
  kFinal,  // one analysis after the last day
  kDaily,  // an analysis after every day (peeking), with both tests
};
std::string_view LooksName(Looks looks);  // "final", "daily"

struct Scenario {
  MetricModel metric = MetricModel::kConversion;
  double baseline = 0.1;         // control's conversion rate in (0, 1), or mean of the unit's value
  double sd = 1.0;               // mean only: standard deviation of the unit's value, > 0
  double relative_effect = 0.0;  // treatment = baseline · (1 + relative_effect)
  std::int64_t units = 2000;     // per replicate, both arms together, 20..10,000,000
  std::int32_t days = 1;         // arrival period, 1..365
  Looks looks = Looks::kFinal;
  std::int64_t replicates = 2000;  // 1..1,000,000
  double alpha = 0.05;             // significance level, in (0, 1)
  std::uint64_t seed = 1;
  std::int32_t threads = 0;  // 0 = one per core
};

// The effect that a two-sided test at `alpha` detects with probability `power`
// given units/2 per arm (stats::MdeProportions / MdeMeans), as a relative
// effect on the baseline. kInvalidArgument when none is detectable.
Result<double> RelativeEffectForPower(const Scenario& scenario, double power);

// The design's power for the scenario's true effect (normal approximation,
// units/2 per arm); 0 = A/A has no power, only alpha.
double PlannedPower(const Scenario& scenario);

struct Rate {
  std::int64_t hits = 0;
  std::int64_t trials = 0;
  double rate = 0;
  double ci_low = 0, ci_high = 0;  // 95 % Wilson score interval
};

struct Outcome {
  Scenario scenario;
  std::optional<double> planned_power;  // set when relative_effect != 0
  // Final look, fixed-horizon test: the rate a team that looks once sees.
  Rate fixed_horizon;
  // looks = daily: rejected at any daily look, by the always-valid sequential
  // test (mSPRT) and by the fixed-horizon test (naive peeking).
  std::optional<Rate> sequential;
  std::optional<Rate> naive_peeking;
  Rate srm_alarms;  // sample ratio mismatch alarms at the final look (p < 0.001)
  // Replicates whose final test could not run (e.g. no conversion at all):
  // counted as not rejected, and reported.
  std::int64_t cannot_compute = 0;
  // The pipeline's own counts, summed over replicates.
  std::int64_t units_decided = 0;
  std::int64_t exposures_aggregated = 0;
  std::int64_t outcome_events_aggregated = 0;
  double mean_observed_relative_effect = 0;  // over replicates whose final test ran
};

// Fails (kInvalidArgument, naming the field) for a scenario out of range, and
// (kInternal) if the pipeline refuses its own synthetic input.
Result<Outcome> Simulate(const Scenario& scenario);

}  // namespace sluice::sim
