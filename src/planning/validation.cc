#include "validation.h"

#include <cmath>
#include <utility>

#include "sluice/planning/format.h"

namespace sluice::planning::internal {

std::string Field(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string Index(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string JoinNames(const std::vector<std::string>& names) {
  constexpr std::size_t kMaxNames = 12;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxNames; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kMaxNames) out += ", ...";
  if (names.empty()) out = "(none)";
  return out;
}

Error InvalidInput(std::string_view document, std::vector<Problem> problems) {
  std::string message = std::string(document) + " has " + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem; fix it" : " problems; fix them") +
                        " and try again";
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(problems)};
}

void Checker::Add(std::string path, std::string message) {
  out_.push_back(Problem{std::move(path), std::move(message)});
}

void Checker::Fail(const std::string& path, double v, std::string_view rule,
                   std::string_view hint) {
  std::string message = "is " + FormatNumber(v) + "; it must be " + std::string(rule);
  if (!hint.empty()) message += " (" + std::string(hint) + ")";
  Add(path, std::move(message));
}

void Checker::Positive(double v, const std::string& path, std::string_view hint) {
  if (!(std::isfinite(v) && v > 0)) Fail(path, v, "> 0", hint);
}

void Checker::NonNegative(double v, const std::string& path, std::string_view hint) {
  if (!(std::isfinite(v) && v >= 0)) Fail(path, v, ">= 0", hint);
}

void Checker::Fraction(double v, const std::string& path, std::string_view hint) {
  if (!(v >= 0 && v <= 1)) Fail(path, v, "in [0, 1]", hint);
}

void Checker::OpenFraction(double v, const std::string& path, std::string_view hint) {
  if (!(v >= 0 && v < 1)) Fail(path, v, "in [0, 1)", hint);
}

void Checker::AboveMinusOne(double v, const std::string& path, std::string_view hint) {
  if (!(std::isfinite(v) && v > -1)) Fail(path, v, "> -1", hint);
}

void Checker::AtMost(double v, double max, const std::string& path, std::string_view hint) {
  if (!(v <= max)) Fail(path, v, "<= " + FormatNumber(max), hint);
}

}  // namespace sluice::planning::internal
