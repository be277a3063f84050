// Internal to the planning libraries: building Problems with field paths.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::planning::internal {

// "lines[2]" + "avg_price" -> "lines[2].avg_price"; an empty path gives the key.
std::string Field(std::string_view path, std::string_view key);
// "lines" + 2 -> "lines[2]".
std::string Index(std::string_view path, std::size_t i);
// "a, b, c" (at most 12 names, then ", ...").
std::string JoinNames(const std::vector<std::string>& names);
// The kInvalidArgument error for a document with problems.
Error InvalidInput(std::string_view document, std::vector<Problem> problems);

// Range checks that record one Problem per failure. `hint` (may be empty)
// says what the field is, e.g. "last year's average unit price". NaN fails
// every check.
class Checker {
 public:
  explicit Checker(std::vector<Problem>& out) : out_(out) {}

  void Add(std::string path, std::string message);
  void Positive(double v, const std::string& path, std::string_view hint = {});
  void NonNegative(double v, const std::string& path, std::string_view hint = {});
  void Fraction(double v, const std::string& path, std::string_view hint = {});       // [0, 1]
  void OpenFraction(double v, const std::string& path, std::string_view hint = {});   // [0, 1)
  void AboveMinusOne(double v, const std::string& path, std::string_view hint = {});  // > -1
  void AtMost(double v, double max, const std::string& path, std::string_view hint = {});

 private:
  void Fail(const std::string& path, double v, std::string_view rule, std::string_view hint);
  std::vector<Problem>& out_;
};

}  // namespace sluice::planning::internal
