// Streaming part of the Aggregator: compiling the configuration, Apply, the
// reorder buffer and per-unit accumulation. Queries are in query.cc,
// checkpoints in checkpoint.cc.
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "state.h"

namespace sluice::aggregation {

using internal::CompiledSelector;
using internal::DayCell;
using internal::ExperimentState;
using internal::ExposureLink;
using internal::kNoDay;
using internal::kNone;
using internal::Pending;
using internal::PendingLater;
using internal::PreCell;
using internal::UnitAcc;

std::string_view ApplyOutcomeName(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kBuffered: return "buffered";
    case ApplyOutcome::kLate: return "late";
    case ApplyOutcome::kIgnored: return "ignored";
    case ApplyOutcome::kUnknownExperiment: return "unknown_experiment";
    case ApplyOutcome::kUnknownVariant: return "unknown_variant";
    case ApplyOutcome::kInvalid: return "invalid";
  }
  return "invalid";
}

stats::ProportionStats MetricSums::Proportion() const { return {units, static_cast<std::int64_t>(sum_x + 0.5)}; }

namespace internal {

// ---- UnitInterner ----

std::uint64_t UnitInterner::Hash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

std::size_t UnitInterner::Probe(std::string_view id, std::uint64_t hash) const {
  const std::size_t mask = table_.size() - 1;
  const std::uint64_t tag = hash >> 32;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint64_t entry = table_[i];
    if (entry == 0) return i;
    if ((entry >> 32) == tag && Id(static_cast<std::uint32_t>(entry & 0xFFFFFFFFu) - 1) == id) return i;
  }
}

void UnitInterner::Rehash(std::size_t capacity) {
  std::vector<std::uint64_t> old = std::move(table_);
  table_.assign(capacity, 0);
  const std::size_t mask = capacity - 1;
  for (std::uint64_t entry : old) {
    if (entry == 0) continue;
    const std::uint32_t index = static_cast<std::uint32_t>(entry & 0xFFFFFFFFu) - 1;
    std::size_t i = Hash(Id(index)) & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = entry;
  }
}

std::uint32_t UnitInterner::Intern(std::string_view id) {
  if (table_.empty()) Rehash(1024);
  const std::uint64_t hash = Hash(id);
  std::size_t slot = Probe(id, hash);
  if (table_[slot] != 0) return static_cast<std::uint32_t>(table_[slot] & 0xFFFFFFFFu) - 1;
  // Keep the load factor at or below 0.75.
  if ((size() + 1) * 4 > table_.size() * 3) {
    Rehash(table_.size() * 2);
    slot = Probe(id, hash);
  }
  const auto index = static_cast<std::uint32_t>(size());
  chars_.append(id);
  offsets_.push_back(chars_.size());
  table_[slot] = ((hash >> 32) << 32) | (static_cast<std::uint64_t>(index) + 1);
  return index;
}

std::optional<std::uint32_t> UnitInterner::Find(std::string_view id) const {
  if (table_.empty()) return std::nullopt;
  const std::size_t slot = Probe(id, Hash(id));
  if (table_[slot] == 0) return std::nullopt;
  return static_cast<std::uint32_t>(table_[slot] & 0xFFFFFFFFu) - 1;
}

std::size_t UnitInterner::bytes() const {
  return chars_.size() + offsets_.size() * sizeof(std::uint64_t) + table_.size() * sizeof(std::uint64_t);
}

bool UnitInterner::Load(std::string chars, std::vector<std::uint64_t> offsets) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != chars.size() || offsets.size() - 1 >= kNone) {
    return false;
  }
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) return false;
  }
  chars_ = std::move(chars);
  offsets_ = std::move(offsets);
  std::size_t capacity = 1024;
  while (size() * 4 > capacity * 3) capacity *= 2;
  table_.assign(capacity, 0);
  const std::size_t mask = capacity - 1;
  for (std::uint32_t index = 0; index < size(); ++index) {
    const std::uint64_t hash = Hash(Id(index));
    std::size_t slot = Probe(Id(index), hash);
    if (table_[slot] != 0) return false;  // the same id twice
    table_[slot & mask] = ((hash >> 32) << 32) | (static_cast<std::uint64_t>(index) + 1);
  }
  return true;
}

// ---- Dictionary ----

void Dictionary::Rebuild() {
  raw_tuples.clear();
  attribute_index.clear();
  value_index.assign(attributes.size(), {});
  tuple_index.clear();
  for (std::size_t a = 0; a < attributes.size(); ++a) {
    attribute_index.emplace(attributes[a], static_cast<std::uint16_t>(a));
    for (std::size_t v = 0; v < values[a].size(); ++v) {
      if (v != other[a]) value_index[a].emplace(values[a][v], static_cast<std::uint16_t>(v));
    }
  }
  for (std::size_t t = 0; t < tuples.size(); ++t) tuple_index.emplace(tuples[t], static_cast<std::uint32_t>(t));
}

std::size_t Dictionary::bytes() const {
  std::size_t total = 0;
  for (const auto& a : attributes) total += sizeof(std::string) + a.capacity();
  for (const auto& vs : values) {
    for (const auto& v : vs) total += sizeof(std::string) + v.capacity() + 48;  // + index node
  }
  for (const auto& t : tuples) total += 2 * (sizeof(std::string) + t.capacity()) + 48;
  for (const auto& [raw, _] : raw_tuples) total += sizeof(std::string) + raw.capacity() + 56;
  return total;
}

namespace {

bool JsonEqual(const core::Json& a, const core::Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

bool FilterHolds(const core::PropertyFilter& f, const core::Json& properties) {
  using O = core::FilterOp;
  const core::Json* v = nullptr;
  if (properties.is_object()) {
    auto it = properties.find(f.property);
    if (it != properties.end() && !it->is_null()) v = &*it;
  }
  switch (f.op) {
    case O::kExists: return v != nullptr;
    case O::kEq: return v != nullptr && JsonEqual(*v, f.values[0]);
    case O::kNe: return v == nullptr || !JsonEqual(*v, f.values[0]);
    case O::kIn:
    case O::kNotIn: {
      bool in = v != nullptr &&
                std::any_of(f.values.begin(), f.values.end(), [&](const core::Json& x) { return JsonEqual(*v, x); });
      return f.op == O::kIn ? in : !in;
    }
    case O::kGt:
    case O::kGte:
    case O::kLt:
    case O::kLte: {
      if (v == nullptr || !v->is_number()) return false;
      const double x = v->get<double>();
      if (f.op == O::kGt) return x > f.bound;
      if (f.op == O::kGte) return x >= f.bound;
      if (f.op == O::kLt) return x < f.bound;
      return x <= f.bound;
    }
  }
  return false;
}

bool Selects(const CompiledSelector& s, const core::Json& properties) {
  for (const core::PropertyFilter& f : s.filter) {
    if (!FilterHolds(f, properties)) return false;
  }
  return true;
}

// Dimension values as text: strings as they are, numbers and booleans as JSON
// writes them ("2", "2.5", "true").
bool DimensionText(const core::Json& v, std::string& out) {
  out.clear();
  if (v.is_string()) {
    out = v.get_ref<const std::string&>();
  } else if (v.is_boolean()) {
    out = v.get<bool>() ? "true" : "false";
  } else if (v.is_number_integer() && !v.is_number_unsigned()) {
    out = std::to_string(v.get<std::int64_t>());
  } else if (v.is_number_unsigned()) {
    out = std::to_string(v.get<std::uint64_t>());
  } else if (v.is_number_float()) {
    out = v.dump();
  } else {
    return false;
  }
  return true;
}

void PutU32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

std::uint32_t GetU32(std::string_view in, std::size_t pos) {
  std::uint32_t v = 0;
  std::memcpy(&v, in.data() + pos, sizeof v);
  return v;
}

// Packed exposure attributes: (u32 length, name, u32 length, value)*.
void PackAttributes(const core::Json& attributes, std::string& out) {
  out.clear();
  if (!attributes.is_object()) return;
  std::string text;
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    const std::string& name = it.key();
    if (name.empty() || !DimensionText(*it, text)) continue;
    PutU32(out, static_cast<std::uint32_t>(name.size()));
    out.append(name);
    PutU32(out, static_cast<std::uint32_t>(text.size()));
    out.append(text);
  }
}

constexpr bool IsBinary(core::MetricType t) {
  return t == core::MetricType::kConversion || t == core::MetricType::kRetention;
}

}  // namespace
}  // namespace internal

using internal::IsBinary;

// ---- construction ----

Result<std::unique_ptr<Aggregator::Impl>> Aggregator::Impl::Build(const core::Config& config,
                                                                  const AggregatorOptions& options) {
  std::vector<Problem> problems;
  if (options.reorder_window_ms < 0 || options.reorder_window_ms > internal::kMaxReorderWindow) {
    problems.push_back({"reorder_window_ms", "is " + std::to_string(options.reorder_window_ms) +
                                                 "; give 0 to 2592000000 milliseconds (30 days)"});
  }
  if (options.max_dimension_values < 1 || options.max_dimension_values > 65000) {
    problems.push_back({"max_dimension_values", "is " + std::to_string(options.max_dimension_values) +
                                                    "; give 1 to 65000 values per attribute"});
  }
  if (!problems.empty()) {
    return Error{ErrorCode::kInvalidArgument, "aggregator options are invalid", std::move(problems)};
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->fingerprint = StateFingerprint(config, options);
  impl->metrics = config.metrics;
  for (std::uint32_t m = 0; m < impl->metrics.size(); ++m) {
    const core::Metric& metric = impl->metrics[m];
    impl->max_pre_days = std::max(impl->max_pre_days, metric.pre_period_days);
    auto add = [&](const core::EventSelector& s, bool denominator) {
      auto [it, fresh] = impl->names.emplace(s.event, static_cast<std::uint32_t>(impl->name_selectors.size()));
      if (fresh) impl->name_selectors.emplace_back();
      impl->name_selectors[it->second].push_back(static_cast<std::uint32_t>(impl->selectors.size()));
      impl->selectors.push_back({m, denominator, s.aggregate == core::MetricAggregate::kSum, s.filter});
    };
    add(metric.event, false);
    if (metric.type == core::MetricType::kRatio) add(metric.denominator, true);
  }
  impl->pre_experiments.resize(impl->metrics.size());
  for (const core::Experiment& x : config.experiments) {
    internal::ExperimentState e;
    e.key = x.key;
    for (const core::Variant& v : x.variants) e.variants.push_back(v.key);
    for (const core::MetricRef& ref : x.metrics) {
      int m = config.MetricIndex(ref.metric);
      if (m < 0) continue;
      e.metrics.push_back(static_cast<std::uint32_t>(m));
      e.roles.push_back(ref.role);
    }
    e.acc.resize(e.metrics.size());
    for (std::uint32_t m : e.metrics) {
      if (impl->metrics[m].pre_period_days > 0)
        impl->pre_experiments[m].push_back(static_cast<std::uint32_t>(impl->experiments.size()));
    }
    impl->experiment_index.emplace(e.key, static_cast<std::uint32_t>(impl->experiments.size()));
    impl->experiments.push_back(std::move(e));
  }
  return impl;
}

Result<Aggregator> Aggregator::Create(const core::Config& config, const AggregatorOptions& options) {
  auto impl = Impl::Build(config, options);
  if (!impl.ok()) return std::move(impl).error();
  return Aggregator(std::move(impl).value());
}

Aggregator::Aggregator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Aggregator::~Aggregator() = default;
Aggregator::Aggregator(Aggregator&&) noexcept = default;
Aggregator& Aggregator::operator=(Aggregator&&) noexcept = default;

const AggregatorCounters& Aggregator::counters() const { return impl_->counters; }
EpochMillis Aggregator::complete_through() const { return impl_->frontier; }

// ---- Apply ----

ApplyOutcome Aggregator::Apply(const events::Event& event) {
  Impl& s = *impl_;
  if (event.unit_id.empty() || event.ts < 0 || event.ts >= internal::kMaxTs ||
      (event.value && !std::isfinite(*event.value))) {
    ++s.counters.invalid_events;
    return ApplyOutcome::kInvalid;
  }
  const ApplyOutcome outcome = s.Take(event);
  // Every event with a valid time moves the watermark, whatever else it is.
  s.watermark = std::max(s.watermark, event.ts);
  s.frontier = std::max(s.frontier, s.watermark - s.options.reorder_window_ms);
  s.Release(s.frontier);
  s.counters.pending_events = static_cast<std::int64_t>(s.heap.size());
  return outcome;
}

ApplyOutcome Aggregator::Impl::Take(const events::Event& event) {
  Impl& s = *this;
  Pending p;
  p.ts = event.ts;
  std::vector<Pending>& tracks = s.scratch;  // one per chunk of 64 selectors with a match
  tracks.clear();
  if (event.kind == events::EventKind::kExposure) {
    if (event.experiment.empty() || event.variant.empty()) {
      ++s.counters.invalid_events;
      return ApplyOutcome::kInvalid;
    }
    auto it = s.experiment_index.find(std::string_view(event.experiment));
    if (it == s.experiment_index.end()) {
      ++s.counters.unknown_experiment_exposures;
      return ApplyOutcome::kUnknownExperiment;
    }
    ExperimentState& e = s.experiments[it->second];
    auto v = std::find(e.variants.begin(), e.variants.end(), event.variant);
    if (v == e.variants.end()) {
      ++s.counters.unknown_variant_exposures;
      ++e.unknown_variant_exposures;
      return ApplyOutcome::kUnknownVariant;
    }
    p.kind = 0;
    p.a = it->second;
    p.b = static_cast<std::uint32_t>(v - e.variants.begin());
    internal::PackAttributes(event.attributes, s.packed);
  } else {
    if (event.name.empty()) {
      ++s.counters.invalid_events;
      return ApplyOutcome::kInvalid;
    }
    auto it = s.names.find(std::string_view(event.name));
    if (it != s.names.end()) {
      const std::vector<std::uint32_t>& list = s.name_selectors[it->second];
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (!internal::Selects(s.selectors[list[i]], event.properties)) continue;
        const auto chunk = static_cast<std::uint32_t>(i / 64);
        if (tracks.empty() || tracks.back().b != chunk) {
          Pending t;
          t.ts = event.ts;
          t.kind = 1;
          t.a = it->second;
          t.b = chunk;
          t.value = event.value.value_or(0.0);
          tracks.push_back(t);
        }
        tracks.back().mask |= std::uint64_t{1} << (i % 64);
      }
    }
    if (tracks.empty()) {
      ++s.counters.ignored_tracks;
      return ApplyOutcome::kIgnored;
    }
  }

  const std::uint32_t unit = s.units.Intern(event.unit_id);
  s.EnsureUnit(unit);
  const bool late = event.ts < s.frontier;
  if (event.kind == events::EventKind::kExposure) {
    ++s.counters.exposures;
    p.unit = unit;
    p.seq = s.seq++;
    if (late) {
      ++s.counters.late_exposures;
      ++s.experiments[p.a].late_exposures;
      s.Process(p, s.packed);
    } else {
      if (!s.packed.empty()) p.mask = std::uint64_t{s.StoreDims(s.packed)} + 1;
      s.heap.push_back(p);
      std::push_heap(s.heap.begin(), s.heap.end(), PendingLater{});
    }
  } else {
    ++s.counters.tracks;
    if (late) ++s.counters.late_tracks;
    for (Pending& t : tracks) {
      t.unit = unit;
      t.seq = s.seq++;
      if (late) {
        s.Process(t, {});
      } else {
        s.heap.push_back(t);
        std::push_heap(s.heap.begin(), s.heap.end(), PendingLater{});
      }
    }
  }
  return late ? ApplyOutcome::kLate : ApplyOutcome::kBuffered;
}

void Aggregator::Flush() {
  Impl& s = *impl_;
  if (s.watermark == INT64_MIN) return;
  s.frontier = std::max(s.frontier, s.watermark + 1);
  s.Release(s.frontier);
  s.counters.pending_events = 0;
}

void Aggregator::Impl::Release(EpochMillis below) {
  while (!heap.empty() && heap.front().ts < below) {
    std::pop_heap(heap.begin(), heap.end(), PendingLater{});
    const Pending p = heap.back();
    heap.pop_back();
    released_through = p.ts;
    if (p.kind == 0 && p.mask != 0) {
      const auto slot = static_cast<std::uint32_t>(p.mask - 1);
      Process(p, dims_slots[slot]);
      dims_free.push_back(slot);
    } else {
      Process(p, {});
    }
  }
}

std::uint32_t Aggregator::Impl::StoreDims(std::string_view packed) {
  std::uint32_t slot;
  if (!dims_free.empty()) {
    slot = dims_free.back();
    dims_free.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(dims_slots.size());
    dims_slots.emplace_back();
  }
  dims_slots[slot].assign(packed);
  return slot;
}

void Aggregator::Impl::EnsureUnit(std::uint32_t unit) {
  if (unit >= unit_links.size()) {
    unit_links.resize(unit + 1, kNone);
    unit_pre.resize(unit + 1, kNone);
  }
}

void Aggregator::Impl::Process(const Pending& p, std::string_view dims) {
  if (p.kind == 0) {
    ProcessExposure(p.unit, p.a, static_cast<std::uint16_t>(p.b), p.ts, dims);
  } else {
    ProcessTrack(p);
  }
}

// ---- exposures ----

std::uint32_t Aggregator::Impl::InternTuple(ExperimentState& e, std::string_view dims) {
  internal::Dictionary& d = e.dims;
  if (auto it = d.raw_tuples.find(dims); it != d.raw_tuples.end()) return it->second;
  std::vector<std::pair<std::uint16_t, std::uint16_t>>& pairs = tuple_pairs;
  pairs.clear();
  for (std::size_t pos = 0; pos + 4 <= dims.size();) {
    const std::uint32_t name_len = internal::GetU32(dims, pos);
    if (name_len > dims.size() - pos - 4 || dims.size() - pos - 4 - name_len < 4) break;
    const std::string_view name = dims.substr(pos + 4, name_len);
    pos += 4 + name_len;
    const std::uint32_t value_len = internal::GetU32(dims, pos);
    if (value_len > dims.size() - pos - 4) break;
    const std::string_view value = dims.substr(pos + 4, value_len);
    pos += 4 + value_len;
    std::uint16_t attribute;
    if (auto it = d.attribute_index.find(name); it != d.attribute_index.end()) {
      attribute = it->second;
    } else if (d.attributes.size() < kMaxDimensionAttributes) {
      attribute = static_cast<std::uint16_t>(d.attributes.size());
      d.attributes.emplace_back(name);
      d.values.emplace_back();
      d.other.push_back(internal::kNoValue);
      d.value_index.emplace_back();
      d.attribute_index.emplace(std::string(name), attribute);
    } else {
      continue;
    }
    std::uint16_t id;
    auto& index = d.value_index[attribute];
    if (auto it = index.find(value); it != index.end()) {
      id = it->second;
    } else if (index.size() < options.max_dimension_values) {
      id = static_cast<std::uint16_t>(d.values[attribute].size());
      d.values[attribute].emplace_back(value);
      index.emplace(std::string(value), id);
    } else {
      if (d.other[attribute] == internal::kNoValue) {
        d.other[attribute] = static_cast<std::uint16_t>(d.values[attribute].size());
        d.values[attribute].emplace_back(kOtherDimensionValue);
      }
      id = d.other[attribute];
    }
    pairs.emplace_back(attribute, id);
  }
  std::sort(pairs.begin(), pairs.end());
  std::string& key = tuple_key;
  key.clear();
  for (auto [a, v] : pairs) {
    key.append(reinterpret_cast<const char*>(&a), 2);
    key.append(reinterpret_cast<const char*>(&v), 2);
  }
  std::uint32_t id;
  if (auto it = d.tuple_index.find(std::string_view(key)); it != d.tuple_index.end()) {
    id = it->second;
  } else {
    id = static_cast<std::uint32_t>(d.tuples.size());
    d.tuple_index.emplace(key, id);
    d.tuples.push_back(key);
  }
  if (d.raw_tuples.size() < internal::Dictionary::kMaxRawTuples) d.raw_tuples.emplace(std::string(dims), id);
  return id;
}

void Aggregator::Impl::ProcessExposure(std::uint32_t unit, std::uint32_t experiment, std::uint16_t variant,
                                       EpochMillis ts, std::string_view dims) {
  ExperimentState& e = experiments[experiment];
  for (std::uint32_t l = unit_links[unit]; l != kNone; l = links[l].next) {
    if (links[l].experiment != experiment) continue;
    // Seen before. In time order this exposure is not earlier than the first;
    // a late one that is earlier does not move the first exposure (documented).
    std::uint16_t& current = e.variant[links[l].record];
    if (current != variant && current != internal::kMultiVariant) {
      current = internal::kMultiVariant;
      ++e.multi_variant_units;
    }
    return;
  }
  const auto record = static_cast<std::uint32_t>(e.first_ts.size());
  e.first_ts.push_back(ts);
  e.unit.push_back(unit);
  e.tuple.push_back(InternTuple(e, dims));
  e.variant.push_back(variant);
  const std::int32_t day = DayOf(ts);
  e.min_day = std::min(e.min_day, day);
  for (std::size_t slot = 0; slot < e.metrics.size(); ++slot) {
    UnitAcc acc;
    const core::Metric& m = metrics[e.metrics[slot]];
    if (m.pre_period_days > 0) {
      acc.pre = PreValue(unit, e.metrics[slot], day);
      if (IsBinary(m.type)) acc.pre = acc.pre > 0 ? 1 : 0;
    }
    e.acc[slot].push_back(acc);
  }
  links.push_back({experiment, record, unit_links[unit]});
  unit_links[unit] = static_cast<std::uint32_t>(links.size() - 1);
}

// ---- tracks ----

void Aggregator::Impl::AddDay(UnitAcc& acc, std::int32_t day, double x, double y) {
  if (acc.day == kNoDay || acc.day == day) {
    acc.day = day;
    acc.x += x;
    acc.y += y;
    return;
  }
  for (std::uint32_t c = acc.more; c != kNone; c = day_cells[c].next) {
    if (day_cells[c].day == day) {
      day_cells[c].x += x;
      day_cells[c].y += y;
      return;
    }
  }
  day_cells.push_back({x, y, day, acc.more});
  acc.more = static_cast<std::uint32_t>(day_cells.size() - 1);
}

std::uint32_t Aggregator::Impl::NewPreCell() {
  if (pre_free != kNone) {
    const std::uint32_t c = pre_free;
    pre_free = pre_cells[c].next;
    return c;
  }
  pre_cells.emplace_back();
  return static_cast<std::uint32_t>(pre_cells.size() - 1);
}

void Aggregator::Impl::AddPre(std::uint32_t unit, std::uint32_t metric, std::int32_t day, double value) {
  // Days before `oldest` cannot be in the pre-period of any exposure still to
  // come in time order (those are at or after released_through).
  const std::int32_t now = released_through == INT64_MIN ? day : DayOf(released_through);
  const auto oldest = static_cast<std::int32_t>(now - static_cast<std::int32_t>(max_pre_days));
  if (day < now - static_cast<std::int32_t>(metrics[metric].pre_period_days)) return;
  std::uint32_t* link = &unit_pre[unit];
  while (*link != kNone) {
    PreCell& c = pre_cells[*link];
    if (c.day < oldest) {  // expired: unlink and free
      const std::uint32_t dead = *link;
      *link = c.next;
      pre_cells[dead].next = pre_free;
      pre_free = dead;
      continue;
    }
    if (c.metric == metric && c.day == day) {
      c.value += value;
      return;
    }
    link = &c.next;
  }
  const std::uint32_t c = NewPreCell();
  pre_cells[c] = {value, day, metric, unit_pre[unit], 0};
  unit_pre[unit] = c;
}

bool Aggregator::Impl::MayNeedPre(std::uint32_t unit, std::uint32_t metric) const {
  for (std::uint32_t x : pre_experiments[metric]) {
    bool exposed = false;
    for (std::uint32_t l = unit_links[unit]; l != kNone && !exposed; l = links[l].next)
      exposed = links[l].experiment == x;
    if (!exposed) return true;
  }
  return false;
}

double Aggregator::Impl::PreValue(std::uint32_t unit, std::uint32_t metric, std::int32_t exposure_day) const {
  const auto first =
      static_cast<std::int32_t>(exposure_day - static_cast<std::int32_t>(metrics[metric].pre_period_days));
  double total = 0;
  for (std::uint32_t c = unit_pre[unit]; c != kNone; c = pre_cells[c].next) {
    const PreCell& cell = pre_cells[c];
    if (cell.metric == metric && cell.day >= first && cell.day < exposure_day) total += cell.value;
  }
  return total;
}

void Aggregator::Impl::ProcessTrack(const Pending& p) {
  using T = core::MetricType;
  const std::vector<std::uint32_t>& list = name_selectors[p.a];
  const std::int32_t day = DayOf(p.ts);
  for (std::uint64_t mask = p.mask; mask != 0; mask &= mask - 1) {
    const std::size_t i = static_cast<std::size_t>(p.b) * 64 + static_cast<std::size_t>(__builtin_ctzll(mask));
    const CompiledSelector& sel = selectors[list[i]];
    const core::Metric& m = metrics[sel.metric];
    const double amount = sel.sum ? p.value : 1.0;
    if (m.pre_period_days > 0 && amount != 0 && MayNeedPre(p.unit, sel.metric)) AddPre(p.unit, sel.metric, day, amount);
    for (std::uint32_t l = unit_links[p.unit]; l != kNone; l = links[l].next) {
      ExperimentState& e = experiments[links[l].experiment];
      const int slot = e.SlotOf(sel.metric);
      if (slot < 0) continue;
      const std::uint32_t record = links[l].record;
      const EpochMillis fe = e.first_ts[record];
      UnitAcc& acc = e.acc[slot][record];
      if (p.ts < fe) {
        // Before the first exposure: only a late event can get here; it
        // still belongs to the pre-period if its day does.
        const std::int32_t exposure_day = DayOf(fe);
        if (m.pre_period_days > 0 && amount != 0 && day < exposure_day &&
            day >= exposure_day - static_cast<std::int32_t>(m.pre_period_days)) {
          acc.pre = IsBinary(m.type) ? 1 : acc.pre + amount;
        }
        continue;
      }
      switch (m.type) {
        case T::kRetention: {
          const EpochMillis from = fe + static_cast<EpochMillis>(m.retention_day) * core::kDayMillis;
          if (p.ts >= from && p.ts < from + core::kDayMillis) acc.x = 1;
          break;
        }
        case T::kConversion:
          if (m.window && p.ts >= fe + *m.window) break;
          if (acc.day == kNoDay || day < acc.day) {
            acc.day = day;
            acc.x = 1;
          }
          break;
        case T::kMean:
        case T::kRatio:
          if (m.window && p.ts >= fe + *m.window) break;
          if (amount == 0) break;
          AddDay(acc, day, sel.denominator ? 0 : amount, sel.denominator ? amount : 0);
          break;
      }
    }
  }
}

}  // namespace sluice::aggregation
