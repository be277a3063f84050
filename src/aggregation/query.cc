// Queries over the Aggregator's state: per-variant metric sums, the daily
// cumulative series, dimension drill-down and breakdown.
#include <algorithm>
#include <cstring>

#include "state.h"

namespace sluice::aggregation {

using internal::DayCell;
using internal::ExperimentState;
using internal::kNoDay;
using internal::kNone;
using internal::UnitAcc;

namespace {

// A unit's values (x, y, pre) as the sums they add.
struct Terms {
  double v[9] = {};  // units, x, xx, y, yy, xy, pre, pre², x·pre
  static Terms Of(double x, double y, double pre) {
    Terms t;
    t.v[0] = 1;
    t.v[1] = x;
    t.v[2] = x * x;
    t.v[3] = y;
    t.v[4] = y * y;
    t.v[5] = x * y;
    t.v[6] = pre;
    t.v[7] = pre * pre;
    t.v[8] = x * pre;
    return t;
  }
};

void Add(std::vector<double>& diff, std::size_t day, const Terms& t, double sign) {
  for (int k = 0; k < 9; ++k) diff[day * 9 + k] += sign * t.v[k];
}

MetricSums ToSums(const double* v) {
  MetricSums s;
  s.units = static_cast<std::int64_t>(v[0] + 0.5);
  s.sum_x = v[1];
  s.sum_xx = v[2];
  s.sum_y = v[3];
  s.sum_yy = v[4];
  s.sum_xy = v[5];
  s.sum_pre = v[6];
  s.sum_pre_pre = v[7];
  s.sum_x_pre = v[8];
  return s;
}

void Accumulate(MetricSums& s, double x, double y, double pre) {
  ++s.units;
  s.sum_x += x;
  s.sum_xx += x * x;
  s.sum_y += y;
  s.sum_yy += y * y;
  s.sum_xy += x * y;
  s.sum_pre += pre;
  s.sum_pre_pre += pre * pre;
  s.sum_x_pre += x * pre;
}

// Which dimension tuples a filter keeps; empty when there is no filter.
Result<std::vector<char>> TupleFilter(const ExperimentState& e, const std::optional<DimensionFilter>& filter) {
  std::vector<char> keep;
  if (!filter) return keep;
  const internal::Dictionary& d = e.dims;
  auto a = d.attribute_index.find(std::string_view(filter->attribute));
  if (a == d.attribute_index.end()) {
    std::string seen;
    for (const std::string& name : d.attributes) seen += (seen.empty() ? "" : ", ") + name;
    return MakeError(ErrorCode::kNotFound,
                     "no exposure to experiment '" + e.key + "' carried attribute '" + filter->attribute + "'; " +
                         (seen.empty() ? "no exposure carried attributes" : "drill down by one of " + seen));
  }
  const std::uint16_t attribute = a->second;
  std::uint16_t value = internal::kNoValue;
  if (filter->value == kOtherDimensionValue) {
    value = d.other[attribute];
  } else if (auto v = d.value_index[attribute].find(std::string_view(filter->value));
             v != d.value_index[attribute].end()) {
    value = v->second;
  }
  keep.assign(d.tuples.size(), 0);
  if (value == internal::kNoValue) return keep;  // no unit has it: every sum is 0
  for (std::size_t t = 0; t < d.tuples.size(); ++t) {
    const std::string& packed = d.tuples[t];
    for (std::size_t pos = 0; pos + 4 <= packed.size(); pos += 4) {
      std::uint16_t pa = 0;
      std::uint16_t pv = 0;
      std::memcpy(&pa, packed.data() + pos, 2);
      std::memcpy(&pv, packed.data() + pos + 2, 2);
      if (pa == attribute && pv == value) keep[t] = 1;
    }
  }
  return keep;
}

}  // namespace

Result<ExperimentAggregates> Aggregator::Query(std::string_view experiment, const QueryOptions& options) const {
  const Impl& s = *impl_;
  auto it = s.experiment_index.find(experiment);
  if (it == s.experiment_index.end()) {
    return MakeError(ErrorCode::kNotFound,
                     "experiment '" + std::string(experiment) + "' is not in the configuration; check the key");
  }
  const ExperimentState& e = s.experiments[it->second];
  auto keep = TupleFilter(e, options.filter);
  if (!keep.ok()) return std::move(keep).error();
  const std::vector<char>& tuple_ok = *keep;
  auto included = [&](std::size_t r) { return tuple_ok.empty() || tuple_ok[e.tuple[r]] != 0; };

  ExperimentAggregates out;
  out.experiment = e.key;
  out.filter = options.filter;
  out.complete_through = s.frontier;
  out.late_exposures = e.late_exposures;
  out.unknown_variant_exposures = e.unknown_variant_exposures;
  const std::size_t variants = e.variants.size();
  for (const std::string& v : e.variants) out.variants.push_back({v, 0});
  const std::size_t records = e.first_ts.size();
  for (std::size_t r = 0; r < records; ++r) {
    if (!included(r)) continue;
    if (e.variant[r] == internal::kMultiVariant) {
      ++out.multi_variant_units;
    } else {
      ++out.variants[e.variant[r]].units;
    }
  }

  // The daily series runs from the earliest first-exposure day to the day of
  // the last applied instant (complete_through - 1).
  const bool daily = options.daily && records > 0 && s.frontier != INT64_MIN;
  const std::int32_t first_day = e.min_day;
  const std::int32_t last_day = daily ? std::max(first_day, DayOf(s.frontier - 1)) : first_day;
  const std::size_t days = daily ? static_cast<std::size_t>(last_day - first_day) + 1 : 0;

  std::vector<std::pair<std::int32_t, std::pair<double, double>>> cells;  // scratch: (day, (x, y))
  for (std::size_t slot = 0; slot < e.metrics.size(); ++slot) {
    const core::Metric& m = s.metrics[e.metrics[slot]];
    MetricAggregate agg;
    agg.metric = m.key;
    agg.type = m.type;
    agg.role = e.roles[slot];
    agg.direction = m.direction;
    agg.arms.resize(variants);
    for (std::size_t v = 0; v < variants; ++v) agg.arms[v].variant = e.variants[v];
    std::vector<std::vector<double>> diff(daily ? variants : 0, std::vector<double>((days + 1) * 9, 0.0));
    const std::vector<UnitAcc>& accs = e.acc[slot];
    for (std::size_t r = 0; r < records; ++r) {
      const std::uint16_t v = e.variant[r];
      if (v == internal::kMultiVariant || !included(r)) continue;
      const UnitAcc& acc = accs[r];
      const EpochMillis fe = e.first_ts[r];
      std::int32_t entry = DayOf(fe);
      if (m.type == core::MetricType::kRetention) {
        // Counted once its day-N window has closed.
        const EpochMillis closes = fe + static_cast<EpochMillis>(m.retention_day + 1) * core::kDayMillis;
        if (closes > s.frontier) continue;
        entry = DayOf(closes - 1);
      }
      double x = acc.x;
      double y = acc.y;
      for (std::uint32_t c = acc.more; c != kNone; c = s.day_cells[c].next) {
        x += s.day_cells[c].x;
        y += s.day_cells[c].y;
      }
      Accumulate(agg.arms[v].totals, x, y, acc.pre);
      if (!daily) continue;
      std::vector<double>& d = diff[v];
      const auto at = [&](std::int32_t day) { return static_cast<std::size_t>(day - first_day); };
      if (m.type == core::MetricType::kRetention || acc.day == kNoDay) {
        Add(d, at(entry), Terms::Of(x, y, acc.pre), 1);
        continue;
      }
      // Step function of the unit's value over days: from entry with 0, then
      // each active day adds its contribution.
      cells.clear();
      cells.push_back({acc.day, {acc.x, acc.y}});
      for (std::uint32_t c = acc.more; c != kNone; c = s.day_cells[c].next) {
        cells.push_back({s.day_cells[c].day, {s.day_cells[c].x, s.day_cells[c].y}});
      }
      std::sort(cells.begin(), cells.end());
      double cx = 0;
      double cy = 0;
      Terms previous = Terms::Of(0, 0, acc.pre);
      Add(d, at(entry), previous, 1);
      for (const auto& [day, xy] : cells) {
        cx += xy.first;
        cy += xy.second;
        const Terms next = Terms::Of(cx, cy, acc.pre);
        const std::size_t i = at(std::max(day, entry));
        Add(d, i, previous, -1);
        Add(d, i, next, 1);
        previous = next;
      }
    }
    if (daily) {
      for (std::size_t v = 0; v < variants; ++v) {
        std::vector<double> running(9, 0.0);
        agg.arms[v].daily.reserve(days);
        for (std::size_t i = 0; i < days; ++i) {
          for (int k = 0; k < 9; ++k) running[k] += diff[v][i * 9 + k];
          agg.arms[v].daily.push_back({first_day + static_cast<std::int32_t>(i), ToSums(running.data())});
        }
      }
    }
    out.metrics.push_back(std::move(agg));
  }
  return out;
}

Result<ExperimentDimensions> Aggregator::Dimensions(std::string_view experiment) const {
  const Impl& s = *impl_;
  auto it = s.experiment_index.find(experiment);
  if (it == s.experiment_index.end()) {
    return MakeError(ErrorCode::kNotFound,
                     "experiment '" + std::string(experiment) + "' is not in the configuration; check the key");
  }
  const ExperimentState& e = s.experiments[it->second];
  const internal::Dictionary& d = e.dims;
  const std::size_t variants = e.variants.size();
  // Units per tuple and variant first, then spread over the tuples' values.
  std::vector<std::int64_t> per_tuple(d.tuples.size() * variants, 0);
  for (std::size_t r = 0; r < e.first_ts.size(); ++r) {
    if (e.variant[r] != internal::kMultiVariant) ++per_tuple[e.tuple[r] * variants + e.variant[r]];
  }
  ExperimentDimensions out;
  out.experiment = e.key;
  out.variants = e.variants;
  for (std::size_t a = 0; a < d.attributes.size(); ++a) {
    DimensionBreakdown b;
    b.attribute = d.attributes[a];
    for (const std::string& value : d.values[a]) b.values.push_back({value, std::vector<std::int64_t>(variants, 0)});
    out.attributes.push_back(std::move(b));
  }
  for (std::size_t t = 0; t < d.tuples.size(); ++t) {
    const std::string& packed = d.tuples[t];
    for (std::size_t pos = 0; pos + 4 <= packed.size(); pos += 4) {
      std::uint16_t a = 0;
      std::uint16_t v = 0;
      std::memcpy(&a, packed.data() + pos, 2);
      std::memcpy(&v, packed.data() + pos + 2, 2);
      for (std::size_t k = 0; k < variants; ++k) out.attributes[a].values[v].units[k] += per_tuple[t * variants + k];
    }
  }
  return out;
}

MemoryUsage Aggregator::Memory() const {
  // Bytes in use (vector sizes): what is resident. Capacity not yet touched
  // by a growing vector is address space only.
  const Impl& s = *impl_;
  MemoryUsage m;
  m.units = static_cast<std::int64_t>(s.units.size());
  m.unit_bytes = static_cast<std::int64_t>(s.units.bytes() + s.unit_links.size() * 4 + s.unit_pre.size() * 4);
  m.exposure_bytes = static_cast<std::int64_t>(s.links.size() * sizeof(internal::ExposureLink));
  m.accumulator_bytes = static_cast<std::int64_t>(s.day_cells.size() * sizeof(DayCell));
  for (const ExperimentState& e : s.experiments) {
    const auto records = static_cast<std::int64_t>(e.first_ts.size());
    m.exposure_records += records;
    m.exposure_bytes += records * (8 + 4 + 4 + 2);
    for (const auto& accs : e.acc) {
      m.metric_accumulators += static_cast<std::int64_t>(accs.size());
      m.accumulator_bytes += static_cast<std::int64_t>(accs.size() * sizeof(UnitAcc));
    }
    m.dimension_bytes += static_cast<std::int64_t>(e.dims.bytes());
  }
  m.pre_period_bytes = static_cast<std::int64_t>(s.pre_cells.size() * sizeof(internal::PreCell));
  std::size_t dims = 0;
  for (const std::string& blob : s.dims_slots) dims += sizeof(std::string) + blob.capacity();
  m.buffer_bytes = static_cast<std::int64_t>(s.heap.size() * sizeof(internal::Pending) + dims);
  return m;
}

}  // namespace sluice::aggregation
