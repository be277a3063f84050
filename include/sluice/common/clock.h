// Clock: the only way sluice code reads the time, so tests can fix it.
//
// Times are Unix epoch milliseconds (UTC) in an int64.
// Implementations must be safe to call from several threads.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice {

using EpochMillis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual EpochMillis NowMillis() const = 0;
};

// Wall-clock time from the operating system.
class SystemClock final : public Clock {
 public:
  EpochMillis NowMillis() const override;
};

// A clock that only moves when told to; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(EpochMillis start) : now_(start) {}
  EpochMillis NowMillis() const override { return now_.load(); }
  void Set(EpochMillis t) { now_.store(t); }
  void Advance(EpochMillis delta) { now_.fetch_add(delta); }

 private:
  std::atomic<EpochMillis> now_;
};

}  // namespace sluice
