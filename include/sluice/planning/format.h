// Number formatting for planning explanations and reports.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

namespace sluice::planning {

// At most 6 significant digits, no exponent below 1e15, thousands separated
// by commas, trailing zeros dropped: 2100000 -> "2,100,000", 0.0625 ->
// "0.0625", 1.0/3 -> "0.333333". Non-finite values print as "inf", "-inf"
// or "nan".
std::string FormatNumber(double value);

// A fraction as a percentage with up to 2 decimals: 0.95 -> "95%",
// 0.93827 -> "93.83%".
std::string FormatPercent(double fraction);

}  // namespace sluice::planning
