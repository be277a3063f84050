// JSON renderings of aggregation results (include/sluice/aggregation/aggregates_json.h).
#include "sluice/aggregation/aggregates_json.h"

#include <string>

namespace sluice::aggregation {

namespace {

// Days since 1970-01-01 to a proleptic Gregorian date: the civil_from_days
// algorithm of Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
void CivilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

// `v` in decimal, zero-padded to `width` digits.
std::string Padded(std::int64_t v, std::size_t width) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return (v < 0 ? "-" : "") + digits;
}

}  // namespace

std::string DayName(std::int32_t day) {
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(day, y, m, d);
  return Padded(y, 4) + "-" + Padded(m, 2) + "-" + Padded(d, 2);
}

std::string TimeName(EpochMillis ts) {
  const std::int32_t day = DayOf(ts);
  const EpochMillis in_day = ts - static_cast<EpochMillis>(day) * core::kDayMillis;
  return DayName(day) + "T" + Padded(in_day / 3'600'000, 2) + ":" + Padded(in_day / 60'000 % 60, 2) + ":" +
         Padded(in_day / 1000 % 60, 2) + "." + Padded(in_day % 1000, 3) + "Z";
}

core::Json MetricSumsToJson(const MetricSums& s) {
  return core::Json{
      {"units", s.units},        {"sum_x", s.sum_x},   {"sum_xx", s.sum_xx},   {"sum_y", s.sum_y},
      {"sum_yy", s.sum_yy},      {"sum_xy", s.sum_xy}, {"sum_pre", s.sum_pre}, {"sum_pre_pre", s.sum_pre_pre},
      {"sum_x_pre", s.sum_x_pre}};
}

core::Json AggregatesToJson(const ExperimentAggregates& a) {
  core::Json out = core::Json::object();
  out["experiment"] = a.experiment;
  out["complete_through"] =
      a.complete_through == INT64_MIN ? core::Json(nullptr) : core::Json(TimeName(a.complete_through));
  if (a.filter) out["filter"] = {{"attribute", a.filter->attribute}, {"value", a.filter->value}};
  core::Json variants = core::Json::array();
  for (const VariantUnits& v : a.variants) variants.push_back({{"variant", v.variant}, {"units", v.units}});
  out["variants"] = std::move(variants);
  out["multi_variant_units"] = a.multi_variant_units;
  out["late_exposures"] = a.late_exposures;
  out["unknown_variant_exposures"] = a.unknown_variant_exposures;
  core::Json metrics = core::Json::array();
  for (const MetricAggregate& m : a.metrics) {
    core::Json arms = core::Json::array();
    for (const ArmAggregate& arm : m.arms) {
      core::Json j = {{"variant", arm.variant}, {"totals", MetricSumsToJson(arm.totals)}};
      if (!arm.daily.empty()) {
        core::Json daily = core::Json::array();
        for (const DailySums& d : arm.daily) {
          core::Json point = MetricSumsToJson(d.sums);
          point["day"] = DayName(d.day);
          daily.push_back(std::move(point));
        }
        j["daily"] = std::move(daily);
      }
      arms.push_back(std::move(j));
    }
    metrics.push_back({{"metric", m.metric},
                       {"type", core::MetricTypeName(m.type)},
                       {"role", core::MetricRoleName(m.role)},
                       {"direction", core::DirectionName(m.direction)},
                       {"arms", std::move(arms)}});
  }
  out["metrics"] = std::move(metrics);
  return out;
}

core::Json DimensionsToJson(const ExperimentDimensions& d) {
  core::Json attributes = core::Json::array();
  for (const DimensionBreakdown& b : d.attributes) {
    core::Json values = core::Json::array();
    for (const DimensionValueUnits& v : b.values) values.push_back({{"value", v.value}, {"units", v.units}});
    attributes.push_back({{"attribute", b.attribute}, {"values", std::move(values)}});
  }
  return {{"experiment", d.experiment}, {"variants", d.variants}, {"dimensions", std::move(attributes)}};
}

core::Json CountersToJson(const AggregatorCounters& c) {
  return {{"exposures", c.exposures},
          {"tracks", c.tracks},
          {"ignored_tracks", c.ignored_tracks},
          {"late_exposures", c.late_exposures},
          {"late_tracks", c.late_tracks},
          {"unknown_experiment_exposures", c.unknown_experiment_exposures},
          {"unknown_variant_exposures", c.unknown_variant_exposures},
          {"invalid_events", c.invalid_events},
          {"pending_events", c.pending_events}};
}

}  // namespace sluice::aggregation
