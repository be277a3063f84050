#include "sluice/store/json_diff.h"

#include <string>

namespace sluice::store {
namespace {

using Json = nlohmann::json;

std::string ChildPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string IndexPath(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

void Add(Json& out, const std::string& path, const char* op, const Json* before,
         const Json* after) {
  Json entry = {{"path", path}, {"op", op}};
  if (before != nullptr) entry["before"] = *before;
  if (after != nullptr) entry["after"] = *after;
  out.push_back(std::move(entry));
}

void Diff(const Json& before, const Json& after, const std::string& path, Json& out);

void DiffObjects(const Json& before, const Json& after, const std::string& path, Json& out) {
  for (const auto& [key, value] : before.items()) {
    auto it = after.find(key);
    if (it == after.end()) {
      Add(out, ChildPath(path, key), "removed", &value, nullptr);
    } else {
      Diff(value, *it, ChildPath(path, key), out);
    }
  }
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key)) Add(out, ChildPath(path, key), "added", nullptr, &value);
  }
}

void DiffArrays(const Json& before, const Json& after, const std::string& path, Json& out) {
  const std::size_t common = std::min(before.size(), after.size());
  for (std::size_t i = 0; i < common; ++i) Diff(before[i], after[i], IndexPath(path, i), out);
  for (std::size_t i = common; i < before.size(); ++i) {
    Add(out, IndexPath(path, i), "removed", &before[i], nullptr);
  }
  for (std::size_t i = common; i < after.size(); ++i) {
    Add(out, IndexPath(path, i), "added", nullptr, &after[i]);
  }
}

void Diff(const Json& before, const Json& after, const std::string& path, Json& out) {
  if (before.is_object() && after.is_object()) return DiffObjects(before, after, path, out);
  if (before.is_array() && after.is_array()) return DiffArrays(before, after, path, out);
  if (before != after) Add(out, path, "changed", &before, &after);
}

}  // namespace

Json DiffJson(const Json& before, const Json& after) {
  Json out = Json::array();
  if (before.is_null() && !after.is_null()) {
    Add(out, "", "added", nullptr, &after);
    return out;
  }
  Diff(before, after, "", out);
  return out;
}

}  // namespace sluice::store
