#include "sluice/stats/stats_result.h"

#include <string>

namespace sluice::stats {

std::string_view StatsErrorName(StatsError error) {
  switch (error) {
    case StatsError::kInvalidInput:
      return "invalid_input";
    case StatsError::kNoUnits:
      return "no_units";
    case StatsError::kInsufficientUnits:
      return "insufficient_units";
    case StatsError::kZeroControlMean:
      return "zero_control_mean";
    case StatsError::kZeroDenominator:
      return "zero_denominator";
    case StatsError::kZeroCovariateVariance:
      return "zero_covariate_variance";
    case StatsError::kZeroVariance:
      return "zero_variance";
  }
  return "invalid_input";
}

std::string_view StatsErrorDescription(StatsError error) {
  switch (error) {
    case StatsError::kInvalidInput:
      return "the input is impossible (negative count, conversions above n, alpha or power "
             "outside (0, 1), ...); fix the input";
    case StatsError::kNoUnits:
      return "an arm has no units yet; wait for traffic";
    case StatsError::kInsufficientUnits:
      return "an arm has a single unit, so its variance is undefined; wait for more units";
    case StatsError::kZeroControlMean:
      return "the control mean is 0, so a relative lift is undefined; report the absolute "
             "difference instead";
    case StatsError::kZeroDenominator:
      return "a ratio metric's denominator sums to 0 in an arm; wait for denominator events";
    case StatsError::kZeroCovariateVariance:
      return "the CUPED covariate is constant, so it cannot reduce variance; analyse without "
             "CUPED";
    case StatsError::kZeroVariance:
      return "the metric has no variance, so the standard error is 0; nothing to test";
  }
  return "unknown statistics error";
}

Error ToError(StatsError error) {
  const ErrorCode code = error == StatsError::kInvalidInput ? ErrorCode::kInvalidArgument
                                                            : ErrorCode::kFailedPrecondition;
  std::string message(StatsErrorName(error));
  message += ": ";
  message += StatsErrorDescription(error);
  return MakeError(code, std::move(message));
}

}  // namespace sluice::stats
