// MarketStore: the traffic market's durable state (budgets, ledger, bookings,
// sealed bids, auctions) in SQLite, in tables prefixed market_.
//
// The store can share the server's database file (DATA/sluice.db, WAL mode)
// or use its own; each MarketStore is one connection, and any number of
// stores, threads and processes may use one file at once. Every change is one
// transaction (BEGIN IMMEDIATE; writers wait up to the busy timeout for each
// other instead of failing). A change that fails for any reason, bad input
// included, changes nothing. Time comes from the Clock given to Open.
//
// Invariants, kept by every change and verified by Check():
//  1. A line's balance is the sum of its ledger entries; no balance is stored.
//     Replaying the ledger in entry order, no line's balance is ever < 0.
//  2. A slot-day is held by at most one active booking, at every moment: a
//     partial unique index makes a second active booking impossible, and the
//     ledger entry ids of each booking day's purchase and refund (entry ids
//     grow in commit order) give the intervals in which it was held, which
//     never overlap for one slot-day.
//  3. Every booking is paid by exactly one purchase entry (the sum of its day
//     prices) and every cancelled day is refunded at the price paid for it.
//  4. Every bid holds its amount with one hold entry; a bid that is replaced,
//     loses or wins gets it back with one release entry, and a won auction
//     is paid by the winner's booking at the clearing price.
//  5. The budget entries are the budgets of the configuration's formula and
//     sum to the pool.
//
// Thread-safety: a MarketStore may be used from several threads; its calls
// are serialised by an internal mutex. For parallel writers, open one store
// per thread (SQLite serialises them by the file lock).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/market/calendar.h"
#include "sluice/market/config.h"
#include "sluice/market/pricing.h"

namespace sluice::market {

struct StoreOptions {
  int busy_timeout_ms = 30'000;  // how long a writer waits for another's transaction
};

// A configuration with what follows from it; immutable once the market exists.
struct Market {
  MarketConfig config;
  PriceBook prices;
  std::vector<LineBudget> budgets;  // in the order of config.lines
  Json document;                    // the configuration as given to Init
  EpochMillis created_at = 0;
  std::string created_by;
};

enum class EntryKind : std::uint8_t { kBudget, kTopUp, kPurchase, kRefund, kHold, kRelease };
std::string_view EntryKindName(EntryKind kind);

struct LedgerEntry {
  std::int64_t id = 0;  // grows in commit order
  std::string line;
  EntryKind kind = EntryKind::kBudget;
  std::int64_t amount = 0;  // coins: > 0 credits the line, < 0 debits it
  std::optional<std::int64_t> booking_id;
  std::optional<std::int64_t> bid_id;
  EpochMillis at = 0;
  std::string actor;
  std::string note;  // top-up reason, the slot and days bought, ...
};

struct Balance {
  std::string line;
  std::int64_t budget = 0;     // budget entries
  std::int64_t topped_up = 0;  // top-up entries
  std::int64_t spent = 0;      // purchases less refunds
  std::int64_t held = 0;       // open bids
  std::int64_t available = 0;  // the sum of all the line's entries
};

enum class BookingSource : std::uint8_t { kPosted, kAuction };
std::string_view BookingSourceName(BookingSource source);

struct BookingDay {
  Day day;
  std::int64_t price = 0;  // coins paid for the day
  bool active = true;
  std::optional<EpochMillis> cancelled_at;
  std::string cancelled_by;
};

struct Booking {
  std::int64_t id = 0;
  std::string line;
  std::string slot;
  BookingSource source = BookingSource::kPosted;
  std::vector<BookingDay> days;  // in date order
  EpochMillis created_at = 0;
  std::string created_by;

  std::int64_t paid() const;      // sum of all day prices
  std::int64_t refunded() const;  // sum of the cancelled days' prices
  bool active() const;            // some day still active
};

enum class BidStatus : std::uint8_t { kHeld, kReplaced, kWon, kLost };
std::string_view BidStatusName(BidStatus status);

struct Bid {
  std::int64_t id = 0;
  std::string line;
  std::string slot;
  Day day;
  std::int64_t amount = 0;
  BidStatus status = BidStatus::kHeld;
  EpochMillis created_at = 0;
  std::string created_by;
};

// One slot-day as the market sees it now.
struct SlotDay {
  std::string slot;
  Day day;
  double gv = 0;
  std::int64_t price = 0;  // posted price; the reserve of an auction
  bool auction = false;    // sold by auction
  bool auction_closed = false;
  int open_bids = 0;  // while the auction is open; amounts stay sealed
  std::optional<std::int64_t> booking_id;
  std::string booked_by;  // the line holding the active booking
};

struct AuctionResult {
  std::string slot;
  Day day;
  std::int64_t reserve = 0;
  bool closed = false;
  int open_bids = 0;      // bids waiting for the close (their amounts stay sealed)
  std::vector<Bid> bids;  // once closed: every bid of the slot-day, settled
  std::optional<std::int64_t> winning_bid;
  std::optional<Booking> booking;  // the winner's booking
  std::int64_t price = 0;
  EpochMillis closed_at = 0;
  std::string closed_by;
};

// ---- Requests: plain values, checked by the store against the market ----

struct TopUpRequest {
  std::string line;
  std::int64_t amount = 0;  // 1..kMaxCoins
  std::string reason;       // non-empty
};

struct BookRequest {
  std::string line;
  std::string slot;
  std::vector<Day> days;  // 1..366 distinct days of the market year, not yet started
};

struct CancelRequest {
  std::int64_t booking_id = 0;
  std::vector<Day> days;  // empty: every active day of the booking
};

struct BidRequest {
  std::string line;
  std::string slot;
  Day day;
  std::int64_t amount = 0;  // >= the posted price (the reserve)
};

struct LedgerQuery {
  std::string line;           // empty: every line
  std::int64_t after_id = 0;  // entries with id > after_id
  std::int64_t limit = 100;   // 1..10000
};

struct BookingQuery {
  std::string line;  // empty: every line
  std::string slot;  // empty: every slot
  bool active_only = false;
  std::int64_t limit = 1000;  // 1..10000, newest first
};

struct CheckReport {
  std::vector<std::string> problems;  // empty when every invariant holds
  std::int64_t ledger_entries = 0;
  std::int64_t bookings = 0;
  std::int64_t active_slot_days = 0;
  std::int64_t open_bids = 0;
  std::int64_t total_available = 0;  // over all lines
  bool ok() const { return problems.empty(); }
};

class MarketStore {
 public:
  // Opens (creating if needed) the database file and the market_ tables.
  // `clock` must outlive the store.
  static Result<std::unique_ptr<MarketStore>> Open(const std::string& path, const Clock& clock,
                                                   StoreOptions options = {});
  ~MarketStore();
  MarketStore(const MarketStore&) = delete;
  MarketStore& operator=(const MarketStore&) = delete;

  // Creates the market from a configuration document (ParseMarketConfig) and
  // credits every line its budget. kAlreadyExists if a market exists.
  Result<std::shared_ptr<const Market>> Init(const Json& document, std::string_view actor);
  // The market; kFailedPrecondition before Init.
  Result<std::shared_ptr<const Market>> Get();

  Result<LedgerEntry> TopUp(const TopUpRequest& request, std::string_view actor);
  // All or nothing: every day must be free, on sale at its posted price and
  // covered by the line's balance.
  Result<Booking> Book(const BookRequest& request, std::string_view actor);
  // Cancels and refunds the given days (default: all active days); each must
  // be before its cancellation deadline.
  Result<Booking> Cancel(const CancelRequest& request, std::string_view actor);
  // Places a sealed bid, holding its amount; replaces the line's earlier bid
  // on the same slot-day (whose hold is released first).
  Result<Bid> PlaceBid(const BidRequest& request, std::string_view actor);
  // Settles an open auction: releases every hold and books the slot-day for
  // the winner at the clearing price.
  Result<AuctionResult> CloseAuction(std::string_view slot, Day day, std::string_view actor);

  Result<std::vector<Balance>> Balances();  // one per line, in configuration order
  Result<std::vector<LedgerEntry>> Ledger(const LedgerQuery& query);
  Result<Booking> GetBooking(std::int64_t id);
  Result<std::vector<Booking>> Bookings(const BookingQuery& query);
  // Every slot-day of `slot` (empty: all slots) from `range.first` to `range.last`.
  Result<std::vector<SlotDay>> SlotDays(std::string_view slot, DayRange range);
  // The auction of a slot-day: its bids are shown only once it is closed.
  Result<AuctionResult> Auction(std::string_view slot, Day day);

  // Verifies the invariants listed above, and SQLite's own integrity check.
  Result<CheckReport> Check();

  const Clock& clock() const { return clock_; }

 private:
  struct Impl;
  MarketStore(std::unique_ptr<Impl> impl, const Clock& clock);
  std::unique_ptr<Impl> impl_;
  const Clock& clock_;
  std::mutex mu_;
};

}  // namespace sluice::market
