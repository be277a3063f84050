// Internal to sluice_planning_io: typed access to JSON documents that records
// one Problem per missing, mistyped or unknown field instead of stopping.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/error_json.h"
#include "sluice/common/result.h"
#include "sluice/planning/io.h"

namespace sluice::planning::internal {

class JsonReader {
 public:
  explicit JsonReader(std::vector<Problem>& problems) : problems_(problems) {}

  void Add(std::string path, std::string message);

  // Type checks; false (and a Problem) when `v` has another type.
  bool Object(const Json& v, const std::string& path);
  bool Array(const Json& v, const std::string& path);

  // Records every key of `object` that is not in `known`.
  void Keys(const Json& object, const std::string& path, std::initializer_list<const char*> known);

  // The member, or nullptr; records "is required" when required and absent.
  const Json* Member(const Json& object, const char* key, const std::string& path, bool required);

  // A number member; `fallback` when absent or mistyped.
  double Number(const Json& object, const char* key, const std::string& path, bool required,
                double fallback = 0);
  std::optional<double> OptionalNumber(const Json& object, const char* key,
                                       const std::string& path);
  // A string member; "" when absent or mistyped.
  std::string String(const Json& object, const char* key, const std::string& path, bool required);

  // An array of numbers, or a single number repeated `repeat` times.
  std::vector<double> NumberOrNumbers(const Json& v, const std::string& path, std::size_t repeat);
  std::vector<double> Numbers(const Json& v, const std::string& path);

 private:
  double ToNumber(const Json& v, const std::string& path, double fallback);
  std::vector<Problem>& problems_;
};


// Structural problems first, then the semantic ones that do not concern a
// field already reported (same path or inside it).
std::vector<Problem> MergeProblems(std::vector<Problem> structural,
                                   const std::vector<Problem>& semantic);

// Prefixes every problem path with `prefix` ("input" + "lines[0]" -> "input.lines[0]").
void PrefixPaths(std::vector<Problem>& problems, const std::string& prefix);

}  // namespace sluice::planning::internal
