#include "sluice/market/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_market.h"

namespace sluice::market {
namespace {

using testing::D;
using testing::SmallMarket;

// The problems of an invalid document, as "path: message" lines.
std::vector<std::string> Problems(const Json& doc) {
  Result<MarketConfig> c = ParseMarketConfig(doc);
  EXPECT_FALSE(c.ok());
  std::vector<std::string> out;
  if (c.ok()) return out;
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
  for (const Problem& p : c.error().problems) out.push_back(p.path + ": " + p.message);
  return out;
}

bool Has(const std::vector<std::string>& problems, const std::string& prefix,
         const std::string& words) {
  for (const std::string& p : problems) {
    if (p.rfind(prefix + ": ", 0) == 0 && p.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST(MarketConfigTest, ParsesTheSmallMarket) {
  Result<MarketConfig> c = ParseMarketConfig(SmallMarket());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->year, 2027);
  EXPECT_EQ(c->pool, 1'095'000);
  EXPECT_EQ(c->cancel_deadline_days, 7);
  EXPECT_EQ(c->utc_offset_minutes, 0);
  ASSERT_EQ(c->lines.size(), 2u);
  EXPECT_EQ(c->lines[1].name, "Fashion");
  EXPECT_DOUBLE_EQ(c->lines[0].figures[static_cast<int>(Factor::kRevenue)], 700);
  ASSERT_EQ(c->slots.size(), 3u);
  EXPECT_EQ(c->slots[0].kind, SlotKind::kSplash);
  EXPECT_EQ(c->slots[1].name, "carousel-1");  // the id when no name is given
  EXPECT_TRUE(c->slots[0].IsAuctionDay(D("2027-06-18")));
  EXPECT_FALSE(c->slots[0].IsAuctionDay(D("2027-06-19")));
  EXPECT_EQ(c->FindSlot("push"), &c->slots[2]);
  EXPECT_EQ(c->FindLine("nope"), nullptr);
}

TEST(MarketConfigTest, TheShippedExampleIsValid) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/examples/market/market.json");
  ASSERT_TRUE(in) << "examples/market/market.json is missing";
  std::stringstream text;
  text << in.rdbuf();
  Result<MarketConfig> c = ParseMarketConfig(Json::parse(text.str()));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_GE(c->slots.size(), 4u);
}

TEST(MarketConfigTest, ReportsEveryProblemWithItsPath) {
  Json doc = SmallMarket();
  doc["year"] = 1999;
  doc["pool"] = -5;
  doc["colour"] = "blue";
  doc["weights"]["margin"] = -1;
  doc["lines"][1]["id"] = "digital";
  doc["lines"][0]["revenue"] = -3;
  doc["slots"][1]["kind"] = "floor";
  doc["slots"][2]["gv_per_day"] = 0;
  doc["slots"][0]["auction_days"] = {"2027-02-30"};
  const auto problems = Problems(doc);
  EXPECT_TRUE(Has(problems, "year", "2000 to 2200")) << ::testing::PrintToString(problems);
  EXPECT_TRUE(Has(problems, "pool", "whole number from 1"));
  EXPECT_TRUE(Has(problems, "colour", "unknown field"));
  EXPECT_TRUE(Has(problems, "weights.margin", ">= 0"));
  EXPECT_TRUE(Has(problems, "lines[1].id", "used by an earlier line"));
  EXPECT_TRUE(Has(problems, "lines[0].revenue", ">= 0"));
  EXPECT_TRUE(Has(problems, "slots[1].kind", "splash, carousel, banner, push"));
  EXPECT_TRUE(Has(problems, "slots[2].gv_per_day", "> 0"));
  EXPECT_TRUE(Has(problems, "slots[0].auction_days[0]", "not a date of the calendar"));
  Result<MarketConfig> c = ParseMarketConfig(doc);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("problems; fix them"), std::string::npos);
}

TEST(MarketConfigTest, AWeightedFactorNeedsFigures) {
  Json doc = SmallMarket();
  doc["weights"]["orders"] = 0.5;
  const auto problems = Problems(doc);
  EXPECT_TRUE(Has(problems, "weights.orders", "every line's orders is 0 or missing"))
      << ::testing::PrintToString(problems);
  doc = SmallMarket();
  doc["weights"] = {{"strategic", 0}, {"revenue", 0}, {"margin", 0}, {"orders", 0}, {"users", 0}};
  EXPECT_TRUE(Has(Problems(doc), "weights", "all five weights are 0"));
  doc = SmallMarket();
  doc["weights"].erase("users");
  EXPECT_TRUE(Has(Problems(doc), "weights.users", "is required"));
}

TEST(MarketConfigTest, DaysMustLieInTheYear) {
  Json doc = SmallMarket();
  doc["slots"][0]["auction_days"] = {"2028-01-01"};
  doc["slots"][1]["gv_overrides"] = {{{"days", "2026-12-30..2027-01-02"}, {"gv_per_day", 10}}};
  const auto problems = Problems(doc);
  EXPECT_TRUE(Has(problems, "slots[0].auction_days[0]", "outside the market year 2027"))
      << ::testing::PrintToString(problems);
  EXPECT_TRUE(Has(problems, "slots[1].gv_overrides[0].days", "from 2027-01-01 to 2027-12-31"));
}

TEST(MarketConfigTest, APoolTooSmallToPriceEveryDayIsRejected) {
  Json doc = SmallMarket();
  doc["pool"] = 500;  // 1,095 slot-days
  const auto problems = Problems(doc);
  // Total GV 1,095,000 / least GV 500 = 2,190 coins at least.
  EXPECT_TRUE(Has(problems, "pool", "raise the pool to at least 2,190 coins"))
      << ::testing::PrintToString(problems);
  doc["pool"] = 2190;
  EXPECT_TRUE(ParseMarketConfig(doc).ok());
}

TEST(MarketConfigTest, RejectsBadIdsAndShapes) {
  EXPECT_FALSE(ParseMarketConfig(Json::array()).ok());
  Json doc = SmallMarket();
  doc["lines"][0]["id"] = "has space";
  doc["slots"] = Json::array();
  const auto problems = Problems(doc);
  EXPECT_TRUE(Has(problems, "lines[0].id", "not a valid id")) << ::testing::PrintToString(problems);
  EXPECT_TRUE(Has(problems, "slots", "from 1 to 200"));
  EXPECT_TRUE(IsValidId("carousel-1.b_2"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidId("a/b"));
}

}  // namespace
}  // namespace sluice::market
