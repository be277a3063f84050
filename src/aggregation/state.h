// Internal state of the Aggregator (include/sluice/aggregation/aggregator.h).
//
// Layout, chosen for memory (docs/metrics.md, "Memory"):
//  - units are interned to dense indices 0..n-1 (UnitInterner);
//  - per (unit, experiment): one exposure record, stored column-wise in the
//    experiment (first time, unit, dimension tuple, variant), plus one link
//    in the unit's chain of experiments;
//  - per (unit, experiment, metric): one 32-byte UnitAcc, parallel to the
//    experiment's records; days after a unit's first active day go to
//    DayCells chained from it;
//  - per (unit, metric with a pre-period): PreCells, one per active day,
//    kept only while a future exposure may still need them.
//
// Invariants:
//  1. frontier is monotonic; every event with ts < frontier has been applied
//     (buffered events all have ts >= frontier at the time they arrived);
//  2. events leave the buffer in (ts, exposures first, arrival) order, and
//     released_through is the ts of the last one released;
//  3. a unit has at most one record per experiment; acc[slot].size() equals
//     the number of records for every slot;
//  4. every chain index is kNone or a valid index into its pool, and every
//     pool entry belongs to exactly one chain (pre_cells: or the free list).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/aggregation/aggregator.h"

namespace sluice::aggregation::internal {

inline constexpr std::uint32_t kNone = 0xFFFFFFFFu;
inline constexpr std::int32_t kNoDay = INT32_MIN;
inline constexpr std::uint16_t kMultiVariant = 0xFFFF;
inline constexpr std::uint16_t kNoValue = 0xFFFF;
inline constexpr EpochMillis kMaxTs = 253'402'300'800'000;  // 10000-01-01T00:00:00Z
inline constexpr EpochMillis kMaxReorderWindow = 30 * core::kDayMillis;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Unit id -> dense index. Ids live back to back in one arena.
class UnitInterner {
 public:
  std::uint32_t Intern(std::string_view id);
  std::optional<std::uint32_t> Find(std::string_view id) const;
  std::string_view Id(std::uint32_t index) const {
    return std::string_view(chars_).substr(offsets_[index], offsets_[index + 1] - offsets_[index]);
  }
  std::size_t size() const { return offsets_.size() - 1; }
  std::size_t bytes() const;

  const std::string& chars() const { return chars_; }
  const std::vector<std::uint64_t>& offsets() const { return offsets_; }
  // Replaces the content; false if the offsets are not a valid partition of chars.
  bool Load(std::string chars, std::vector<std::uint64_t> offsets);

 private:
  static std::uint64_t Hash(std::string_view id);
  void Rehash(std::size_t capacity);
  // Slot of `id` or of the empty slot where it belongs.
  std::size_t Probe(std::string_view id, std::uint64_t hash) const;

  std::string chars_;
  std::vector<std::uint64_t> offsets_{0};  // n + 1 entries
  // Open addressing: (hash high 32 bits << 32) | index + 1; 0 = empty.
  std::vector<std::uint64_t> table_;
};

// The running accumulator of one (unit, experiment, metric).
struct UnitAcc {
  double x = 0;                // metric value on `day` (conversion, retention: the 0/1 value)
  double y = 0;                // ratio denominator on `day`
  double pre = 0;              // pre-exposure value
  std::int32_t day = kNoDay;   // first active day (conversion: the day converted)
  std::uint32_t more = kNone;  // further days: chain in Impl::day_cells
};
static_assert(sizeof(UnitAcc) == 32);

struct DayCell {
  double x = 0;
  double y = 0;
  std::int32_t day = 0;
  std::uint32_t next = kNone;
};
static_assert(sizeof(DayCell) == 24);

// A unit's per-day total of one metric's events, kept for pre-exposure values.
struct PreCell {
  double value = 0;
  std::int32_t day = 0;
  std::uint32_t metric = 0;
  std::uint32_t next = kNone;
  std::uint32_t unused = 0;  // explicit padding
};
static_assert(sizeof(PreCell) == 24);

struct ExposureLink {
  std::uint32_t experiment = 0;
  std::uint32_t record = 0;
  std::uint32_t next = kNone;
};
static_assert(sizeof(ExposureLink) == 12);

// Dimension values of one experiment, interned; tuples are the distinct
// combinations units had at first exposure.
struct Dictionary {
  std::vector<std::string> attributes;           // attribute id -> name
  std::vector<std::vector<std::string>> values;  // [attribute][value id] -> value
  std::vector<std::uint16_t> other;              // [attribute] -> id of "(other)" or kNoValue
  std::vector<std::string> tuples;               // tuple id -> packed (u16 attribute, u16 value) pairs
  // Lookups, rebuilt from the above on restore.
  StringMap<std::uint16_t> attribute_index;
  std::vector<StringMap<std::uint16_t>> value_index;
  StringMap<std::uint32_t> tuple_index;
  // Packed exposure attributes -> tuple id, a shortcut for repeated attribute
  // sets (bounded; not checkpointed: interning is deterministic without it).
  StringMap<std::uint32_t> raw_tuples;
  static constexpr std::size_t kMaxRawTuples = 1024;

  void Rebuild();
  std::size_t bytes() const;
};

struct ExperimentState {
  std::string key;
  std::vector<std::string> variants;
  std::vector<std::uint32_t> metrics;   // slot -> metric index
  std::vector<core::MetricRole> roles;  // slot -> role (from the configuration, not checkpointed)
  // Records, one per exposed unit.
  std::vector<EpochMillis> first_ts;
  std::vector<std::uint32_t> unit;
  std::vector<std::uint32_t> tuple;
  std::vector<std::uint16_t> variant;     // kMultiVariant after a second variant
  std::vector<std::vector<UnitAcc>> acc;  // [slot][record]
  Dictionary dims;
  std::int64_t multi_variant_units = 0;
  std::int64_t late_exposures = 0;
  std::int64_t unknown_variant_exposures = 0;
  std::int32_t min_day = INT32_MAX;  // earliest first-exposure day

  int SlotOf(std::uint32_t metric) const {
    for (std::size_t s = 0; s < metrics.size(); ++s) {
      if (metrics[s] == metric) return static_cast<int>(s);
    }
    return -1;
  }
};

// One event selector of one metric (a ratio has two).
struct CompiledSelector {
  std::uint32_t metric = 0;
  bool denominator = false;
  bool sum = false;  // aggregate: sum of values (else count)
  std::vector<core::PropertyFilter> filter;
};

// A buffered event. Exposures sort before tracks of the same ts.
struct Pending {
  EpochMillis ts = 0;
  std::uint64_t seq = 0;   // arrival number
  std::uint64_t mask = 0;  // track: matched selectors among the name's [64 * chunk, 64 * chunk + 64);
                           // exposure: 1 + its slot in Impl::dims_slots, or 0 without attributes
  double value = 0;        // track: the event's value (0 when absent)
  std::uint32_t unit = 0;
  std::uint32_t a = 0;     // track: name id; exposure: experiment
  std::uint32_t b = 0;     // track: chunk; exposure: variant
  std::uint32_t kind = 0;  // 0 exposure, 1 track
};
static_assert(sizeof(Pending) == 48);

struct PendingLater {  // heap order: the smallest (ts, kind, seq) on top
  bool operator()(const Pending& l, const Pending& r) const {
    if (l.ts != r.ts) return l.ts > r.ts;
    if (l.kind != r.kind) return l.kind > r.kind;
    return l.seq > r.seq;
  }
};

}  // namespace sluice::aggregation::internal

namespace sluice::aggregation {

struct Aggregator::Impl {
  AggregatorOptions options;
  std::uint64_t fingerprint = 0;

  // From the configuration.
  std::vector<core::Metric> metrics;
  std::vector<internal::ExperimentState> experiments;
  internal::StringMap<std::uint32_t> experiment_index;
  internal::StringMap<std::uint32_t> names;                // event name -> name id
  std::vector<std::vector<std::uint32_t>> name_selectors;  // name id -> selector indices
  std::vector<internal::CompiledSelector> selectors;
  std::uint32_t max_pre_days = 0;

  // Per unit.
  internal::UnitInterner units;
  std::vector<std::uint32_t> unit_links;  // head of the unit's ExposureLink chain
  std::vector<std::uint32_t> unit_pre;    // head of the unit's PreCell chain
  // Pools.
  std::vector<internal::ExposureLink> links;
  std::vector<internal::DayCell> day_cells;
  std::vector<internal::PreCell> pre_cells;
  std::uint32_t pre_free = internal::kNone;

  // Time.
  EpochMillis watermark = INT64_MIN;         // newest event time seen
  EpochMillis frontier = INT64_MIN;          // complete_through
  EpochMillis released_through = INT64_MIN;  // ts of the last event released in order
  std::uint64_t seq = 0;
  std::vector<internal::Pending> heap;
  // Packed attributes of buffered exposures; a buffered exposure with
  // attributes has mask = slot + 1. Freed slots keep their capacity.
  std::vector<std::string> dims_slots;
  std::vector<std::uint32_t> dims_free;

  AggregatorCounters counters;
  // Scratch space reused across calls.
  std::vector<internal::Pending> scratch;
  std::string packed;
  std::string tuple_key;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> tuple_pairs;
  // metric -> experiments that use it and need its pre-exposure value
  std::vector<std::vector<std::uint32_t>> pre_experiments;

  // aggregator.cc
  static Result<std::unique_ptr<Impl>> Build(const core::Config& config, const AggregatorOptions& options);
  // Buffers `event` or, when late, applies it; the caller advances time.
  ApplyOutcome Take(const events::Event& event);
  void Process(const internal::Pending& p, std::string_view dims);
  void ProcessExposure(std::uint32_t unit, std::uint32_t experiment, std::uint16_t variant, EpochMillis ts,
                       std::string_view dims);
  void ProcessTrack(const internal::Pending& p);
  void AddPre(std::uint32_t unit, std::uint32_t metric, std::int32_t day, double value);
  // Whether some experiment using `metric` may still expose `unit` and need its pre-exposure value.
  bool MayNeedPre(std::uint32_t unit, std::uint32_t metric) const;
  double PreValue(std::uint32_t unit, std::uint32_t metric, std::int32_t exposure_day) const;
  void AddDay(internal::UnitAcc& acc, std::int32_t day, double x, double y);
  void Release(EpochMillis below);
  std::uint32_t InternTuple(internal::ExperimentState& e, std::string_view dims);
  std::uint32_t StoreDims(std::string_view packed);
  std::uint32_t NewPreCell();
  void EnsureUnit(std::uint32_t unit);
};

// Canonical hash of what shapes the state: experiments, variants, metric
// slots and definitions, options (checkpoint.cc).
std::uint64_t StateFingerprint(const core::Config& config, const AggregatorOptions& options);

}  // namespace sluice::aggregation
