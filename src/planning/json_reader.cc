#include "json_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "validation.h"

namespace sluice::planning::internal {

void JsonReader::Add(std::string path, std::string message) {
  problems_.push_back(Problem{std::move(path), std::move(message)});
}

bool JsonReader::Object(const Json& v, const std::string& path) {
  if (v.is_object()) return true;
  Add(path, "must be an object, not " + JsonTypeName(v));
  return false;
}

bool JsonReader::Array(const Json& v, const std::string& path) {
  if (v.is_array()) return true;
  Add(path, "must be an array, not " + JsonTypeName(v));
  return false;
}

void JsonReader::Keys(const Json& object, const std::string& path,
                      std::initializer_list<const char*> known) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.items()) {
    const bool ok =
        std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
    if (ok) continue;
    std::vector<std::string> names(known.begin(), known.end());
    Add(Field(path, key), "unknown field; expected one of " + JoinNames(names));
  }
}

const Json* JsonReader::Member(const Json& object, const char* key, const std::string& path,
                               bool required) {
  if (object.is_object()) {
    auto it = object.find(key);
    if (it != object.end()) return &*it;
  }
  if (required) Add(Field(path, key), "is required");
  return nullptr;
}

double JsonReader::ToNumber(const Json& v, const std::string& path, double fallback) {
  if (v.is_number()) return v.get<double>();
  Add(path, "must be a number, not " + JsonTypeName(v));
  return fallback;
}

double JsonReader::Number(const Json& object, const char* key, const std::string& path,
                          bool required, double fallback) {
  const Json* v = Member(object, key, path, required);
  return v ? ToNumber(*v, Field(path, key), fallback) : fallback;
}

std::optional<double> JsonReader::OptionalNumber(const Json& object, const char* key,
                                                 const std::string& path) {
  const Json* v = Member(object, key, path, false);
  if (!v) return std::nullopt;
  const std::size_t before = problems_.size();
  const double x = ToNumber(*v, Field(path, key), 0);
  if (problems_.size() != before) return std::nullopt;
  return x;
}

std::string JsonReader::String(const Json& object, const char* key, const std::string& path,
                               bool required) {
  const Json* v = Member(object, key, path, required);
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  Add(Field(path, key), "must be a string, not " + JsonTypeName(*v));
  return "";
}

std::vector<double> JsonReader::Numbers(const Json& v, const std::string& path) {
  std::vector<double> out;
  if (!Array(v, path)) return out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(ToNumber(v[i], Index(path, i), 0));
  return out;
}

std::vector<double> JsonReader::NumberOrNumbers(const Json& v, const std::string& path,
                                                std::size_t repeat) {
  if (v.is_number()) return std::vector<double>(repeat, v.get<double>());
  if (!v.is_array()) {
    Add(path, "must be a number or an array of numbers, not " + JsonTypeName(v));
    return std::vector<double>(repeat, 0.0);
  }
  return Numbers(v, path);
}

std::vector<Problem> MergeProblems(std::vector<Problem> structural,
                                   const std::vector<Problem>& semantic) {
  const std::size_t n = structural.size();
  for (const Problem& p : semantic) {
    bool covered = false;
    for (std::size_t i = 0; i < n && !covered; ++i) {
      const std::string& s = structural[i].path;
      covered = p.path == s || (p.path.size() > s.size() && p.path.compare(0, s.size(), s) == 0 &&
                                (p.path[s.size()] == '.' || p.path[s.size()] == '['));
    }
    if (!covered) structural.push_back(p);
  }
  return structural;
}

void PrefixPaths(std::vector<Problem>& problems, const std::string& prefix) {
  for (Problem& p : problems) p.path = Field(prefix, p.path);
}

}  // namespace sluice::planning::internal
