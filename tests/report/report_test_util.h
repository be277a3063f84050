// Helpers for report tests: a configuration with one experiment and
// aggregation sums written by hand.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sluice/aggregation/aggregator.h"
#include "sluice/core/config.h"
#include "sluice/report/report.h"

namespace sluice::report::testing {

using aggregation::ArmAggregate;
using aggregation::DailySums;
using aggregation::ExperimentAggregates;
using aggregation::MetricAggregate;
using aggregation::MetricSums;

// Experiment "exp" (control 50, treatment 50) with these metrics:
//   buy      conversion, primary, no pre-period
//   revenue  mean (sum of values), secondary, 7 pre-period days
//   ctr      ratio click / impression, secondary
//   d1, d7   retention day 1 and day 7, secondary
//   undo     conversion, decrease, guardrail
inline const char* kConfig = R"({
  "layers": [{"key": "l"}],
  "metrics": [
    {"key": "buy", "type": "conversion", "event": "purchase", "pre_period_days": 0},
    {"key": "revenue", "type": "mean", "event": "purchase", "aggregate": "sum", "pre_period_days": 7},
    {"key": "ctr", "type": "ratio", "numerator": {"event": "click"}, "denominator": {"event": "impression"}},
    {"key": "d1", "type": "retention", "event": "app_open", "day": 1},
    {"key": "d7", "type": "retention", "event": "app_open", "day": 7},
    {"key": "undo", "type": "conversion", "event": "undo", "direction": "decrease", "guardrail": true}
  ],
  "experiments": [{"key": "exp", "layer": "l", "status": "running", "traffic_share": 100,
    "variants": [{"key": "control", "weight": 50}, {"key": "treatment", "weight": 50}],
    "metrics": {"primary": "buy", "secondary": ["revenue", "ctr", "d1", "d7"]}}]
})";

inline core::Config ParseOrDie(const std::string& json = kConfig) {
  Result<core::Config> c = core::ParseConfigText(json);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().ToString());
  return c.ok() ? std::move(c).value() : core::Config{};
}

// Conversion sums: n units, `conversions` of them converted.
inline MetricSums Prop(std::int64_t n, std::int64_t conversions) {
  return {n, static_cast<double>(conversions), static_cast<double>(conversions)};
}
inline MetricSums Mean(std::int64_t n, double sum, double sum_sq) { return {n, sum, sum_sq}; }

inline MetricAggregate Metric(const std::string& key, core::MetricType type, std::vector<MetricSums> arms,
                              core::MetricRole role = core::MetricRole::kSecondary,
                              core::MetricDirection direction = core::MetricDirection::kIncrease) {
  MetricAggregate m;
  m.metric = key;
  m.type = type;
  m.role = role;
  m.direction = direction;
  const char* names[] = {"control", "treatment"};
  for (std::size_t i = 0; i < arms.size(); ++i) m.arms.push_back({names[i], arms[i], {}});
  return m;
}

inline MetricAggregate Buy(MetricSums c, MetricSums t) {
  return Metric("buy", core::MetricType::kConversion, {c, t}, core::MetricRole::kPrimary);
}
inline MetricAggregate Undo(MetricSums c, MetricSums t) {
  return Metric("undo", core::MetricType::kConversion, {c, t}, core::MetricRole::kGuardrail,
                core::MetricDirection::kDecrease);
}

inline ExperimentAggregates Aggregates(std::int64_t control_units, std::int64_t treatment_units,
                                       std::vector<MetricAggregate> metrics) {
  ExperimentAggregates a;
  a.experiment = "exp";
  a.variants = {{"control", control_units}, {"treatment", treatment_units}};
  a.metrics = std::move(metrics);
  return a;
}

inline Report BuildOrDie(const core::Config& config, const ExperimentAggregates& totals,
                         const std::vector<ExperimentAggregates>& segments = {}, const ReportOptions& options = {}) {
  Result<Report> r = BuildReport(config, totals, segments, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : Report{};
}

inline const MetricReport& Find(const Report& r, const std::string& metric) {
  for (const MetricReport& m : r.metrics) {
    if (m.metric == metric) return m;
  }
  ADD_FAILURE() << "no metric " << metric;
  static const MetricReport kEmpty;
  return kEmpty;
}

}  // namespace sluice::report::testing
