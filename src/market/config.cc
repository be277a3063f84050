#include "sluice/market/config.h"

#include <cmath>
#include <set>
#include <utility>

#include "json_fields.h"
#include "sluice/market/pricing.h"

namespace sluice::market {

using internal::Coins;
using internal::FieldPath;
using internal::Fields;
using internal::IndexPath;

namespace {

constexpr std::size_t kMaxLines = 1000;
constexpr std::size_t kMaxSlots = 200;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool Inside(DayRange r, DayRange year) { return r.first >= year.first && r.last <= year.last; }

void CheckInsideYear(Fields& f, DayRange r, DayRange year, int y, const std::string& path) {
  if (!Inside(r, year)) {
    f.Add(path, "lies outside the market year " + std::to_string(y) + "; use days from " +
                    FormatDay(year.first) + " to " + FormatDay(year.last));
  }
}

void ParseLine(Fields& f, const Json& v, const std::string& path, MarketLine& line) {
  if (!f.Object(v, path)) return;
  f.Keys(v, path, {"id", "name", "strategic", "revenue", "margin", "orders", "users"});
  line.id = f.Id(v, "id", path, true).value_or("");
  line.name = f.String(v, "name", path, false).value_or(line.id);
  for (std::size_t k = 0; k < kFactorCount; ++k) {
    std::optional<double> x = f.Number(v, kFactorNames[k], path, false);
    if (!x) continue;
    if (*x < 0) {
      f.Add(
          FieldPath(path, kFactorNames[k]),
          "is " + internal::Number(*x) + "; it must be >= 0 (a line with nothing to show gets 0)");
      continue;
    }
    line.figures[k] = *x;
  }
}

void ParseSlot(Fields& f, const Json& v, const std::string& path, int year, MarketSlot& slot) {
  if (!f.Object(v, path)) return;
  f.Keys(v, path, {"id", "name", "kind", "gv_per_day", "gv_overrides", "auction_days"});
  slot.id = f.Id(v, "id", path, true).value_or("");
  slot.name = f.String(v, "name", path, false).value_or(slot.id);
  if (std::optional<std::string> kind = f.String(v, "kind", path, true)) {
    if (std::optional<SlotKind> k = ParseSlotKind(*kind)) {
      slot.kind = *k;
    } else {
      f.Add(FieldPath(path, "kind"),
            "is " + Quote(*kind) + "; use one of splash, carousel, banner, push");
    }
  }
  if (std::optional<double> gv = f.Number(v, "gv_per_day", path, true)) {
    if (*gv <= 0) {
      f.Add(FieldPath(path, "gv_per_day"),
            "is " + internal::Number(*gv) +
                "; it must be > 0 (the expected detail-page views the "
                "slot brings on an ordinary day)");
    } else {
      slot.gv_per_day = *gv;
    }
  }
  const DayRange days = YearDays(year);
  if (const Json* overrides = f.Member(v, "gv_overrides", path, false)) {
    const std::string opath = FieldPath(path, "gv_overrides");
    if (f.Array(*overrides, opath)) {
      for (std::size_t i = 0; i < overrides->size(); ++i) {
        const Json& o = (*overrides)[i];
        const std::string ipath = IndexPath(opath, i);
        if (!f.Object(o, ipath)) continue;
        f.Keys(o, ipath, {"days", "gv_per_day"});
        GvOverride parsed;
        bool ok = true;
        if (const Json* d = f.Member(o, "days", ipath, true)) {
          std::optional<DayRange> r = f.Days(*d, FieldPath(ipath, "days"), true);
          if (r) {
            parsed.days = *r;
            if (!Inside(*r, days)) {
              CheckInsideYear(f, *r, days, year, FieldPath(ipath, "days"));
              ok = false;
            }
          } else {
            ok = false;
          }
        } else {
          ok = false;
        }
        std::optional<double> gv = f.Number(o, "gv_per_day", ipath, true);
        if (gv && *gv <= 0) {
          f.Add(FieldPath(ipath, "gv_per_day"),
                "is " + internal::Number(*gv) +
                    "; it must be > 0 (to take a slot off sale on some "
                    "days, book those days for the line that keeps it)");
          ok = false;
        }
        if (ok && gv) {
          parsed.gv_per_day = *gv;
          slot.overrides.push_back(parsed);
        }
      }
    }
  }
  if (const Json* auctions = f.Member(v, "auction_days", path, false)) {
    const std::string apath = FieldPath(path, "auction_days");
    if (f.Array(*auctions, apath)) {
      for (std::size_t i = 0; i < auctions->size(); ++i) {
        const std::string ipath = IndexPath(apath, i);
        std::optional<DayRange> r = f.Days((*auctions)[i], ipath, true);
        if (!r) continue;
        if (!Inside(*r, days)) {
          CheckInsideYear(f, *r, days, year, ipath);
          continue;
        }
        slot.auction_days.push_back(*r);
      }
    }
  }
}

}  // namespace

std::string_view SlotKindName(SlotKind kind) {
  switch (kind) {
    case SlotKind::kSplash:
      return "splash";
    case SlotKind::kCarousel:
      return "carousel";
    case SlotKind::kBanner:
      return "banner";
    case SlotKind::kPush:
      return "push";
  }
  return "carousel";
}

std::optional<SlotKind> ParseSlotKind(std::string_view name) {
  for (SlotKind k : {SlotKind::kSplash, SlotKind::kCarousel, SlotKind::kBanner, SlotKind::kPush}) {
    if (SlotKindName(k) == name) return k;
  }
  return std::nullopt;
}

double MarketSlot::GvOn(Day d) const {
  double gv = gv_per_day;
  for (const GvOverride& o : overrides) {
    if (d >= o.days.first && d <= o.days.last) gv = o.gv_per_day;
  }
  return gv;
}

bool MarketSlot::IsAuctionDay(Day d) const {
  for (const DayRange& r : auction_days) {
    if (d >= r.first && d <= r.last) return true;
  }
  return false;
}

const MarketLine* MarketConfig::FindLine(std::string_view id) const {
  for (const MarketLine& l : lines) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

const MarketSlot* MarketConfig::FindSlot(std::string_view id) const {
  const int i = SlotIndex(id);
  return i < 0 ? nullptr : &slots[static_cast<std::size_t>(i)];
}

int MarketConfig::SlotIndex(std::string_view id) const {
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<MarketConfig> ParseMarketConfig(const Json& document) {
  std::vector<Problem> problems;
  Fields f(problems);
  MarketConfig config;
  if (!f.Object(document, "")) return internal::ProblemsError("the market configuration", problems);
  f.Keys(
      document, "",
      {"year", "pool", "utc_offset_minutes", "cancel_deadline_days", "weights", "lines", "slots"});
  const std::optional<std::int64_t> year = f.Integer(document, "year", "", true, 2000, 2200);
  config.year = static_cast<int>(year.value_or(2000));
  config.pool = f.Integer(document, "pool", "", true, 1, kMaxCoins, "coins").value_or(0);
  config.utc_offset_minutes = static_cast<int>(
      f.Integer(document, "utc_offset_minutes", "", false, -720, 840, "minutes").value_or(0));
  config.cancel_deadline_days = static_cast<int>(
      f.Integer(document, "cancel_deadline_days", "", false, 0, 366, "days").value_or(7));

  bool weights_ok = false;
  if (const Json* w = f.Member(document, "weights", "", true)) {
    if (f.Object(*w, "weights")) {
      f.Keys(*w, "weights", {"strategic", "revenue", "margin", "orders", "users"});
      weights_ok = true;
      double sum = 0;
      for (std::size_t k = 0; k < kFactorCount; ++k) {
        std::optional<double> x = f.Number(*w, kFactorNames[k], "weights", true);
        if (!x) {
          weights_ok = false;
        } else if (*x < 0) {
          f.Add(FieldPath("weights", kFactorNames[k]),
                "is " + internal::Number(*x) + "; it must be >= 0 (0 leaves the factor out)");
          weights_ok = false;
        } else {
          config.weights[k] = *x;
          sum += *x;
        }
      }
      if (weights_ok && sum <= 0) {
        f.Add("weights", "all five weights are 0; give at least one factor a weight > 0");
        weights_ok = false;
      }
    }
  }

  bool lines_ok = false;
  if (const Json* lines = f.Member(document, "lines", "", true)) {
    if (f.Array(*lines, "lines")) {
      if (lines->empty() || lines->size() > kMaxLines) {
        f.Add("lines", "has " + std::to_string(lines->size()) +
                           " entries; list from 1 to 1000 business lines");
      } else {
        const std::size_t before = problems.size();
        std::set<std::string> ids;
        for (std::size_t i = 0; i < lines->size(); ++i) {
          MarketLine line;
          ParseLine(f, (*lines)[i], IndexPath("lines", i), line);
          if (!line.id.empty() && !ids.insert(line.id).second) {
            f.Add(FieldPath(IndexPath("lines", i), "id"),
                  Quote(line.id) + " is used by an earlier line; give each line its own id");
          }
          config.lines.push_back(std::move(line));
        }
        lines_ok = problems.size() == before;
      }
    }
  }
  if (weights_ok && lines_ok) {
    for (std::size_t k = 0; k < kFactorCount; ++k) {
      if (config.weights[k] <= 0) continue;
      double total = 0;
      for (const MarketLine& l : config.lines) total += l.figures[k];
      if (total <= 0) {
        const std::string name(kFactorNames[k]);
        f.Add(FieldPath("weights", name), "is " + internal::Number(config.weights[k]) +
                                              " but every line's " + name +
                                              " is 0 or missing; give the lines their " + name +
                                              " or set weights." + name + " to 0");
      }
    }
  }

  if (const Json* slots = f.Member(document, "slots", "", true)) {
    if (f.Array(*slots, "slots")) {
      if (slots->empty() || slots->size() > kMaxSlots) {
        f.Add("slots",
              "has " + std::to_string(slots->size()) + " entries; list from 1 to 200 core slots");
      } else {
        std::set<std::string> ids;
        for (std::size_t i = 0; i < slots->size(); ++i) {
          MarketSlot slot;
          ParseSlot(f, (*slots)[i], IndexPath("slots", i), config.year, slot);
          if (!slot.id.empty() && !ids.insert(slot.id).second) {
            f.Add(FieldPath(IndexPath("slots", i), "id"),
                  Quote(slot.id) + " is used by an earlier slot; give each slot its own id");
          }
          config.slots.push_back(std::move(slot));
        }
      }
    }
  }
  if (!problems.empty()) return internal::ProblemsError("the market configuration", problems);

  // Every slot-day must cost at least one coin, or it would be given away.
  const PriceBook book(config);
  if (book.min_price() < 1) {
    double min_gv = 0;
    const DayRange days = config.days();
    for (const MarketSlot& s : config.slots) {
      for (Day d = days.first; d <= days.last; d.n++) {
        const double gv = s.GvOn(d);
        if (min_gv == 0 || gv < min_gv) min_gv = gv;
      }
    }
    const double needed = std::ceil(book.total_gv() / min_gv);
    f.Add("pool", "is " + Coins(config.pool) +
                      " coins, too few to price every slot-day: the least-viewed slot-day would "
                      "cost 0 coins; raise the pool to at least " +
                      Coins(static_cast<std::int64_t>(needed)) + " coins");
    return internal::ProblemsError("the market configuration", problems);
  }
  return config;
}

}  // namespace sluice::market
