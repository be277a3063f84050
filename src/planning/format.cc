#include "sluice/planning/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace sluice::planning {
namespace {

constexpr int kSignificant = 6;

// Inserts a comma every three digits of the integer part of `digits`.
std::string GroupThousands(const std::string& digits) {
  const std::size_t dot = digits.find('.');
  const std::size_t int_end = dot == std::string::npos ? digits.size() : dot;
  const std::size_t int_begin = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  std::string out = digits.substr(0, int_begin);
  for (std::size_t i = int_begin; i < int_end; ++i) {
    if (i > int_begin && (int_end - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out += digits.substr(int_end);
  return out;
}

std::string TrimZeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";
  char buf[64];
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e15 || magnitude < 1e-6) {
    std::snprintf(buf, sizeof buf, "%.*g", kSignificant, value);
    return buf;
  }
  const int int_digits = static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  const int decimals = std::max(0, kSignificant - int_digits);
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string s = TrimZeros(buf);
  if (s == "-0") s = "0";
  return GroupThousands(s);
}

std::string FormatPercent(double fraction) {
  if (!std::isfinite(fraction)) return FormatNumber(fraction);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", fraction * 100);
  std::string s = TrimZeros(buf);
  if (s == "-0") s = "0";
  return GroupThousands(s) + "%";
}

}  // namespace sluice::planning
