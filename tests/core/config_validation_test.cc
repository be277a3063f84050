// Data-driven: testdata/config/invalid.json lists broken configurations and
// the exact problems (path: message) sluice must report for each.
#include <gtest/gtest.h>

#include <fstream>

#include "sluice/core/config.h"

namespace sluice::core {
namespace {

Json LoadCorpus() {
  std::ifstream in(SLUICE_SOURCE_DIR "/testdata/config/invalid.json");
  return Json::parse(in);
}

TEST(ConfigValidationTest, CorpusOfBrokenDocuments) {
  Json corpus = LoadCorpus();
  ASSERT_GE(corpus["cases"].size(), 30u);
  for (const Json& c : corpus["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Result<Config> result = ParseConfig(c["config"]);
    ASSERT_FALSE(result.ok()) << "accepted a broken document";
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    std::vector<std::string> got;
    for (const Problem& p : result.error().problems) got.push_back(p.path + ": " + p.message);
    if (got.empty()) got.push_back(result.error().message);
    EXPECT_EQ(got, c["problems"].get<std::vector<std::string>>());
  }
}

TEST(ConfigValidationTest, SummaryCountsProblems) {
  Result<Config> r = ParseConfig(Json{{"layers", {{{"key", "a b"}}, {{"salt", 1}}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "configuration is invalid (3 problems); nothing was changed");
}

TEST(ConfigValidationTest, SyntaxErrorsSayWhere) {
  Result<Config> r = ParseConfigText("{\"layers\": [}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("configuration is not valid JSON"), std::string::npos);
  EXPECT_NE(r.error().message.find("column 13"), std::string::npos) << r.error().message;
}

TEST(ConfigValidationTest, DemoConfigurationIsValid) {
  std::ifstream in(SLUICE_SOURCE_DIR "/examples/demo.json");
  Result<Config> r = ParseConfig(Json::parse(in));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->experiments.size(), 4u);
}

TEST(ConfigValidationTest, DraftsDoNotReserveBuckets) {
  Json doc = {{"layers", {{{"key", "home"}}}},
              {"experiments",
               {{{"key", "a"}, {"layer", "home"}, {"status", "running"}, {"traffic_share", 50},
                 {"variants", {{{"key", "c"}, {"weight", 50}}, {{"key", "t"}, {"weight", 50}}}}},
                {{"key", "b"}, {"layer", "home"}, {"status", "draft"}, {"traffic_share", 50},
                 {"variants", {{{"key", "c"}, {"weight", 50}}, {{"key", "t"}, {"weight", 50}}}}}}}};
  EXPECT_TRUE(ParseConfig(doc).ok());
  doc["experiments"][1]["status"] = "paused";
  EXPECT_FALSE(ParseConfig(doc).ok());
}

TEST(ConfigValidationTest, Timestamps) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseTimestamp("2026-11-23T08:00:00.250Z"), 1795420800250);
  EXPECT_EQ(ParseTimestamp("2026-11-23T16:00:00+08:00"), 1795420800000);
  EXPECT_FALSE(ParseTimestamp("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23 08:00:00"));
}

}  // namespace
}  // namespace sluice::core
