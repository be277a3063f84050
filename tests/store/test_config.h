// Small valid and invalid configuration documents shared by store and server tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace sluice::testing {

// A minimal valid configuration: one layer, one running 50/50 experiment whose
// variants carry `color_a`/`color_b`, and one flag whose default is `flag_default`.
inline nlohmann::json SmallConfig(const std::string& color_a = "blue",
                                  const std::string& color_b = "green",
                                  const std::string& flag_default = "off") {
  return nlohmann::json::parse(R"({
    "attributes": [{"name": "country", "type": "string"}],
    "layers": [{"key": "main"}],
    "experiments": [{
      "key": "button", "layer": "main", "status": "running", "traffic_share": 100,
      "variants": [
        {"key": "control", "weight": 50, "params": {"color": ")" +
                               color_a + R"("}},
        {"key": "treatment", "weight": 50, "params": {"color": ")" +
                               color_b + R"("}}
      ]
    }],
    "flags": [{"key": "banner", "type": "string", "default": ")" +
                               flag_default + R"("}]
  })");
}

// Invalid in two places: weights sum to 90, and the experiment names an unknown layer.
inline nlohmann::json InvalidConfig() {
  nlohmann::json doc = SmallConfig();
  doc["experiments"][0]["variants"][1]["weight"] = 40;
  doc["experiments"].push_back(doc["experiments"][0]);
  doc["experiments"][1]["key"] = "other";
  doc["experiments"][1]["layer"] = "nowhere";
  return doc;
}

}  // namespace sluice::testing
