// `sluice assign` as a user runs it: a separate process, files, exit codes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.h"
#include "sluice/core/decision_json.h"

namespace sluice::core {
namespace {

const std::string kDemo = SLUICE_SOURCE_DIR "/examples/demo.json";
const std::string kNow = "2026-11-23T00:00:00Z";

std::filesystem::path TempFile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("sluice_cli_test_" + name);
  std::ofstream(path) << text;
  return path;
}

TEST(AssignCliTest, OtherProcessDecidesExactlyAsThisOne) {
  // 10,000 units through `sluice assign --units` in a child process...
  std::ostringstream units;
  for (int i = 0; i < 10000; ++i) {
    units << Json{{"unit_id", "user-" + std::to_string(i)},
                  {"attributes", {{"is_new_user", i % 2 == 0}, {"platform", i % 3 ? "ios" : "web"},
                                  {"app_version", "8." + std::to_string(i % 5) + ".0"}}}}
                 .dump()
          << "\n";
  }
  auto path = TempFile("units.jsonl", units.str());
  CommandResult run = Sluice("assign --config " + kDemo + " --now " + kNow + " --units " + path.string());
  ASSERT_EQ(run.exit_code, 0);
  // ...must match this process's engine, line for line.
  std::ifstream config_file(kDemo);
  Result<Config> config = ParseConfig(Json::parse(config_file));
  ASSERT_TRUE(config.ok());
  Engine engine(std::move(config).value());
  Scratch scratch;
  Decision decision;
  std::istringstream lines(run.out), inputs(units.str());
  std::string line, input;
  int compared = 0;
  while (std::getline(inputs, input)) {
    ASSERT_TRUE(std::getline(lines, line)) << "missing output line " << compared;
    Json unit = Json::parse(input);
    std::vector<AttributeInput> attrs;
    std::vector<std::string_view> lists;
    ASSERT_TRUE(AttributesFromJson(unit["attributes"], attrs, lists).ok());
    const std::string id = unit["unit_id"];
    engine.Decide(UnitInput{id, attrs, *ParseTimestamp(kNow)}, scratch, decision);
    ASSERT_EQ(Json::parse(line), DecisionToJson(engine, id, decision)) << id;
    ++compared;
  }
  EXPECT_EQ(compared, 10000);
}

TEST(AssignCliTest, SingleUnitWithAttributes) {
  CommandResult run = Sluice("assign --config " + kDemo + " --now " + kNow +
                   " --unit qa-alice --attr segments=beta,vip --attr city_tier=1");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  Json d = Json::parse(run.out);
  EXPECT_EQ(d["unit_id"], "qa-alice");
  EXPECT_EQ(d["flags"]["new-checkout"]["value"], true);  // list attribute split on commas
  EXPECT_EQ(d["flags"]["onboarding-guide"]["value"], "interactive");  // whitelisted
}

TEST(AssignCliTest, InvalidConfigListsEveryProblemAndExits2) {
  auto path = TempFile("bad.json", R"({"layers": [{"key": "a"}, {"key": "a"}], "flags": [{"key": "f"}]})");
  CommandResult run = Sluice("assign --config " + path.string() + " --unit u1 2>&1");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("configuration is invalid (3 problems)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("layers[1].key: duplicate layer key 'a'"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("flags[0].type: missing"), std::string::npos) << run.out;
}

TEST(AssignCliTest, BadLinesAreReportedInPlaceAndTheRestDecided) {
  auto path = TempFile("mixed.jsonl", "{\"unit_id\": \"u1\"}\nnot json\n{\"attributes\": {}}\n{\"unit_id\": \"u2\"}\n");
  CommandResult run = Sluice("assign --config " + kDemo + " --units " + path.string() + " 2>/dev/null");
  EXPECT_EQ(run.exit_code, 1);
  std::istringstream lines(run.out);
  std::string line;
  std::vector<Json> out;
  while (std::getline(lines, line)) out.push_back(Json::parse(line));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0]["unit_id"], "u1");
  EXPECT_EQ(out[1]["line"], 2);
  EXPECT_EQ(out[1]["error"], "not a JSON object");
  EXPECT_EQ(out[2]["error"], "unit_id: missing; give a non-empty string");
  EXPECT_EQ(out[3]["unit_id"], "u2");
}

TEST(AssignCliTest, UsageErrors) {
  EXPECT_EQ(Sluice("assign --config " + kDemo + " 2>/dev/null").exit_code, 2);  // neither --unit nor --units
  EXPECT_EQ(Sluice("assign --config /nonexistent.json --unit u 2>/dev/null").exit_code, 2);
  EXPECT_EQ(Sluice("assign --config " + kDemo + " --unit u --now yesterday 2>/dev/null").exit_code, 2);
}

}  // namespace
}  // namespace sluice::core
