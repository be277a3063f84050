// Shared helpers for the statistics tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>

#include "sluice/stats/stats_result.h"

namespace sluice::stats {

// |got − want| <= rel·|want| (and both finite).
inline ::testing::AssertionResult RelNear(double got, double want, double rel) {
  if (std::isfinite(got) && std::fabs(got - want) <= rel * std::fabs(want)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << got << ", want " << want << " (relative error "
         << std::fabs(got - want) / std::fabs(want) << " > " << rel << ")";
}

// The result failed with exactly `want`.
template <typename T>
::testing::AssertionResult FailsWith(const StatsResult<T>& result, StatsError want) {
  if (result.ok())
    return ::testing::AssertionFailure() << "succeeded, want " << StatsErrorName(want);
  if (result.error() == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "failed with " << StatsErrorName(result.error()) << ", want " << StatsErrorName(want);
}

}  // namespace sluice::stats
