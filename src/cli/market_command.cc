// sluice market init|budget|topup|price|book|cancel|bid|close|balance|ledger|
// bookings|check: the traffic market on DIR/sluice.db. Each command sends the
// same request as the HTTP API (sluice/market/api.h) and prints the answer as
// a table or, with --format json, as the API's JSON. Errors go to stderr with
// exit status 2; `check` exits 1 when an invariant is broken.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "sluice/core/config.h"
#include "sluice/market/api.h"
#include "sluice/market/render.h"
#include "sluice/market/store.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Common {
  std::string data;
  std::string format = "table";
  std::string actor;
  std::string now;  // RFC 3339; default: the system clock
};

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string("cli:") + user : "cli";
}

// Sends one request and prints the answer with `render`.
void Run(const Common& c, bool create, std::string_view method, const std::string& path,
         const json& body, std::string (*render)(const market::Json&)) {
  if (c.format != "table" && c.format != "json") {
    Fail("--format " + c.format + " is not a format; use table or json");
  }
  const fs::path dir(c.data);
  const fs::path file = dir / "sluice.db";
  std::error_code ec;
  if (create) {
    fs::create_directories(dir, ec);
    if (ec) Fail("cannot create " + dir.string() + ": " + ec.message());
  } else if (!fs::exists(file, ec)) {
    Fail("no market database at " + file.string() +
               "; create the market first with `sluice market init --data " + c.data +
               " --config FILE`");
  }
  std::unique_ptr<Clock> clock;
  if (c.now.empty()) {
    clock = std::make_unique<SystemClock>();
  } else {
    std::optional<EpochMillis> t = core::ParseTimestamp(c.now);
    if (!t)
      Fail("--now " + c.now + " is not an RFC 3339 time; write e.g. 2027-03-01T08:00:00Z");
    clock = std::make_unique<FakeClock>(*t);
  }
  auto store = market::MarketStore::Open(file.string(), *clock);
  if (!store.ok()) Fail(store.error().ToString());
  const std::string actor = c.actor.empty() ? DefaultActor() : c.actor;
  const market::MarketApiResponse r =
      market::HandleMarketRequest(**store, method, path, body, actor, clock->NowMillis());
  if (r.status >= 400) {
    std::string message = r.body.value("message", std::string("failed"));
    if (r.body.contains("problems") && r.body["problems"].size() > 1) {
      for (const auto& p : r.body["problems"]) {
        message +=
            "\n  " + p.value("path", std::string()) + ": " + p.value("message", std::string());
      }
    }
    Fail(message);
  }
  std::cout << (c.format == "json" ? r.body.dump(2) + "\n" : render(r.body));
  if (path == "/check" && !r.body.value("ok", false)) throw CLI::RuntimeError(1);
}

// Percent-encodes all but letters, digits and "-._".
std::string Encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

// "?a=1&b=x" from the non-empty pairs.
std::string Query(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (v.empty()) continue;
    out += (out.empty() ? "?" : "&") + k + "=" + Encode(v);
  }
  return out;
}

CLI::App* Sub(CLI::App& market, const std::shared_ptr<Common>& c, const char* name,
              const char* help) {
  CLI::App* cmd = market.add_subcommand(name, help);
  cmd->add_option("--data", c->data, "directory of the database DIR/sluice.db")->required();
  cmd->add_option("--format", c->format, "table or json")->capture_default_str();
  cmd->add_option("--actor", c->actor, "who makes the change, for the ledger (default: cli:$USER)");
  cmd->add_option("--now", c->now,
                  "act as if it were this RFC 3339 time (rehearsals and tests; default: now)");
  return cmd;
}

}  // namespace

void AddMarketCommand(CLI::App& app) {
  CLI::App* market = app.add_subcommand(
      "market", "Traffic market: slot budgets, prices, bookings, auctions and the ledger");
  market->require_subcommand(1);

  {
    auto c = std::make_shared<Common>();
    auto config = std::make_shared<std::string>();
    CLI::App* cmd = Sub(*market, c, "init", "Create the market and credit every line its budget");
    cmd->add_option("--config", *config, "market configuration JSON (docs/market.md)")->required();
    cmd->callback([c, config] {
      const json doc = json::parse(ReadFileOrFail(*config), nullptr, /*allow_exceptions=*/false);
      if (doc.is_discarded()) Fail(*config + " is not valid JSON; fix its syntax");
      Run(*c, true, "POST", "/init", doc, market::RenderBudgets);
    });
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd = Sub(*market, c, "budget", "The budget formula line by line");
    cmd->callback([c] { Run(*c, false, "GET", "/budgets", nullptr, market::RenderBudgets); });
  }
  {
    auto c = std::make_shared<Common>();
    auto body = std::make_shared<json>(json::object());
    CLI::App* cmd = Sub(*market, c, "topup", "Give a line more coins (recorded with who and why)");
    cmd->add_option_function<std::string>(
           "--line", [body](const std::string& v) { (*body)["line"] = v; }, "business line")
        ->required();
    cmd->add_option_function<std::int64_t>(
           "--amount", [body](std::int64_t v) { (*body)["amount"] = v; }, "coins to add")
        ->required();
    cmd->add_option_function<std::string>(
           "--reason", [body](const std::string& v) { (*body)["reason"] = v; },
           "why the line gets them")
        ->required();
    cmd->callback([c, body] { Run(*c, false, "POST", "/topups", *body, market::RenderEntry); });
  }
  {
    auto c = std::make_shared<Common>();
    auto q = std::make_shared<std::vector<std::string>>(3);
    CLI::App* cmd = Sub(*market, c, "price", "Posted prices and state of slot-days");
    cmd->add_option("--slot", (*q)[0], "one slot (default: all)");
    cmd->add_option("--from", (*q)[1], "first date YYYY-MM-DD (default: today)");
    cmd->add_option("--to", (*q)[2], "last date (default: two weeks from --from)");
    cmd->callback([c, q] {
      Run(*c, false, "GET",
          "/prices" + Query({{"slot", (*q)[0]}, {"from", (*q)[1]}, {"to", (*q)[2]}}), nullptr,
          market::RenderPrices);
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto body = std::make_shared<json>(json::object());
    CLI::App* cmd = Sub(*market, c, "book", "Book a slot on dates: all or nothing");
    cmd->add_option_function<std::string>(
           "--line", [body](const std::string& v) { (*body)["line"] = v; }, "business line")
        ->required();
    cmd->add_option_function<std::string>(
           "--slot", [body](const std::string& v) { (*body)["slot"] = v; }, "core slot")
        ->required();
    cmd->add_option_function<std::vector<std::string>>(
           "--dates", [body](const std::vector<std::string>& v) { (*body)["dates"] = v; },
           "dates and ranges, e.g. 2027-03-01,2027-03-05..2027-03-07")
        ->required()
        ->delimiter(',');
    cmd->callback([c, body] { Run(*c, false, "POST", "/bookings", *body, market::RenderBooking); });
  }
  {
    auto c = std::make_shared<Common>();
    auto id = std::make_shared<std::int64_t>(0);
    auto body = std::make_shared<json>(json::object());
    CLI::App* cmd =
        Sub(*market, c, "cancel", "Cancel a booking (or some of its days) and refund it");
    cmd->add_option("--booking", *id, "booking id")->required();
    cmd->add_option_function<std::vector<std::string>>(
           "--dates", [body](const std::vector<std::string>& v) { (*body)["dates"] = v; },
           "only these dates (default: every active day)")
        ->delimiter(',');
    cmd->callback([c, id, body] {
      Run(*c, false, "POST", "/bookings/" + std::to_string(*id) + "/cancel", *body,
          market::RenderBooking);
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto body = std::make_shared<json>(json::object());
    CLI::App* cmd = Sub(*market, c, "bid", "Place a sealed bid on an auctioned slot-day");
    cmd->add_option_function<std::string>(
           "--line", [body](const std::string& v) { (*body)["line"] = v; }, "business line")
        ->required();
    cmd->add_option_function<std::string>(
           "--slot", [body](const std::string& v) { (*body)["slot"] = v; }, "core slot")
        ->required();
    cmd->add_option_function<std::string>(
           "--date", [body](const std::string& v) { (*body)["date"] = v; }, "the day, YYYY-MM-DD")
        ->required();
    cmd->add_option_function<std::int64_t>(
           "--amount", [body](std::int64_t v) { (*body)["amount"] = v; },
           "coins; at least the posted price")
        ->required();
    cmd->callback([c, body] { Run(*c, false, "POST", "/bids", *body, market::RenderBid); });
  }
  {
    auto c = std::make_shared<Common>();
    auto slot = std::make_shared<std::string>();
    auto date = std::make_shared<std::string>();
    CLI::App* cmd =
        Sub(*market, c, "close", "Close an auction: the highest bid wins at the second price");
    cmd->add_option("--slot", *slot, "core slot")->required();
    cmd->add_option("--date", *date, "the day, YYYY-MM-DD")->required();
    cmd->callback([c, slot, date] {
      Run(*c, false, "POST", "/auctions/" + Encode(*slot) + "/" + Encode(*date) + "/close", nullptr,
          market::RenderAuction);
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto line = std::make_shared<std::string>();
    CLI::App* cmd = Sub(*market, c, "balance", "Balances: budget, top-ups, spent, held, available");
    cmd->add_option("--line", *line, "one line (default: all)");
    cmd->callback([c, line] {
      Run(*c, false, "GET", line->empty() ? "/balances" : "/balances/" + Encode(*line), nullptr,
          market::RenderBalances);
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto q = std::make_shared<std::vector<std::string>>(3);
    CLI::App* cmd = Sub(*market, c, "ledger", "Ledger entries in the order they were committed");
    cmd->add_option("--line", (*q)[0], "one line (default: all)");
    cmd->add_option("--after", (*q)[1], "entries after this id");
    cmd->add_option("--limit", (*q)[2], "at most this many (default 100)");
    cmd->callback([c, q] {
      Run(*c, false, "GET",
          "/ledger" + Query({{"line", (*q)[0]}, {"after", (*q)[1]}, {"limit", (*q)[2]}}), nullptr,
          market::RenderLedger);
    });
  }
  {
    auto c = std::make_shared<Common>();
    auto q = std::make_shared<std::vector<std::string>>(4);
    CLI::App* cmd = Sub(*market, c, "bookings", "Bookings, newest first");
    cmd->add_option("--line", (*q)[0], "one line (default: all)");
    cmd->add_option("--slot", (*q)[1], "one slot (default: all)");
    cmd->add_option("--status", (*q)[2], "active or all (default: all)");
    cmd->add_option("--limit", (*q)[3], "at most this many (default 1000)");
    cmd->callback([c, q] {
      Run(*c, false, "GET",
          "/bookings" +
              Query(
                  {{"line", (*q)[0]}, {"slot", (*q)[1]}, {"status", (*q)[2]}, {"limit", (*q)[3]}}),
          nullptr, market::RenderBookings);
    });
  }
  {
    auto c = std::make_shared<Common>();
    CLI::App* cmd =
        Sub(*market, c, "check", "Verify the ledger, the bookings and the bids (exit 1 if broken)");
    cmd->callback([c] { Run(*c, false, "GET", "/check", nullptr, market::RenderCheck); });
  }
}

}  // namespace sluice::cli
