// Shared by the market tests: a small market configuration and a scratch
// directory that is removed afterwards.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "sluice/market/calendar.h"

namespace sluice::market::testing {

// 2027, pool 1,095,000: three slots whose GV sums to 3,000 a day, so a GV is
// worth exactly 1 coin (1,095,000 / (3,000 x 365)) and the posted prices are
// splash 1,500, carousel 1,000 and push 500 coins a day. Two lines whose
// revenue and users give them 60% and 40% of the pool (weights revenue and
// users only): digital 657,000 coins, fashion 438,000 coins. Splash is sold
// by auction on 2027-06-18; cancellation closes 7 days before a day; UTC.
inline nlohmann::json SmallMarket() {
  return nlohmann::json::parse(R"({
    "year": 2027,
    "pool": 1095000,
    "cancel_deadline_days": 7,
    "weights": {"strategic": 0, "revenue": 1, "margin": 0, "orders": 0, "users": 1},
    "lines": [
      {"id": "digital", "name": "Digital", "revenue": 700, "users": 500},
      {"id": "fashion", "name": "Fashion", "revenue": 300, "users": 500}
    ],
    "slots": [
      {"id": "splash", "kind": "splash", "gv_per_day": 1500, "auction_days": ["2027-06-18"]},
      {"id": "carousel-1", "kind": "carousel", "gv_per_day": 1000},
      {"id": "push", "kind": "push", "gv_per_day": 500}
    ]
  })");
}

inline Day D(const char* text) { return ParseDay(text).value(); }

// Midnight UTC at the start of `text` (a date).
inline EpochMillis Midnight(const char* text) { return DayStart(D(text), 0); }

// A fresh directory under the system's temporary directory.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("sluice_market_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sluice::market::testing
