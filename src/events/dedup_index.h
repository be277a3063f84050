// DedupIndex: the set of event ids accepted inside the deduplication window.
//
// An open-addressing hash set (linear probing) of 16-byte slots: 96 bits of
// the id's XXH3-128 (the low 64 bits pick the slot) and the event time in
// minutes since the epoch, plus one (0 marks an empty slot). With n ids
// accepted, the chance that two different ids share 96 bits is about
// n^2 / 2^97 (below 1e-11 for a billion ids).
//
// Invariants:
//  1. Capacity is a power of two and at most 75% of the slots are used.
//  2. When an insert would break (1), the table is rebuilt without the ids
//     whose whole event minute lies before the horizon, at twice the live
//     count (so memory follows the ids inside the window, not all ever seen).
//  3. An id stays until a rebuild finds it expired: Contains() may still
//     answer true for an id past the horizon, never false for one inside it.
//
// Thread-safety: none; EventLog guards it with its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "record.h"

namespace sluice::events::detail {

class DedupIndex {
 public:
  struct Entry {
    IdHash id;
    EpochMillis ts = 0;
  };

  DedupIndex();

  bool Contains(const IdHash& id) const;
  // Adds `id` (which must not be present). `horizon`: ids with an event time
  // before it may be dropped if the table is rebuilt.
  void Insert(const IdHash& id, EpochMillis ts, EpochMillis horizon);
  // Replaces the contents with `entries` (duplicates allowed), dropping the
  // ones before `horizon`.
  void Rebuild(const std::vector<Entry>& entries, EpochMillis horizon);
  void Prefetch(const IdHash& id) const;

  std::size_t size() const { return size_; }
  std::size_t bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t lo = 0;
    std::uint32_t hi = 0;
    std::uint32_t minute1 = 0;  // event minute + 1; 0 = empty
  };
  static_assert(sizeof(Slot) == 16);

  void Resize(std::size_t live, EpochMillis horizon);
  void Place(std::uint64_t lo, std::uint32_t hi, std::uint32_t minute1);  // no duplicate check

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sluice::events::detail
