// DecisionWriter must print exactly what DecisionToJson(...).dump() prints.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "sluice/core/decision_json.h"

namespace sluice::core {
namespace {

Config Load(const std::string& text) {
  Result<Config> config = ParseConfigText(text);
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().ToString());
  return std::move(config).value();
}

std::string DemoText() {
  std::ifstream in(SLUICE_SOURCE_DIR "/examples/demo.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Values and unit ids that need escaping, flags out of key order, a holdout.
constexpr const char* kAwkward = R"({
  "attributes": [{"name": "country", "type": "string"}],
  "layers": [{"key": "l1"}, {"key": "l2"}],
  "holdouts": [{"key": "hold", "share": 10, "layers": ["l2"]}],
  "experiments": [
    {"key": "e1", "layer": "l1", "status": "running", "traffic_share": 60,
     "variants": [{"key": "control", "weight": 50, "params": {"s": "a\n\"b\u00e9\u4e2d", "n": 1.5, "o": {"z": [1, null]}}},
                  {"key": "t", "weight": 50, "params": {"s": "x", "n": -2, "o": {}}}]},
    {"key": "stopped", "layer": "l2", "status": "stopped", "traffic_share": 50,
     "variants": [{"key": "control", "weight": 50, "params": {}}, {"key": "b", "weight": 50}]}
  ],
  "flags": [
    {"key": "zeta", "type": "string", "default": "d",
     "rules": [{"experiment": "e1", "param": "s"}]},
    {"key": "Alpha", "type": "json", "default": {"b": 1, "a": [true]}, "kill_switch": true},
    {"key": "mid", "type": "number", "default": 0,
     "rules": [{"audience": {"attr": "country", "op": "eq", "value": "NL"}, "value": 7},
               {"rollout": [{"value": 1, "weight": 30}, {"value": 2, "weight": 70}]}]}
  ]})";

void ExpectSameText(const std::string& config_text) {
  Engine engine(Load(config_text));
  DecisionWriter writer(engine);
  Scratch scratch;
  Decision decision;
  std::mt19937 random(7);
  const char* countries[] = {"NL", "CN", "US"};
  for (int i = 0; i < 3000; ++i) {
    std::string unit = "user-" + std::to_string(random());
    if (i % 97 == 0) unit += "\x01\"\\\xe4\xb8\xad";  // control, quote, backslash, UTF-8
    std::vector<AttributeInput> attrs = {AttributeInput::String("country", countries[i % 3]),
                                         AttributeInput::String("platform", i % 2 ? "ios" : "web"),
                                         AttributeInput::Bool("is_new_user", i % 5 == 0)};
    engine.Decide(UnitInput{unit, attrs, 1'795'000'000'000}, scratch, decision);
    Json expected = DecisionToJson(engine, unit, decision);
    std::string text;
    writer.Write(unit, decision, text);
    ASSERT_EQ(text, expected.dump()) << unit;
    expected["config_version"] = 42;
    text.clear();
    writer.Write(unit, decision, text, 42);
    ASSERT_EQ(text, expected.dump()) << unit;
  }
}

TEST(DecisionWriterTest, SameTextAsTheJsonTreeOnTheDemo) { ExpectSameText(DemoText()); }

TEST(DecisionWriterTest, SameTextWithEscapesHoldoutsAndEveryFlagReason) { ExpectSameText(kAwkward); }

TEST(DecisionWriterTest, AppendJsonStringEscapesLikeDump) {
  for (std::string s : {std::string(""), std::string("plain"), std::string("q\"b\\s/"),
                        std::string("\b\f\n\r\t\x01\x1f\x7f"), std::string("\xe4\xb8\xad\xc3\xa9")}) {
    std::string out;
    AppendJsonString(s, out);
    EXPECT_EQ(out, Json(s).dump());
  }
}

}  // namespace
}  // namespace sluice::core
