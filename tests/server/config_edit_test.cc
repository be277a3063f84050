// The admin API's config edits, as pure functions (no server here).
#include "sluice/server/config_edit.h"

#include <gtest/gtest.h>

#include "../store/test_config.h"

namespace sluice::server {
namespace {

using core::Json;
using sluice::testing::SmallConfig;

// SmallConfig plus a flag whose rule serves the experiment's "color" parameter.
Json WithLinkedFlag() {
  Json doc = SmallConfig();
  doc["flags"].push_back(Json::parse(R"({
    "key": "button_color", "type": "string", "default": "grey",
    "rules": [{"audience": {"attr": "country", "op": "eq", "value": "NL"},
               "experiment": "button", "param": "color"}]})"));
  return doc;
}

Json DraftExperiment(const std::string& key) {
  Json e = Json::parse(R"({"layer": "main", "traffic_share": 10,
    "variants": [{"key": "control", "weight": 50}, {"key": "b", "weight": 50}]})");
  e["key"] = key;
  return e;
}

void ExpectValid(const Json& document) {
  Result<core::Config> parsed = core::ParseConfig(document);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().ToString());
}

TEST(ConfigEditTest, KindNames) {
  EXPECT_EQ(ResourceKindOf("experiments"), ResourceKind::kExperiment);
  EXPECT_EQ(ResourceKindOf("metrics"), ResourceKind::kMetric);
  EXPECT_EQ(ResourceKindOf("experiment"), std::nullopt);
  EXPECT_EQ(SingularName(ResourceKind::kLayer), "layer");
}

TEST(ConfigEditTest, CreateStartsExperimentsAsDrafts) {
  Result<Json> doc = CreateResource(SmallConfig(), ResourceKind::kExperiment, DraftExperiment("new"));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)["experiments"][1]["status"], "draft");
  ExpectValid(*doc);
  Json running = DraftExperiment("new");
  running["status"] = "running";
  Result<Json> refused = CreateResource(SmallConfig(), ResourceKind::kExperiment, running);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("/v1/experiments/new/start"), std::string::npos);
}

TEST(ConfigEditTest, CreateIntoAnEmptyConfiguration) {
  Result<Json> doc = CreateResource(Json(), ResourceKind::kLayer, {{"key", "main"}});
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc, Json::parse(R"({"layers": [{"key": "main"}]})"));
}

TEST(ConfigEditTest, CreateRefusesTakenAndMissingKeys) {
  Result<Json> taken = CreateResource(SmallConfig(), ResourceKind::kLayer, {{"key", "main"}});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  Result<Json> no_key = CreateResource(SmallConfig(), ResourceKind::kLayer, {{"salt", "x"}});
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().code, ErrorCode::kInvalidArgument);
  Result<Json> not_object = CreateResource(SmallConfig(), ResourceKind::kLayer, Json::array());
  ASSERT_FALSE(not_object.ok());
}

TEST(ConfigEditTest, ReplaceKeepsKeyAndStatus) {
  Json e = DraftExperiment("button");
  e.erase("key");
  Result<Json> doc = ReplaceResource(SmallConfig(), ResourceKind::kExperiment, "button", e);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)["experiments"][0]["key"], "button");
  EXPECT_EQ((*doc)["experiments"][0]["status"], "running");  // kept from before
  EXPECT_EQ((*doc)["experiments"][0]["traffic_share"], 10);

  e["key"] = "renamed";
  EXPECT_EQ(ReplaceResource(SmallConfig(), ResourceKind::kExperiment, "button", e).error().code,
            ErrorCode::kInvalidArgument);
  e["key"] = "button";
  e["status"] = "stopped";
  Result<Json> status = ReplaceResource(SmallConfig(), ResourceKind::kExperiment, "button", e);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("/stop"), std::string::npos);
  EXPECT_EQ(ReplaceResource(SmallConfig(), ResourceKind::kFlag, "nope", Json::object()).error().code,
            ErrorCode::kNotFound);
}

TEST(ConfigEditTest, PatchMergesAndNullRemoves) {
  Result<Json> doc = PatchResource(SmallConfig(), ResourceKind::kLayer, "main",
                                   {{"description", "Main layer"}, {"salt", nullptr}});
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["layers"][0], Json::parse(R"({"key": "main", "description": "Main layer"})"));
  EXPECT_FALSE(PatchResource(SmallConfig(), ResourceKind::kLayer, "main", Json::array()).ok());
}

TEST(ConfigEditTest, ArchiveRefusesWhatLiveThingsUse) {
  Result<Json> layer = ArchiveResource(SmallConfig(), ResourceKind::kLayer, "main", 5);
  ASSERT_FALSE(layer.ok());
  EXPECT_EQ(layer.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(layer.error().message.find("experiment 'button'"), std::string::npos);

  Result<Json> running = ArchiveResource(SmallConfig(), ResourceKind::kExperiment, "button", 5);
  ASSERT_FALSE(running.ok());
  EXPECT_NE(running.error().message.find("stop or launch it first"), std::string::npos);

  Json stopped = *ApplyLifecycle(WithLinkedFlag(), "button", LifecycleAction::kStop);
  Result<Json> linked = ArchiveResource(stopped, ResourceKind::kExperiment, "button", 5);
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.error().message.find("flag 'button_color'"), std::string::npos);

  Json metric_user = SmallConfig();
  metric_user["metrics"] = Json::array({{{"key", "ctr"}}});
  metric_user["experiments"][0]["metrics"] = {{"primary", "ctr"}};
  Result<Json> metric = ArchiveResource(metric_user, ResourceKind::kMetric, "ctr", 5);
  ASSERT_FALSE(metric.ok());
  EXPECT_EQ(metric.error().code, ErrorCode::kFailedPrecondition);
}

TEST(ConfigEditTest, ArchivedResourcesLeaveServiceButStayReadableAndKeepTheirKey) {
  Json doc = *ApplyLifecycle(SmallConfig(), "button", LifecycleAction::kStop);
  Result<Json> archived = ArchiveResource(doc, ResourceKind::kExperiment, "button", 1234);
  ASSERT_TRUE(archived.ok()) << archived.error().message;
  EXPECT_TRUE((*archived)["experiments"].empty());
  EXPECT_EQ((*archived)["archived"]["experiments"][0]["archived_at"], 1234);
  ExpectValid(*archived);

  EXPECT_TRUE(ListResources(*archived, ResourceKind::kExperiment, false).empty());
  EXPECT_EQ(ListResources(*archived, ResourceKind::kExperiment, true).size(), 1u);
  Result<Json> found = FindResource(*archived, ResourceKind::kExperiment, "button");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)["archived_at"], 1234);

  Result<Json> reuse =
      CreateResource(*archived, ResourceKind::kExperiment, DraftExperiment("button"));
  ASSERT_FALSE(reuse.ok());
  EXPECT_EQ(reuse.error().code, ErrorCode::kAlreadyExists);
  Result<Json> edit = PatchResource(*archived, ResourceKind::kExperiment, "button", Json::object());
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.error().code, ErrorCode::kFailedPrecondition);
  // The layer is free now.
  Result<Json> layer = ArchiveResource(*archived, ResourceKind::kLayer, "main", 99);
  ASSERT_TRUE(layer.ok()) << layer.error().message;
  ExpectValid(*layer);
}

TEST(ConfigEditTest, LifecycleTransitions) {
  struct Case {
    std::string from;
    LifecycleAction action;
    std::string to;  // empty: refused
  };
  const Case cases[] = {
      {"draft", LifecycleAction::kStart, "running"},   {"paused", LifecycleAction::kStart, "running"},
      {"running", LifecycleAction::kStart, ""},        {"stopped", LifecycleAction::kStart, ""},
      {"launched", LifecycleAction::kStart, ""},       {"running", LifecycleAction::kPause, "paused"},
      {"draft", LifecycleAction::kPause, ""},          {"paused", LifecycleAction::kPause, ""},
      {"running", LifecycleAction::kStop, "stopped"},  {"paused", LifecycleAction::kStop, "stopped"},
      {"draft", LifecycleAction::kStop, ""},           {"stopped", LifecycleAction::kStop, ""},
      {"running", LifecycleAction::kLaunch, "launched"}, {"stopped", LifecycleAction::kLaunch, "launched"},
      {"draft", LifecycleAction::kLaunch, ""},         {"launched", LifecycleAction::kLaunch, ""},
  };
  for (const Case& c : cases) {
    Json doc = SmallConfig();
    doc["experiments"][0]["status"] = c.from;
    if (c.from == "launched") doc["experiments"][0]["winner"] = "control";
    Result<Json> out = ApplyLifecycle(doc, "button", c.action, "treatment");
    SCOPED_TRACE(c.from + " " + std::string(LifecycleActionName(c.action)));
    if (c.to.empty()) {
      ASSERT_FALSE(out.ok());
      EXPECT_EQ(out.error().code, ErrorCode::kFailedPrecondition);
      EXPECT_NE(out.error().message.find("it is " + c.from), std::string::npos);
    } else {
      ASSERT_TRUE(out.ok()) << out.error().message;
      EXPECT_EQ((*out)["experiments"][0]["status"], c.to);
      ExpectValid(*out);
    }
  }
  EXPECT_EQ(ApplyLifecycle(SmallConfig(), "nope", LifecycleAction::kStop).error().code,
            ErrorCode::kNotFound);
}

TEST(ConfigEditTest, LaunchSolidifiesLinkedFlagRules) {
  Result<Json> out = ApplyLifecycle(WithLinkedFlag(), "button", LifecycleAction::kLaunch, "treatment");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ((*out)["experiments"][0]["winner"], "treatment");
  const Json& rule = (*out)["flags"][1]["rules"][0];
  EXPECT_EQ(rule["value"], "green");
  EXPECT_EQ(rule["audience"], WithLinkedFlag()["flags"][1]["rules"][0]["audience"]);
  EXPECT_FALSE(rule.contains("experiment"));
  ExpectValid(*out);
  // With the rule solidified, the launched experiment can be archived.
  EXPECT_TRUE(ArchiveResource(*out, ResourceKind::kExperiment, "button", 1).ok());
}

TEST(ConfigEditTest, LaunchNeedsAKnownWinner) {
  for (std::string_view winner : {"", "purple"}) {
    Result<Json> out = ApplyLifecycle(SmallConfig(), "button", LifecycleAction::kLaunch, winner);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(out.error().message.find("winning variant"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::server
