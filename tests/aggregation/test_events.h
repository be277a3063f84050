// Helpers for aggregation tests: configurations from JSON text and events.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "sluice/aggregation/aggregator.h"
#include "sluice/core/config.h"
#include "sluice/events/event.h"

namespace sluice::aggregation {

// Readable failure messages.
inline void PrintTo(const MetricSums& s, std::ostream* os) {
  *os << "{units " << s.units << ", x " << s.sum_x << ", xx " << s.sum_xx << ", y " << s.sum_y << ", yy " << s.sum_yy
      << ", xy " << s.sum_xy << ", pre " << s.sum_pre << ", pre_pre " << s.sum_pre_pre << ", x_pre " << s.sum_x_pre
      << "}";
}
inline void PrintTo(const VariantUnits& v, std::ostream* os) { *os << v.variant << ": " << v.units; }
inline void PrintTo(const DimensionValueUnits& v, std::ostream* os) {
  *os << v.value << ":";
  for (auto u : v.units) *os << " " << u;
}

}  // namespace sluice::aggregation

namespace sluice::aggregation::testing {

inline EpochMillis T(const char* rfc3339) {
  auto t = core::ParseTimestamp(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

inline core::Config ParseOrDie(const std::string& json) {
  Result<core::Config> c = core::ParseConfigText(json);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().ToString());
  return c.ok() ? std::move(c).value() : core::Config{};
}

// One layer, experiment "exp" (control, treatment) with `metrics_ref` as its
// "metrics", and `metrics` as the document's metric list.
inline std::string ExperimentConfig(const std::string& metrics, const std::string& metrics_ref) {
  return R"({"layers": [{"key": "l"}], "metrics": )" + metrics +
         R"(, "experiments": [{"key": "exp", "layer": "l", "status": "running", "traffic_share": 100,
             "variants": [{"key": "control", "weight": 50}, {"key": "treatment", "weight": 50}],
             "metrics": )" +
         metrics_ref + "}]}";
}

inline events::Event Expose(const std::string& unit, const std::string& variant, EpochMillis ts,
                            core::Json attributes = core::Json::object(), const std::string& experiment = "exp") {
  events::Event e;
  e.kind = events::EventKind::kExposure;
  e.event_id = "x:" + unit + ":" + std::to_string(ts);
  e.unit_id = unit;
  e.ts = ts;
  e.experiment = experiment;
  e.variant = variant;
  e.attributes = std::move(attributes);
  return e;
}

inline events::Event Track(const std::string& unit, const std::string& name, EpochMillis ts,
                           std::optional<double> value = std::nullopt, core::Json properties = core::Json::object()) {
  events::Event e;
  e.kind = events::EventKind::kTrack;
  e.event_id = "t:" + unit + ":" + name + ":" + std::to_string(ts);
  e.unit_id = unit;
  e.name = name;
  e.ts = ts;
  e.value = value;
  e.properties = std::move(properties);
  return e;
}

inline Aggregator Make(const core::Config& config, AggregatorOptions options = {}) {
  Result<Aggregator> a = Aggregator::Create(config, options);
  EXPECT_TRUE(a.ok());
  return std::move(a).value();
}

// The arm of `variant` for `metric` in a query result.
inline const ArmAggregate& Arm(const ExperimentAggregates& a, const std::string& metric, const std::string& variant) {
  for (const MetricAggregate& m : a.metrics) {
    if (m.metric != metric) continue;
    for (const ArmAggregate& arm : m.arms) {
      if (arm.variant == variant) return arm;
    }
  }
  ADD_FAILURE() << "no arm " << metric << "/" << variant;
  static const ArmAggregate kNone;
  return kNone;
}

inline ExperimentAggregates QueryOrDie(const Aggregator& a, QueryOptions options = {}, const std::string& exp = "exp") {
  Result<ExperimentAggregates> r = a.Query(exp, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : ExperimentAggregates{};
}

}  // namespace sluice::aggregation::testing
