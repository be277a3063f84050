// Experiment report: the statistics of one experiment, per metric and per
// variant against the control, built from aggregation sums
// (include/sluice/aggregation/aggregator.h) with the statistics engine
// (include/sluice/stats/). docs/reports.md describes every field.
//
// Entry point:
//   BuildReport(config, totals, per_segment, options) -> Result<Report>
//     config       the configuration holding the experiment (variant weights,
//                  metric definitions);
//     totals       ExperimentAggregates without a filter, ideally queried with
//                  QueryOptions::daily = true (the daily series gives the lift
//                  over time and the days remaining; without it both are
//                  "unknown");
//     per_segment  optional drill-down: one ExperimentAggregates per value of
//                  ONE dimension attribute (each with its filter set); the
//                  multiple-comparison correction runs across all segments.
// Fails (kNotFound) when the experiment is not in the configuration,
// (kInvalidArgument) for options out of range, segments of another
// experiment, segments without a filter or of two different attributes,
// or aggregates whose variants do not match the configuration.
//
// Invariants of a Report:
//  1. No number in it is NaN or infinite: whatever cannot be computed is a
//     CannotCompute entry (stable code + a sentence saying why and what to do)
//     and the number is absent (std::nullopt).
//  2. Differences are treatment − control in metric units (rate, mean or
//     ratio); relative differences are fractions (0.05 = +5 %); p-values,
//     chances and power are probabilities in [0, 1].
//  3. `significance` already takes the metric's direction into account
//     (kPositive = significantly better, whichever way is good) and uses the
//     corrected p-value.
//
// Pure: no files, sockets or clocks. Thread-safety: pure functions; a Report
// is a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/aggregation/aggregator.h"
#include "sluice/common/result.h"
#include "sluice/core/config.h"
#include "sluice/stats/bayesian.h"

namespace sluice::report {

enum class Correction : std::uint8_t { kHolm, kBenjaminiHochberg };
enum class Method : std::uint8_t { kFixedHorizon, kSequential };
std::string_view CorrectionName(Correction correction);  // "holm", "benjamini_hochberg"
std::string_view MethodName(Method method);              // "fixed_horizon", "sequential"

struct ReportOptions {
  double alpha = 0.05;  // significance level of every test and interval, in (0, 1)
  Correction correction = Correction::kHolm;
  Method method = Method::kFixedHorizon;
  double srm_alpha = 0.001;    // SRM alarm when the chi-square p-value is below this, in (0, 1)
  double power = 0.8;          // target power for the sample size, in (0, 1)
  double relative_mde = 0.05;  // smallest relative effect worth detecting (> 0); 0.05 = 5 %
  // Sequential only: mSPRT mixing variance in squared metric units; 0 = use
  // (relative_mde · |control value|)², the square of the smallest effect worth detecting.
  double tau2 = 0;
  stats::BetaPrior prior;  // chance to beat control of conversion and retention metrics
};

// Why a number is missing. `code` is a stable snake_case name: a
// stats::StatsErrorName ("no_units", "zero_variance", ...) or one of
// "no_series", "no_growth", "not_applicable", "no_pre_period".
struct CannotCompute {
  std::string code;
  std::string reason;
  friend bool operator==(const CannotCompute&, const CannotCompute&) = default;
};

enum class Significance : std::uint8_t { kPositive, kNegative, kNone };
std::string_view SignificanceName(Significance significance);  // "positive", "negative", "none"

struct ArmValue {
  std::string variant;
  std::int64_t units = 0;
  std::optional<double> value;  // rate, mean or ratio; absent without units (or denominator)
  friend bool operator==(const ArmValue&, const ArmValue&) = default;
};

// One treatment variant against the control for one metric.
struct Comparison {
  std::string variant;
  std::optional<CannotCompute> unavailable;  // set when the test itself could not run
  std::optional<double> diff;                // absolute difference (CUPED-adjusted when cuped)
  std::optional<double> ci_low, ci_high;     // CI (sequential: confidence sequence)
  std::optional<double> rel_diff;            // relative difference
  std::optional<double> rel_ci_low, rel_ci_high;
  std::optional<CannotCompute> rel_unavailable;
  std::optional<double> p_value;           // raw (sequential: always-valid p-value)
  std::optional<double> adjusted_p_value;  // after the multiple-comparison correction
  Significance significance = Significance::kNone;
  std::optional<double> chance_to_beat;  // P(variant better than control, in the good direction)
  std::optional<CannotCompute> chance_unavailable;
  bool cuped = false;                              // the test used the pre-period covariate
  std::optional<double> variance_reduction;        // CUPED: fraction of variance removed, in [0, 1]
  std::optional<CannotCompute> cuped_unavailable;  // why CUPED is off
  std::optional<double> power;                     // power reached for relative_mde at current units
  std::optional<std::int64_t> units_needed;        // per arm, for `power` at relative_mde
  std::optional<CannotCompute> power_unavailable;
  friend bool operator==(const Comparison&, const Comparison&) = default;
};

// One day of the cumulative lift of one variant against the control.
struct SeriesPoint {
  std::int32_t day = 0;  // UTC days since 1970-01-01
  std::optional<double> diff, ci_low, ci_high;
  std::optional<double> rel_diff, rel_ci_low, rel_ci_high;
  std::optional<CannotCompute> unavailable;
  friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};
struct VariantSeries {
  std::string variant;
  std::vector<SeriesPoint> points;  // in day order; uncorrected, fixed-horizon intervals
  friend bool operator==(const VariantSeries&, const VariantSeries&) = default;
};

struct MetricReport {
  std::string metric;
  core::MetricType type = core::MetricType::kConversion;
  core::MetricRole role = core::MetricRole::kSecondary;
  core::MetricDirection direction = core::MetricDirection::kIncrease;
  std::vector<ArmValue> arms;           // control first
  std::vector<Comparison> comparisons;  // one per treatment variant, in configuration order
  std::vector<VariantSeries> series;    // one per treatment variant; empty without daily sums
  friend bool operator==(const MetricReport&, const MetricReport&) = default;
};

enum class GuardrailState : std::uint8_t { kPassed, kFailed, kUnknown };
std::string_view GuardrailStateName(GuardrailState state);  // "passed", "failed", "unknown"
struct GuardrailStatus {
  std::string metric;
  GuardrailState state = GuardrailState::kUnknown;
  std::vector<std::string> failed_variants;  // significantly worse than control
  friend bool operator==(const GuardrailStatus&, const GuardrailStatus&) = default;
};

struct SrmReport {
  std::vector<std::string> variants;  // control first
  std::vector<std::int64_t> units;
  std::vector<double> weights;  // configured, percent
  std::optional<double> chi2;
  std::optional<double> p_value;
  bool alarm = false;  // p_value < srm_alpha
  std::optional<CannotCompute> unavailable;
  friend bool operator==(const SrmReport&, const SrmReport&) = default;
};

// Retention metrics with retention_day 1..7: rate per variant and day.
struct CohortRow {
  std::string variant;
  std::vector<std::optional<double>> rates;  // index 0 = day 1 .. 6 = day 7; absent: no metric or no units
  friend bool operator==(const CohortRow&, const CohortRow&) = default;
};
struct CohortTable {
  std::vector<std::string> metrics;  // per day 1..7, the retention metric used ("" if none)
  std::vector<CohortRow> rows;       // empty when the experiment has no such metric
  friend bool operator==(const CohortTable&, const CohortTable&) = default;
};

struct Segment {
  std::string value;                  // the dimension value
  std::vector<std::int64_t> units;    // per variant, control first
  std::vector<MetricReport> metrics;  // no series
  friend bool operator==(const Segment&, const Segment&) = default;
};
struct DrillDown {
  std::string dimension;  // attribute name
  std::vector<Segment> segments;
  friend bool operator==(const DrillDown&, const DrillDown&) = default;
};

enum class RecommendationKind : std::uint8_t { kShip, kKeepRunning, kStop, kInvestigate };
std::string_view RecommendationKindName(RecommendationKind kind);  // "ship", "keep_running", "stop", "investigate"
struct Recommendation {
  RecommendationKind kind = RecommendationKind::kKeepRunning;
  std::string variant;                       // kShip: the variant to ship
  std::optional<std::int64_t> target_units;  // kKeepRunning: units per variant to reach
  std::optional<double> days_remaining;      // kKeepRunning: at current traffic; absent = unknown
  std::string text;                          // one line, e.g. "ship treatment"
  friend bool operator==(const Recommendation&, const Recommendation&) = default;
};

struct Report {
  std::string experiment;
  std::vector<std::string> variants;  // control first
  Method method = Method::kFixedHorizon;
  Correction correction = Correction::kHolm;
  double alpha = 0.05;
  double relative_mde = 0.05;
  double power_target = 0.8;
  std::optional<std::int32_t> first_day, last_day;  // of the daily series, if any
  std::int64_t multi_variant_units = 0;
  SrmReport srm;
  std::vector<MetricReport> metrics;  // configuration order
  std::vector<GuardrailStatus> guardrails;
  CohortTable cohorts;
  std::optional<DrillDown> drill_down;
  Recommendation recommendation;
  friend bool operator==(const Report&, const Report&) = default;
};

Result<Report> BuildReport(const core::Config& config, const aggregation::ExperimentAggregates& totals,
                           const std::vector<aggregation::ExperimentAggregates>& per_segment,
                           const ReportOptions& options = {});

}  // namespace sluice::report
