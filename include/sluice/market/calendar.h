// Calendar days of the traffic market.
//
// A Day is a date of the proleptic Gregorian calendar, held as the number of
// days since 1970-01-01 (so it orders and subtracts like an integer) and
// written "YYYY-MM-DD". A market day starts at local midnight of the market's
// time zone, given as a fixed offset from UTC in minutes (480 for UTC+08:00).
//
// Pure functions on plain values; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"

namespace sluice::market {

inline constexpr EpochMillis kMillisPerDay = 86'400'000;

struct Day {
  std::int32_t n = 0;  // days since 1970-01-01
  friend auto operator<=>(const Day&, const Day&) = default;
};

// Inclusive range of days; valid when first <= last.
struct DayRange {
  Day first;
  Day last;
  std::int32_t size() const { return last.n - first.n + 1; }
};

// Days since 1970-01-01 of a civil date (month 1..12, day 1..31), and back.
Day DayFromCivil(int year, int month, int day);
void CivilFromDay(Day d, int& year, int& month, int& day);

// "YYYY-MM-DD" exactly (four-digit year, two-digit month and day), a real date.
// On failure the message says what is wrong, e.g. "2027-02-30 is not a date".
Result<Day> ParseDay(std::string_view text);
std::string FormatDay(Day d);

// "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (inclusive; first <= last).
Result<DayRange> ParseDayRange(std::string_view text);

// First and last day of a calendar year.
DayRange YearDays(int year);

// When `d` starts: its local midnight as epoch milliseconds.
EpochMillis DayStart(Day d, int utc_offset_minutes);
// The local day that contains `t`.
Day DayAt(EpochMillis t, int utc_offset_minutes);

// Local time as "YYYY-MM-DD HH:MM" followed by the offset, e.g.
// "2027-03-03 00:00 UTC+08:00"; for messages.
std::string FormatLocalTime(EpochMillis t, int utc_offset_minutes);

}  // namespace sluice::market
