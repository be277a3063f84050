// Internal to the market: typed reads of JSON documents that record one
// Problem per missing, mistyped, out-of-range or unknown field instead of
// stopping at the first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/error_json.h"
#include "sluice/common/result.h"
#include "sluice/market/config.h"

namespace sluice::market::internal {

// "a.b" (or "b" when `path` is empty), and "a[3]".
std::string FieldPath(const std::string& path, std::string_view key);
std::string IndexPath(const std::string& path, std::size_t index);


// A count of problems as the message of an Error that lists them.
Error ProblemsError(std::string_view what, std::vector<Problem> problems);

// An error about one field: message "path: message", and the Problem.
Error FieldError(ErrorCode code, const std::string& path, const std::string& message);

class Fields {
 public:
  explicit Fields(std::vector<Problem>& problems) : problems_(problems) {}

  void Add(std::string path, std::string message);
  bool Object(const Json& v, const std::string& path);
  bool Array(const Json& v, const std::string& path);
  // Records every key of `object` not in `known`.
  void Keys(const Json& object, const std::string& path, std::initializer_list<const char*> known);
  // The member or nullptr; records "is required" when required and absent.
  const Json* Member(const Json& object, std::string_view key, const std::string& path,
                     bool required);
  // A finite number.
  std::optional<double> Number(const Json& object, std::string_view key, const std::string& path,
                               bool required);
  // An integer in [min, max]; `unit` (e.g. "coins") completes range messages.
  std::optional<std::int64_t> Integer(const Json& object, std::string_view key,
                                      const std::string& path, bool required, std::int64_t min,
                                      std::int64_t max, std::string_view unit = "");
  // A string; non-empty unless `allow_empty`.
  std::optional<std::string> String(const Json& object, std::string_view key,
                                    const std::string& path, bool required,
                                    bool allow_empty = false);
  // An id (IsValidId).
  std::optional<std::string> Id(const Json& object, std::string_view key, const std::string& path,
                                bool required);
  // A date "YYYY-MM-DD", or a range when `allow_range`.
  std::optional<DayRange> Days(const Json& v, const std::string& path, bool allow_range);

  bool ok() const { return problems_.empty(); }

 private:
  std::vector<Problem>& problems_;
};

// Thousands separated by commas: 1234567 -> "1,234,567".
std::string Coins(std::int64_t coins);

// A number for messages: whole numbers without a fraction ("0", "-3"), others
// with up to 10 significant digits ("0.25").
std::string Number(double value);

}  // namespace sluice::market::internal
