#include "sluice/market/api.h"

#include <gtest/gtest.h>

#include "sluice/market/render.h"
#include "test_market.h"

namespace sluice::market {
namespace {

using testing::Midnight;
using testing::ScratchDir;
using testing::SmallMarket;

class MarketApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = MarketStore::Open(dir_.File("sluice.db"), clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
  }

  MarketApiResponse Call(std::string_view method, std::string_view path,
                         const nlohmann::json& body = nullptr) {
    return HandleMarketRequest(*store_, method, path, body, "alice", clock_.NowMillis());
  }

  void Init() {
    const MarketApiResponse r = Call("POST", "/init", SmallMarket());
    ASSERT_EQ(r.status, 201) << r.body.dump();
  }

  ScratchDir dir_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
  FakeClock clock_{Midnight("2027-02-20") + 3'600'000};
  std::unique_ptr<MarketStore> store_;
};

TEST_F(MarketApiTest, BeforeInitEveryRouteSaysToCreateTheMarket) {
  const MarketApiResponse r = Call("GET", "/balances");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body["error"], "failed_precondition");
  EXPECT_NE(r.body["message"].get<std::string>().find("sluice market init"), std::string::npos);
}

TEST_F(MarketApiTest, InitAnswersTheBudgets) {
  const MarketApiResponse r = Call("POST", "/init", SmallMarket());
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["pool"], 1'095'000);
  EXPECT_EQ(r.body["lines"][0]["budget"], 657'000);
  EXPECT_DOUBLE_EQ(r.body["lines"][0]["shares"]["revenue"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(r.body["value_per_gv"].get<double>(), 1.0);
  const MarketApiResponse again = Call("POST", "/init", SmallMarket());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"], "already_exists");
  const std::string table = RenderBudgets(r.body);
  EXPECT_NE(table.find("657,000"), std::string::npos) << table;
  EXPECT_NE(table.find("70.00%"), std::string::npos) << table;
}

TEST_F(MarketApiTest, InvalidConfigurationListsProblems) {
  nlohmann::json doc = SmallMarket();
  doc["pool"] = "lots";
  doc["slots"][0]["kind"] = "floor";
  const MarketApiResponse r = Call("POST", "/init", doc);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["error"], "invalid_argument");
  ASSERT_EQ(r.body["problems"].size(), 2u) << r.body.dump();
  EXPECT_EQ(r.body["problems"][0]["path"], "pool");
  EXPECT_EQ(r.body["problems"][1]["path"], "slots[0].kind");
}

TEST_F(MarketApiTest, BookCancelAndReadBack) {
  Init();
  MarketApiResponse booked = Call("POST", "/bookings",
                                  {{"line", "digital"},
                                   {"slot", "carousel-1"},
                                   {"dates", {"2027-03-01..2027-03-03", "2027-03-10"}}});
  ASSERT_EQ(booked.status, 201) << booked.body.dump();
  EXPECT_EQ(booked.body["paid"], 4000);
  EXPECT_EQ(booked.body["days"].size(), 4u);
  EXPECT_EQ(booked.body["created_by"], "alice");
  const std::int64_t id = booked.body["id"];

  const MarketApiResponse got = Call("GET", "/bookings/" + std::to_string(id));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body["status"], "active");
  EXPECT_NE(RenderBooking(got.body).find("2027-03-10"), std::string::npos);

  const MarketApiResponse cancelled =
      Call("POST", "/bookings/" + std::to_string(id) + "/cancel", {{"dates", {"2027-03-10"}}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body.dump();
  EXPECT_EQ(cancelled.body["refunded"], 1000);

  const MarketApiResponse balance = Call("GET", "/balances/digital");
  ASSERT_EQ(balance.status, 200);
  EXPECT_EQ(balance.body["available"], 657'000 - 3000);
  EXPECT_EQ(balance.body["spent"], 3000);

  const MarketApiResponse ledger = Call("GET", "/ledger?line=digital");
  ASSERT_EQ(ledger.status, 200);
  ASSERT_EQ(ledger.body["entries"].size(), 3u);
  EXPECT_EQ(ledger.body["entries"][1]["kind"], "purchase");
  EXPECT_EQ(ledger.body["entries"][2]["kind"], "refund");
  EXPECT_EQ(ledger.body["entries"][2]["actor"], "alice");
  EXPECT_NE(RenderLedger(ledger.body).find("refund"), std::string::npos);

  const MarketApiResponse list = Call("GET", "/bookings?status=active&line=digital");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["bookings"].size(), 1u);

  const MarketApiResponse check = Call("GET", "/check");
  ASSERT_EQ(check.status, 200);
  EXPECT_EQ(check.body["ok"], true) << check.body.dump();
  EXPECT_EQ(check.body["active_slot_days"], 3);
}

TEST_F(MarketApiTest, ErrorsPointAtTheRequestsOwnFields) {
  Init();
  ASSERT_EQ(
      Call("POST", "/bookings", {{"line", "fashion"}, {"slot", "push"}, {"dates", {"2027-03-05"}}})
          .status,
      201);
  // The taken day came from the second element, a range: the path says so.
  const MarketApiResponse clash = Call(
      "POST", "/bookings",
      {{"line", "digital"}, {"slot", "push"}, {"dates", {"2027-03-01", "2027-03-04..2027-03-06"}}});
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(clash.body["error"], "conflict");
  EXPECT_EQ(clash.body["problems"][0]["path"], "dates[1]") << clash.body.dump();

  const MarketApiResponse bad = Call(
      "POST", "/bookings", {{"line", 7}, {"slot", "push"}, {"dates", {"tomorrow"}}, {"extra", 1}});
  EXPECT_EQ(bad.status, 400);
  ASSERT_EQ(bad.body["problems"].size(), 3u) << bad.body.dump();
  EXPECT_EQ(bad.body["problems"][0]["path"], "extra");
  EXPECT_EQ(bad.body["problems"][1]["path"], "line");
  EXPECT_EQ(bad.body["problems"][2]["path"], "dates[0]");

  EXPECT_EQ(Call("POST", "/bookings", nlohmann::json::array()).status, 400);
  EXPECT_EQ(Call("POST", "/topups", {{"line", "digital"}, {"amount", 1.5}, {"reason", "x"}})
                .body["problems"][0]["path"],
            "amount");
  EXPECT_EQ(Call("GET", "/bookings/abc").status, 404);
  EXPECT_EQ(Call("GET", "/bookings/12345").status, 404);
  EXPECT_EQ(Call("GET", "/ledger?limit=lots").body["problems"][0]["path"], "limit");
  EXPECT_EQ(Call("GET", "/ledger?colour=red").status, 400);
  EXPECT_EQ(Call("GET", "/nowhere").status, 404);
  EXPECT_EQ(Call("DELETE", "/bookings").status, 405);
  EXPECT_EQ(Call("GET", "/balances/toys").status, 404);
  // Nothing above changed the ledger.
  EXPECT_EQ(Call("GET", "/ledger").body["entries"].size(), 3u);
}

TEST_F(MarketApiTest, PricesDefaultToTheComingTwoWeeks) {
  Init();
  const MarketApiResponse r = Call("GET", "/prices?slot=push");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["from"], "2027-02-20");
  EXPECT_EQ(r.body["to"], "2027-03-05");
  EXPECT_EQ(r.body["slot_days"].size(), 14u);
  EXPECT_EQ(r.body["slot_days"][0]["price"], 500);
  EXPECT_EQ(r.body["slot_days"][0]["state"], "free");
  const MarketApiResponse june = Call("GET", "/prices?from=2027-06-18&to=2027-06-18");
  ASSERT_EQ(june.status, 200);
  ASSERT_EQ(june.body["slot_days"].size(), 3u);
  EXPECT_EQ(june.body["slot_days"][0]["mode"], "auction");
  EXPECT_EQ(june.body["slot_days"][0]["state"], "auction_open");
  EXPECT_NE(RenderPrices(june.body).find("auction open, 0 bid(s)"), std::string::npos);
  EXPECT_EQ(Call("GET", "/prices?from=2028-01-01").status, 400);
}

TEST_F(MarketApiTest, AuctionOverTheApi) {
  Init();
  ASSERT_EQ(
      Call("POST", "/bids",
           {{"line", "digital"}, {"slot", "splash"}, {"date", "2027-06-18"}, {"amount", 5000}})
          .status,
      201);
  const MarketApiResponse second =
      Call("POST", "/bids",
           {{"line", "fashion"}, {"slot", "splash"}, {"date", "2027-06-18"}, {"amount", 4200}});
  ASSERT_EQ(second.status, 201) << second.body.dump();
  const MarketApiResponse open = Call("GET", "/auctions/splash/2027-06-18");
  ASSERT_EQ(open.status, 200);
  EXPECT_EQ(open.body["status"], "open");
  EXPECT_EQ(open.body["open_bids"], 2);
  EXPECT_FALSE(open.body.contains("bids"));
  const MarketApiResponse closed = Call("POST", "/auctions/splash/2027-06-18/close");
  ASSERT_EQ(closed.status, 200) << closed.body.dump();
  EXPECT_EQ(closed.body["price"], 4200);
  EXPECT_EQ(closed.body["booking"]["line"], "digital");
  EXPECT_NE(RenderAuction(closed.body).find("won by digital at 4,200 coins"), std::string::npos);
  const MarketApiResponse range = Call(
      "POST", "/bids",
      {{"line", "fashion"}, {"slot", "splash"}, {"date", "2027-06-18..2027-06-19"}, {"amount", 1}});
  EXPECT_EQ(range.status, 400);
  EXPECT_EQ(Call("POST", "/auctions/splash/2027-06-31/close").body["problems"][0]["path"], "date");
}

TEST_F(MarketApiTest, TopUpRecordsWhoAndWhy) {
  Init();
  const MarketApiResponse r =
      Call("POST", "/topups", {{"line", "fashion"}, {"amount", 25000}, {"reason", "618 push"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["kind"], "topup");
  EXPECT_EQ(r.body["actor"], "alice");
  EXPECT_EQ(r.body["note"], "618 push");
  const MarketApiResponse balances = Call("GET", "/balances");
  EXPECT_EQ(balances.body["balances"][1]["topped_up"], 25000);
  EXPECT_NE(RenderBalances(balances.body).find("463,000"), std::string::npos)
      << RenderBalances(balances.body);
}

}  // namespace
}  // namespace sluice::market
