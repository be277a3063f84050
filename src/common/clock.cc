#include "sluice/common/clock.h"

#include <chrono>

namespace sluice {

EpochMillis SystemClock::NowMillis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sluice
