#include "sluice/market/api.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json_fields.h"
#include "sluice/common/error_json.h"

namespace sluice::market {

using internal::FieldError;
using internal::Fields;
using internal::IndexPath;

namespace {

constexpr std::int32_t kDefaultPriceDays = 14;

struct Request {
  std::string_view method;
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  const Json& body;
  std::string_view actor;
  EpochMillis now;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void SplitTarget(std::string_view target, std::vector<std::string>& segments,
                 std::map<std::string, std::string>& query) {
  const std::size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view rest = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) segments.push_back(Decode(seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!pair.empty()) {
      query[Decode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

MarketApiResponse ErrorReply(const Error& error) {
  return {HttpStatus(error.code), ErrorToJson(error)};
}

MarketApiResponse Reply(ErrorCode code, const std::string& message) {
  return ErrorReply(MakeError(code, message));
}

MarketApiResponse MethodNotAllowed(std::string_view method, std::string_view allowed) {
  MarketApiResponse r;
  r.status = 405;
  r.body =
      Json{{"error", "method_not_allowed"},
           {"message", std::string(method) + " is not allowed here; use " + std::string(allowed)}};
  return r;
}

// ---- JSON out ----

Json DayJson(const BookingDay& d) {
  Json j = {{"date", FormatDay(d.day)},
            {"price", d.price},
            {"status", d.active ? "active" : "cancelled"}};
  if (d.cancelled_at) {
    j["cancelled_at"] = *d.cancelled_at;
    j["cancelled_by"] = d.cancelled_by;
  }
  return j;
}

Json BookingJson(const Booking& b) {
  Json days = Json::array();
  for (const BookingDay& d : b.days) days.push_back(DayJson(d));
  return Json{{"id", b.id},
              {"line", b.line},
              {"slot", b.slot},
              {"source", BookingSourceName(b.source)},
              {"status", b.active() ? "active" : "cancelled"},
              {"paid", b.paid()},
              {"refunded", b.refunded()},
              {"created_at", b.created_at},
              {"created_by", b.created_by},
              {"days", std::move(days)}};
}

Json EntryJson(const LedgerEntry& e) {
  Json j = {{"id", e.id}, {"line", e.line}, {"kind", EntryKindName(e.kind)}, {"amount", e.amount}};
  if (e.booking_id) j["booking_id"] = *e.booking_id;
  if (e.bid_id) j["bid_id"] = *e.bid_id;
  j["at"] = e.at;
  j["actor"] = e.actor;
  j["note"] = e.note;
  return j;
}

Json BalanceJson(const Balance& b) {
  return Json{{"line", b.line},   {"budget", b.budget}, {"topped_up", b.topped_up},
              {"spent", b.spent}, {"held", b.held},     {"available", b.available}};
}

Json BidJson(const Bid& b) {
  return Json{{"id", b.id},
              {"line", b.line},
              {"slot", b.slot},
              {"date", FormatDay(b.day)},
              {"amount", b.amount},
              {"status", BidStatusName(b.status)},
              {"created_at", b.created_at},
              {"created_by", b.created_by}};
}

Json AuctionJson(const AuctionResult& a) {
  Json j = {{"slot", a.slot},
            {"date", FormatDay(a.day)},
            {"reserve", a.reserve},
            {"status", a.closed ? "closed" : "open"}};
  if (!a.closed) {
    j["open_bids"] = a.open_bids;
    return j;
  }
  j["winning_bid"] = a.winning_bid ? Json(*a.winning_bid) : Json(nullptr);
  j["price"] = a.price;
  j["booking"] = a.booking ? BookingJson(*a.booking) : Json(nullptr);
  Json bids = Json::array();
  for (const Bid& b : a.bids) bids.push_back(BidJson(b));
  j["bids"] = std::move(bids);
  j["closed_at"] = a.closed_at;
  j["closed_by"] = a.closed_by;
  return j;
}

Json SlotDayJson(const SlotDay& s) {
  Json j = {{"slot", s.slot},
            {"date", FormatDay(s.day)},
            {"gv", s.gv},
            {"price", s.price},
            {"mode", s.auction ? "auction" : "posted"}};
  if (s.booking_id) {
    j["state"] = "booked";
    j["booking_id"] = *s.booking_id;
    j["line"] = s.booked_by;
  } else if (s.auction && !s.auction_closed) {
    j["state"] = "auction_open";
    j["open_bids"] = s.open_bids;
  } else {
    j["state"] = "free";
  }
  return j;
}

Json FactorsJson(const FactorValues& v) {
  Json j = Json::object();
  for (std::size_t k = 0; k < kFactorCount; ++k) j[std::string(kFactorNames[k])] = v[k];
  return j;
}

Json BudgetsJson(const Market& m) {
  const MarketConfig& c = m.config;
  Json lines = Json::array();
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    const LineBudget& b = m.budgets[i];
    lines.push_back(Json{{"line", c.lines[i].id},
                         {"name", c.lines[i].name},
                         {"figures", FactorsJson(c.lines[i].figures)},
                         {"shares", FactorsJson(b.shares)},
                         {"score", b.score},
                         {"budget", b.coins}});
  }
  return Json{{"year", c.year},
              {"pool", c.pool},
              {"weights", FactorsJson(c.weights)},
              {"value_per_gv", m.prices.value_per_gv()},
              {"total_gv", m.prices.total_gv()},
              {"cancel_deadline_days", c.cancel_deadline_days},
              {"utc_offset_minutes", c.utc_offset_minutes},
              {"lines", std::move(lines)}};
}

Json CheckJson(const CheckReport& r) {
  return Json{{"ok", r.ok()},
              {"problems", r.problems},
              {"ledger_entries", r.ledger_entries},
              {"bookings", r.bookings},
              {"active_slot_days", r.active_slot_days},
              {"open_bids", r.open_bids},
              {"total_available", r.total_available}};
}

// ---- JSON in ----

// `dates`: an array of "YYYY-MM-DD" or "FIRST..LAST" strings, expanded to days.
// `origin[k]` is the index in the array that day k came from.
std::vector<Day> ReadDates(Fields& f, const Json& body, bool required,
                           std::vector<std::size_t>& origin) {
  std::vector<Day> out;
  const Json* dates = f.Member(body, "dates", "", required);
  if (dates == nullptr) return out;
  if (dates->is_string()) {
    // A single date or range is accepted as a one-element list.
    if (std::optional<DayRange> r = f.Days(*dates, "dates", true)) {
      if (r->size() > 366) {
        f.Add("dates", "spans " + std::to_string(r->size()) + " days; give at most 366");
        return out;
      }
      for (Day d = r->first; d <= r->last; d.n++) {
        out.push_back(d);
        origin.push_back(0);
      }
    }
    return out;
  }
  if (!f.Array(*dates, "dates")) return out;
  if (dates->empty()) {
    f.Add("dates", "is empty; list at least one date");
    return out;
  }
  for (std::size_t i = 0; i < dates->size(); ++i) {
    std::optional<DayRange> r = f.Days((*dates)[i], IndexPath("dates", i), true);
    if (!r) continue;
    if (r->size() > 366 || out.size() + static_cast<std::size_t>(r->size()) > 366) {
      f.Add(IndexPath("dates", i), "makes more than 366 days; book at most 366 at once");
      return out;
    }
    for (Day d = r->first; d <= r->last; d.n++) {
      out.push_back(d);
      origin.push_back(i);
    }
  }
  return out;
}

// Store problems name "dates[k]" of the expanded list; point them at the
// element of the request they came from.
Error MapDatePaths(Error e, const std::vector<std::size_t>& origin) {
  auto remap = [&](std::string& path) {
    if (path.rfind("dates[", 0) != 0 || path.back() != ']') return;
    std::size_t k = 0;
    const std::string digits = path.substr(6, path.size() - 7);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
    if (ec != std::errc() || end != digits.data() + digits.size() || k >= origin.size()) return;
    path = IndexPath("dates", origin[k]);
  };
  for (Problem& p : e.problems) remap(p.path);
  if (e.problems.size() == 1) e.message = e.problems[0].path + ": " + e.problems[0].message;
  return e;
}

Result<Json> BodyObject(const Json& body, bool allow_empty) {
  if (body.is_object()) return body;
  if (body.is_null() && allow_empty) return Json::object();
  return MakeError(ErrorCode::kInvalidArgument,
                   "the request body must be a JSON object, not " + JsonTypeName(body));
}

std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Result<std::int64_t> QueryInt(const Request& r, const std::string& name, std::int64_t fallback) {
  auto it = r.query.find(name);
  if (it == r.query.end()) return fallback;
  std::optional<std::int64_t> v = ParseInteger(it->second);
  if (!v) {
    return FieldError(ErrorCode::kInvalidArgument, name,
                      "\"" + it->second.substr(0, 40) + "\" is not a whole number");
  }
  return *v;
}

Result<std::optional<Day>> QueryDay(const Request& r, const std::string& name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return std::optional<Day>();
  Result<Day> d = ParseDay(it->second);
  if (!d.ok()) return FieldError(ErrorCode::kInvalidArgument, name, d.error().message);
  return std::optional<Day>(*d);
}

Status CheckQueryKeys(const Request& r, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : r.query) {
    bool ok = false;
    std::string names;
    for (const char* k : known) {
      ok = ok || key == k;
      names += (names.empty() ? "" : ", ") + std::string(k);
    }
    if (!ok) {
      return FieldError(ErrorCode::kInvalidArgument, key,
                        names.empty() ? "unknown query parameter; this route takes none"
                                      : "unknown query parameter; use " + names);
    }
  }
  return {};
}

Result<Day> PathDay(const std::string& text) {
  Result<Day> d = ParseDay(text);
  if (!d.ok()) return FieldError(ErrorCode::kInvalidArgument, "date", d.error().message);
  return d;
}

// ---- Routes ----

MarketApiResponse Init(MarketStore& store, const Request& r) {
  if (!r.body.is_object()) {
    return ErrorReply(MakeError(ErrorCode::kInvalidArgument,
                                "send the market configuration as a JSON object (see "
                                "docs/market.md, \"Configuration\")"));
  }
  auto market = store.Init(r.body, r.actor);
  if (!market.ok()) return ErrorReply(market.error());
  return {201, BudgetsJson(**market)};
}

MarketApiResponse TopUp(MarketStore& store, const Request& r) {
  auto body = BodyObject(r.body, false);
  if (!body.ok()) return ErrorReply(body.error());
  std::vector<Problem> problems;
  Fields f(problems);
  f.Keys(*body, "", {"line", "amount", "reason"});
  TopUpRequest req;
  req.line = f.Id(*body, "line", "", true).value_or("");
  req.amount = f.Integer(*body, "amount", "", true, 1, kMaxCoins, "coins").value_or(0);
  req.reason = f.String(*body, "reason", "", true).value_or("");
  if (!problems.empty()) return ErrorReply(internal::ProblemsError("the top-up", problems));
  auto entry = store.TopUp(req, r.actor);
  if (!entry.ok()) return ErrorReply(entry.error());
  return {201, EntryJson(*entry)};
}

MarketApiResponse Book(MarketStore& store, const Request& r) {
  auto body = BodyObject(r.body, false);
  if (!body.ok()) return ErrorReply(body.error());
  std::vector<Problem> problems;
  Fields f(problems);
  f.Keys(*body, "", {"line", "slot", "dates"});
  BookRequest req;
  req.line = f.Id(*body, "line", "", true).value_or("");
  req.slot = f.Id(*body, "slot", "", true).value_or("");
  std::vector<std::size_t> origin;
  req.days = ReadDates(f, *body, true, origin);
  if (!problems.empty()) return ErrorReply(internal::ProblemsError("the booking", problems));
  auto booking = store.Book(req, r.actor);
  if (!booking.ok()) return ErrorReply(MapDatePaths(booking.error(), origin));
  return {201, BookingJson(*booking)};
}

MarketApiResponse Cancel(MarketStore& store, const Request& r, std::int64_t id) {
  auto body = BodyObject(r.body, true);
  if (!body.ok()) return ErrorReply(body.error());
  std::vector<Problem> problems;
  Fields f(problems);
  f.Keys(*body, "", {"dates"});
  CancelRequest req;
  req.booking_id = id;
  std::vector<std::size_t> origin;
  req.days = ReadDates(f, *body, false, origin);
  if (!problems.empty()) return ErrorReply(internal::ProblemsError("the cancellation", problems));
  auto booking = store.Cancel(req, r.actor);
  if (!booking.ok()) return ErrorReply(MapDatePaths(booking.error(), origin));
  return {200, BookingJson(*booking)};
}

MarketApiResponse PlaceBid(MarketStore& store, const Request& r) {
  auto body = BodyObject(r.body, false);
  if (!body.ok()) return ErrorReply(body.error());
  std::vector<Problem> problems;
  Fields f(problems);
  f.Keys(*body, "", {"line", "slot", "date", "amount"});
  BidRequest req;
  req.line = f.Id(*body, "line", "", true).value_or("");
  req.slot = f.Id(*body, "slot", "", true).value_or("");
  if (const Json* d = f.Member(*body, "date", "", true)) {
    if (std::optional<DayRange> day = f.Days(*d, "date", false)) req.day = day->first;
  }
  req.amount = f.Integer(*body, "amount", "", true, 1, kMaxCoins, "coins").value_or(0);
  if (!problems.empty()) return ErrorReply(internal::ProblemsError("the bid", problems));
  auto bid = store.PlaceBid(req, r.actor);
  if (!bid.ok()) return ErrorReply(bid.error());
  return {201, BidJson(*bid)};
}

MarketApiResponse Prices(MarketStore& store, const Request& r) {
  if (Status s = CheckQueryKeys(r, {"slot", "from", "to"}); !s.ok()) return ErrorReply(s.error());
  auto market = store.Get();
  if (!market.ok()) return ErrorReply(market.error());
  const MarketConfig& c = (*market)->config;
  auto from = QueryDay(r, "from");
  if (!from.ok()) return ErrorReply(from.error());
  auto to = QueryDay(r, "to");
  if (!to.ok()) return ErrorReply(to.error());
  const DayRange year = c.days();
  Day first = from->value_or(std::clamp(DayAt(r.now, c.utc_offset_minutes), year.first, year.last));
  Day last = to->value_or(Day{std::min(first.n + kDefaultPriceDays - 1, year.last.n)});
  if (!from->has_value() && to->has_value() && last < first)
    first = std::max(year.first, Day{last.n - kDefaultPriceDays + 1});
  if (last.n - first.n + 1 > 366) {
    return ErrorReply(FieldError(ErrorCode::kInvalidArgument, "to",
                                 "asks for more than 366 days; narrow from..to"));
  }
  auto it = r.query.find("slot");
  const std::string slot = it == r.query.end() ? "" : it->second;
  auto days = store.SlotDays(slot, DayRange{first, last});
  if (!days.ok()) return ErrorReply(days.error());
  Json list = Json::array();
  for (const SlotDay& s : *days) list.push_back(SlotDayJson(s));
  return {200, Json{{"from", FormatDay(first)},
                    {"to", FormatDay(last)},
                    {"value_per_gv", (*market)->prices.value_per_gv()},
                    {"slot_days", std::move(list)}}};
}

MarketApiResponse ListBookings(MarketStore& store, const Request& r) {
  if (Status s = CheckQueryKeys(r, {"line", "slot", "status", "limit"}); !s.ok()) {
    return ErrorReply(s.error());
  }
  BookingQuery q;
  if (auto it = r.query.find("line"); it != r.query.end()) q.line = it->second;
  if (auto it = r.query.find("slot"); it != r.query.end()) q.slot = it->second;
  if (auto it = r.query.find("status"); it != r.query.end()) {
    if (it->second != "active" && it->second != "all") {
      return ErrorReply(FieldError(ErrorCode::kInvalidArgument, "status",
                                   "is \"" + it->second.substr(0, 40) + "\"; use active or all"));
    }
    q.active_only = it->second == "active";
  }
  auto limit = QueryInt(r, "limit", q.limit);
  if (!limit.ok()) return ErrorReply(limit.error());
  q.limit = *limit;
  auto list = store.Bookings(q);
  if (!list.ok()) return ErrorReply(list.error());
  Json out = Json::array();
  for (const Booking& b : *list) out.push_back(BookingJson(b));
  return {200, Json{{"bookings", std::move(out)}}};
}

MarketApiResponse Ledger(MarketStore& store, const Request& r) {
  if (Status s = CheckQueryKeys(r, {"line", "after", "limit"}); !s.ok())
    return ErrorReply(s.error());
  LedgerQuery q;
  if (auto it = r.query.find("line"); it != r.query.end()) q.line = it->second;
  auto after = QueryInt(r, "after", 0);
  if (!after.ok()) return ErrorReply(after.error());
  auto limit = QueryInt(r, "limit", q.limit);
  if (!limit.ok()) return ErrorReply(limit.error());
  q.after_id = *after;
  q.limit = *limit;
  auto entries = store.Ledger(q);
  if (!entries.ok()) return ErrorReply(entries.error());
  Json out = Json::array();
  for (const LedgerEntry& e : *entries) out.push_back(EntryJson(e));
  return {200, Json{{"entries", std::move(out)}}};
}

MarketApiResponse Balances(MarketStore& store, const Request& r, const std::string* line) {
  if (Status s = CheckQueryKeys(r, {}); !s.ok()) return ErrorReply(s.error());
  auto balances = store.Balances();
  if (!balances.ok()) return ErrorReply(balances.error());
  if (line != nullptr) {
    for (const Balance& b : *balances) {
      if (b.line == *line) return {200, BalanceJson(b)};
    }
    return Reply(ErrorCode::kNotFound, "no business line \"" + line->substr(0, 64) +
                                           "\"; list them with GET /v1/market/balances");
  }
  Json out = Json::array();
  for (const Balance& b : *balances) out.push_back(BalanceJson(b));
  return {200, Json{{"balances", std::move(out)}}};
}

MarketApiResponse Route(MarketStore& store, const Request& r) {
  const auto& s = r.segments;
  const std::string_view m = r.method;
  const bool get = m == "GET";
  const bool post = m == "POST";
  if (s.size() == 1 && s[0] == "init") return post ? Init(store, r) : MethodNotAllowed(m, "POST");
  if (s.size() == 1 && s[0] == "config") {
    if (!get) return MethodNotAllowed(m, "GET");
    auto market = store.Get();
    if (!market.ok()) return ErrorReply(market.error());
    return {200, (*market)->document};
  }
  if (s.size() == 1 && s[0] == "budgets") {
    if (!get) return MethodNotAllowed(m, "GET");
    auto market = store.Get();
    if (!market.ok()) return ErrorReply(market.error());
    return {200, BudgetsJson(**market)};
  }
  if (s.size() == 1 && s[0] == "balances")
    return get ? Balances(store, r, nullptr) : MethodNotAllowed(m, "GET");
  if (s.size() == 2 && s[0] == "balances")
    return get ? Balances(store, r, &s[1]) : MethodNotAllowed(m, "GET");
  if (s.size() == 1 && s[0] == "topups")
    return post ? TopUp(store, r) : MethodNotAllowed(m, "POST");
  if (s.size() == 1 && s[0] == "prices") return get ? Prices(store, r) : MethodNotAllowed(m, "GET");
  if (s.size() == 1 && s[0] == "bookings") {
    if (post) return Book(store, r);
    if (get) return ListBookings(store, r);
    return MethodNotAllowed(m, "GET, POST");
  }
  if ((s.size() == 2 || (s.size() == 3 && s[2] == "cancel")) && s[0] == "bookings") {
    std::optional<std::int64_t> id = ParseInteger(s[1]);
    if (!id || *id <= 0) {
      return Reply(ErrorCode::kNotFound, "\"" + s[1].substr(0, 40) +
                                             "\" is not a booking id; booking ids are whole "
                                             "numbers from 1 up");
    }
    if (s.size() == 3) return post ? Cancel(store, r, *id) : MethodNotAllowed(m, "POST");
    if (!get) return MethodNotAllowed(m, "GET");
    auto booking = store.GetBooking(*id);
    if (!booking.ok()) return ErrorReply(booking.error());
    return {200, BookingJson(*booking)};
  }
  if (s.size() == 1 && s[0] == "bids")
    return post ? PlaceBid(store, r) : MethodNotAllowed(m, "POST");
  if ((s.size() == 3 || (s.size() == 4 && s[3] == "close")) && s[0] == "auctions") {
    auto day = PathDay(s[2]);
    if (!day.ok()) return ErrorReply(day.error());
    if (s.size() == 4) {
      if (!post) return MethodNotAllowed(m, "POST");
      auto result = store.CloseAuction(s[1], *day, r.actor);
      if (!result.ok()) return ErrorReply(result.error());
      return {200, AuctionJson(*result)};
    }
    if (!get) return MethodNotAllowed(m, "GET");
    auto result = store.Auction(s[1], *day);
    if (!result.ok()) return ErrorReply(result.error());
    return {200, AuctionJson(*result)};
  }
  if (s.size() == 1 && s[0] == "ledger") return get ? Ledger(store, r) : MethodNotAllowed(m, "GET");
  if (s.size() == 1 && s[0] == "check") {
    if (!get) return MethodNotAllowed(m, "GET");
    auto report = store.Check();
    if (!report.ok()) return ErrorReply(report.error());
    return {200, CheckJson(*report)};
  }
  std::string path;
  for (const std::string& seg : s) path += "/" + seg;
  return Reply(ErrorCode::kNotFound, "no market route " + std::string(m) + " /v1/market" + path +
                                         "; see docs/market.md for the routes");
}

}  // namespace

MarketApiResponse HandleMarketRequest(MarketStore& store, std::string_view method,
                                      std::string_view path_after_v1_market,
                                      const nlohmann::json& body, std::string_view actor,
                                      EpochMillis now) {
  try {
    const Json ordered = body;
    Request r{method, {}, {}, ordered, actor, now};
    SplitTarget(path_after_v1_market, r.segments, r.query);
    return Route(store, r);
  } catch (const std::exception& e) {
    return Reply(ErrorCode::kInternal, std::string("the market failed unexpectedly (") + e.what() +
                                           "); run `sluice market check` and report the output");
  }
}

}  // namespace sluice::market
