// JSON renderings of aggregation results, for the HTTP API and
// `sluice aggregates --experiment KEY`.
// The shapes are documented with examples in docs/metrics.md ("JSON").
//
// Days are "YYYY-MM-DD" (UTC); times are RFC 3339 UTC strings; every sum is
// a JSON number.
// Thread-safety: pure functions.
#pragma once

#include "sluice/aggregation/aggregator.h"
#include "sluice/core/config.h"

namespace sluice::aggregation {

// {"units", "sum_x", "sum_xx", "sum_y", "sum_yy", "sum_xy", "sum_pre", "sum_pre_pre", "sum_x_pre"}
core::Json MetricSumsToJson(const MetricSums& sums);

// {"experiment", "complete_through", "filter"?, "variants": [{"variant", "units"}],
//  "multi_variant_units", "late_exposures", "unknown_variant_exposures",
//  "metrics": [{"metric", "type", "role", "direction",
//               "arms": [{"variant", "totals": {...}, "daily"?: [{"day", ...sums}]}]}]}
core::Json AggregatesToJson(const ExperimentAggregates& aggregates);

// {"experiment", "variants": [...], "dimensions": [{"attribute", "values": [{"value", "units": [...]}]}]}
core::Json DimensionsToJson(const ExperimentDimensions& dimensions);

// {"exposures", "tracks", "ignored_tracks", "late_exposures", "late_tracks",
//  "unknown_experiment_exposures", "unknown_variant_exposures", "invalid_events", "pending_events"}
core::Json CountersToJson(const AggregatorCounters& counters);

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T08:00:00.000Z".
std::string TimeName(EpochMillis ts);

}  // namespace sluice::aggregation
