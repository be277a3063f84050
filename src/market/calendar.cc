#include "sluice/market/calendar.h"

#include <cstdio>

namespace sluice::market {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Floor division for a positive divisor.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && a < 0); }

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

// days_from_civil and civil_from_days are Howard Hinnant's published
// algorithms ("chrono-Compatible Low-Level Date Algorithms").
Day DayFromCivil(int year, int month, int day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Day{static_cast<std::int32_t>(era * 146097 + doe - 719468)};
}

void CivilFromDay(Day d, int& year, int& month, int& day) {
  const std::int64_t z = static_cast<std::int64_t>(d.n) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
}

Result<Day> ParseDay(std::string_view text) {
  const std::string quoted = "\"" + std::string(text.substr(0, 40)) + "\"";
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text.substr(0, 4)) ||
      !Digits(text.substr(5, 2)) || !Digits(text.substr(8, 2))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     quoted + " is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01");
  }
  const int y = ToInt(text.substr(0, 4));
  const int m = ToInt(text.substr(5, 2));
  const int d = ToInt(text.substr(8, 2));
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     quoted + " is not a date of the calendar; check the month and the day");
  }
  return DayFromCivil(y, m, d);
}

std::string FormatDay(Day d) {
  int y = 0, m = 0, day = 0;
  CivilFromDay(d, y, m, day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
  return buf;
}

Result<DayRange> ParseDayRange(std::string_view text) {
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    Result<Day> d = ParseDay(text);
    if (!d.ok()) return d.error();
    return DayRange{*d, *d};
  }
  Result<Day> first = ParseDay(text.substr(0, dots));
  if (!first.ok()) return first.error();
  Result<Day> last = ParseDay(text.substr(dots + 2));
  if (!last.ok()) return last.error();
  if (*last < *first) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the range \"" + std::string(text) +
                         "\" ends before it starts; write FIRST..LAST with FIRST <= LAST");
  }
  return DayRange{*first, *last};
}

DayRange YearDays(int year) { return {DayFromCivil(year, 1, 1), DayFromCivil(year, 12, 31)}; }

EpochMillis DayStart(Day d, int utc_offset_minutes) {
  return static_cast<EpochMillis>(d.n) * kMillisPerDay -
         static_cast<EpochMillis>(utc_offset_minutes) * 60'000;
}

Day DayAt(EpochMillis t, int utc_offset_minutes) {
  const EpochMillis local = t + static_cast<EpochMillis>(utc_offset_minutes) * 60'000;
  return Day{static_cast<std::int32_t>(FloorDiv(local, kMillisPerDay))};
}

std::string FormatLocalTime(EpochMillis t, int utc_offset_minutes) {
  const Day d = DayAt(t, utc_offset_minutes);
  const EpochMillis local = t + static_cast<EpochMillis>(utc_offset_minutes) * 60'000;
  const EpochMillis in_day = local - static_cast<EpochMillis>(d.n) * kMillisPerDay;
  const int minutes = static_cast<int>(in_day / 60'000);
  const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d UTC%c%02d:%02d", FormatDay(d).c_str(), minutes / 60,
                minutes % 60, utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

}  // namespace sluice::market
