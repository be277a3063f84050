#include "sluice/core/engine.h"

#include <gtest/gtest.h>

#include "sluice/core/decision_json.h"

namespace sluice::core {
namespace {

const EpochMillis kNov23 = *ParseTimestamp("2026-11-23T00:00:00Z");

Json TwoVariants() {
  return {{{"key", "control"}, {"weight", 50}, {"params", {{"color", "blue"}}}},
          {{"key", "treatment"}, {"weight", 50}, {"params", {{"color", "orange"}}}}};
}

Json BaseConfig() {
  return {{"attributes", {{{"name", "country"}, {"type", "string"}}}},
          {"layers", {{{"key", "home"}}, {{"key", "push"}}}},
          {"experiments",
           {{{"key", "exp"}, {"layer", "home"}, {"status", "running"}, {"traffic_share", 100},
             {"variants", TwoVariants()}}}},
          {"flags", Json::array()}};
}

class EngineTest : public ::testing::Test {
 protected:
  void Load(const Json& doc) {
    Result<Config> config = ParseConfig(doc);
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    engine_ = std::make_unique<Engine>(std::move(config).value());
  }

  // The decision as JSON, for readable assertions.
  Json Decide(std::string_view unit, const Json& attributes = Json::object(), EpochMillis now = kNov23) {
    std::vector<AttributeInput> inputs;
    std::vector<std::string_view> lists;
    EXPECT_TRUE(AttributesFromJson(attributes, inputs, lists).ok());
    engine_->Decide(UnitInput{unit, inputs, now}, scratch_, decision_);
    return DecisionToJson(*engine_, unit, decision_);
  }

  // The one experiment entry with `key`, or null.
  Json Entry(const Json& decision, std::string_view key) {
    for (const Json& e : decision["experiments"]) {
      if (e["key"] == key) return e;
    }
    return nullptr;
  }

  std::unique_ptr<Engine> engine_;
  Scratch scratch_;
  Decision decision_;
};

TEST_F(EngineTest, FullTrafficExperimentAssignsEveryUnitWithExposure) {
  Load(BaseConfig());
  for (int i = 0; i < 100; ++i) {
    Json e = Entry(Decide("u" + std::to_string(i)), "exp");
    ASSERT_FALSE(e.is_null());
    EXPECT_EQ(e["reason"], "bucket");
    EXPECT_EQ(e["log_exposure"], true);
    EXPECT_EQ(e["params"]["color"], e["variant"] == "control" ? "blue" : "orange");
  }
}

TEST_F(EngineTest, AssignmentIsDeterministicAndIgnoresConfigOrder) {
  Json doc = BaseConfig();
  doc["experiments"].push_back({{"key", "push-exp"}, {"layer", "push"}, {"status", "running"},
                                {"traffic_share", 100}, {"variants", TwoVariants()}});
  Load(doc);
  Json first = Decide("user-1");
  std::swap(doc["experiments"][0], doc["experiments"][1]);
  Load(doc);
  EXPECT_EQ(Entry(Decide("user-1"), "exp"), Entry(first, "exp"));
  EXPECT_EQ(Entry(Decide("user-1"), "push-exp"), Entry(first, "push-exp"));
}

TEST_F(EngineTest, WhitelistOverridesBucketAudienceAndHoldout) {
  Json doc = BaseConfig();
  doc["experiments"][0]["audience"] = {{"attr", "country"}, {"op", "eq"}, {"value", "CN"}};
  doc["experiments"][0]["traffic_share"] = 0.01;
  doc["experiments"][0]["whitelist"] = {{"qa-1", "treatment"}};
  doc["holdouts"] = {{{"key", "all"}, {"share", 100}, {"layers", {"home"}}}};
  Load(doc);
  Json e = Entry(Decide("qa-1", {{"country", "US"}}), "exp");
  EXPECT_EQ(e["variant"], "treatment");
  EXPECT_EQ(e["reason"], "whitelist");
  EXPECT_EQ(e["log_exposure"], false);
}

TEST_F(EngineTest, HoldoutKeepsUnitsOutOfCoveredLayers) {
  Json doc = BaseConfig();
  doc["experiments"].push_back({{"key", "push-exp"}, {"layer", "push"}, {"status", "running"},
                                {"traffic_share", 100}, {"variants", TwoVariants()}});
  doc["holdouts"] = {{{"key", "h"}, {"share", 10}, {"layers", {"home"}}}};
  Load(doc);
  int held = 0;
  for (int i = 0; i < 10000; ++i) {
    Json d = Decide("u" + std::to_string(i));
    bool in_holdout = !d["holdouts"].empty();
    held += in_holdout;
    EXPECT_EQ(Entry(d, "exp").is_null(), in_holdout);
    EXPECT_FALSE(Entry(d, "push-exp").is_null());  // the holdout does not cover push
  }
  EXPECT_NEAR(held, 1000, 150);
}

TEST_F(EngineTest, AudienceMismatchLeavesUnitOutWithoutRerouting) {
  Json doc = BaseConfig();
  doc["experiments"][0]["audience"] = {{"attr", "country"}, {"op", "eq"}, {"value", "CN"}};
  Load(doc);
  EXPECT_TRUE(Entry(Decide("u1", {{"country", "US"}}), "exp").is_null());
  EXPECT_TRUE(Entry(Decide("u1"), "exp").is_null());
  EXPECT_FALSE(Entry(Decide("u1", {{"country", "CN"}}), "exp").is_null());
}

TEST_F(EngineTest, PausedStoppedAndEndedServeControlWithoutExposure) {
  for (const char* status : {"paused", "stopped"}) {
    Json doc = BaseConfig();
    doc["experiments"][0]["status"] = status;
    Load(doc);
    for (int i = 0; i < 50; ++i) {
      Json e = Entry(Decide("u" + std::to_string(i)), "exp");
      EXPECT_EQ(e["variant"], "control");
      EXPECT_EQ(e["reason"], status);
      EXPECT_EQ(e["log_exposure"], false);
    }
  }
  Json doc = BaseConfig();
  doc["experiments"][0]["start"] = "2026-11-01T00:00:00Z";
  doc["experiments"][0]["end"] = "2026-12-01T00:00:00Z";
  Load(doc);
  EXPECT_TRUE(Entry(Decide("u1", {}, *ParseTimestamp("2026-10-31T23:59:59Z")), "exp").is_null());
  EXPECT_EQ(Entry(Decide("u1", {}, kNov23), "exp")["reason"], "bucket");
  Json ended = Entry(Decide("u1", {}, *ParseTimestamp("2026-12-01T00:00:00Z")), "exp");
  EXPECT_EQ(ended["reason"], "ended");
  EXPECT_EQ(ended["variant"], "control");
}

TEST_F(EngineTest, DraftIsNeverServed) {
  Json doc = BaseConfig();
  doc["experiments"][0]["status"] = "draft";
  Load(doc);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(Decide("u" + std::to_string(i))["experiments"].empty());
}

TEST_F(EngineTest, LaunchedServesWinnerToEveryone) {
  Json doc = BaseConfig();
  doc["attributes"] = Json::array();
  doc["experiments"][0]["status"] = "launched";
  doc["experiments"][0]["winner"] = "treatment";
  doc["experiments"][0]["traffic_share"] = 1;
  doc["flags"] = {{{"key", "color"}, {"type", "string"}, {"default", "gray"},
                   {"rules", {{{"experiment", "exp"}, {"param", "color"}}}}}};
  Load(doc);
  for (int i = 0; i < 50; ++i) {
    Json d = Decide("u" + std::to_string(i));
    EXPECT_EQ(Entry(d, "exp")["variant"], "treatment");
    EXPECT_EQ(Entry(d, "exp")["log_exposure"], false);
    EXPECT_EQ(d["flags"]["color"]["value"], "orange");
  }
}

TEST_F(EngineTest, MutuallyExclusiveInOneLayer) {
  Json doc = BaseConfig();
  doc["experiments"][0]["traffic_share"] = 50;
  doc["experiments"].push_back({{"key", "exp2"}, {"layer", "home"}, {"status", "running"},
                                {"traffic_share", 50}, {"bucket_start", 5000}, {"variants", TwoVariants()}});
  Load(doc);
  int in1 = 0, in2 = 0;
  for (int i = 0; i < 4000; ++i) {
    Json d = Decide("u" + std::to_string(i));
    bool a = !Entry(d, "exp").is_null(), b = !Entry(d, "exp2").is_null();
    EXPECT_NE(a, b);  // every unit is in exactly one of the two halves
    in1 += a;
    in2 += b;
  }
  EXPECT_NEAR(in1, 2000, 200);
  EXPECT_NEAR(in2, 2000, 200);
}

TEST_F(EngineTest, FlagRulesInOrder) {
  Json doc = BaseConfig();
  doc["experiments"][0]["traffic_share"] = 50;
  doc["flags"] = {
      {{"key", "checkout"}, {"type", "bool"}, {"default", false},
       {"rules",
        {{{"audience", {{"attr", "country"}, {"op", "eq"}, {"value", "CN"}}}, {"value", true}},
         {{"rollout", {{{"value", true}, {"weight", 30}}, {{"value", false}, {"weight", 70}}}}}}}},
      {{"key", "color"}, {"type", "string"}, {"default", "gray"},
       {"rules", {{{"experiment", "exp"}, {"param", "color"}}}}},
      {{"key", "killed"}, {"type", "number"}, {"default", 0}, {"kill_switch", true}, {"rules", {{{"value", 1}}}}}};
  Load(doc);
  Json cn = Decide("u1", {{"country", "CN"}});
  EXPECT_EQ(cn["flags"]["checkout"]["value"], true);
  EXPECT_EQ(cn["flags"]["checkout"]["reason"], "rule");
  EXPECT_EQ(cn["flags"]["checkout"]["rule"], 0);
  EXPECT_EQ(cn["flags"]["killed"]["reason"], "kill_switch");
  EXPECT_EQ(cn["flags"]["killed"]["value"], 0);
  int on = 0, linked = 0;
  for (int i = 0; i < 10000; ++i) {
    Json d = Decide("u" + std::to_string(i), {{"country", "US"}});
    EXPECT_EQ(d["flags"]["checkout"]["reason"], "rollout");
    on += d["flags"]["checkout"]["value"].get<bool>();
    Json e = Entry(d, "exp");
    const Json& color = d["flags"]["color"];
    if (e.is_null()) {
      EXPECT_EQ(color["reason"], "default");
      EXPECT_EQ(color["value"], "gray");
    } else {
      ++linked;
      EXPECT_EQ(color["reason"], "experiment");
      EXPECT_EQ(color["value"], e["params"]["color"]);
      EXPECT_EQ(color["variant"], e["variant"]);
    }
  }
  EXPECT_NEAR(on, 3000, 200);
  EXPECT_NEAR(linked, 5000, 250);
}

TEST_F(EngineTest, RaisingRolloutKeepsEarlierUnitsOn) {
  Json doc = BaseConfig();
  auto rollout = [&](int pct) {
    doc["flags"] = {{{"key", "f"}, {"type", "bool"}, {"default", false},
                     {"rules", {{{"rollout", {{{"value", true}, {"weight", pct}}, {{"value", false}, {"weight", 100 - pct}}}}}}}}};
    Load(doc);
  };
  rollout(10);
  std::vector<bool> before;
  for (int i = 0; i < 5000; ++i) before.push_back(Decide("u" + std::to_string(i))["flags"]["f"]["value"]);
  rollout(25);
  for (int i = 0; i < 5000; ++i) {
    if (before[i]) {
      EXPECT_TRUE(Decide("u" + std::to_string(i))["flags"]["f"]["value"].get<bool>());
    }
  }
}

TEST_F(EngineTest, SingleFlagAndSingleExperimentMatchFullDecision) {
  Json doc = BaseConfig();
  doc["flags"] = {{{"key", "color"}, {"type", "string"}, {"default", "gray"},
                   {"rules", {{{"experiment", "exp"}, {"param", "color"}}}}}};
  Load(doc);
  for (int i = 0; i < 200; ++i) {
    std::string unit = "u" + std::to_string(i);
    Json full = Decide(unit);
    UnitInput in{unit, {}, kNov23};
    FlagDecision f = engine_->EvaluateFlag(*engine_->FindFlag("color"), in, scratch_);
    EXPECT_EQ(FlagDecisionToJson(*engine_, f), full["flags"]["color"]);
    auto e = engine_->AssignExperiment(*engine_->FindExperiment("exp"), in, scratch_);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(engine_->config().experiments[0].variants[e->variant].key, Entry(full, "exp")["variant"]);
  }
}

TEST_F(EngineTest, ScratchReusedAcrossEngines) {
  Load(BaseConfig());
  Json a = Decide("u1");
  Json doc = BaseConfig();
  doc["layers"].push_back({{"key", "third"}});
  doc["holdouts"] = {{{"key", "h"}, {"share", 1}, {"layers", {"third"}}}};
  Load(doc);  // same scratch_, differently shaped engine
  EXPECT_EQ(Entry(Decide("u1"), "exp"), Entry(a, "exp"));
}

}  // namespace
}  // namespace sluice::core
