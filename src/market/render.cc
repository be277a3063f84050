#include "sluice/market/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include "json_fields.h"
#include "sluice/market/calendar.h"

namespace sluice::market {

using internal::Coins;

namespace {

// Columns of text; a column is right-aligned when `right` says so.
class Table {
 public:
  Table(std::vector<std::string> headers, std::vector<bool> right)
      : headers_(std::move(headers)), right_(std::move(right)) {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  std::string ToString() const {
    std::vector<std::size_t> width(headers_.size());
    for (std::size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
    for (const auto& r : rows_) {
      for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
        width[i] = std::max(width[i], r[i].size());
      }
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (std::size_t i = 0; i < width.size(); ++i) {
        const std::string cell = i < cells.size() ? cells[i] : "";
        const std::string pad(width[i] - cell.size(), ' ');
        if (i > 0) text += "  ";
        text += right_[i] ? pad + cell : cell + pad;
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += text + "\n";
    };
    line(headers_);
    std::vector<std::string> rule;
    for (std::size_t w : width) rule.push_back(std::string(w, '-'));
    line(rule);
    for (const auto& r : rows_) line(r);
    return out;
  }

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t Int(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

double Num(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string Money(const Json& j, const char* key) { return Coins(Int(j, key)); }

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Percent(double share) { return Fixed(100 * share, 2) + "%"; }

std::string Gv(double gv) {
  if (gv == std::floor(gv) && std::fabs(gv) < 9e15) return Coins(static_cast<std::int64_t>(gv));
  return Fixed(gv, 2);
}

// "2027-03-03 00:00" in UTC.
std::string Utc(std::int64_t ms) { return FormatLocalTime(ms, 0).substr(0, 16); }

const Json& Items(const Json& j, const char* key) {
  static const Json kEmpty = Json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

}  // namespace

std::string RenderBudgets(const Json& b) {
  std::string out = "Market " + Str(b, "year") + ": pool " + Money(b, "pool") +
                    " coins; value of a GV " + Fixed(Num(b, "value_per_gv"), 6) +
                    " coins; cancellation up to " + Str(b, "cancel_deadline_days") +
                    " days before the day\n";
  std::string weights;
  for (std::string_view f : kFactorNames) {
    weights += (weights.empty() ? "" : ", ") + std::string(f) + " " +
               Str(b["weights"], std::string(f).c_str());
  }
  out += "Weights: " + weights + "\n\n";
  std::vector<std::string> headers = {"line"};
  std::vector<bool> right = {false};
  for (std::string_view f : kFactorNames) {
    headers.push_back(std::string(f) + " share");
    right.push_back(true);
  }
  headers.insert(headers.end(), {"score", "budget"});
  right.insert(right.end(), {true, true});
  Table t(headers, right);
  for (const Json& l : Items(b, "lines")) {
    std::vector<std::string> row = {Str(l, "line")};
    for (std::string_view f : kFactorNames) {
      row.push_back(Percent(Num(l["shares"], std::string(f).c_str())));
    }
    row.push_back(Fixed(Num(l, "score"), 6));
    row.push_back(Money(l, "budget"));
    t.Row(std::move(row));
  }
  return out + t.ToString();
}

std::string RenderBalances(const Json& b) {
  Table t({"line", "budget", "topped up", "spent", "held", "available"},
          {false, true, true, true, true, true});
  auto add = [&](const Json& x) {
    t.Row({Str(x, "line"), Money(x, "budget"), Money(x, "topped_up"), Money(x, "spent"),
           Money(x, "held"), Money(x, "available")});
  };
  if (b.contains("balances")) {
    for (const Json& x : Items(b, "balances")) add(x);
  } else {
    add(b);
  }
  return t.ToString();
}

std::string RenderPrices(const Json& p) {
  std::string out = "Posted prices " + Str(p, "from") + " to " + Str(p, "to") + " (value of a GV " +
                    Fixed(Num(p, "value_per_gv"), 6) + " coins)\n\n";
  Table t({"slot", "date", "gv", "price", "mode", "state"},
          {false, false, true, true, false, false});
  for (const Json& s : Items(p, "slot_days")) {
    std::string state = Str(s, "state");
    if (state == "booked") {
      state = "booked by " + Str(s, "line") + " (#" + Str(s, "booking_id") + ")";
    } else if (state == "auction_open") {
      state = "auction open, " + Str(s, "open_bids") + " bid(s)";
    }
    t.Row({Str(s, "slot"), Str(s, "date"), Gv(Num(s, "gv")), Money(s, "price"), Str(s, "mode"),
           state});
  }
  return out + t.ToString();
}

std::string RenderBooking(const Json& b) {
  std::string out = "Booking #" + Str(b, "id") + ": line " + Str(b, "line") + ", slot " +
                    Str(b, "slot") + " (" + Str(b, "source") + "), " + Str(b, "status") +
                    "; paid " + Money(b, "paid") + ", refunded " + Money(b, "refunded") +
                    " coins\n\n";
  Table t({"date", "price", "status"}, {false, true, false});
  for (const Json& d : Items(b, "days")) {
    t.Row({Str(d, "date"), Money(d, "price"), Str(d, "status")});
  }
  return out + t.ToString();
}

std::string RenderBookings(const Json& list) {
  Table t({"id", "line", "slot", "source", "days", "first", "last", "paid", "refunded", "status"},
          {true, false, false, false, true, false, false, true, true, false});
  for (const Json& b : Items(list, "bookings")) {
    const Json& days = Items(b, "days");
    t.Row({Str(b, "id"), Str(b, "line"), Str(b, "slot"), Str(b, "source"),
           std::to_string(days.size()), days.empty() ? "" : Str(days.front(), "date"),
           days.empty() ? "" : Str(days.back(), "date"), Money(b, "paid"), Money(b, "refunded"),
           Str(b, "status")});
  }
  return t.ToString();
}

std::string RenderLedger(const Json& l) {
  Table t({"id", "at (UTC)", "line", "kind", "amount", "booking", "bid", "actor", "note"},
          {true, false, false, false, true, true, true, false, false});
  for (const Json& e : Items(l, "entries")) {
    t.Row({Str(e, "id"), Utc(Int(e, "at")), Str(e, "line"), Str(e, "kind"), Money(e, "amount"),
           Str(e, "booking_id"), Str(e, "bid_id"), Str(e, "actor"), Str(e, "note")});
  }
  return t.ToString();
}

std::string RenderEntry(const Json& e) {
  return "Ledger entry #" + Str(e, "id") + ": " + Str(e, "kind") + " of " + Money(e, "amount") +
         " coins for line " + Str(e, "line") + " by " + Str(e, "actor") + " (" + Str(e, "note") +
         ")\n";
}

std::string RenderBid(const Json& b) {
  return "Bid #" + Str(b, "id") + ": line " + Str(b, "line") + " bids " + Money(b, "amount") +
         " coins for slot " + Str(b, "slot") + " on " + Str(b, "date") +
         "; the amount is held until the auction closes\n";
}

std::string RenderAuction(const Json& a) {
  std::string out = "Auction of slot " + Str(a, "slot") + " on " + Str(a, "date") + " (reserve " +
                    Money(a, "reserve") + " coins): " + Str(a, "status");
  if (Str(a, "status") == "open") return out + ", " + Str(a, "open_bids") + " sealed bid(s)\n";
  const Json& booking = a.contains("booking") ? a["booking"] : Json();
  if (booking.is_object()) {
    out += "; won by " + Str(booking, "line") + " at " + Money(a, "price") + " coins (booking #" +
           Str(booking, "id") + ")\n\n";
  } else {
    out += "; no winner, the day is on sale at its posted price\n\n";
  }
  Table t({"bid", "line", "amount", "status"}, {true, false, true, false});
  for (const Json& b : Items(a, "bids")) {
    t.Row({Str(b, "id"), Str(b, "line"), Money(b, "amount"), Str(b, "status")});
  }
  return out + t.ToString();
}

std::string RenderCheck(const Json& r) {
  std::string out = r.value("ok", false) ? "OK: every invariant holds\n"
                                         : "FAILED: the market's invariants are broken\n";
  for (const Json& p : Items(r, "problems")) out += "  " + p.get<std::string>() + "\n";
  out += "ledger entries " + Str(r, "ledger_entries") + ", bookings " + Str(r, "bookings") +
         ", active slot-days " + Str(r, "active_slot_days") + ", open bids " + Str(r, "open_bids") +
         ", coins available " + Money(r, "total_available") + "\n";
  return out;
}

}  // namespace sluice::market
