#include "sluice/stats/multiple_testing.h"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <utility>
#include <vector>

#include "checks.h"

namespace sluice::stats {
namespace {

bool ValidFamily(std::span<const double> p_values, double alpha) {
  if (!internal::InOpenUnitInterval(alpha)) return false;
  return std::all_of(p_values.begin(), p_values.end(), [](double p) { return p >= 0 && p <= 1; });
}

// Indices of p_values in ascending order of p (ties keep input order; the
// adjusted values do not depend on how ties are ordered).
std::vector<size_t> AscendingOrder(std::span<const double> p_values) {
  std::vector<size_t> order(p_values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  return order;
}

MultipleTestingResult WithRejections(std::vector<double> adjusted, double alpha) {
  MultipleTestingResult r;
  r.rejected.reserve(adjusted.size());
  for (double a : adjusted) r.rejected.push_back(a <= alpha);
  r.adjusted = std::move(adjusted);
  return r;
}

}  // namespace

StatsResult<MultipleTestingResult> Holm(std::span<const double> p_values, double alpha) {
  if (!ValidFamily(p_values, alpha)) return StatsError::kInvalidInput;
  const size_t m = p_values.size();
  std::vector<double> adjusted(m);
  double running_max = 0;  // max over j <= rank of the step-down values
  const std::vector<size_t> order = AscendingOrder(p_values);
  for (size_t rank = 0; rank < m; ++rank) {
    const size_t i = order[rank];
    running_max = std::max(running_max, std::min(1.0, static_cast<double>(m - rank) * p_values[i]));
    adjusted[i] = running_max;
  }
  return WithRejections(std::move(adjusted), alpha);
}

StatsResult<MultipleTestingResult> BenjaminiHochberg(std::span<const double> p_values,
                                                     double alpha) {
  if (!ValidFamily(p_values, alpha)) return StatsError::kInvalidInput;
  const size_t m = p_values.size();
  std::vector<double> adjusted(m);
  double running_min = 1.0;  // min over j >= rank of the step-up values
  const std::vector<size_t> order = AscendingOrder(p_values);
  for (size_t rank = m; rank-- > 0;) {
    const size_t i = order[rank];
    running_min =
        std::min(running_min, p_values[i] * static_cast<double>(m) / static_cast<double>(rank + 1));
    adjusted[i] = running_min;
  }
  return WithRejections(std::move(adjusted), alpha);
}

}  // namespace sluice::stats
