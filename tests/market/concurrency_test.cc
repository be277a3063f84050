// Sixteen threads, each with its own MarketStore connection to one SQLite
// file, make 10,000 random bookings, cancellations, top-ups, bids and
// auction closes. Afterwards the database must agree with what every thread
// was told: no slot-day was ever held twice, no balance ever went below zero,
// and every line's balance is its budget plus what the threads saw it get
// and minus what they saw it pay.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "sluice/market/store.h"
#include "test_market.h"

namespace sluice::market {
namespace {

using testing::D;
using testing::Midnight;
using testing::ScratchDir;

constexpr int kThreads = 16;
constexpr int kOperations = 10'000;
constexpr int kWindow = 240;      // bookings fall in the first 240 days of the year
constexpr int kAuctionDays = 14;  // splash is auctioned 2027-02-01..14
const char* const kLines[] = {"l0", "l1", "l2", "l3", "l4", "l5"};
const char* const kSlots[] = {"splash", "carousel-1", "banner", "push"};

// Prices 1,000 / 800 / 600 / 400 coins a day (a GV is worth 1 coin). Budgets
// by users 30:25:20:15:9:1, so l5 (10,220 coins) runs dry fast. Splash is
// auctioned 2027-02-01..14.
Json ContendedMarket() {
  Json lines = Json::array();
  const int users[] = {30, 25, 20, 15, 9, 1};
  for (int i = 0; i < 6; ++i) lines.push_back({{"id", kLines[i]}, {"users", users[i]}});
  return Json{
      {"year", 2027},
      {"pool", 1'022'000},
      {"cancel_deadline_days", 7},
      {"weights", {{"strategic", 0}, {"revenue", 0}, {"margin", 0}, {"orders", 0}, {"users", 1}}},
      {"lines", lines},
      {"slots",
       {{{"id", "splash"},
         {"kind", "splash"},
         {"gv_per_day", 1000},
         {"auction_days", {"2027-02-01..2027-02-14"}}},
        {{"id", "carousel-1"}, {"kind", "carousel"}, {"gv_per_day", 800}},
        {{"id", "banner"}, {"kind", "banner"}, {"gv_per_day", 600}},
        {{"id", "push"}, {"kind", "push"}, {"gv_per_day", 400}}}}};
}

// What one thread was told by the store.
struct Outcomes {
  std::map<std::int64_t, Booking> booked;                   // successful bookings and auction wins
  std::vector<std::pair<std::int64_t, Booking>> cancelled;  // booking id, the booking after
  std::map<std::string, std::int64_t> topped_up;            // line -> coins
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::int64_t, std::int64_t>>
      bids;  // (slot, day, line) -> (bid id, amount) of the line's latest bid
  std::vector<AuctionResult> closed;
  std::map<std::string, int> failures;  // "code: kind" -> count
  int unexpected = 0;
  std::vector<std::string> unexpected_messages;
};

std::string Classify(const Error& e) {
  const std::string m = e.ToString();
  if (m.find("already booked") != std::string::npos) return "taken";
  if (m.find("coins available") != std::string::npos) return "budget";
  if (m.find("could be cancelled until") != std::string::npos) return "deadline";
  if (m.find("already cancelled") != std::string::npos) return "cancelled";
  if (m.find("does not exist") != std::string::npos) return "missing";
  if (m.find("is closed") != std::string::npos || m.find("already closed") != std::string::npos) {
    return "closed";
  }
  if (m.find("sold by sealed-bid auction") != std::string::npos) return "auction";
  if (m.find("already begun") != std::string::npos) return "begun";
  return "other";
}

void Worker(const std::string& path, const Clock& clock, int thread, int operations,
            std::atomic<std::int64_t>& max_booking, Outcomes& out) {
  auto opened = MarketStore::Open(path, clock);
  if (!opened.ok()) {
    out.unexpected += 1;
    out.unexpected_messages.push_back(opened.error().ToString());
    return;
  }
  MarketStore& store = **opened;
  std::mt19937_64 rng(1000 + thread);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const Day jan1 = D("2027-01-01");
  const std::string actor = "t" + std::to_string(thread);
  auto fail = [&](const Error& e) {
    const ErrorCode c = e.code;
    const std::string kind = Classify(e);
    if ((c != ErrorCode::kConflict && c != ErrorCode::kFailedPrecondition &&
         c != ErrorCode::kNotFound) ||
        kind == "other") {
      out.unexpected += 1;
      if (out.unexpected_messages.size() < 5) out.unexpected_messages.push_back(e.ToString());
    }
    out.failures[std::string(ErrorCodeName(c)) + ": " + kind] += 1;
  };
  for (int op = 0; op < operations; ++op) {
    const int dice = pick(100);
    const std::string line = kLines[pick(6)];
    if (dice < 50) {  // book 1..4 consecutive days in the first kWindow days
      const int slot = pick(4);
      const int start = pick(kWindow);
      const int length = 1 + pick(4);
      BookRequest r{line, kSlots[slot], {}};
      for (int i = 0; i < length; ++i) r.days.push_back(Day{jan1.n + start + i});
      auto b = store.Book(r, actor);
      if (b.ok()) {
        out.booked[b->id] = *b;
        std::int64_t seen = max_booking.load();
        while (b->id > seen && !max_booking.compare_exchange_weak(seen, b->id)) {
        }
      } else {
        fail(b.error());
      }
    } else if (dice < 75) {  // cancel someone's booking, whole or one day
      const std::int64_t max = max_booking.load();
      if (max == 0) continue;
      CancelRequest r{1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(max)), {}};
      if (pick(2) == 0) {
        // One day: of the booking when this thread made it, else any day.
        auto mine = out.booked.find(r.booking_id);
        r.days.push_back(mine != out.booked.end()
                             ? mine->second
                                   .days[static_cast<std::size_t>(
                                       pick(static_cast<int>(mine->second.days.size())))]
                                   .day
                             : Day{jan1.n + pick(kWindow)});
      }
      auto c = store.Cancel(r, actor);
      if (c.ok()) {
        out.cancelled.emplace_back(r.booking_id, *c);
      } else if (c.error().code == ErrorCode::kInvalidArgument &&
                 c.error().message.find("has no day") != std::string::npos) {
        out.failures["invalid_argument: no such day"] += 1;
      } else {
        fail(c.error());
      }
    } else if (dice < 85) {  // top up
      const std::int64_t amount = 1 + pick(5000);
      auto t = store.TopUp({line, amount, "test top-up " + std::to_string(op)}, actor);
      if (t.ok()) {
        out.topped_up[line] += amount;
      } else {
        fail(t.error());
      }
    } else if (dice < 99) {  // bid on an auctioned splash day
      const Day day{D("2027-02-01").n + pick(kAuctionDays)};
      const std::int64_t amount = 1000 + pick(3000);
      auto b = store.PlaceBid({line, "splash", day, amount}, actor);
      if (b.ok()) {
        out.bids[{"splash", FormatDay(day), line}] = {b->id, amount};
      } else {
        fail(b.error());
      }
    } else {  // close an auction
      const Day day{D("2027-02-01").n + pick(kAuctionDays)};
      auto a = store.CloseAuction("splash", day, actor);
      if (a.ok()) {
        out.closed.push_back(*a);
      } else {
        fail(a.error());
      }
    }
  }
}

TEST(MarketConcurrencyTest, SixteenConnectionsTenThousandOperations) {
  ScratchDir dir("concurrency");
  const std::string path = dir.File("sluice.db");
  // Half a day before the year: 2027-01-01 is still bookable, and the first
  // week is past its cancellation deadline.
  FakeClock clock(Midnight("2026-12-31") + 12 * 3'600'000);
  {
    auto store = MarketStore::Open(path, clock);
    ASSERT_TRUE(store.ok());
    auto market = (*store)->Init(ContendedMarket(), "admin");
    ASSERT_TRUE(market.ok()) << market.error().ToString();
  }
  std::atomic<std::int64_t> max_booking{0};
  std::vector<Outcomes> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(Worker, path, std::cref(clock), t, kOperations / kThreads,
                         std::ref(max_booking), std::ref(outcomes[t]));
  }
  for (std::thread& t : threads) t.join();

  // 1. Nothing failed for a reason other than the market's rules: no busy
  //    database, no I/O error. Every rule was exercised.
  std::map<std::string, int> failures;
  int unexpected = 0;
  for (const Outcomes& o : outcomes) {
    for (const auto& [k, n] : o.failures) failures[k] += n;
    unexpected += o.unexpected;
    for (const std::string& m : o.unexpected_messages) ADD_FAILURE() << m;
  }
  EXPECT_EQ(unexpected, 0);
  for (const char* kind :
       {"conflict: taken", "failed_precondition: budget", "failed_precondition: deadline",
        "failed_precondition: cancelled", "failed_precondition: closed"}) {
    EXPECT_GT(failures[kind], 0) << kind << " never happened; the test lost its teeth. Seen: "
                                 << ::testing::PrintToString(failures);
  }

  auto store = MarketStore::Open(path, clock);
  ASSERT_TRUE(store.ok());
  // 2. The store's own check.
  auto report = (*store)->Check();
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);

  // 3. Independently of the store: read the tables directly.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto rows = [&](const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return out;
  };
  // 3a. No slot-day is held by two active bookings...
  EXPECT_TRUE(rows("SELECT slot, day FROM market_booking_days WHERE active = 1 "
                   "GROUP BY slot, day HAVING COUNT(*) > 1")
                  .empty());
  // ...nor ever was: ledger ids grow in commit order, and the intervals
  // [purchase, refund) of one slot-day's bookings never overlap.
  std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> held;
  for (const auto& r :
       rows("SELECT slot || ' ' || day, purchase_entry, "
            "COALESCE(refund_entry, 9223372036854775807) FROM market_booking_days")) {
    held[r[0]].push_back({std::stoll(r[1]), std::stoll(r[2])});
  }
  for (auto& [key, intervals] : held) {
    std::sort(intervals.begin(), intervals.end());
    for (std::size_t i = 1; i < intervals.size(); ++i) {
      EXPECT_GE(intervals[i].first, intervals[i - 1].second) << key << " held twice at once";
    }
  }
  // 3b. Replaying the ledger, no balance is ever negative.
  std::map<std::string, std::int64_t> running;
  for (const auto& r : rows("SELECT line, amount, id FROM market_ledger ORDER BY id")) {
    running[r[0]] += std::stoll(r[1]);
    ASSERT_GE(running[r[0]], 0) << r[0] << " below zero at ledger entry " << r[2];
  }

  // 4. The database holds exactly the bookings the threads were told about,
  //    with the days they were told were cancelled.
  std::map<std::int64_t, Booking> told;
  for (const Outcomes& o : outcomes) {
    for (const auto& [id, b] : o.booked) told[id] = b;
    for (const AuctionResult& a : o.closed) {
      if (a.booking) told[a.booking->id] = *a.booking;
    }
  }
  for (const Outcomes& o : outcomes) {
    for (const auto& [id, after] : o.cancelled) {
      ASSERT_TRUE(told.count(id)) << "cancelled booking " << id << " was never booked";
      for (const BookingDay& d : after.days) {
        if (!d.active) {
          for (BookingDay& mine : told[id].days) {
            if (mine.day == d.day) mine.active = false;
          }
        }
      }
    }
  }
  const auto count = rows("SELECT COUNT(*) FROM market_bookings");
  EXPECT_EQ(std::stoll(count[0][0]), static_cast<std::int64_t>(told.size()));
  for (const auto& [id, b] : told) {
    auto stored = (*store)->GetBooking(id);
    ASSERT_TRUE(stored.ok()) << "booking " << id;
    ASSERT_EQ(stored->days.size(), b.days.size()) << "booking " << id;
    for (std::size_t i = 0; i < b.days.size(); ++i) {
      EXPECT_EQ(stored->days[i].day, b.days[i].day);
      EXPECT_EQ(stored->days[i].price, b.days[i].price);
      EXPECT_EQ(stored->days[i].active, b.days[i].active) << "booking " << id;
    }
  }

  // 5. Every balance is the budget, plus the top-ups, less what was paid for
  //    days still booked, less the bids still open, as the threads saw it.
  auto market = (*store)->Get();
  ASSERT_TRUE(market.ok());
  std::map<std::string, std::int64_t> expected;
  for (const LineBudget& b : (*market)->budgets) expected[b.line] = b.coins;
  for (const Outcomes& o : outcomes) {
    for (const auto& [line, coins] : o.topped_up) expected[line] += coins;
  }
  for (const auto& [id, b] : told) {
    for (const BookingDay& d : b.days) expected[b.line] -= d.active ? d.price : 0;
  }
  // Open bids: the latest bid of each line on each slot-day whose auction
  // is still open. (Bid ids grow in commit order, so "latest" is the largest id.)
  std::set<std::pair<std::string, std::string>> closed;
  for (const Outcomes& o : outcomes) {
    for (const AuctionResult& a : o.closed) closed.insert({a.slot, FormatDay(a.day)});
  }
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::int64_t, std::int64_t>>
      latest;
  for (const Outcomes& o : outcomes) {
    for (const auto& [key, bid] : o.bids) {
      if (!latest.count(key) || latest[key].first < bid.first) latest[key] = bid;
    }
  }
  for (const auto& [key, bid] : latest) {
    if (!closed.count({std::get<0>(key), std::get<1>(key)}))
      expected[std::get<2>(key)] -= bid.second;
  }
  auto balances = (*store)->Balances();
  ASSERT_TRUE(balances.ok());
  std::int64_t total = 0;
  for (const Balance& b : *balances) {
    EXPECT_EQ(b.available, expected[b.line]) << "line " << b.line;
    EXPECT_EQ(b.available, running[b.line]) << "line " << b.line;
    EXPECT_GE(b.available, 0);
    total += b.available;
  }
  EXPECT_EQ(total, report->total_available);
  sqlite3_close(db);

  std::int64_t cancellations = 0, bookings = 0;
  for (const Outcomes& o : outcomes) {
    cancellations += static_cast<std::int64_t>(o.cancelled.size());
    bookings += static_cast<std::int64_t>(o.booked.size());
  }
  EXPECT_GT(cancellations, 100);
  EXPECT_GT(bookings, 500);
  std::cout << "bookings " << bookings << ", cancellations " << cancellations << ", ledger entries "
            << report->ledger_entries << ", failures " << ::testing::PrintToString(failures)
            << "\n";
}

}  // namespace
}  // namespace sluice::market
