#include "sluice/market/store.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "json_fields.h"
#include "sqlite/sqlite.h"

namespace sluice::market {

using internal::Coins;
using sqlite::Db;
using internal::FieldError;
using internal::IndexPath;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::string_view kPragmas = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
)sql";

// Days are stored as "YYYY-MM-DD" text, which sorts in date order.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS market_meta (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  config     TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS market_ledger (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  line       TEXT    NOT NULL,
  kind       TEXT    NOT NULL
             CHECK (kind IN ('budget', 'topup', 'purchase', 'refund', 'hold', 'release')),
  amount     INTEGER NOT NULL,
  booking_id INTEGER,
  bid_id     INTEGER,
  at         INTEGER NOT NULL,
  actor      TEXT    NOT NULL,
  note       TEXT    NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS market_ledger_by_line ON market_ledger (line, id);
CREATE TABLE IF NOT EXISTS market_bookings (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  line       TEXT    NOT NULL,
  slot       TEXT    NOT NULL,
  source     TEXT    NOT NULL CHECK (source IN ('posted', 'auction')),
  created_at INTEGER NOT NULL,
  created_by TEXT    NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS market_booking_days (
  booking_id     INTEGER NOT NULL REFERENCES market_bookings (id),
  slot           TEXT    NOT NULL,
  day            TEXT    NOT NULL,
  price          INTEGER NOT NULL CHECK (price >= 0),
  active         INTEGER NOT NULL CHECK (active IN (0, 1)),
  purchase_entry INTEGER NOT NULL,
  refund_entry   INTEGER,
  cancelled_at   INTEGER,
  cancelled_by   TEXT,
  PRIMARY KEY (booking_id, day)
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS market_one_active_booking
  ON market_booking_days (slot, day) WHERE active = 1;
CREATE INDEX IF NOT EXISTS market_booking_days_by_day ON market_booking_days (day, slot);
CREATE TABLE IF NOT EXISTS market_bids (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  line          TEXT    NOT NULL,
  slot          TEXT    NOT NULL,
  day           TEXT    NOT NULL,
  amount        INTEGER NOT NULL CHECK (amount > 0),
  status        TEXT    NOT NULL CHECK (status IN ('held', 'replaced', 'won', 'lost')),
  hold_entry    INTEGER NOT NULL,
  release_entry INTEGER,
  created_at    INTEGER NOT NULL,
  created_by    TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS market_one_held_bid
  ON market_bids (slot, day, line) WHERE status = 'held';
CREATE INDEX IF NOT EXISTS market_bids_by_day ON market_bids (day, slot);
CREATE TABLE IF NOT EXISTS market_auctions (
  slot        TEXT    NOT NULL,
  day         TEXT    NOT NULL,
  reserve     INTEGER NOT NULL,
  winning_bid INTEGER,
  booking_id  INTEGER,
  price       INTEGER NOT NULL,
  closed_at   INTEGER NOT NULL,
  closed_by   TEXT    NOT NULL,
  PRIMARY KEY (slot, day)
) STRICT;
)sql";

constexpr std::size_t kMaxBookingDays = 366;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string LineIds(const MarketConfig& c) {
  std::string out;
  for (std::size_t i = 0; i < c.lines.size() && i < 20; ++i) {
    out += (i ? ", " : "") + c.lines[i].id;
  }
  return c.lines.size() > 20 ? out + ", ..." : out;
}

std::string SlotIds(const MarketConfig& c) {
  std::string out;
  for (std::size_t i = 0; i < c.slots.size() && i < 20; ++i) {
    out += (i ? ", " : "") + c.slots[i].id;
  }
  return c.slots.size() > 20 ? out + ", ..." : out;
}

Error NoMarket() {
  return MakeError(ErrorCode::kFailedPrecondition,
                   "no market has been created in this database yet; create it first with "
                   "`sluice market init --config FILE` (or POST /v1/market/init)");
}

Error Internal(const std::string& what) {
  return MakeError(ErrorCode::kInternal, "market database: " + what +
                                             "; run `sluice market check` and report the output");
}

Status CheckActor(std::string_view actor) {
  if (actor.empty() || actor.size() > 200) {
    return FieldError(ErrorCode::kInvalidArgument, "actor",
                      "must name who makes the change (1 to 200 characters)");
  }
  return {};
}

Status CheckLine(const MarketConfig& c, std::string_view line) {
  if (c.FindLine(line) == nullptr) {
    return FieldError(ErrorCode::kInvalidArgument, "line",
                      "no business line " + Quote(line) + "; use one of " + LineIds(c));
  }
  return {};
}

Status CheckSlot(const MarketConfig& c, std::string_view slot) {
  if (c.FindSlot(slot) == nullptr) {
    return FieldError(ErrorCode::kInvalidArgument, "slot",
                      "no core slot " + Quote(slot) + "; use one of " + SlotIds(c));
  }
  return {};
}

Status CheckInYear(const MarketConfig& c, Day d, const std::string& path) {
  const DayRange year = c.days();
  if (d < year.first || d > year.last) {
    return FieldError(ErrorCode::kInvalidArgument, path,
                      FormatDay(d) + " is outside the market year " + std::to_string(c.year) +
                          "; use days from " + FormatDay(year.first) + " to " +
                          FormatDay(year.last));
  }
  return {};
}

Result<Day> StoredDay(const std::string& text) {
  Result<Day> d = ParseDay(text);
  if (!d.ok()) return Internal("a stored day is not a date (" + d.error().message + ")");
  return d;
}

EntryKind KindFromName(const std::string& name) {
  for (EntryKind k : {EntryKind::kBudget, EntryKind::kTopUp, EntryKind::kPurchase,
                      EntryKind::kRefund, EntryKind::kHold, EntryKind::kRelease}) {
    if (EntryKindName(k) == name) return k;
  }
  return EntryKind::kBudget;
}

BidStatus BidStatusFromName(const std::string& name) {
  for (BidStatus s : {BidStatus::kHeld, BidStatus::kReplaced, BidStatus::kWon, BidStatus::kLost}) {
    if (BidStatusName(s) == name) return s;
  }
  return BidStatus::kHeld;
}

// "splash 2027-03-01, 2027-03-02, 2027-03-03 and 4 more"
std::string DaysNote(std::string_view slot, const std::vector<Day>& days) {
  std::string out(slot);
  for (std::size_t i = 0; i < days.size() && i < 3; ++i) {
    out += (i == 0 ? " " : ", ") + FormatDay(days[i]);
  }
  if (days.size() > 3) out += " and " + std::to_string(days.size() - 3) + " more";
  return out;
}

}  // namespace

std::string_view EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kBudget:
      return "budget";
    case EntryKind::kTopUp:
      return "topup";
    case EntryKind::kPurchase:
      return "purchase";
    case EntryKind::kRefund:
      return "refund";
    case EntryKind::kHold:
      return "hold";
    case EntryKind::kRelease:
      return "release";
  }
  return "budget";
}

std::string_view BookingSourceName(BookingSource source) {
  return source == BookingSource::kAuction ? "auction" : "posted";
}

std::string_view BidStatusName(BidStatus status) {
  switch (status) {
    case BidStatus::kHeld:
      return "held";
    case BidStatus::kReplaced:
      return "replaced";
    case BidStatus::kWon:
      return "won";
    case BidStatus::kLost:
      return "lost";
  }
  return "held";
}

std::int64_t Booking::paid() const {
  std::int64_t sum = 0;
  for (const BookingDay& d : days) sum += d.price;
  return sum;
}

std::int64_t Booking::refunded() const {
  std::int64_t sum = 0;
  for (const BookingDay& d : days) sum += d.active ? 0 : d.price;
  return sum;
}

bool Booking::active() const {
  return std::any_of(days.begin(), days.end(), [](const BookingDay& d) { return d.active; });
}

struct MarketStore::Impl {
  explicit Impl(Db database) : db(std::move(database)) {}

  Db db;
  std::shared_ptr<const Market> market;  // cached once found: a market never changes

  Result<std::shared_ptr<const Market>> Load();
  Result<std::int64_t> Available(std::string_view line);
  Result<std::int64_t> AddEntry(std::string_view line, EntryKind kind, std::int64_t amount,
                                std::optional<std::int64_t> booking_id,
                                std::optional<std::int64_t> bid_id, EpochMillis at,
                                std::string_view actor, std::string_view note);
  Result<std::optional<Booking>> LoadBooking(std::int64_t id);
  Result<bool> AuctionClosed(std::string_view slot, Day day);
  Result<std::vector<Bid>> BidsOf(std::string_view slot, Day day, bool held_only);
  Result<std::int64_t> InsertBooking(const std::string& line, const std::string& slot,
                                     BookingSource source, const std::vector<Day>& days,
                                     const std::vector<std::int64_t>& prices, EpochMillis now,
                                     std::string_view actor);
  Status CheckInto(CheckReport& report);
};

Result<std::shared_ptr<const Market>> MarketStore::Impl::Load() {
  if (market) return market;
  auto stmt =
      Statement::Prepare(db, "SELECT config, created_at, created_by FROM market_meta WHERE id = 1");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  if (!*row) return NoMarket();
  Json document = Json::parse(stmt->Text(0), nullptr, /*allow_exceptions=*/false);
  Result<MarketConfig> config = ParseMarketConfig(document);
  if (!config.ok())
    return Internal("the stored configuration is invalid: " + config.error().ToString());
  auto budgets = AllocateBudgets(config->weights, config->lines, config->pool);
  if (!budgets.ok()) return Internal(budgets.error().message);
  PriceBook prices(*config);
  auto loaded = std::make_shared<Market>(Market{std::move(config).value(), std::move(prices),
                                                std::move(budgets).value(), std::move(document),
                                                stmt->Int(1), stmt->Text(2)});
  market = std::move(loaded);
  return market;
}

Result<std::int64_t> MarketStore::Impl::Available(std::string_view line) {
  auto stmt =
      Statement::Prepare(db, "SELECT COALESCE(SUM(amount), 0) FROM market_ledger WHERE line = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, line);
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  return stmt->Int(0);
}

Result<std::int64_t> MarketStore::Impl::AddEntry(std::string_view line, EntryKind kind,
                                                 std::int64_t amount,
                                                 std::optional<std::int64_t> booking_id,
                                                 std::optional<std::int64_t> bid_id, EpochMillis at,
                                                 std::string_view actor, std::string_view note) {
  auto stmt = Statement::Prepare(db,
                            "INSERT INTO market_ledger (line, kind, amount, booking_id, bid_id, "
                            "at, actor, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, line).Bind(2, EntryKindName(kind)).Bind(3, amount);
  if (booking_id)
    stmt->Bind(4, *booking_id);
  else
    stmt->BindNull(4);
  if (bid_id)
    stmt->Bind(5, *bid_id);
  else
    stmt->BindNull(5);
  stmt->Bind(6, at).Bind(7, actor).Bind(8, note);
  if (Status s = stmt->Run(); !s.ok()) return s.error();
  return db.LastInsertId();
}

Result<std::optional<Booking>> MarketStore::Impl::LoadBooking(std::int64_t id) {
  auto head = Statement::Prepare(
      db, "SELECT line, slot, source, created_at, created_by FROM market_bookings WHERE id = ?");
  if (!head.ok()) return head.error();
  head->Bind(1, id);
  auto row = head->Step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Booking>();
  Booking b;
  b.id = id;
  b.line = head->Text(0);
  b.slot = head->Text(1);
  b.source = head->Text(2) == "auction" ? BookingSource::kAuction : BookingSource::kPosted;
  b.created_at = head->Int(3);
  b.created_by = head->Text(4);
  auto days = Statement::Prepare(db,
                            "SELECT day, price, active, cancelled_at, cancelled_by FROM "
                            "market_booking_days WHERE booking_id = ? ORDER BY day");
  if (!days.ok()) return days.error();
  days->Bind(1, id);
  for (;;) {
    auto r = days->Step();
    if (!r.ok()) return r.error();
    if (!*r) break;
    Result<Day> d = StoredDay(days->Text(0));
    if (!d.ok()) return d.error();
    BookingDay day;
    day.day = *d;
    day.price = days->Int(1);
    day.active = days->Int(2) != 0;
    if (!days->IsNull(3)) day.cancelled_at = days->Int(3);
    day.cancelled_by = days->Text(4);
    b.days.push_back(std::move(day));
  }
  return std::optional<Booking>(std::move(b));
}

Result<bool> MarketStore::Impl::AuctionClosed(std::string_view slot, Day day) {
  auto stmt = Statement::Prepare(db, "SELECT 1 FROM market_auctions WHERE slot = ? AND day = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, slot).Bind(2, FormatDay(day));
  return stmt->Step();
}

Result<std::vector<Bid>> MarketStore::Impl::BidsOf(std::string_view slot, Day day, bool held_only) {
  auto stmt = Statement::Prepare(db,
                            "SELECT id, line, amount, status, created_at, created_by FROM "
                            "market_bids WHERE slot = ? AND day = ? AND (? = 0 OR status = "
                            "'held') ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, slot).Bind(2, FormatDay(day)).Bind(3, std::int64_t{held_only ? 1 : 0});
  std::vector<Bid> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    Bid b;
    b.id = stmt->Int(0);
    b.line = stmt->Text(1);
    b.slot = std::string(slot);
    b.day = day;
    b.amount = stmt->Int(2);
    b.status = BidStatusFromName(stmt->Text(3));
    b.created_at = stmt->Int(4);
    b.created_by = stmt->Text(5);
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::int64_t> MarketStore::Impl::InsertBooking(const std::string& line,
                                                      const std::string& slot, BookingSource source,
                                                      const std::vector<Day>& days,
                                                      const std::vector<std::int64_t>& prices,
                                                      EpochMillis now, std::string_view actor) {
  auto insert = Statement::Prepare(db,
                              "INSERT INTO market_bookings (line, slot, source, created_at, "
                              "created_by) VALUES (?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, line)
      .Bind(2, slot)
      .Bind(3, BookingSourceName(source))
      .Bind(4, now)
      .Bind(5, actor);
  if (Status s = insert->Run(); !s.ok()) return s.error();
  const std::int64_t booking_id = db.LastInsertId();
  std::int64_t total = 0;
  for (std::int64_t p : prices) total += p;
  auto entry = AddEntry(line, EntryKind::kPurchase, -total, booking_id, std::nullopt, now, actor,
                        DaysNote(slot, days));
  if (!entry.ok()) return entry.error();
  auto day_insert = Statement::Prepare(db,
                                  "INSERT INTO market_booking_days (booking_id, slot, day, price, "
                                  "active, purchase_entry) VALUES (?, ?, ?, ?, 1, ?)");
  if (!day_insert.ok()) return day_insert.error();
  for (std::size_t i = 0; i < days.size(); ++i) {
    day_insert->Reset();
    day_insert->Bind(1, booking_id).Bind(2, slot).Bind(3, FormatDay(days[i])).Bind(4, prices[i]);
    day_insert->Bind(5, *entry);
    if (Status s = day_insert->Run(); !s.ok()) return s.error();
  }
  return booking_id;
}

MarketStore::MarketStore(std::unique_ptr<Impl> impl, const Clock& clock)
    : impl_(std::move(impl)), clock_(clock) {}

MarketStore::~MarketStore() = default;

Result<std::unique_ptr<MarketStore>> MarketStore::Open(const std::string& path, const Clock& clock,
                                                       StoreOptions options) {
  auto db = Db::Open(path, "market database", options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  if (Status s = db->Exec(kPragmas); !s.ok()) return s.error();
  {
    Transaction tx(*db);
    if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
    if (Status s = db->Exec(kSchema); !s.ok()) return s.error();
    if (Status s = tx.Commit(); !s.ok()) return s.error();
  }
  auto impl = std::make_unique<Impl>(std::move(db).value());
  return std::unique_ptr<MarketStore>(new MarketStore(std::move(impl), clock));
}

Result<std::shared_ptr<const Market>> MarketStore::Init(const Json& document,
                                                        std::string_view actor) {
  if (Status s = CheckActor(actor); !s.ok()) return s.error();
  Result<MarketConfig> config = ParseMarketConfig(document);
  if (!config.ok()) return config.error();
  auto budgets = AllocateBudgets(config->weights, config->lines, config->pool);
  if (!budgets.ok()) return budgets.error();
  std::lock_guard lock(mu_);
  Db& db = impl_->db;
  const EpochMillis now = clock_.NowMillis();
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  auto exists = Statement::Prepare(db, "SELECT created_at, created_by FROM market_meta WHERE id = 1");
  if (!exists.ok()) return exists.error();
  auto row = exists->Step();
  if (!row.ok()) return row.error();
  if (*row) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "this database already holds a market, created by " + exists->Text(1) +
                         "; a market's terms never change: to start another year, use another "
                         "data directory");
  }
  auto insert = Statement::Prepare(
      db, "INSERT INTO market_meta (id, config, created_at, created_by) VALUES (1, ?, ?, ?)");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, document.dump()).Bind(2, now).Bind(3, actor);
  if (Status s = insert->Run(); !s.ok()) return s.error();
  for (const LineBudget& b : *budgets) {
    auto entry = impl_->AddEntry(b.line, EntryKind::kBudget, b.coins, std::nullopt, std::nullopt,
                                 now, actor, "yearly budget " + std::to_string(config->year));
    if (!entry.ok()) return entry.error();
  }
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  return impl_->Load();
}

Result<std::shared_ptr<const Market>> MarketStore::Get() {
  std::lock_guard lock(mu_);
  return impl_->Load();
}

Result<LedgerEntry> MarketStore::TopUp(const TopUpRequest& request, std::string_view actor) {
  if (Status s = CheckActor(actor); !s.ok()) return s.error();
  std::lock_guard lock(mu_);
  auto market = impl_->Load();
  if (!market.ok()) return market.error();
  const MarketConfig& c = (*market)->config;
  if (Status s = CheckLine(c, request.line); !s.ok()) return s.error();
  if (request.amount < 1 || request.amount > kMaxCoins) {
    return FieldError(ErrorCode::kInvalidArgument, "amount",
                      "is " + std::to_string(request.amount) +
                          "; top up by a whole number of coins from 1 to " + Coins(kMaxCoins));
  }
  if (request.reason.empty() || request.reason.size() > 1000) {
    return FieldError(ErrorCode::kInvalidArgument, "reason",
                      "say why the line gets more coins (1 to 1000 characters), e.g. the "
                      "budget decision it follows");
  }
  Db& db = impl_->db;
  const EpochMillis now = clock_.NowMillis();
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  auto available = impl_->Available(request.line);
  if (!available.ok()) return available.error();
  if (*available > kMaxCoins - request.amount) {
    return FieldError(ErrorCode::kInvalidArgument, "amount",
                      "would raise line " + request.line + "'s balance above " + Coins(kMaxCoins) +
                          " coins; top up by less");
  }
  auto id = impl_->AddEntry(request.line, EntryKind::kTopUp, request.amount, std::nullopt,
                            std::nullopt, now, actor, request.reason);
  if (!id.ok()) return id.error();
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  return LedgerEntry{*id,          request.line, EntryKind::kTopUp,  request.amount, std::nullopt,
                     std::nullopt, now,          std::string(actor), request.reason};
}

Result<Booking> MarketStore::Book(const BookRequest& request, std::string_view actor) {
  if (Status s = CheckActor(actor); !s.ok()) return s.error();
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const Market& m = **loaded;
  const MarketConfig& c = m.config;
  if (Status s = CheckLine(c, request.line); !s.ok()) return s.error();
  if (Status s = CheckSlot(c, request.slot); !s.ok()) return s.error();
  const int slot_index = c.SlotIndex(request.slot);
  const MarketSlot& slot = c.slots[static_cast<std::size_t>(slot_index)];
  if (request.days.empty() || request.days.size() > kMaxBookingDays) {
    return FieldError(
        ErrorCode::kInvalidArgument, "dates",
        "lists " + std::to_string(request.days.size()) + " days; book from 1 to 366 days at once");
  }
  const EpochMillis now = clock_.NowMillis();
  std::vector<Problem> problems;
  std::set<Day> seen;
  for (std::size_t i = 0; i < request.days.size(); ++i) {
    const Day d = request.days[i];
    const std::string path = IndexPath("dates", i);
    if (Status s = CheckInYear(c, d, path); !s.ok()) {
      problems.push_back(s.error().problems[0]);
      continue;
    }
    if (!seen.insert(d).second) {
      problems.push_back({path, FormatDay(d) + " is listed twice; list each day once"});
      continue;
    }
    if (now >= DayStart(d, c.utc_offset_minutes)) {
      problems.push_back(
          {path, FormatDay(d) + " has already begun (at " +
                     FormatLocalTime(DayStart(d, c.utc_offset_minutes), c.utc_offset_minutes) +
                     "); book days that are still to come"});
    }
  }
  if (!problems.empty()) return internal::ProblemsError("the booking", std::move(problems));
  std::vector<Day> days(seen.begin(), seen.end());

  Db& db = impl_->db;
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  auto taken = Statement::Prepare(db,
                             "SELECT d.booking_id, b.line FROM market_booking_days d JOIN "
                             "market_bookings b ON b.id = d.booking_id WHERE d.slot = ? AND d.day "
                             "= ? AND d.active = 1");
  if (!taken.ok()) return taken.error();
  std::vector<std::int64_t> prices;
  std::int64_t total = 0;
  ErrorCode code = ErrorCode::kConflict;
  for (std::size_t i = 0; i < days.size(); ++i) {
    const Day d = days[i];
    const std::size_t at = static_cast<std::size_t>(
        std::find(request.days.begin(), request.days.end(), d) - request.days.begin());
    const std::string path = IndexPath("dates", at);
    if (slot.IsAuctionDay(d)) {
      auto closed = impl_->AuctionClosed(slot.id, d);
      if (!closed.ok()) return closed.error();
      if (!*closed) {
        code = ErrorCode::kFailedPrecondition;
        problems.push_back(
            {path, "slot " + slot.id + " on " + FormatDay(d) +
                       " is sold by sealed-bid auction; bid for it (at least the reserve of " +
                       Coins(m.prices.Price(slot_index, d)) + " coins) until the auction closes"});
        continue;
      }
    }
    taken->Reset();
    taken->Bind(1, slot.id).Bind(2, FormatDay(d));
    auto row = taken->Step();
    if (!row.ok()) return row.error();
    if (*row) {
      problems.push_back({path, "slot " + slot.id + " on " + FormatDay(d) +
                                    " is already booked (booking " + std::to_string(taken->Int(0)) +
                                    ", line " + taken->Text(1) +
                                    "); choose free days (see `sluice market price`)"});
      continue;
    }
    prices.push_back(m.prices.Price(slot_index, d));
    total += prices.back();
  }
  if (!problems.empty()) {
    Error e = internal::ProblemsError("the booking", std::move(problems));
    if (e.problems.size() > 1) {
      e.message = std::to_string(e.problems.size()) + " of the " + std::to_string(days.size()) +
                  " days cannot be booked; nothing was booked. Choose other days";
    }
    e.code = code;
    return e;
  }
  auto available = impl_->Available(request.line);
  if (!available.ok()) return available.error();
  if (*available < total) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "line " + request.line + " has " + Coins(*available) +
                         " coins available but the " + std::to_string(days.size()) +
                         (days.size() == 1 ? " day costs " : " days cost ") + Coins(total) +
                         "; nothing was booked. Book fewer or cheaper days, cancel another "
                         "booking, or top up the line (`sluice market topup`)");
  }
  auto id =
      impl_->InsertBooking(request.line, slot.id, BookingSource::kPosted, days, prices, now, actor);
  if (!id.ok()) return id.error();
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  Booking b;
  b.id = *id;
  b.line = request.line;
  b.slot = slot.id;
  b.created_at = now;
  b.created_by = std::string(actor);
  for (std::size_t i = 0; i < days.size(); ++i)
    b.days.push_back({days[i], prices[i], true, {}, {}});
  return b;
}

Result<Booking> MarketStore::Cancel(const CancelRequest& request, std::string_view actor) {
  if (Status s = CheckActor(actor); !s.ok()) return s.error();
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const MarketConfig& c = (*loaded)->config;
  const EpochMillis now = clock_.NowMillis();
  Db& db = impl_->db;
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  auto found = impl_->LoadBooking(request.booking_id);
  if (!found.ok()) return found.error();
  if (!found->has_value()) {
    return MakeError(ErrorCode::kNotFound, "booking " + std::to_string(request.booking_id) +
                                               " does not exist; list the bookings with "
                                               "`sluice market bookings`");
  }
  const Booking& booking = **found;
  std::vector<Problem> problems;
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::vector<Day> cancel;
  if (request.days.empty()) {
    for (const BookingDay& d : booking.days) {
      if (d.active) cancel.push_back(d.day);
    }
    if (cancel.empty()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "booking " + std::to_string(booking.id) +
                           " is already cancelled; there is nothing left to refund");
    }
  } else {
    std::set<Day> seen;
    for (std::size_t i = 0; i < request.days.size(); ++i) {
      const Day d = request.days[i];
      const std::string path = IndexPath("dates", i);
      auto it = std::find_if(booking.days.begin(), booking.days.end(),
                             [&](const BookingDay& bd) { return bd.day == d; });
      if (it == booking.days.end()) {
        problems.push_back({path, "booking " + std::to_string(booking.id) + " has no day " +
                                      FormatDay(d) + "; it books " + DaysNote(booking.slot, [&] {
                                        std::vector<Day> all;
                                        for (const BookingDay& bd : booking.days)
                                          all.push_back(bd.day);
                                        return all;
                                      }())});
      } else if (!seen.insert(d).second) {
        problems.push_back({path, FormatDay(d) + " is listed twice; list each day once"});
      } else if (!it->active) {
        code = ErrorCode::kFailedPrecondition;
        problems.push_back({path, FormatDay(d) + " of booking " + std::to_string(booking.id) +
                                      " is already cancelled"});
      } else {
        cancel.push_back(d);
      }
    }
  }
  const EpochMillis deadline_span =
      static_cast<EpochMillis>(c.cancel_deadline_days) * kMillisPerDay;
  std::vector<Day> still_open;
  for (std::size_t i = 0; i < cancel.size(); ++i) {
    const Day d = cancel[i];
    const EpochMillis deadline = DayStart(d, c.utc_offset_minutes) - deadline_span;
    if (now < deadline) {
      still_open.push_back(d);
      continue;
    }
    code = ErrorCode::kFailedPrecondition;
    std::size_t at = i;
    if (!request.days.empty()) {
      at = static_cast<std::size_t>(std::find(request.days.begin(), request.days.end(), d) -
                                    request.days.begin());
    }
    problems.push_back(
        {request.days.empty() ? "booking " + std::to_string(booking.id) : IndexPath("dates", at),
         FormatDay(d) + " could be cancelled until " +
             FormatLocalTime(deadline, c.utc_offset_minutes) + " (" +
             std::to_string(c.cancel_deadline_days) +
             " days before the day); it can no longer be cancelled or refunded"});
  }
  if (!problems.empty()) {
    const std::size_t failed = problems.size();
    Error e = internal::ProblemsError("the cancellation", std::move(problems));
    if (failed > 1) {
      e.message = std::to_string(failed) + " days cannot be cancelled; nothing was cancelled";
    }
    if (!still_open.empty() && code == ErrorCode::kFailedPrecondition) {
      std::string open;
      for (std::size_t i = 0; i < still_open.size() && i < 10; ++i) {
        open += (i ? "," : "") + FormatDay(still_open[i]);
      }
      e.message += "; to cancel only the days still open, name them: --dates " + open +
                   (still_open.size() > 10 ? ",..." : "");
    }
    e.code = code;
    return e;
  }
  std::int64_t refund = 0;
  for (const BookingDay& d : booking.days) {
    if (std::find(cancel.begin(), cancel.end(), d.day) != cancel.end()) refund += d.price;
  }
  std::sort(cancel.begin(), cancel.end());
  auto entry = impl_->AddEntry(booking.line, EntryKind::kRefund, refund, booking.id, std::nullopt,
                               now, actor, "cancelled " + DaysNote(booking.slot, cancel));
  if (!entry.ok()) return entry.error();
  auto update = Statement::Prepare(db,
                              "UPDATE market_booking_days SET active = 0, refund_entry = ?, "
                              "cancelled_at = ?, cancelled_by = ? WHERE booking_id = ? AND day = "
                              "? AND active = 1");
  if (!update.ok()) return update.error();
  for (Day d : cancel) {
    update->Reset();
    update->Bind(1, *entry).Bind(2, now).Bind(3, actor).Bind(4, booking.id).Bind(5, FormatDay(d));
    if (Status s = update->Run(); !s.ok()) return s.error();
    if (sqlite3_changes(db.get()) != 1) return Internal("a booking day changed under a write lock");
  }
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  Booking out = booking;
  for (BookingDay& d : out.days) {
    if (std::find(cancel.begin(), cancel.end(), d.day) != cancel.end()) {
      d.active = false;
      d.cancelled_at = now;
      d.cancelled_by = std::string(actor);
    }
  }
  return out;
}

Result<Bid> MarketStore::PlaceBid(const BidRequest& request, std::string_view actor) {
  if (Status s = CheckActor(actor); !s.ok()) return s.error();
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const Market& m = **loaded;
  const MarketConfig& c = m.config;
  if (Status s = CheckLine(c, request.line); !s.ok()) return s.error();
  if (Status s = CheckSlot(c, request.slot); !s.ok()) return s.error();
  if (Status s = CheckInYear(c, request.day, "date"); !s.ok()) return s.error();
  const int slot_index = c.SlotIndex(request.slot);
  const MarketSlot& slot = c.slots[static_cast<std::size_t>(slot_index)];
  const std::string day = FormatDay(request.day);
  if (!slot.IsAuctionDay(request.day)) {
    return FieldError(ErrorCode::kFailedPrecondition, "date",
                      "slot " + slot.id + " on " + day +
                          " is sold at its posted price, not by auction; book it instead");
  }
  const EpochMillis now = clock_.NowMillis();
  const EpochMillis start = DayStart(request.day, c.utc_offset_minutes);
  if (now >= start) {
    return FieldError(ErrorCode::kFailedPrecondition, "date",
                      day + " began at " + FormatLocalTime(start, c.utc_offset_minutes) +
                          "; bids are taken only before the day begins");
  }
  const std::int64_t reserve = m.prices.Price(slot_index, request.day);
  if (request.amount < reserve || request.amount > kMaxCoins) {
    return FieldError(ErrorCode::kInvalidArgument, "amount",
                      "is " + Coins(request.amount) +
                          "; bid at least the reserve (the posted "
                          "price) of " +
                          Coins(reserve) + " coins and at most " + Coins(kMaxCoins));
  }
  Db& db = impl_->db;
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  auto closed = impl_->AuctionClosed(slot.id, request.day);
  if (!closed.ok()) return closed.error();
  if (*closed) {
    return FieldError(ErrorCode::kFailedPrecondition, "date",
                      "the auction of slot " + slot.id + " on " + day +
                          " is closed; see its result with `sluice market price`");
  }
  // A line has one bid per slot-day: an earlier one is replaced, its hold released.
  auto previous = Statement::Prepare(db,
                                "SELECT id, amount FROM market_bids WHERE slot = ? AND day = ? "
                                "AND line = ? AND status = 'held'");
  if (!previous.ok()) return previous.error();
  previous->Bind(1, slot.id).Bind(2, day).Bind(3, request.line);
  auto prev_row = previous->Step();
  if (!prev_row.ok()) return prev_row.error();
  if (*prev_row) {
    const std::int64_t prev_id = previous->Int(0);
    const std::int64_t prev_amount = previous->Int(1);
    auto release =
        impl_->AddEntry(request.line, EntryKind::kRelease, prev_amount, std::nullopt, prev_id, now,
                        actor, "bid on " + slot.id + " " + day + " replaced");
    if (!release.ok()) return release.error();
    auto mark = Statement::Prepare(db,
                              "UPDATE market_bids SET status = 'replaced', release_entry = ? "
                              "WHERE id = ?");
    if (!mark.ok()) return mark.error();
    mark->Bind(1, *release).Bind(2, prev_id);
    if (Status s = mark->Run(); !s.ok()) return s.error();
  }
  auto available = impl_->Available(request.line);
  if (!available.ok()) return available.error();
  if (*available < request.amount) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "line " + request.line + " has " + Coins(*available) + " coins available" +
                         (*prev_row ? " (counting its earlier bid)" : "") + " but bids " +
                         Coins(request.amount) +
                         "; nothing was changed. Bid less or top up the line");
  }
  auto insert = Statement::Prepare(db,
                              "INSERT INTO market_bids (line, slot, day, amount, status, "
                              "hold_entry, created_at, created_by) VALUES (?, ?, ?, ?, 'held', "
                              "0, ?, ?)");
  if (!insert.ok()) return insert.error();
  insert->Bind(1, request.line).Bind(2, slot.id).Bind(3, day).Bind(4, request.amount);
  insert->Bind(5, now).Bind(6, actor);
  if (Status s = insert->Run(); !s.ok()) return s.error();
  const std::int64_t bid_id = db.LastInsertId();
  auto hold = impl_->AddEntry(request.line, EntryKind::kHold, -request.amount, std::nullopt, bid_id,
                              now, actor, "sealed bid on " + slot.id + " " + day);
  if (!hold.ok()) return hold.error();
  auto link = Statement::Prepare(db, "UPDATE market_bids SET hold_entry = ? WHERE id = ?");
  if (!link.ok()) return link.error();
  link->Bind(1, *hold).Bind(2, bid_id);
  if (Status s = link->Run(); !s.ok()) return s.error();
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  return Bid{bid_id,         request.line,     slot.id, request.day,
             request.amount, BidStatus::kHeld, now,     std::string(actor)};
}

Result<AuctionResult> MarketStore::CloseAuction(std::string_view slot_id, Day day,
                                                std::string_view actor) {
  if (Status s = CheckActor(actor); !s.ok()) return s.error();
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const Market& m = **loaded;
  const MarketConfig& c = m.config;
  if (Status s = CheckSlot(c, slot_id); !s.ok()) return s.error();
  if (Status s = CheckInYear(c, day, "date"); !s.ok()) return s.error();
  const int slot_index = c.SlotIndex(slot_id);
  const MarketSlot& slot = c.slots[static_cast<std::size_t>(slot_index)];
  const std::string day_text = FormatDay(day);
  if (!slot.IsAuctionDay(day)) {
    return FieldError(ErrorCode::kFailedPrecondition, "date",
                      "slot " + slot.id + " on " + day_text +
                          " is sold at its posted price; there is no auction to close");
  }
  const EpochMillis now = clock_.NowMillis();
  Db& db = impl_->db;
  Transaction tx(db);
  if (Status s = tx.BeginWrite(); !s.ok()) return s.error();
  auto closed = impl_->AuctionClosed(slot.id, day);
  if (!closed.ok()) return closed.error();
  if (*closed) {
    return FieldError(ErrorCode::kFailedPrecondition, "date",
                      "the auction of slot " + slot.id + " on " + day_text +
                          " is already closed; see its result with GET "
                          "/v1/market/auctions/" +
                          slot.id + "/" + day_text);
  }
  auto held = impl_->BidsOf(slot.id, day, /*held_only=*/true);
  if (!held.ok()) return held.error();
  std::vector<SealedBid> sealed;
  for (const Bid& b : *held) sealed.push_back({b.id, b.amount});
  const std::int64_t reserve = m.prices.Price(slot_index, day);
  const AuctionOutcome outcome = ClearAuction(sealed, reserve);

  AuctionResult result;
  result.slot = slot.id;
  result.day = day;
  result.reserve = reserve;
  result.closed = true;
  result.closed_at = now;
  result.closed_by = std::string(actor);
  auto settle =
      Statement::Prepare(db, "UPDATE market_bids SET status = ?, release_entry = ? WHERE id = ?");
  if (!settle.ok()) return settle.error();
  for (std::size_t i = 0; i < held->size(); ++i) {
    Bid& b = (*held)[i];
    const bool won = outcome.winner && *outcome.winner == i;
    auto release = impl_->AddEntry(
        b.line, EntryKind::kRelease, b.amount, std::nullopt, b.id, now, actor,
        std::string(won ? "won" : "lost") + " auction of " + slot.id + " " + day_text);
    if (!release.ok()) return release.error();
    b.status = won ? BidStatus::kWon : BidStatus::kLost;
    settle->Reset();
    settle->Bind(1, BidStatusName(b.status)).Bind(2, *release).Bind(3, b.id);
    if (Status s = settle->Run(); !s.ok()) return s.error();
  }
  std::optional<std::int64_t> booking_id;
  if (outcome.winner) {
    const Bid& winner = (*held)[*outcome.winner];
    auto id = impl_->InsertBooking(winner.line, slot.id, BookingSource::kAuction, {day},
                                   {outcome.price}, now, actor);
    if (!id.ok()) return id.error();
    booking_id = *id;
    result.winning_bid = winner.id;
    result.price = outcome.price;
  }
  auto record = Statement::Prepare(db,
                              "INSERT INTO market_auctions (slot, day, reserve, winning_bid, "
                              "booking_id, price, closed_at, closed_by) VALUES (?, ?, ?, ?, ?, ?, "
                              "?, ?)");
  if (!record.ok()) return record.error();
  record->Bind(1, slot.id).Bind(2, day_text).Bind(3, reserve);
  if (result.winning_bid)
    record->Bind(4, *result.winning_bid);
  else
    record->BindNull(4);
  if (booking_id)
    record->Bind(5, *booking_id);
  else
    record->BindNull(5);
  record->Bind(6, result.price).Bind(7, now).Bind(8, actor);
  if (Status s = record->Run(); !s.ok()) return s.error();
  if (booking_id) {
    auto booking = impl_->LoadBooking(*booking_id);
    if (!booking.ok()) return booking.error();
    result.booking = **booking;
  }
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  // Every bid of the slot-day, replaced ones included, for the record.
  auto all = impl_->BidsOf(slot.id, day, /*held_only=*/false);
  if (!all.ok()) return all.error();
  result.bids = std::move(all).value();
  return result;
}

Result<std::vector<Balance>> MarketStore::Balances() {
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  std::vector<Balance> out;
  std::map<std::string, std::size_t> index;
  for (const MarketLine& l : (*loaded)->config.lines) {
    index[l.id] = out.size();
    out.push_back(Balance{l.id, 0, 0, 0, 0, 0});
  }
  auto stmt = Statement::Prepare(
      impl_->db, "SELECT line, kind, SUM(amount) FROM market_ledger GROUP BY line, kind");
  if (!stmt.ok()) return stmt.error();
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto it = index.find(stmt->Text(0));
    if (it == index.end()) return Internal("the ledger names an unknown line " + stmt->Text(0));
    Balance& b = out[it->second];
    const std::int64_t sum = stmt->Int(2);
    switch (KindFromName(stmt->Text(1))) {
      case EntryKind::kBudget:
        b.budget += sum;
        break;
      case EntryKind::kTopUp:
        b.topped_up += sum;
        break;
      case EntryKind::kPurchase:
      case EntryKind::kRefund:
        b.spent -= sum;
        break;
      case EntryKind::kHold:
      case EntryKind::kRelease:
        b.held -= sum;
        break;
    }
    b.available += sum;
  }
  return out;
}

Result<std::vector<LedgerEntry>> MarketStore::Ledger(const LedgerQuery& query) {
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  if (!query.line.empty()) {
    if (Status s = CheckLine((*loaded)->config, query.line); !s.ok()) return s.error();
  }
  if (query.limit < 1 || query.limit > 10000) {
    return FieldError(ErrorCode::kInvalidArgument, "limit",
                      "is " + std::to_string(query.limit) + "; ask for 1 to 10000 entries");
  }
  auto stmt = Statement::Prepare(impl_->db,
                            "SELECT id, line, kind, amount, booking_id, bid_id, at, actor, note "
                            "FROM market_ledger WHERE (?1 = '' OR line = ?1) AND id > ?2 ORDER "
                            "BY id LIMIT ?3");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, query.line).Bind(2, query.after_id).Bind(3, query.limit);
  std::vector<LedgerEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    LedgerEntry e;
    e.id = stmt->Int(0);
    e.line = stmt->Text(1);
    e.kind = KindFromName(stmt->Text(2));
    e.amount = stmt->Int(3);
    if (!stmt->IsNull(4)) e.booking_id = stmt->Int(4);
    if (!stmt->IsNull(5)) e.bid_id = stmt->Int(5);
    e.at = stmt->Int(6);
    e.actor = stmt->Text(7);
    e.note = stmt->Text(8);
    out.push_back(std::move(e));
  }
  return out;
}

Result<Booking> MarketStore::GetBooking(std::int64_t id) {
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  auto found = impl_->LoadBooking(id);
  if (!found.ok()) return found.error();
  if (!found->has_value()) {
    return MakeError(ErrorCode::kNotFound, "booking " + std::to_string(id) +
                                               " does not exist; list the bookings with "
                                               "`sluice market bookings`");
  }
  return std::move(**found);
}

Result<std::vector<Booking>> MarketStore::Bookings(const BookingQuery& query) {
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const MarketConfig& c = (*loaded)->config;
  if (!query.line.empty()) {
    if (Status s = CheckLine(c, query.line); !s.ok()) return s.error();
  }
  if (!query.slot.empty()) {
    if (Status s = CheckSlot(c, query.slot); !s.ok()) return s.error();
  }
  if (query.limit < 1 || query.limit > 10000) {
    return FieldError(ErrorCode::kInvalidArgument, "limit",
                      "is " + std::to_string(query.limit) + "; ask for 1 to 10000 bookings");
  }
  Db& db = impl_->db;
  Transaction tx(db);  // one snapshot for the list and its days
  if (Status s = tx.BeginRead(); !s.ok()) return s.error();
  auto stmt = Statement::Prepare(db,
                            "SELECT id FROM market_bookings b WHERE (?1 = '' OR line = ?1) AND "
                            "(?2 = '' OR slot = ?2) AND (?3 = 0 OR EXISTS (SELECT 1 FROM "
                            "market_booking_days d WHERE d.booking_id = b.id AND d.active = 1)) "
                            "ORDER BY id DESC LIMIT ?4");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, query.line).Bind(2, query.slot).Bind(3, std::int64_t{query.active_only ? 1 : 0});
  stmt->Bind(4, query.limit);
  std::vector<std::int64_t> ids;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ids.push_back(stmt->Int(0));
  }
  std::vector<Booking> out;
  for (std::int64_t id : ids) {
    auto b = impl_->LoadBooking(id);
    if (!b.ok()) return b.error();
    if (b->has_value()) out.push_back(std::move(**b));
  }
  return out;
}

Result<std::vector<SlotDay>> MarketStore::SlotDays(std::string_view slot_id, DayRange range) {
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const Market& m = **loaded;
  const MarketConfig& c = m.config;
  if (!slot_id.empty()) {
    if (Status s = CheckSlot(c, slot_id); !s.ok()) return s.error();
  }
  if (Status s = CheckInYear(c, range.first, "from"); !s.ok()) return s.error();
  if (Status s = CheckInYear(c, range.last, "to"); !s.ok()) return s.error();
  if (range.last < range.first) {
    return FieldError(ErrorCode::kInvalidArgument, "to",
                      FormatDay(range.last) + " is before from (" + FormatDay(range.first) +
                          "); give to >= from");
  }
  Db& db = impl_->db;
  Transaction tx(db);
  if (Status s = tx.BeginRead(); !s.ok()) return s.error();
  const std::string first = FormatDay(range.first);
  const std::string last = FormatDay(range.last);
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::string>> booked;
  {
    auto stmt = Statement::Prepare(db,
                              "SELECT d.slot, d.day, d.booking_id, b.line FROM "
                              "market_booking_days d JOIN market_bookings b ON b.id = "
                              "d.booking_id WHERE d.active = 1 AND d.day BETWEEN ? AND ?");
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, first).Bind(2, last);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      booked[{stmt->Text(0), stmt->Text(1)}] = {stmt->Int(2), stmt->Text(3)};
    }
  }
  std::set<std::pair<std::string, std::string>> closed;
  {
    auto stmt =
        Statement::Prepare(db, "SELECT slot, day FROM market_auctions WHERE day BETWEEN ? AND ?");
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, first).Bind(2, last);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      closed.insert({stmt->Text(0), stmt->Text(1)});
    }
  }
  std::map<std::pair<std::string, std::string>, int> bids;
  {
    auto stmt = Statement::Prepare(db,
                              "SELECT slot, day, COUNT(*) FROM market_bids WHERE status = 'held' "
                              "AND day BETWEEN ? AND ? GROUP BY slot, day");
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, first).Bind(2, last);
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      bids[{stmt->Text(0), stmt->Text(1)}] = static_cast<int>(stmt->Int(2));
    }
  }
  std::vector<SlotDay> out;
  for (std::size_t s = 0; s < c.slots.size(); ++s) {
    const MarketSlot& slot = c.slots[s];
    if (!slot_id.empty() && slot.id != slot_id) continue;
    for (Day d = range.first; d <= range.last; d.n++) {
      SlotDay sd;
      sd.slot = slot.id;
      sd.day = d;
      sd.gv = m.prices.Gv(static_cast<int>(s), d);
      sd.price = m.prices.Price(static_cast<int>(s), d);
      sd.auction = slot.IsAuctionDay(d);
      const auto key = std::make_pair(slot.id, FormatDay(d));
      sd.auction_closed = sd.auction && closed.count(key) > 0;
      if (auto it = bids.find(key); it != bids.end()) sd.open_bids = it->second;
      if (auto it = booked.find(key); it != booked.end()) {
        sd.booking_id = it->second.first;
        sd.booked_by = it->second.second;
      }
      out.push_back(std::move(sd));
    }
  }
  return out;
}

Result<AuctionResult> MarketStore::Auction(std::string_view slot_id, Day day) {
  std::lock_guard lock(mu_);
  auto loaded = impl_->Load();
  if (!loaded.ok()) return loaded.error();
  const Market& m = **loaded;
  const MarketConfig& c = m.config;
  if (Status s = CheckSlot(c, slot_id); !s.ok()) return s.error();
  if (Status s = CheckInYear(c, day, "date"); !s.ok()) return s.error();
  const int slot_index = c.SlotIndex(slot_id);
  const MarketSlot& slot = c.slots[static_cast<std::size_t>(slot_index)];
  if (!slot.IsAuctionDay(day)) {
    return MakeError(ErrorCode::kNotFound, "slot " + slot.id + " on " + FormatDay(day) +
                                               " is sold at its posted price; it has no auction");
  }
  Db& db = impl_->db;
  Transaction tx(db);
  if (Status s = tx.BeginRead(); !s.ok()) return s.error();
  AuctionResult result;
  result.slot = slot.id;
  result.day = day;
  result.reserve = m.prices.Price(slot_index, day);
  auto stmt = Statement::Prepare(db,
                            "SELECT winning_bid, booking_id, price, closed_at, closed_by FROM "
                            "market_auctions WHERE slot = ? AND day = ?");
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, slot.id).Bind(2, FormatDay(day));
  auto row = stmt->Step();
  if (!row.ok()) return row.error();
  auto bids = impl_->BidsOf(slot.id, day, /*held_only=*/false);
  if (!bids.ok()) return bids.error();
  if (!*row) {
    for (const Bid& b : *bids) result.open_bids += b.status == BidStatus::kHeld ? 1 : 0;
    return result;
  }
  result.closed = true;
  if (!stmt->IsNull(0)) result.winning_bid = stmt->Int(0);
  std::optional<std::int64_t> booking_id;
  if (!stmt->IsNull(1)) booking_id = stmt->Int(1);
  result.price = stmt->Int(2);
  result.closed_at = stmt->Int(3);
  result.closed_by = stmt->Text(4);
  result.bids = std::move(bids).value();
  if (booking_id) {
    auto booking = impl_->LoadBooking(*booking_id);
    if (!booking.ok()) return booking.error();
    if (booking->has_value()) result.booking = **booking;
  }
  return result;
}

Result<CheckReport> MarketStore::Check() {
  std::lock_guard lock(mu_);
  CheckReport report;
  if (Status s = impl_->CheckInto(report); !s.ok()) return s.error();
  return report;
}

Status MarketStore::Impl::CheckInto(CheckReport& report) {
  auto loaded = Load();
  if (!loaded.ok()) return loaded.error();
  const Market& m = **loaded;
  const MarketConfig& c = m.config;
  auto& problems = report.problems;
  Transaction tx(db);  // one consistent snapshot; writers go on meanwhile
  if (Status s = tx.BeginRead(); !s.ok()) return s;

  {
    auto stmt = Statement::Prepare(db, "PRAGMA quick_check");
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      if (stmt->Text(0) != "ok") problems.push_back("SQLite quick_check: " + stmt->Text(0));
    }
  }

  // The ledger, replayed in commit order.
  struct Entry {
    std::int64_t id;
    std::string line;
    EntryKind kind;
    std::int64_t amount;
    std::optional<std::int64_t> booking_id;
    std::optional<std::int64_t> bid_id;
  };
  std::vector<Entry> ledger;
  {
    auto stmt = Statement::Prepare(
        db, "SELECT id, line, kind, amount, booking_id, bid_id FROM market_ledger ORDER BY id");
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      Entry e{stmt->Int(0), stmt->Text(1), KindFromName(stmt->Text(2)), stmt->Int(3), {}, {}};
      if (!stmt->IsNull(4)) e.booking_id = stmt->Int(4);
      if (!stmt->IsNull(5)) e.bid_id = stmt->Int(5);
      ledger.push_back(std::move(e));
    }
  }
  report.ledger_entries = static_cast<std::int64_t>(ledger.size());
  std::map<std::string, std::int64_t> running;
  std::map<std::string, std::vector<std::int64_t>> budget_entries;
  std::map<std::int64_t, const Entry*> by_id;
  std::map<std::int64_t, std::vector<const Entry*>> by_booking, by_bid;
  for (const Entry& e : ledger) {
    by_id[e.id] = &e;
    const std::string where = "ledger entry " + std::to_string(e.id);
    if (c.FindLine(e.line) == nullptr) {
      problems.push_back(where + " names unknown line " + Quote(e.line));
    }
    const bool sign_ok = [&] {
      switch (e.kind) {
        case EntryKind::kBudget:
          return e.amount >= 0;
        case EntryKind::kTopUp:
        case EntryKind::kRefund:
        case EntryKind::kRelease:
          return e.amount > 0;
        case EntryKind::kPurchase:
          return e.amount <= 0;
        case EntryKind::kHold:
          return e.amount < 0;
      }
      return false;
    }();
    if (!sign_ok) {
      problems.push_back(where + " (" + std::string(EntryKindName(e.kind)) + ") has amount " +
                         std::to_string(e.amount) + " of the wrong sign");
    }
    std::int64_t& balance = running[e.line];
    balance += e.amount;
    if (balance < 0) {
      problems.push_back("line " + e.line + "'s balance went negative (" + std::to_string(balance) +
                         ") at " + where);
    }
    if (e.kind == EntryKind::kBudget) budget_entries[e.line].push_back(e.amount);
    if (e.booking_id) by_booking[*e.booking_id].push_back(&e);
    if (e.bid_id) by_bid[*e.bid_id].push_back(&e);
    if ((e.kind == EntryKind::kPurchase || e.kind == EntryKind::kRefund) !=
        e.booking_id.has_value()) {
      problems.push_back(where + " (" + std::string(EntryKindName(e.kind)) +
                         ") must name a booking exactly when it buys or refunds");
    }
    if ((e.kind == EntryKind::kHold || e.kind == EntryKind::kRelease) != e.bid_id.has_value()) {
      problems.push_back(where + " (" + std::string(EntryKindName(e.kind)) +
                         ") must name a bid exactly when it holds or releases");
    }
  }
  for (const auto& [line, balance] : running) report.total_available += balance;
  std::int64_t budget_sum = 0;
  for (const LineBudget& b : m.budgets) {
    const auto& entries = budget_entries[b.line];
    if (entries.size() != 1 || entries[0] != b.coins) {
      problems.push_back("line " + b.line + " should have one budget entry of " +
                         std::to_string(b.coins) + " coins, has " + std::to_string(entries.size()) +
                         " entries");
    }
    for (std::int64_t a : entries) budget_sum += a;
  }
  if (budget_sum != c.pool) {
    problems.push_back("the budget entries sum to " + std::to_string(budget_sum) +
                       ", not the pool of " + std::to_string(c.pool));
  }

  // Bookings and their days.
  struct DayRow {
    std::int64_t booking_id;
    std::string slot;
    std::string day;
    std::int64_t price;
    bool active;
    std::int64_t purchase_entry;
    std::optional<std::int64_t> refund_entry;
  };
  struct BookingRow {
    std::string line, slot;
    BookingSource source;
    std::vector<const DayRow*> days;
  };
  std::map<std::int64_t, BookingRow> bookings;
  {
    auto stmt = Statement::Prepare(db, "SELECT id, line, slot, source FROM market_bookings");
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      bookings[stmt->Int(0)] =
          BookingRow{stmt->Text(1),
                     stmt->Text(2),
                     stmt->Text(3) == "auction" ? BookingSource::kAuction : BookingSource::kPosted,
                     {}};
    }
  }
  report.bookings = static_cast<std::int64_t>(bookings.size());
  std::vector<DayRow> days;
  {
    auto stmt = Statement::Prepare(db,
                              "SELECT booking_id, slot, day, price, active, purchase_entry, "
                              "refund_entry FROM market_booking_days");
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      DayRow d{stmt->Int(0),
               stmt->Text(1),
               stmt->Text(2),
               stmt->Int(3),
               stmt->Int(4) != 0,
               stmt->Int(5),
               {}};
      if (!stmt->IsNull(6)) d.refund_entry = stmt->Int(6);
      days.push_back(std::move(d));
    }
  }
  std::set<std::pair<std::string, std::string>> closed_auctions;
  {
    auto stmt = Statement::Prepare(db, "SELECT slot, day FROM market_auctions");
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      closed_auctions.insert({stmt->Text(0), stmt->Text(1)});
    }
  }
  // Per slot-day: the intervals [purchase entry, refund entry) in which a
  // booking held it; they must not overlap.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::int64_t, std::int64_t>>>
      held;
  for (const DayRow& d : days) {
    const std::string where = "booking " + std::to_string(d.booking_id) + " day " + d.day;
    auto b = bookings.find(d.booking_id);
    if (b == bookings.end()) {
      problems.push_back(where + " belongs to no booking");
      continue;
    }
    b->second.days.push_back(&d);
    if (d.slot != b->second.slot) problems.push_back(where + " names another slot");
    Result<Day> day = ParseDay(d.day);
    const int slot_index = c.SlotIndex(d.slot);
    if (!day.ok() || slot_index < 0 || *day < c.days().first || *day > c.days().last) {
      problems.push_back(where + " is not a slot-day of the market");
      continue;
    }
    if (d.active) report.active_slot_days += 1;
    const MarketSlot& slot = c.slots[static_cast<std::size_t>(slot_index)];
    if (b->second.source == BookingSource::kPosted) {
      if (d.price != m.prices.Price(slot_index, *day)) {
        problems.push_back(where + " was sold for " + std::to_string(d.price) +
                           " coins, not its posted price " +
                           std::to_string(m.prices.Price(slot_index, *day)));
      }
      if (slot.IsAuctionDay(*day) && closed_auctions.count({d.slot, d.day}) == 0) {
        problems.push_back(where + " was sold at the posted price while its auction is open");
      }
    }
    if (d.active == d.refund_entry.has_value()) {
      problems.push_back(where +
                         (d.active ? " is active but refunded" : " is cancelled but not refunded"));
    }
    held[{d.slot, d.day}].push_back(
        {d.purchase_entry, d.refund_entry.value_or(std::numeric_limits<std::int64_t>::max())});
  }
  for (auto& [key, intervals] : held) {
    std::sort(intervals.begin(), intervals.end());
    int active = 0;
    for (std::size_t i = 0; i < intervals.size(); ++i) {
      if (intervals[i].second == std::numeric_limits<std::int64_t>::max()) active += 1;
      if (i > 0 && intervals[i].first < intervals[i - 1].second) {
        problems.push_back("slot " + key.first + " on " + key.second +
                           " was held by two bookings at once (from ledger entry " +
                           std::to_string(intervals[i].first) + ")");
      }
    }
    if (active > 1) {
      problems.push_back("slot " + key.first + " on " + key.second + " has " +
                         std::to_string(active) + " active bookings");
    }
  }
  for (const auto& [id, b] : bookings) {
    const std::string where = "booking " + std::to_string(id);
    std::int64_t paid = 0, refunded = 0;
    std::set<std::int64_t> purchase_ids, refund_ids;
    for (const DayRow* d : b.days) {
      paid += d->price;
      if (!d->active) refunded += d->price;
      purchase_ids.insert(d->purchase_entry);
      if (d->refund_entry) refund_ids.insert(*d->refund_entry);
    }
    if (b.days.empty()) problems.push_back(where + " has no days");
    if (c.FindLine(b.line) == nullptr) problems.push_back(where + " names unknown line " + b.line);
    std::int64_t purchases = 0, refunds = 0;
    int purchase_count = 0;
    for (const Entry* e : by_booking[id]) {
      if (e->line != b.line) problems.push_back(where + " is paid from another line's ledger");
      if (e->kind == EntryKind::kPurchase) {
        purchases -= e->amount;
        purchase_count += 1;
        if (purchase_ids.count(e->id) == 0) problems.push_back(where + ": stray purchase entry");
      } else if (e->kind == EntryKind::kRefund) {
        refunds += e->amount;
        if (refund_ids.count(e->id) == 0) problems.push_back(where + ": stray refund entry");
      }
    }
    if (purchase_count != 1 || purchases != paid || purchase_ids.size() != 1) {
      problems.push_back(where + " costs " + std::to_string(paid) +
                         " coins but its purchase "
                         "entries total " +
                         std::to_string(purchases));
    }
    if (refunds != refunded) {
      problems.push_back(where + " has " + std::to_string(refunded) +
                         " coins of cancelled days but its refunds total " +
                         std::to_string(refunds));
    }
  }
  for (const auto& [id, entries] : by_booking) {
    if (bookings.count(id) == 0) {
      problems.push_back("the ledger names booking " + std::to_string(id) +
                         ", which does not exist");
    }
  }

  // Bids and auctions.
  {
    auto stmt = Statement::Prepare(db,
                              "SELECT id, line, slot, day, amount, status, hold_entry, "
                              "release_entry FROM market_bids");
    if (!stmt.ok()) return stmt.error();
    std::set<std::tuple<std::string, std::string, std::string>> held_keys;
    std::set<std::int64_t> bid_ids;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      const std::int64_t id = stmt->Int(0);
      bid_ids.insert(id);
      const std::string line = stmt->Text(1), slot = stmt->Text(2), day = stmt->Text(3);
      const std::int64_t amount = stmt->Int(4);
      const BidStatus status = BidStatusFromName(stmt->Text(5));
      const std::int64_t hold_entry = stmt->Int(6);
      const std::string where = "bid " + std::to_string(id);
      std::int64_t holds = 0, releases = 0;
      int hold_count = 0, release_count = 0;
      for (const Entry* e : by_bid[id]) {
        if (e->line != line) problems.push_back(where + " is held on another line's ledger");
        if (e->kind == EntryKind::kHold) {
          holds -= e->amount;
          hold_count += 1;
          if (e->id != hold_entry) problems.push_back(where + ": stray hold entry");
        } else if (e->kind == EntryKind::kRelease) {
          releases += e->amount;
          release_count += 1;
          if (stmt->IsNull(7) || e->id != stmt->Int(7)) {
            problems.push_back(where + ": stray release entry");
          }
        }
      }
      if (hold_count != 1 || holds != amount) {
        problems.push_back(where + " of " + std::to_string(amount) + " coins is held by " +
                           std::to_string(holds));
      }
      const bool settled = status != BidStatus::kHeld;
      if (release_count != (settled ? 1 : 0) || releases != (settled ? amount : 0)) {
        problems.push_back(where + " (" + std::string(BidStatusName(status)) + ") has " +
                           std::to_string(releases) + " coins released");
      }
      if (status == BidStatus::kHeld) {
        report.open_bids += 1;
        if (!held_keys.insert({slot, day, line}).second) {
          problems.push_back(where + ": line " + line + " has two open bids on " + slot + " " +
                             day);
        }
        if (closed_auctions.count({slot, day}) > 0) {
          problems.push_back(where + " is still held after its auction closed");
        }
      }
    }
    for (const auto& [id, entries] : by_bid) {
      if (bid_ids.count(id) == 0) {
        problems.push_back("the ledger names bid " + std::to_string(id) + ", which does not exist");
      }
    }
  }
  {
    auto stmt = Statement::Prepare(db,
                              "SELECT a.slot, a.day, a.reserve, a.price, a.booking_id, "
                              "w.line, w.amount, w.status FROM market_auctions a LEFT JOIN "
                              "market_bids w ON w.id = a.winning_bid");
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      const std::string where = "the auction of " + stmt->Text(0) + " on " + stmt->Text(1);
      const std::int64_t reserve = stmt->Int(2), price = stmt->Int(3);
      if (stmt->IsNull(4)) continue;  // no winner
      const std::int64_t booking_id = stmt->Int(4);
      auto b = bookings.find(booking_id);
      if (b == bookings.end() || b->second.source != BookingSource::kAuction ||
          b->second.days.size() != 1 || b->second.days[0]->price != price) {
        problems.push_back(where + " does not match its booking " + std::to_string(booking_id));
        continue;
      }
      if (stmt->IsNull(5) || stmt->Text(5) != b->second.line || stmt->Text(7) != "won") {
        problems.push_back(where + ": the booking is not the winning bid's line");
      }
      if (price < reserve || (!stmt->IsNull(6) && price > stmt->Int(6))) {
        problems.push_back(where + " cleared at " + std::to_string(price) +
                           " coins, outside [reserve, winning bid]");
      }
    }
  }
  return {};
}

}  // namespace sluice::market
