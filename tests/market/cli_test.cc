// `sluice market` as a person runs it: the real binary, the shipped example,
// exit codes and messages.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "test_market.h"

namespace sluice::market {
namespace {

using testing::ScratchDir;

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

class MarketCliTest : public ::testing::Test {
 protected:
  // Runs `sluice market SUB --data DIR --now NOW ARGS` through the shell.
  CliRun Market(const std::string& sub, const std::string& args) {
    const std::string command = std::string(SLUICE_BINARY) + " market " + sub + " --data " +
                                dir_.path().string() + " --now " + now_ + " --actor tester " +
                                args + " 2>&1";
    CliRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buf[65536];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) run.out.append(buf, n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  nlohmann::json JsonOf(const std::string& sub, const std::string& args) {
    const CliRun run = Market(sub, args + " --format json");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    return nlohmann::json::parse(run.out, nullptr, false);
  }

  ScratchDir dir_{"cli"};
  std::string now_ = "2026-12-15T00:00:00Z";
  const std::string example_ = std::string(SLUICE_SOURCE_DIR) + "/examples/market/market.json";
};

TEST_F(MarketCliTest, TheExampleFromInitToCheck) {
  const CliRun init = Market("init", "--config " + example_);
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_NE(init.out.find("Market 2027: pool 10,000,000 coins"), std::string::npos) << init.out;
  EXPECT_NE(init.out.find("fashion"), std::string::npos);

  const nlohmann::json budgets = JsonOf("budget", "");
  std::int64_t sum = 0;
  for (const auto& l : budgets["lines"]) sum += l["budget"].get<std::int64_t>();
  EXPECT_EQ(sum, 10'000'000);

  const nlohmann::json prices = JsonOf("price", "--slot banner --from 2027-03-01 --to 2027-03-03");
  ASSERT_EQ(prices["slot_days"].size(), 3u);
  const std::int64_t banner = prices["slot_days"][0]["price"];
  EXPECT_GT(banner, 0);

  const CliRun booked = Market("book", "--line digital --slot banner --dates 2027-03-01..2027-03-03");
  ASSERT_EQ(booked.exit_code, 0) << booked.out;
  EXPECT_NE(booked.out.find("Booking #1"), std::string::npos) << booked.out;

  const CliRun clash = Market("book", "--line home --slot banner --dates 2027-03-03,2027-03-04");
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_NE(clash.out.find("dates[0]: slot banner on 2027-03-03 is already booked"),
            std::string::npos)
      << clash.out;

  const nlohmann::json cancelled = JsonOf("cancel", "--booking 1 --dates 2027-03-03");
  EXPECT_EQ(cancelled["refunded"], banner);

  ASSERT_EQ(Market("bid", "--line home --slot splash --date 2027-11-11 --amount 90000").exit_code,
            0);
  ASSERT_EQ(
      Market("bid", "--line fashion --slot splash --date 2027-11-11 --amount 80000").exit_code, 0);
  const CliRun closed = Market("close", "--slot splash --date 2027-11-11");
  ASSERT_EQ(closed.exit_code, 0) << closed.out;
  EXPECT_NE(closed.out.find("won by home at 80,000 coins"), std::string::npos) << closed.out;

  ASSERT_EQ(Market("topup", "--line baby --amount 5000 --reason 'spring campaign'").exit_code, 0);
  const nlohmann::json balance = JsonOf("balance", "--line digital");
  EXPECT_EQ(balance["spent"], 2 * banner);
  const nlohmann::json ledger = JsonOf("ledger", "--line baby");
  ASSERT_EQ(ledger["entries"].size(), 2u);
  EXPECT_EQ(ledger["entries"][1]["note"], "spring campaign");
  EXPECT_EQ(ledger["entries"][1]["actor"], "tester");

  const CliRun table = Market("ledger", "");
  EXPECT_NE(table.out.find("purchase"), std::string::npos) << table.out;
  const CliRun check = Market("check", "");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("OK: every invariant holds"), std::string::npos);
}

TEST_F(MarketCliTest, MistakesAreExplainedAndChangeNothing) {
  const CliRun none = Market("balance", "");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("create the market first with `sluice market init"), std::string::npos)
      << none.out;
  ASSERT_EQ(Market("init", "--config " + example_).exit_code, 0);
  const CliRun bad_date = Market("book", "--line digital --slot push --dates 2027-02-30");
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_NE(bad_date.out.find("dates[0]"), std::string::npos) << bad_date.out;
  const CliRun bad_line = Market("topup", "--line toys --amount 5 --reason x");
  EXPECT_EQ(bad_line.exit_code, 2);
  EXPECT_NE(bad_line.out.find("line: no business line \"toys\""), std::string::npos)
      << bad_line.out;
  const CliRun twice = Market("init", "--config " + example_);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.out.find("already holds a market"), std::string::npos);
  now_ = "2027-11-20T00:00:00Z";
  const CliRun late_bid = Market("bid", "--line home --slot splash --date 2027-11-11 --amount 90000");
  EXPECT_EQ(late_bid.exit_code, 2);
  EXPECT_NE(late_bid.out.find("bids are taken only before the day begins"), std::string::npos)
      << late_bid.out;
  const nlohmann::json ledger = JsonOf("ledger", "");
  EXPECT_EQ(ledger["entries"].size(), 5u);  // the five budgets, nothing else
}

}  // namespace
}  // namespace sluice::market
