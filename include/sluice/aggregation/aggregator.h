// Aggregator: streaming per-unit aggregation of exposures and track events
// into the sums the statistics engine needs, per experiment, variant and
// metric (docs/metrics.md states the semantics exactly).
//
// Feed it events in log order with Apply(); ask Query() for an experiment's
// sums (totals, a daily cumulative series, or one dimension value); save the
// whole state with Checkpoint() and resume with Restore(), so a restart only
// replays the log after the checkpoint's position.
//
// Semantics in short:
//  1. Events are applied in event-time order: an event waits in a reorder
//     buffer until the newest event time seen is more than
//     `reorder_window_ms` past it. An event older than that on arrival is
//     *late* and is applied at once; late track events are still counted
//     exactly, late exposures are counted in `late_exposures` (their unit's
//     earlier events may be missing).
//  2. A unit's first exposure to an experiment (the earliest one applied)
//     fixes its time and its dimensions (the exposure's attributes). A unit
//     exposed to two variants of one experiment is excluded from analysis
//     and counted in `multi_variant_units`.
//  3. A track event counts for (experiment, metric) when the metric selects
//     it and its time is at or after the unit's first exposure and inside
//     the metric's window (retention: inside day N). Events on the
//     `pre_period_days` UTC days before the exposure day form the metric's
//     pre-exposure value (the CUPED covariate).
//  4. Days are UTC calendar days; a daily point is cumulative to the end of
//     its day.
// Query() reflects the events applied so far, i.e. every event older than
// `complete_through`; Flush() applies the rest (end of a batch).
//
// Pure: no files, sockets or clocks; events in, sums and bytes out.
// Thread-safety: not synchronised. Const members (Query, Dimensions,
// Checkpoint, counters) may run concurrently with each other, but not with
// Apply, Flush or a move; one writer at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/core/config.h"
#include "sluice/events/event.h"
#include "sluice/stats/sufficient_stats.h"

namespace sluice::aggregation {

struct AggregatorOptions {
  // How far (ms of event time) an event may trail the newest event seen and
  // still be put in time order. Larger = more events held in memory.
  EpochMillis reorder_window_ms = 3'600'000;
  // Distinct values kept per dimension attribute and experiment (1..65000);
  // later new values are recorded as "(other)".
  std::uint32_t max_dimension_values = 64;

  friend bool operator==(const AggregatorOptions&, const AggregatorOptions&) = default;
};

// The value a dimension takes once an attribute has max_dimension_values values.
inline constexpr std::string_view kOtherDimensionValue = "(other)";
// At most this many attributes per experiment are kept as dimensions; the
// first ones seen win, later attribute names are ignored.
inline constexpr std::size_t kMaxDimensionAttributes = 32;

// What Apply did with an event.
enum class ApplyOutcome : std::uint8_t {
  kBuffered,           // in the reorder buffer; applied in time order later
  kLate,               // older than complete_through on arrival: applied at once
  kIgnored,            // a track event no metric selects (nothing to do)
  kUnknownExperiment,  // exposure to an experiment not in the configuration
  kUnknownVariant,     // exposure to a variant the experiment does not have
  kInvalid,            // empty unit id, name, experiment or variant; ts outside [0, year 10000); non-finite value
};
std::string_view ApplyOutcomeName(ApplyOutcome outcome);

// Sums over the units of one arm (variant) for one metric. x is the unit's
// metric value (conversion, retention: 0 or 1; mean: count or sum; ratio:
// numerator), y the ratio's denominator (0 for other types), pre the unit's
// pre-exposure value of x (0 when the metric has no pre-period).
struct MetricSums {
  std::int64_t units = 0;
  double sum_x = 0;
  double sum_xx = 0;
  double sum_y = 0;
  double sum_yy = 0;
  double sum_xy = 0;
  double sum_pre = 0;
  double sum_pre_pre = 0;
  double sum_x_pre = 0;

  // The statistics engine's inputs (include/sluice/stats/sufficient_stats.h):
  stats::MeanStats Mean() const { return {units, sum_x, sum_xx}; }
  // Conversion and retention: conversions = Σx.
  stats::ProportionStats Proportion() const;
  // Ratio metrics: x = numerator, y = denominator, as stats::RatioDelta expects.
  stats::BivariateStats Ratio() const { return {units, sum_x, sum_y, sum_xx, sum_yy, sum_xy}; }
  // CUPED: stats::Cuped wants x = covariate (pre), y = metric.
  stats::BivariateStats Cuped() const { return {units, sum_pre, sum_x, sum_pre_pre, sum_xx, sum_x_pre}; }

  friend bool operator==(const MetricSums&, const MetricSums&) = default;
};

struct DailySums {
  std::int32_t day = 0;  // UTC days since 1970-01-01
  MetricSums sums;       // cumulative: units entered and events up to the end of `day`
  friend bool operator==(const DailySums&, const DailySums&) = default;
};

struct ArmAggregate {
  std::string variant;
  MetricSums totals;
  std::vector<DailySums> daily;  // filled when QueryOptions::daily; one point per day
  friend bool operator==(const ArmAggregate&, const ArmAggregate&) = default;
};

struct MetricAggregate {
  std::string metric;
  core::MetricType type = core::MetricType::kConversion;
  core::MetricRole role = core::MetricRole::kSecondary;
  core::MetricDirection direction = core::MetricDirection::kIncrease;
  std::vector<ArmAggregate> arms;  // one per variant, control first
  friend bool operator==(const MetricAggregate&, const MetricAggregate&) = default;
};

struct DimensionFilter {
  std::string attribute;  // e.g. "country"
  std::string value;      // as rendered: "CN", "2", "true", or "(other)"
  friend bool operator==(const DimensionFilter&, const DimensionFilter&) = default;
};

struct VariantUnits {
  std::string variant;
  std::int64_t units = 0;  // exposed to this variant only (in the filter, if any)
  friend bool operator==(const VariantUnits&, const VariantUnits&) = default;
};

struct ExperimentAggregates {
  std::string experiment;
  std::optional<DimensionFilter> filter;
  // Every event with ts < complete_through has been applied (late arrivals
  // aside); INT64_MIN before the first event is applied.
  EpochMillis complete_through = 0;
  std::vector<VariantUnits> variants;    // control first
  std::int64_t multi_variant_units = 0;  // excluded from every sum
  std::int64_t late_exposures = 0;       // whole experiment, not filtered
  std::int64_t unknown_variant_exposures = 0;
  std::vector<MetricAggregate> metrics;  // the experiment's metrics, in configuration order
  friend bool operator==(const ExperimentAggregates&, const ExperimentAggregates&) = default;
};

struct QueryOptions {
  std::optional<DimensionFilter> filter;  // only units whose first exposure had this value
  bool daily = false;                     // also compute the daily cumulative series
};

// Units per value of one dimension attribute, per variant (the profile of
// who entered the experiment).
struct DimensionValueUnits {
  std::string value;
  std::vector<std::int64_t> units;  // per variant, control first; multi-variant units excluded
  friend bool operator==(const DimensionValueUnits&, const DimensionValueUnits&) = default;
};
struct DimensionBreakdown {
  std::string attribute;
  std::vector<DimensionValueUnits> values;  // in order of first appearance
  friend bool operator==(const DimensionBreakdown&, const DimensionBreakdown&) = default;
};
struct ExperimentDimensions {
  std::string experiment;
  std::vector<std::string> variants;           // control first
  std::vector<DimensionBreakdown> attributes;  // in order of first appearance
  friend bool operator==(const ExperimentDimensions&, const ExperimentDimensions&) = default;
};

// Whole-aggregator counts of events by outcome, for monitoring.
struct AggregatorCounters {
  std::int64_t exposures = 0;  // applied or buffered
  std::int64_t tracks = 0;     // selected by at least one metric; applied or buffered
  std::int64_t ignored_tracks = 0;
  std::int64_t late_exposures = 0;
  std::int64_t late_tracks = 0;
  std::int64_t unknown_experiment_exposures = 0;
  std::int64_t unknown_variant_exposures = 0;
  std::int64_t invalid_events = 0;
  std::int64_t pending_events = 0;  // in the reorder buffer now
  friend bool operator==(const AggregatorCounters&, const AggregatorCounters&) = default;
};

// Bytes in use, by part (vector sizes, i.e. resident memory; hash tables
// included; spare capacity of growing vectors is not resident and not counted).
struct MemoryUsage {
  std::int64_t units = 0;                // distinct units seen
  std::int64_t exposure_records = 0;     // (unit, experiment) pairs
  std::int64_t metric_accumulators = 0;  // (unit, experiment, metric) triples
  std::int64_t unit_bytes = 0;           // unit id interning and per-unit heads
  std::int64_t exposure_bytes = 0;       // first exposure, variant, dimensions, unit links
  std::int64_t accumulator_bytes = 0;    // per-unit metric accumulators incl. extra days
  std::int64_t pre_period_bytes = 0;     // recent per-unit history kept for pre-exposure values
  std::int64_t buffer_bytes = 0;         // reorder buffer
  std::int64_t dimension_bytes = 0;      // dimension dictionaries
  std::int64_t total_bytes() const {
    return unit_bytes + exposure_bytes + accumulator_bytes + pre_period_bytes + buffer_bytes + dimension_bytes;
  }
};

class Aggregator {
 public:
  // Fails (kInvalidArgument) only for options out of range.
  static Result<Aggregator> Create(const core::Config& config, const AggregatorOptions& options = {});

  ~Aggregator();
  Aggregator(Aggregator&&) noexcept;
  Aggregator& operator=(Aggregator&&) noexcept;
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  // Takes one event of the log. Never fails: every event is accounted for in
  // the outcome and the counters.
  ApplyOutcome Apply(const events::Event& event);

  // Applies every buffered event now (end of input). Later events older than
  // the newest event seen so far are then late.
  void Flush();

  // An experiment's sums, per variant and metric. kNotFound for an experiment
  // not in the configuration, or a filter attribute no exposure carried.
  Result<ExperimentAggregates> Query(std::string_view experiment, const QueryOptions& options = {}) const;

  // Units per dimension value and variant. kNotFound for an unknown experiment.
  Result<ExperimentDimensions> Dimensions(std::string_view experiment) const;

  const AggregatorCounters& counters() const;
  EpochMillis complete_through() const;
  MemoryUsage Memory() const;

  // The whole state as bytes: versioned, checksummed, with `log_position`
  // (opaque here: the caller's offset of the next event to apply).
  std::string Checkpoint(std::string_view log_position) const;

  struct Restored;
  // Rebuilds an aggregator from Checkpoint() bytes. The configuration must
  // have the same experiments, variants and metric definitions and the
  // options must be equal (kFailedPrecondition otherwise: replay the log from
  // the start); kInvalidArgument for bytes that are not an intact checkpoint.
  static Result<Restored> Restore(const core::Config& config, std::string_view bytes,
                                  const AggregatorOptions& options = {});

 private:
  struct Impl;
  explicit Aggregator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Aggregator::Restored {
  Aggregator aggregator;
  std::string log_position;
};

// "2026-11-23" for a UTC day number.
std::string DayName(std::int32_t day);
// UTC day number of an epoch-millisecond time (floor).
inline std::int32_t DayOf(EpochMillis ts) {
  return static_cast<std::int32_t>((ts >= 0 ? ts : ts - (core::kDayMillis - 1)) / core::kDayMillis);
}

}  // namespace sluice::aggregation
