#include "dedup_index.h"

#include <algorithm>
#include <bit>

namespace sluice::events::detail {
namespace {

constexpr std::size_t kMinCapacity = 1024;
constexpr EpochMillis kMinute = 60'000;

std::uint32_t Minute1(EpochMillis ts) { return static_cast<std::uint32_t>(ts / kMinute) + 1; }
// The whole minute lies before the horizon.
bool Expired(std::uint32_t minute1, EpochMillis horizon) {
  return static_cast<EpochMillis>(minute1) * kMinute <= horizon;
}
std::size_t CapacityFor(std::size_t live) { return std::max(kMinCapacity, std::bit_ceil(2 * (live + 1))); }

}  // namespace

DedupIndex::DedupIndex() : slots_(kMinCapacity), mask_(kMinCapacity - 1) {}

bool DedupIndex::Contains(const IdHash& id) const {
  const auto hi = static_cast<std::uint32_t>(id.hi);
  for (std::size_t i = id.lo & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.minute1 == 0) return false;
    if (s.lo == id.lo && s.hi == hi) return true;
  }
}

void DedupIndex::Prefetch(const IdHash& id) const { __builtin_prefetch(&slots_[id.lo & mask_]); }

void DedupIndex::Place(std::uint64_t lo, std::uint32_t hi, std::uint32_t minute1) {
  std::size_t i = lo & mask_;
  while (slots_[i].minute1 != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{lo, hi, minute1};
  ++size_;
}

void DedupIndex::Insert(const IdHash& id, EpochMillis ts, EpochMillis horizon) {
  if (4 * (size_ + 1) > 3 * slots_.size()) {
    std::size_t live = 0;
    for (const Slot& s : slots_) live += s.minute1 != 0 && !Expired(s.minute1, horizon);
    Resize(live, horizon);
  }
  Place(id.lo, static_cast<std::uint32_t>(id.hi), Minute1(ts));
}

void DedupIndex::Resize(std::size_t live, EpochMillis horizon) {
  std::vector<Slot> old(CapacityFor(live));
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  size_ = 0;
  for (const Slot& s : old) {
    if (s.minute1 != 0 && !Expired(s.minute1, horizon)) Place(s.lo, s.hi, s.minute1);
  }
}

void DedupIndex::Rebuild(const std::vector<Entry>& entries, EpochMillis horizon) {
  // The smallest table that holds them at most 70% full: a rebuilt index is
  // as compact as invariant 1 allows (10 M ids: 16 M slots, 256 MiB).
  std::vector<Slot>(std::max(kMinCapacity, std::bit_ceil(entries.size() * 10 / 7 + 1))).swap(slots_);
  mask_ = slots_.size() - 1;
  size_ = 0;
  constexpr std::size_t kAhead = 16;  // prefetch distance: random slots miss the cache
  for (std::size_t k = 0; k < entries.size(); ++k) {
    if (k + kAhead < entries.size()) Prefetch(entries[k + kAhead].id);
    const Entry& e = entries[k];
    if (e.ts < 0 || Expired(Minute1(e.ts), horizon)) continue;
    const auto hi = static_cast<std::uint32_t>(e.id.hi);
    std::size_t i = e.id.lo & mask_;
    bool present = false;
    for (; slots_[i].minute1 != 0; i = (i + 1) & mask_) {
      if (slots_[i].lo == e.id.lo && slots_[i].hi == hi) {
        present = true;
        break;
      }
    }
    if (present) continue;
    slots_[i] = Slot{e.id.lo, hi, Minute1(e.ts)};
    ++size_;
  }
}

}  // namespace sluice::events::detail
