#include "sluice/market/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "test_market.h"

namespace sluice::market {
namespace {

using testing::D;
using testing::Midnight;
using testing::ScratchDir;
using testing::SmallMarket;

class MarketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
    auto market = store_->Init(SmallMarket(), "admin");
    ASSERT_TRUE(market.ok()) << market.error().ToString();
  }

  std::unique_ptr<MarketStore> OpenStore() {
    auto store = MarketStore::Open(path_, clock_);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::int64_t Available(const std::string& line) {
    auto balances = store_->Balances();
    EXPECT_TRUE(balances.ok());
    for (const Balance& b : *balances) {
      if (b.line == line) return b.available;
    }
    ADD_FAILURE() << "no line " << line;
    return -1;
  }

  std::int64_t LedgerSize() {
    auto entries = store_->Ledger(LedgerQuery{"", 0, 10000});
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? static_cast<std::int64_t>(entries->size()) : -1;
  }

  Result<Booking> Book(const std::string& line, const std::string& slot,
                       std::vector<const char*> days) {
    BookRequest r{line, slot, {}};
    for (const char* d : days) r.days.push_back(D(d));
    return store_->Book(r, "planner");
  }

  void ExpectCheckOk() {
    auto report = store_->Check();
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
  }

  ScratchDir dir_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
  std::string path_ = dir_.File("sluice.db");
  FakeClock clock_{Midnight("2026-12-01")};
  std::unique_ptr<MarketStore> store_;
};

TEST_F(MarketStoreTest, InitCreditsEveryLineItsBudget) {
  auto balances = store_->Balances();
  ASSERT_TRUE(balances.ok());
  ASSERT_EQ(balances->size(), 2u);
  EXPECT_EQ((*balances)[0].line, "digital");
  EXPECT_EQ((*balances)[0].budget, 657'000);
  EXPECT_EQ((*balances)[0].available, 657'000);
  EXPECT_EQ((*balances)[1].budget, 438'000);
  auto entries = store_->Ledger(LedgerQuery{});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].kind, EntryKind::kBudget);
  EXPECT_EQ((*entries)[0].actor, "admin");
  ExpectCheckOk();
}

TEST_F(MarketStoreTest, ASecondInitIsRefusedAndChangesNothing) {
  auto again = store_->Init(SmallMarket(), "admin");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(LedgerSize(), 2);
}

TEST(MarketStoreInitTest, AnInvalidConfigurationStoresNothing) {
  ScratchDir dir("invalid_init");
  FakeClock clock(Midnight("2026-12-01"));
  auto store = MarketStore::Open(dir.File("sluice.db"), clock);
  ASSERT_TRUE(store.ok());
  Json doc = SmallMarket();
  doc["lines"][0]["users"] = -1;
  auto market = (*store)->Init(doc, "admin");
  ASSERT_FALSE(market.ok());
  EXPECT_EQ(market.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(market.error().problems.at(0).path, "lines[0].users");
  auto get = (*store)->Get();
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(get.error().message.find("sluice market init"), std::string::npos);
}

TEST_F(MarketStoreTest, BookingDebitsThePostedPricesAndTakesTheDays) {
  auto booking = Book("digital", "carousel-1", {"2027-03-02", "2027-03-01", "2027-03-03"});
  ASSERT_TRUE(booking.ok()) << booking.error().ToString();
  EXPECT_EQ(booking->paid(), 3000);
  ASSERT_EQ(booking->days.size(), 3u);
  EXPECT_EQ(FormatDay(booking->days[0].day), "2027-03-01");  // sorted
  EXPECT_EQ(Available("digital"), 657'000 - 3000);
  auto days = store_->SlotDays("carousel-1", {D("2027-02-28"), D("2027-03-01")});
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 2u);
  EXPECT_FALSE((*days)[0].booking_id.has_value());
  EXPECT_EQ((*days)[1].booking_id, booking->id);
  EXPECT_EQ((*days)[1].booked_by, "digital");
  auto reread = store_->GetBooking(booking->id);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->paid(), 3000);
  EXPECT_EQ(reread->created_by, "planner");
  ExpectCheckOk();
}

TEST_F(MarketStoreTest, ATakenDayFailsTheWholeBookingAndChangesNothing) {
  ASSERT_TRUE(Book("digital", "push", {"2027-04-02"}).ok());
  const std::int64_t entries = LedgerSize();
  auto clash = Book("fashion", "push", {"2027-04-01", "2027-04-02", "2027-04-03"});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  ASSERT_EQ(clash.error().problems.size(), 1u);
  EXPECT_EQ(clash.error().problems[0].path, "dates[1]");
  EXPECT_NE(clash.error().message.find("already booked"), std::string::npos);
  EXPECT_NE(clash.error().message.find("line digital"), std::string::npos);
  EXPECT_EQ(LedgerSize(), entries);
  EXPECT_EQ(Available("fashion"), 438'000);
  auto days = store_->SlotDays("push", {D("2027-04-01"), D("2027-04-03")});
  ASSERT_TRUE(days.ok());
  EXPECT_FALSE((*days)[0].booking_id.has_value());
  EXPECT_FALSE((*days)[2].booking_id.has_value());
  ExpectCheckOk();
}

TEST_F(MarketStoreTest, ABudgetThatDoesNotCoverTheBookingBuysNothing) {
  // Fashion has 438,000 coins; splash costs 1,500 a day: 292 days exactly.
  BookRequest r{"fashion", "splash", {}};
  for (Day d = D("2027-01-01"); r.days.size() < 293; d.n++) {
    if (d != D("2027-06-18")) r.days.push_back(d);
  }
  auto too_much = store_->Book(r, "planner");
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(too_much.error().message.find("438,000 coins available but the 293 days cost 439,500"),
            std::string::npos)
      << too_much.error().message;
  EXPECT_EQ(LedgerSize(), 2);
  r.days.pop_back();
  auto exact = store_->Book(r, "planner");
  ASSERT_TRUE(exact.ok()) << exact.error().ToString();
  EXPECT_EQ(Available("fashion"), 0);
  auto one_more = Book("fashion", "push", {"2027-12-01"});
  ASSERT_FALSE(one_more.ok());
  EXPECT_EQ(one_more.error().code, ErrorCode::kFailedPrecondition);
  // A top-up makes it affordable.
  auto topup = store_->TopUp({"fashion", 500, "Q4 campaign approved by the CFO"}, "finance");
  ASSERT_TRUE(topup.ok()) << topup.error().ToString();
  EXPECT_EQ(topup->kind, EntryKind::kTopUp);
  EXPECT_EQ(topup->actor, "finance");
  EXPECT_EQ(topup->note, "Q4 campaign approved by the CFO");
  ASSERT_TRUE(Book("fashion", "push", {"2027-12-01"}).ok());
  EXPECT_EQ(Available("fashion"), 0);
  ExpectCheckOk();
}

TEST_F(MarketStoreTest, BadBookingsNameTheFieldAndChangeNothing) {
  struct Case {
    BookRequest request;
    std::string path;
    std::string words;
  };
  const std::vector<Case> cases = {
      {{"toys", "push", {D("2027-03-01")}}, "line", "use one of digital, fashion"},
      {{"digital", "floor-3", {D("2027-03-01")}}, "slot", "use one of splash, carousel-1, push"},
      {{"digital", "push", {}}, "dates", "from 1 to 366 days"},
      {{"digital", "push", {D("2028-01-01")}}, "dates[0]", "outside the market year 2027"},
      {{"digital", "push", {D("2027-03-01"), D("2027-03-01")}}, "dates[1]", "listed twice"},
  };
  for (const Case& c : cases) {
    auto r = store_->Book(c.request, "planner");
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.path;
    ASSERT_FALSE(r.error().problems.empty()) << r.error().message;
    EXPECT_EQ(r.error().problems[0].path, c.path);
    EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().message;
  }
  auto no_actor = store_->Book({"digital", "push", {D("2027-03-01")}}, "");
  ASSERT_FALSE(no_actor.ok());
  EXPECT_EQ(no_actor.error().problems.at(0).path, "actor");
  EXPECT_EQ(LedgerSize(), 2);
}

TEST_F(MarketStoreTest, DaysThatHaveBegunCannotBeBooked) {
  clock_.Set(Midnight("2027-05-10") + 1);
  auto r = Book("digital", "push", {"2027-05-11", "2027-05-10"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().problems.at(0).path, "dates[1]");
  EXPECT_NE(r.error().message.find("has already begun"), std::string::npos);
  EXPECT_TRUE(Book("digital", "push", {"2027-05-11"}).ok());
}

TEST_F(MarketStoreTest, CancellingBeforeTheDeadlineRefundsAndFreesTheDays) {
  auto booking = Book("digital", "splash", {"2027-03-10", "2027-03-11", "2027-03-12"});
  ASSERT_TRUE(booking.ok());
  auto partial = store_->Cancel({booking->id, {D("2027-03-11")}}, "planner");
  ASSERT_TRUE(partial.ok()) << partial.error().ToString();
  EXPECT_EQ(partial->refunded(), 1500);
  EXPECT_TRUE(partial->active());
  EXPECT_EQ(Available("digital"), 657'000 - 4500 + 1500);
  // The freed day can be bought by another line.
  ASSERT_TRUE(Book("fashion", "splash", {"2027-03-11"}).ok());
  // Cancelling it twice is refused.
  auto twice = store_->Cancel({booking->id, {D("2027-03-11")}}, "planner");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kFailedPrecondition);
  // The rest, at once.
  auto rest = store_->Cancel({booking->id, {}}, "planner");
  ASSERT_TRUE(rest.ok());
  EXPECT_FALSE(rest->active());
  EXPECT_EQ(rest->refunded(), 4500);
  EXPECT_EQ(Available("digital"), 657'000);
  auto again = store_->Cancel({booking->id, {}}, "planner");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already cancelled"), std::string::npos);
  auto missing = store_->Cancel({9999, {}}, "planner");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ExpectCheckOk();
}

TEST_F(MarketStoreTest, AfterTheDeadlineNothingIsCancelled) {
  auto booking = Book("digital", "push", {"2027-03-10", "2027-03-20"});
  ASSERT_TRUE(booking.ok());
  // The deadline of 2027-03-10 is 2027-03-03 00:00: one millisecond before is fine...
  clock_.Set(Midnight("2027-03-03") - 1);
  auto before = store_->Cancel({booking->id, {D("2027-03-10")}}, "planner");
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  // ...at the deadline it is too late, and a request that includes a late day
  // changes nothing, not even the days still open.
  auto b2 = Book("digital", "carousel-1", {"2027-03-10", "2027-03-20"});
  ASSERT_TRUE(b2.ok());
  clock_.Set(Midnight("2027-03-03"));
  const std::int64_t entries = LedgerSize();
  auto late = store_->Cancel({b2->id, {}}, "planner");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(late.error().message.find("could be cancelled until 2027-03-03 00:00 UTC+00:00"),
            std::string::npos)
      << late.error().message;
  EXPECT_NE(late.error().message.find("name them: --dates 2027-03-20"), std::string::npos)
      << late.error().message;
  EXPECT_EQ(LedgerSize(), entries);
  auto open_day = store_->Cancel({b2->id, {D("2027-03-20")}}, "planner");
  ASSERT_TRUE(open_day.ok());
  EXPECT_EQ(open_day->refunded(), 1000);
  ExpectCheckOk();
}

TEST(MarketStoreDeadlineTest, TheDeadlineFollowsTheMarketsTimeZone) {
  ScratchDir dir("time_zone");
  Json doc = SmallMarket();
  doc["utc_offset_minutes"] = 480;
  doc["cancel_deadline_days"] = 2;
  FakeClock clock(Midnight("2026-12-01"));
  auto store = MarketStore::Open(dir.File("sluice.db"), clock);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Init(doc, "admin").ok());
  auto b = (*store)->Book({"digital", "push", {D("2027-03-10"), D("2027-03-11")}}, "planner");
  ASSERT_TRUE(b.ok());
  // 2027-03-10 starts at 2027-03-09 16:00 UTC; its deadline is two days earlier.
  clock.Set(Midnight("2027-03-07") + 16 * 3'600'000);
  auto late = (*store)->Cancel({b->id, {D("2027-03-10")}}, "planner");
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message.find("until 2027-03-08 00:00 UTC+08:00"), std::string::npos)
      << late.error().message;
  auto fine = (*store)->Cancel({b->id, {D("2027-03-11")}}, "planner");
  EXPECT_TRUE(fine.ok());
}

TEST_F(MarketStoreTest, TopUpsNeedAPositiveAmountAndAReason) {
  auto zero = store_->TopUp({"digital", 0, "why not"}, "finance");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().problems.at(0).path, "amount");
  auto no_reason = store_->TopUp({"digital", 10, ""}, "finance");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.error().problems.at(0).path, "reason");
  auto unknown = store_->TopUp({"toys", 10, "x"}, "finance");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().problems.at(0).path, "line");
  auto huge = store_->TopUp({"digital", kMaxCoins, "x"}, "finance");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("balance above"), std::string::npos);
  EXPECT_EQ(LedgerSize(), 2);
}

TEST_F(MarketStoreTest, SealedBidSecondPriceAuction) {
  const Day day = D("2027-06-18");
  // Posted sale is closed on an auction day.
  auto posted = Book("digital", "splash", {"2027-06-18"});
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(posted.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(posted.error().message.find("sold by sealed-bid auction"), std::string::npos);
  // Bids below the reserve (the posted price, 1,500) are refused.
  auto low = store_->PlaceBid({"digital", "splash", day, 1499}, "planner");
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().problems.at(0).path, "amount");
  auto not_auction = store_->PlaceBid({"digital", "push", day, 5000}, "planner");
  ASSERT_FALSE(not_auction.ok());
  EXPECT_EQ(not_auction.error().code, ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(store_->PlaceBid({"digital", "splash", day, 3000}, "planner").ok());
  ASSERT_TRUE(store_->PlaceBid({"fashion", "splash", day, 2500}, "planner").ok());
  EXPECT_EQ(Available("digital"), 657'000 - 3000);
  // Digital raises its bid: the first hold is released, the new one held.
  auto raised = store_->PlaceBid({"digital", "splash", day, 4000}, "planner");
  ASSERT_TRUE(raised.ok());
  EXPECT_EQ(Available("digital"), 657'000 - 4000);
  auto open = store_->Auction("splash", day);
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->closed);
  EXPECT_EQ(open->open_bids, 2);
  EXPECT_TRUE(open->bids.empty());  // sealed
  ExpectCheckOk();

  auto result = store_->CloseAuction("splash", day, "admin");
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->winning_bid, raised->id);
  EXPECT_EQ(result->price, 2500);  // the second-highest bid
  ASSERT_TRUE(result->booking.has_value());
  EXPECT_EQ(result->booking->line, "digital");
  EXPECT_EQ(result->booking->source, BookingSource::kAuction);
  EXPECT_EQ(result->bids.size(), 3u);
  EXPECT_EQ(Available("digital"), 657'000 - 2500);
  EXPECT_EQ(Available("fashion"), 438'000);  // the loser's hold is back
  auto balances = store_->Balances();
  ASSERT_TRUE(balances.ok());
  EXPECT_EQ((*balances)[0].held, 0);
  EXPECT_EQ((*balances)[0].spent, 2500);

  auto late_bid = store_->PlaceBid({"fashion", "splash", day, 9000}, "planner");
  ASSERT_FALSE(late_bid.ok());
  EXPECT_NE(late_bid.error().message.find("is closed"), std::string::npos);
  auto reclose = store_->CloseAuction("splash", day, "admin");
  ASSERT_FALSE(reclose.ok());
  EXPECT_EQ(reclose.error().code, ErrorCode::kFailedPrecondition);
  auto again = Book("fashion", "splash", {"2027-06-18"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  ExpectCheckOk();
}

TEST(MarketStoreAuctionTest, ALoneBidderPaysTheReserveAndAnEmptyAuctionReopensPostedSale) {
  ScratchDir dir("lone_bidder");
  Json doc = SmallMarket();
  doc["slots"][0]["auction_days"] = {"2027-06-18..2027-06-19"};
  FakeClock clock(Midnight("2026-12-01"));
  auto store = MarketStore::Open(dir.File("sluice.db"), clock);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Init(doc, "admin").ok());
  ASSERT_TRUE((*store)->PlaceBid({"fashion", "splash", D("2027-06-18"), 9000}, "p").ok());
  auto lone = (*store)->CloseAuction("splash", D("2027-06-18"), "admin");
  ASSERT_TRUE(lone.ok());
  EXPECT_EQ(lone->price, 1500);
  auto empty = (*store)->CloseAuction("splash", D("2027-06-19"), "admin");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->winning_bid.has_value());
  EXPECT_FALSE(empty->booking.has_value());
  auto posted = (*store)->Book({"digital", "splash", {D("2027-06-19")}}, "p");
  ASSERT_TRUE(posted.ok()) << posted.error().ToString();
  EXPECT_EQ(posted->paid(), 1500);
  auto report = (*store)->Check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
}

TEST_F(MarketStoreTest, ABidMustBeCoveredByTheBalance) {
  auto bid = store_->PlaceBid({"fashion", "splash", D("2027-06-18"), 438'001}, "p");
  ASSERT_FALSE(bid.ok());
  EXPECT_EQ(bid.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(LedgerSize(), 2);
  // Raising a bid counts the released hold: 438,000 in total may be bid.
  ASSERT_TRUE(store_->PlaceBid({"fashion", "splash", D("2027-06-18"), 400'000}, "p").ok());
  ASSERT_TRUE(store_->PlaceBid({"fashion", "splash", D("2027-06-18"), 438'000}, "p").ok());
  EXPECT_EQ(Available("fashion"), 0);
  ExpectCheckOk();
}

TEST_F(MarketStoreTest, AnotherConnectionSeesTheSameMarket) {
  ASSERT_TRUE(Book("digital", "push", {"2027-02-01"}).ok());
  auto other = OpenStore();
  ASSERT_NE(other, nullptr);
  auto clash = other->Book({"fashion", "push", {D("2027-02-01")}}, "p");
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  store_.reset();
  store_ = OpenStore();
  EXPECT_EQ(Available("digital"), 657'000 - 500);
}

TEST_F(MarketStoreTest, LedgerAndBookingQueries) {
  ASSERT_TRUE(Book("digital", "push", {"2027-02-01"}).ok());
  ASSERT_TRUE(Book("fashion", "push", {"2027-02-02"}).ok());
  ASSERT_TRUE(store_->TopUp({"fashion", 10, "x"}, "f").ok());
  auto fashion = store_->Ledger(LedgerQuery{"fashion", 0, 100});
  ASSERT_TRUE(fashion.ok());
  ASSERT_EQ(fashion->size(), 3u);
  auto page = store_->Ledger(LedgerQuery{"", (*fashion)[0].id, 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_GT((*page)[0].id, (*fashion)[0].id);
  auto bookings = store_->Bookings(BookingQuery{"fashion", "", false, 10});
  ASSERT_TRUE(bookings.ok());
  ASSERT_EQ(bookings->size(), 1u);
  EXPECT_EQ((*bookings)[0].line, "fashion");
  EXPECT_FALSE(store_->Ledger(LedgerQuery{"", 0, 0}).ok());
}

// Check must be able to fail: break each invariant behind the store's back.
class MarketCheckTest : public MarketStoreTest {
 protected:
  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  std::vector<std::string> Problems() {
    auto report = store_->Check();
    EXPECT_TRUE(report.ok());
    return report.ok() ? report->problems : std::vector<std::string>{};
  }
  static bool Mentions(const std::vector<std::string>& problems, const std::string& words) {
    for (const std::string& p : problems) {
      if (p.find(words) != std::string::npos) return true;
    }
    return false;
  }
  void SetUp() override {
    MarketStoreTest::SetUp();
    booking_ = Book("digital", "push", {"2027-02-01", "2027-02-02"}).value().id;
    ASSERT_TRUE(store_->Cancel({booking_, {D("2027-02-02")}}, "p").ok());
    ExpectCheckOk();
  }
  std::int64_t booking_ = 0;
};

TEST_F(MarketCheckTest, AMissingRefundIsFound) {
  Exec("DELETE FROM market_ledger WHERE kind = 'refund'");
  EXPECT_TRUE(Mentions(Problems(), "refunds total 0")) << ::testing::PrintToString(Problems());
}

TEST_F(MarketCheckTest, AnUnpaidPurchaseIsFound) {
  Exec("UPDATE market_ledger SET amount = -1 WHERE kind = 'purchase'");
  EXPECT_TRUE(Mentions(Problems(), "purchase entries total 1"));
}

TEST_F(MarketCheckTest, ANegativeBalanceIsFound) {
  Exec(
      "INSERT INTO market_ledger (line, kind, amount, booking_id, at, actor, note) VALUES "
      "('fashion', 'purchase', -500000, " +
      std::to_string(booking_) + ", 0, 'x', '')");
  EXPECT_TRUE(Mentions(Problems(), "line fashion's balance went negative"));
}

TEST_F(MarketCheckTest, ADoubleBookingOverTimeIsFound) {
  // A second booking of the cancelled day whose purchase predates the refund.
  Exec(
      "INSERT INTO market_bookings (id, line, slot, source, created_at, created_by) VALUES "
      "(50, 'fashion', 'push', 'posted', 0, 'x');"
      "INSERT INTO market_booking_days (booking_id, slot, day, price, active, purchase_entry) "
      "SELECT 50, 'push', '2027-02-02', 500, 1, purchase_entry FROM market_booking_days "
      "WHERE day = '2027-02-02';"
      "INSERT INTO market_ledger (line, kind, amount, booking_id, at, actor, note) VALUES "
      "('fashion', 'purchase', -500, 50, 0, 'x', '')");
  EXPECT_TRUE(Mentions(Problems(), "was held by two bookings at once"))
      << ::testing::PrintToString(Problems());
}

TEST_F(MarketCheckTest, TheIndexRefusesTwoActiveBookingsOfADay) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const int rc = sqlite3_exec(
      db,
      "INSERT INTO market_booking_days (booking_id, slot, day, price, active, purchase_entry) "
      "VALUES (77, 'push', '2027-02-01', 500, 1, 1)",
      nullptr, nullptr, nullptr);
  EXPECT_EQ(rc, SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

TEST_F(MarketCheckTest, AChangedBudgetIsFound) {
  Exec("UPDATE market_ledger SET amount = amount + 1 WHERE kind = 'budget' AND line = 'digital'");
  const auto problems = Problems();
  EXPECT_TRUE(Mentions(problems, "should have one budget entry of 657000"));
  EXPECT_TRUE(Mentions(problems, "not the pool of 1095000"));
}

}  // namespace
}  // namespace sluice::market
