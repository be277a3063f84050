// A readable structural diff between two JSON documents, used as the audit
// trail of every configuration version.
//
// Output: a JSON array of {"path", "op", "before"?, "after"?} where op is
// "added" (only after), "removed" (only before) or "changed" (both). Paths
// look like `experiments[2].variants[0].weight`; the document root is "".
// Objects are compared key by key (sorted); arrays element by element by
// index, with trailing elements added or removed. A change of JSON type at a
// path is reported as one "changed" entry for the whole value.
//
// Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace sluice::store {

nlohmann::json DiffJson(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace sluice::store
