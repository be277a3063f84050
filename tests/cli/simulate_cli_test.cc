// `sluice simulate` as a user runs it: options, output formats, exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace sluice {
namespace {

TEST(SimulateCliTest, JsonOutputCarriesTheRatesAndThePipelineCounts) {
  CommandResult run = Sluice("simulate --experiments 40 --units 500 --days 5 --looks daily --format json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["scenario"]["experiments"], 40);
  EXPECT_EQ(out["scenario"]["looks"], "daily");
  EXPECT_EQ(out["fixed_horizon"]["trials"], 40);
  EXPECT_TRUE(out.contains("sequential") && out.contains("naive_peeking"));
  EXPECT_EQ(out["pipeline"]["units_decided"], 40 * 500);
  EXPECT_EQ(out["pipeline"]["exposures_aggregated"], 40 * 500);
}

TEST(SimulateCliTest, PowerSizesTheEffect) {
  CommandResult run = Sluice("simulate --metric mean --sd 3 --power 0.8 --experiments 20 --units 200");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("mean metric, baseline 10 (sd 3), true relative effect +11.89%"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("planned power 80.00%"), std::string::npos) << run.out;
}

TEST(SimulateCliTest, BadOptionsSayWhatIsWrong) {
  CommandResult run = Sluice("simulate --units 5 --baseline 2 2>&1");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("units: must be between 20 and 10,000,000"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("baseline: a conversion rate must lie in (0, 1)"), std::string::npos) << run.out;
  run = Sluice("simulate --effect 0.1 --power 0.8 2>&1");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("--effect and --power exclude each other"), std::string::npos) << run.out;
  EXPECT_NE(Sluice("simulate --looks weekly 2>/dev/null").exit_code, 0);
}

}  // namespace
}  // namespace sluice
