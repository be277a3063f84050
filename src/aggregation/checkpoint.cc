// Checkpoints: the whole Aggregator state as bytes, and back.
//
// Format (little-endian), version 1:
//   "SLUICEAG"  magic, 8 bytes
//   u32         format version
//   u64         state fingerprint (StateFingerprint: configuration + options)
//   string      caller's log position
//   ...         the state, field by field (Write/Read below, in the same order)
//   u64         XXH64 (seed 0) of every byte before it
// Strings and vectors are a u64 count followed by their elements; records
// (ExposureLink, DayCell, PreCell, UnitAcc) are their fields in declaration
// order with no padding, as laid out in memory.
#include <xxhash.h>

#include <bit>
#include <cstring>
#include <type_traits>

#include "state.h"

namespace sluice::aggregation {

static_assert(std::endian::native == std::endian::little, "checkpoints are written little-endian");

namespace {

using internal::DayCell;
using internal::ExperimentState;
using internal::ExposureLink;
using internal::kNone;
using internal::Pending;
using internal::PreCell;
using internal::UnitAcc;

constexpr char kMagic[8] = {'S', 'L', 'U', 'I', 'C', 'E', 'A', 'G'};
constexpr std::uint32_t kFormatVersion = 1;

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    static_assert(std::is_arithmetic_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void Put(std::string_view s) {
    Put<std::uint64_t>(s.size());
    out_.append(s);
  }
  template <typename T>
  void PutVector(const std::vector<T>& v) {
    static_assert(std::is_arithmetic_v<T>);
    Put<std::uint64_t>(v.size());
    if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  // Records whose fields are laid out without padding (state.h asserts the
  // sizes): written as they are in memory, which is little-endian.
  template <typename T>
  void PutRecords(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<std::uint64_t>(v.size());
    if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void Reserve(std::size_t n) { out_.reserve(n); }
  void PutStrings(const std::vector<std::string>& v) {
    Put<std::uint64_t>(v.size());
    for (const std::string& s : v) Put(std::string_view(s));
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

// Reads with bounds checks; after the first failure everything reads as 0
// and ok() is false.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }

  template <typename T>
  T Get() {
    static_assert(std::is_arithmetic_v<T>);
    T v{};
    if (!Need(sizeof v)) return v;
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string GetString() {
    const auto n = Get<std::uint64_t>();
    if (!Need(n)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  template <typename T>
  std::vector<T> GetRecords() {
    static_assert(std::is_trivially_copyable_v<T>);
    return GetVector<T>();
  }
  template <typename T>
  std::vector<T> GetVector() {
    const auto n = Get<std::uint64_t>();
    if (!ok_ || n > (in_.size() - pos_) / sizeof(T) || !Need(n * sizeof(T))) {
      ok_ = false;
      return {};
    }
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  std::vector<std::string> GetStrings() {
    const auto n = Get<std::uint64_t>();
    std::vector<std::string> v;
    for (std::uint64_t i = 0; ok_ && i < n; ++i) v.push_back(GetString());
    return v;
  }
  // A count of items each at least `min_bytes` long; 0 on failure.
  std::uint64_t GetCount(std::size_t min_bytes) {
    const auto n = Get<std::uint64_t>();
    if (n > (in_.size() - pos_) / std::max<std::size_t>(min_bytes, 1)) {
      ok_ = false;
      return 0;
    }
    return n;
  }

 private:
  bool Need(std::uint64_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void WriteCounters(Writer& w, const AggregatorCounters& c) {
  for (std::int64_t v :
       {c.exposures, c.tracks, c.ignored_tracks, c.late_exposures, c.late_tracks, c.unknown_experiment_exposures,
        c.unknown_variant_exposures, c.invalid_events, c.pending_events}) {
    w.Put(v);
  }
}

AggregatorCounters ReadCounters(Reader& r) {
  AggregatorCounters c;
  for (std::int64_t* v :
       {&c.exposures, &c.tracks, &c.ignored_tracks, &c.late_exposures, &c.late_tracks, &c.unknown_experiment_exposures,
        &c.unknown_variant_exposures, &c.invalid_events, &c.pending_events}) {
    *v = r.Get<std::int64_t>();
  }
  return c;
}

void AppendSelector(std::string& out, const core::EventSelector& s) {
  out += "event=" + s.event + ";aggregate=" + std::string(core::AggregateName(s.aggregate)) + ";filter=";
  for (const core::PropertyFilter& f : s.filter) {
    core::Json values = core::Json::array();
    for (const core::Json& v : f.values) values.push_back(v);
    out += f.property + " " + std::string(core::FilterOpName(f.op)) + " " + values.dump() + " " +
           core::Json(f.bound).dump() + ",";
  }
  out += ";";
}

Error Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "checkpoint is damaged (" + std::string(what) + "); discard it and replay the log from the start");
}

}  // namespace

std::uint64_t StateFingerprint(const core::Config& config, const AggregatorOptions& options) {
  std::string canon = "options:" + std::to_string(options.reorder_window_ms) + "," +
                      std::to_string(options.max_dimension_values) + "\n";
  for (const core::Metric& m : config.metrics) {
    canon += "metric:" + m.key + ";type=" + std::string(core::MetricTypeName(m.type)) + ";";
    AppendSelector(canon, m.event);
    if (m.type == core::MetricType::kRatio) AppendSelector(canon, m.denominator);
    canon += "day=" + std::to_string(m.retention_day) + ";window=" + (m.window ? std::to_string(*m.window) : "-") +
             ";pre=" + std::to_string(m.pre_period_days) + "\n";
  }
  for (const core::Experiment& x : config.experiments) {
    canon += "experiment:" + x.key + ";variants=";
    for (const core::Variant& v : x.variants) canon += v.key + ",";
    canon += ";metrics=";
    for (const core::MetricRef& ref : x.metrics) canon += ref.metric + ",";
    canon += "\n";
  }
  return XXH64(canon.data(), canon.size(), 0);
}

std::string Aggregator::Checkpoint(std::string_view log_position) const {
  const Impl& s = *impl_;
  Writer w;
  std::size_t estimate = s.units.bytes() + (s.unit_links.size() + s.unit_pre.size()) * 4 +
                         s.links.size() * sizeof(ExposureLink) + s.day_cells.size() * sizeof(DayCell) +
                         s.pre_cells.size() * sizeof(PreCell) + s.heap.size() * 64 + 4096;
  for (const ExperimentState& e : s.experiments) estimate += e.first_ts.size() * (18 + 32 * e.acc.size());
  w.Reserve(estimate);
  w.bytes().append(kMagic, sizeof kMagic);
  w.Put(kFormatVersion);
  w.Put(s.fingerprint);
  w.Put(log_position);

  WriteCounters(w, s.counters);
  w.Put(s.watermark);
  w.Put(s.frontier);
  w.Put(s.released_through);
  w.Put(s.seq);

  w.Put(std::string_view(s.units.chars()));
  w.PutVector(s.units.offsets());
  w.PutVector(s.unit_links);
  w.PutVector(s.unit_pre);

  w.PutRecords(s.links);
  w.PutRecords(s.day_cells);
  w.PutRecords(s.pre_cells);
  w.Put(s.pre_free);

  for (const ExperimentState& e : s.experiments) {
    w.PutVector(e.first_ts);
    w.PutVector(e.unit);
    w.PutVector(e.tuple);
    w.PutVector(e.variant);
    for (const std::vector<UnitAcc>& accs : e.acc) w.PutRecords(accs);
    w.PutStrings(e.dims.attributes);
    w.Put<std::uint64_t>(e.dims.values.size());
    for (const auto& values : e.dims.values) w.PutStrings(values);
    w.PutVector(e.dims.other);
    w.PutStrings(e.dims.tuples);
    w.Put(e.multi_variant_units);
    w.Put(e.late_exposures);
    w.Put(e.unknown_variant_exposures);
    w.Put(e.min_day);
  }

  // The reorder buffer in heap order (restored as is); an exposure carries
  // its packed attributes instead of its slot.
  w.Put<std::uint64_t>(s.heap.size());
  for (const Pending& p : s.heap) {
    w.Put(p.ts);
    w.Put(p.seq);
    w.Put(p.kind == 0 ? std::uint64_t{0} : p.mask);
    w.Put(p.value);
    w.Put(p.unit);
    w.Put(p.a);
    w.Put(p.b);
    w.Put(p.kind);
    if (p.kind == 0) w.Put(p.mask == 0 ? std::string_view() : std::string_view(s.dims_slots[p.mask - 1]));
  }

  const std::uint64_t checksum = XXH64(w.bytes().data(), w.bytes().size(), 0);
  w.Put(checksum);
  return std::move(w.bytes());
}

Result<Aggregator::Restored> Aggregator::Restore(const core::Config& config, std::string_view bytes,
                                                 const AggregatorOptions& options) {
  constexpr std::size_t kHeader = sizeof kMagic + 4 + 8;
  if (bytes.size() < kHeader + 8 + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not an aggregation checkpoint (no SLUICEAG header); pass bytes made by Checkpoint()");
  }
  std::uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (XXH64(bytes.data(), bytes.size() - 8, 0) != stored) return Corrupt("checksum mismatch");
  Reader r(bytes.substr(0, bytes.size() - 8));
  for (std::size_t i = 0; i < sizeof kMagic; ++i) r.Get<char>();
  const auto version = r.Get<std::uint32_t>();
  if (version != kFormatVersion) {
    return MakeError(ErrorCode::kFailedPrecondition, "checkpoint format version " + std::to_string(version) +
                                                         " is not supported (this build reads version " +
                                                         std::to_string(kFormatVersion) +
                                                         "); replay the log from the start");
  }
  auto built = Impl::Build(config, options);
  if (!built.ok()) return std::move(built).error();
  std::unique_ptr<Impl> impl = std::move(built).value();
  Impl& s = *impl;
  if (r.Get<std::uint64_t>() != s.fingerprint) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "checkpoint was made for other experiments, variants, metric definitions or aggregator "
                     "options; replay the log from the start");
  }
  std::string position = r.GetString();

  s.counters = ReadCounters(r);
  s.watermark = r.Get<EpochMillis>();
  s.frontier = r.Get<EpochMillis>();
  s.released_through = r.Get<EpochMillis>();
  s.seq = r.Get<std::uint64_t>();

  std::string chars = r.GetString();
  auto offsets = r.GetVector<std::uint64_t>();
  s.unit_links = r.GetVector<std::uint32_t>();
  s.unit_pre = r.GetVector<std::uint32_t>();
  if (!r.ok()) return Corrupt("truncated units");
  if (!s.units.Load(std::move(chars), std::move(offsets))) return Corrupt("unit ids");
  const std::size_t units = s.units.size();
  if (s.unit_links.size() != units || s.unit_pre.size() != units) return Corrupt("unit heads");

  s.links = r.GetRecords<ExposureLink>();
  s.day_cells = r.GetRecords<DayCell>();
  s.pre_cells = r.GetRecords<PreCell>();
  s.pre_free = r.Get<std::uint32_t>();
  if (!r.ok()) return Corrupt("truncated pools");

  // Every pool entry must sit in exactly one chain (invariant 4).
  std::vector<char> used_links(s.links.size(), 0);
  std::vector<char> used_days(s.day_cells.size(), 0);
  std::vector<char> used_pre(s.pre_cells.size(), 0);
  auto walk = [](std::uint32_t head, std::vector<char>& used, auto next_of) {
    for (std::uint32_t i = head; i != kNone; i = next_of(i)) {
      if (i >= used.size() || used[i]) return false;
      used[i] = 1;
    }
    return true;
  };
  for (std::size_t u = 0; u < units; ++u) {
    if (!walk(s.unit_links[u], used_links, [&](std::uint32_t i) { return s.links[i].next; })) {
      return Corrupt("exposure links");
    }
    if (!walk(s.unit_pre[u], used_pre, [&](std::uint32_t i) { return s.pre_cells[i].next; })) {
      return Corrupt("pre-period cells");
    }
  }
  if (!walk(s.pre_free, used_pre, [&](std::uint32_t i) { return s.pre_cells[i].next; })) {
    return Corrupt("pre-period free list");
  }
  for (const PreCell& c : s.pre_cells) {
    if (c.metric >= s.metrics.size()) return Corrupt("pre-period metric");
  }

  std::size_t linked_records = 0;
  for (std::uint32_t x = 0; x < s.experiments.size(); ++x) {
    ExperimentState& e = s.experiments[x];
    e.first_ts = r.GetVector<EpochMillis>();
    e.unit = r.GetVector<std::uint32_t>();
    e.tuple = r.GetVector<std::uint32_t>();
    e.variant = r.GetVector<std::uint16_t>();
    const std::size_t records = e.first_ts.size();
    if (!r.ok() || e.unit.size() != records || e.tuple.size() != records || e.variant.size() != records) {
      return Corrupt("experiment records");
    }
    linked_records += records;
    for (std::vector<UnitAcc>& accs : e.acc) {
      accs = r.GetRecords<UnitAcc>();
      if (!r.ok() || accs.size() != records) return Corrupt("accumulators");
      for (const UnitAcc& a : accs) {
        if (!walk(a.more, used_days, [&](std::uint32_t i) { return s.day_cells[i].next; })) {
          return Corrupt("day cells");
        }
      }
    }
    internal::Dictionary& d = e.dims;
    d.attributes = r.GetStrings();
    d.values.resize(r.GetCount(8));
    for (auto& values : d.values) values = r.GetStrings();
    d.other = r.GetVector<std::uint16_t>();
    d.tuples = r.GetStrings();
    e.multi_variant_units = r.Get<std::int64_t>();
    e.late_exposures = r.Get<std::int64_t>();
    e.unknown_variant_exposures = r.Get<std::int64_t>();
    e.min_day = r.Get<std::int32_t>();
    if (!r.ok() || d.values.size() != d.attributes.size() || d.other.size() != d.attributes.size() ||
        d.attributes.size() > kMaxDimensionAttributes) {
      return Corrupt("dimensions");
    }
    for (std::size_t a = 0; a < d.attributes.size(); ++a) {
      if (d.values[a].size() > 65535 || (d.other[a] != internal::kNoValue && d.other[a] >= d.values[a].size())) {
        return Corrupt("dimension values");
      }
    }
    for (const std::string& t : d.tuples) {
      if (t.size() % 4 != 0) return Corrupt("dimension tuples");
      for (std::size_t pos = 0; pos < t.size(); pos += 4) {
        std::uint16_t a = 0;
        std::uint16_t v = 0;
        std::memcpy(&a, t.data() + pos, 2);
        std::memcpy(&v, t.data() + pos + 2, 2);
        if (a >= d.attributes.size() || v >= d.values[a].size()) return Corrupt("dimension tuples");
      }
    }
    d.Rebuild();
    for (std::size_t i = 0; i < records; ++i) {
      if (e.unit[i] >= units || e.tuple[i] >= d.tuples.size() ||
          (e.variant[i] >= e.variants.size() && e.variant[i] != internal::kMultiVariant)) {
        return Corrupt("experiment records");
      }
    }
  }
  for (const ExposureLink& l : s.links) {
    if (l.experiment >= s.experiments.size() || l.record >= s.experiments[l.experiment].first_ts.size() ||
        s.experiments[l.experiment].unit[l.record] >= units) {
      return Corrupt("exposure links");
    }
  }
  if (linked_records != s.links.size()) return Corrupt("exposure links");

  s.heap.resize(r.GetCount(48));
  for (Pending& p : s.heap) {
    p.ts = r.Get<EpochMillis>();
    p.seq = r.Get<std::uint64_t>();
    p.mask = r.Get<std::uint64_t>();
    p.value = r.Get<double>();
    p.unit = r.Get<std::uint32_t>();
    p.a = r.Get<std::uint32_t>();
    p.b = r.Get<std::uint32_t>();
    p.kind = r.Get<std::uint32_t>();
    const bool valid =
        p.unit < units && (p.kind == 0 ? p.a < s.experiments.size() && p.b < s.experiments[p.a].variants.size()
                                       : p.kind == 1 && p.a < s.name_selectors.size() &&
                                             static_cast<std::uint64_t>(p.b) * 64 < s.name_selectors[p.a].size());
    if (!r.ok() || !valid) return Corrupt("reorder buffer");
    if (p.kind == 0) {
      std::string packed = r.GetString();
      if (!packed.empty()) p.mask = std::uint64_t{s.StoreDims(packed)} + 1;
    } else {
      const std::size_t available = s.name_selectors[p.a].size() - static_cast<std::size_t>(p.b) * 64;
      if (available < 64 && (p.mask >> available) != 0) return Corrupt("reorder buffer");
    }
  }
  if (!std::is_heap(s.heap.begin(), s.heap.end(), internal::PendingLater{})) return Corrupt("reorder buffer order");
  if (!r.ok() || !r.done()) return Corrupt("trailing bytes");
  return Restored{Aggregator(std::move(impl)), std::move(position)};
}

}  // namespace sluice::aggregation
