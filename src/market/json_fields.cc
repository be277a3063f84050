#include "json_fields.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace sluice::market::internal {

std::string FieldPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string IndexPath(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Error ProblemsError(std::string_view what, std::vector<Problem> problems) {
  if (problems.size() == 1) {
    return Error{ErrorCode::kInvalidArgument, problems[0].path + ": " + problems[0].message,
                 std::move(problems)};
  }
  std::string message = std::string(what) + " has " + std::to_string(problems.size()) +
                        " problems; fix them and try again";
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(problems)};
}

Error FieldError(ErrorCode code, const std::string& path, const std::string& message) {
  return Error{code, path + ": " + message, {Problem{path, message}}};
}

void Fields::Add(std::string path, std::string message) {
  problems_.push_back(Problem{std::move(path), std::move(message)});
}

bool Fields::Object(const Json& v, const std::string& path) {
  if (v.is_object()) return true;
  Add(path.empty() ? "(document)" : path, "must be a JSON object, not " + JsonTypeName(v));
  return false;
}

bool Fields::Array(const Json& v, const std::string& path) {
  if (v.is_array()) return true;
  Add(path, "must be an array, not " + JsonTypeName(v));
  return false;
}

void Fields::Keys(const Json& object, const std::string& path,
                  std::initializer_list<const char*> known) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (found) continue;
    std::string names;
    for (const char* k : known) names += (names.empty() ? "" : ", ") + std::string(k);
    Add(FieldPath(path, key), "unknown field; remove it or use one of " + names);
  }
}

const Json* Fields::Member(const Json& object, std::string_view key, const std::string& path,
                           bool required) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || (it->is_null() && !required)) {
    if (required) Add(FieldPath(path, key), "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<double> Fields::Number(const Json& object, std::string_view key,
                                     const std::string& path, bool required) {
  const Json* v = Member(object, key, path, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    Add(FieldPath(path, key), "must be a number, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!std::isfinite(d)) {
    Add(FieldPath(path, key), "must be a finite number");
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> Fields::Integer(const Json& object, std::string_view key,
                                            const std::string& path, bool required,
                                            std::int64_t min, std::int64_t max,
                                            std::string_view unit) {
  const Json* v = Member(object, key, path, required);
  if (v == nullptr) return std::nullopt;
  const std::string field = FieldPath(path, key);
  const std::string suffix = unit.empty() ? "" : " " + std::string(unit);
  const bool coins = unit == "coins";
  const std::string range = "it must be a whole number from " +
                            (coins ? Coins(min) : std::to_string(min)) + " to " +
                            (coins ? Coins(max) : std::to_string(max)) + suffix;
  std::optional<std::int64_t> value;
  if (v->is_number_unsigned()) {
    const std::uint64_t u = v->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(max)) value = static_cast<std::int64_t>(u);
  } else if (v->is_number_integer()) {
    value = v->get<std::int64_t>();
  } else if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9e15) {
      value = static_cast<std::int64_t>(d);
    } else {
      Add(field, "is " + v->dump() + "; " + range);
      return std::nullopt;
    }
  } else {
    Add(field, "must be a whole number, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  if (!value || *value < min || *value > max) {
    Add(field, "is " + v->dump() + "; " + range);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> Fields::String(const Json& object, std::string_view key,
                                          const std::string& path, bool required,
                                          bool allow_empty) {
  const Json* v = Member(object, key, path, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Add(FieldPath(path, key), "must be a string, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  std::string s = v->get<std::string>();
  if (s.empty() && !allow_empty) {
    Add(FieldPath(path, key), "must not be empty");
    return std::nullopt;
  }
  if (s.size() > 1000) {
    Add(FieldPath(path, key),
        "is " + std::to_string(s.size()) + " characters long; keep it to at most 1000");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Fields::Id(const Json& object, std::string_view key,
                                      const std::string& path, bool required) {
  std::optional<std::string> s = String(object, key, path, required);
  if (!s) return std::nullopt;
  if (!IsValidId(*s)) {
    Add(FieldPath(path, key), "\"" + s->substr(0, 80) +
                                  "\" is not a valid id; use 1 to 64 letters, digits, '.', "
                                  "'_' or '-'");
    return std::nullopt;
  }
  return s;
}

std::optional<DayRange> Fields::Days(const Json& v, const std::string& path, bool allow_range) {
  if (!v.is_string()) {
    Add(path, std::string("must be a date string \"YYYY-MM-DD\"") +
                  (allow_range ? " or a range \"YYYY-MM-DD..YYYY-MM-DD\"" : "") + ", not " +
                  JsonTypeName(v));
    return std::nullopt;
  }
  const std::string text = v.get<std::string>();
  if (!allow_range && text.find("..") != std::string::npos) {
    Add(path, "must be a single date YYYY-MM-DD, not a range");
    return std::nullopt;
  }
  Result<DayRange> range = ParseDayRange(text);
  if (!range.ok()) {
    Add(path, range.error().message);
    return std::nullopt;
  }
  return *range;
}

std::string Coins(std::int64_t coins) {
  const bool negative = coins < 0;
  std::string digits = std::to_string(coins);
  if (negative) digits.erase(0, 1);
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string Number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

}  // namespace sluice::market::internal
