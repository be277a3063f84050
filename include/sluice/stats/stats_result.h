// StatsResult<T>: the outcome of a statistics function, a value or a StatsError.
//
// Degenerate input (an empty arm, zero variance, ...) is an expected outcome of
// real experiments, not a bug, so every statistics function returns a coded
// "cannot compute" value instead of NaN, infinity or an exception. Outputs of
// a successful call are always finite.
//
// The codes and their precedence are part of the reference contract
// (shared/reference/README.md, "Error codes"): when several apply, the first in
// the enum order below wins (zero_control_mean, zero_denominator and
// zero_covariate_variance never apply together).
//
// Thread-safety: plain values.
#pragma once

#include <cassert>
#include <string_view>
#include <utility>
#include <variant>

#include "sluice/common/result.h"

namespace sluice::stats {

enum class StatsError {
  kInvalidInput,           // impossible input: negative count, alpha outside (0,1), ...
  kNoUnits,                // an arm has n = 0 (SRM: all counts are 0)
  kInsufficientUnits,      // an arm has n = 1 where a ddof=1 variance is needed
  kZeroControlMean,        // relative lift with control mean exactly 0
  kZeroDenominator,        // ratio metric with a denominator sum of 0 in an arm
  kZeroCovariateVariance,  // CUPED covariate has pooled variance 0
  kZeroVariance,           // the standard error (power: sd) is exactly 0
};

// Stable snake_case name, e.g. "zero_variance" (the reference's error code).
std::string_view StatsErrorName(StatsError error);

// A sentence saying what the code means and what to do about it.
std::string_view StatsErrorDescription(StatsError error);

// For callers that speak sluice::Error (API, CLI): kInvalidArgument for
// kInvalidInput, kFailedPrecondition (collect more data first) otherwise; the
// message starts with the stable name, e.g. "zero_variance: ...".
Error ToError(StatsError error);

template <typename T>
class [[nodiscard]] StatsResult {
 public:
  StatsResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  StatsResult(StatsError error) : v_(std::in_place_index<1>, error) {}    // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }

  StatsError error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, StatsError> v_;
};

}  // namespace sluice::stats
