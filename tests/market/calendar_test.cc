#include "sluice/market/calendar.h"

#include <gtest/gtest.h>

namespace sluice::market {
namespace {

TEST(CalendarTest, KnownDates) {
  EXPECT_EQ(DayFromCivil(1970, 1, 1).n, 0);
  EXPECT_EQ(DayFromCivil(2000, 3, 1).n, 11017);
  EXPECT_EQ(DayFromCivil(2027, 1, 1).n, 20819);  // 1,798,761,600 s / 86,400
  EXPECT_EQ(FormatDay(Day{-1}), "1969-12-31");
  EXPECT_EQ(FormatDay(Day{20819}), "2027-01-01");
}

TEST(CalendarTest, RoundTripsEveryDayOfFourCenturies) {
  for (std::int32_t n = DayFromCivil(1900, 1, 1).n; n <= DayFromCivil(2300, 12, 31).n; ++n) {
    int y = 0, m = 0, d = 0;
    CivilFromDay(Day{n}, y, m, d);
    ASSERT_EQ(DayFromCivil(y, m, d).n, n);
    ASSERT_EQ(ParseDay(FormatDay(Day{n})).value().n, n);
  }
}

TEST(CalendarTest, YearLengths) {
  EXPECT_EQ(YearDays(2027).size(), 365);
  EXPECT_EQ(YearDays(2028).size(), 366);
  EXPECT_EQ(YearDays(2100).size(), 365);
  EXPECT_EQ(YearDays(2000).size(), 366);
}

TEST(CalendarTest, RejectsWhatIsNotADate) {
  for (const char* bad : {"27-01-01", "2027/01/01", "2027-1-1", "", "2027-01-01 "}) {
    Result<Day> d = ParseDay(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(d.error().message.find("YYYY-MM-DD"), std::string::npos) << d.error().message;
    }
  }
  for (const char* bad : {"2027-02-29", "2027-13-01", "2027-00-10", "2027-04-31"}) {
    Result<Day> d = ParseDay(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_NE(d.error().message.find("not a date of the calendar"), std::string::npos)
          << d.error().message;
    }
  }
  EXPECT_TRUE(ParseDay("2028-02-29").ok());
}

TEST(CalendarTest, Ranges) {
  Result<DayRange> r = ParseDayRange("2027-11-01..2027-11-11");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 11);
  EXPECT_EQ(FormatDay(r->first), "2027-11-01");
  Result<DayRange> single = ParseDayRange("2027-11-11");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->size(), 1);
  Result<DayRange> backwards = ParseDayRange("2027-11-11..2027-11-01");
  ASSERT_FALSE(backwards.ok());
  EXPECT_NE(backwards.error().message.find("ends before it starts"), std::string::npos);
  EXPECT_FALSE(ParseDayRange("2027-11-01..").ok());
}

TEST(CalendarTest, DaysStartAtLocalMidnight) {
  const Day d = DayFromCivil(2027, 3, 10);
  // UTC+08:00: local midnight is 16:00 UTC the day before.
  EXPECT_EQ(DayStart(d, 480), DayStart(d, 0) - 8 * 3'600'000);
  EXPECT_EQ(DayAt(DayStart(d, 480), 480), d);
  EXPECT_EQ(DayAt(DayStart(d, 480) - 1, 480).n, d.n - 1);
  EXPECT_EQ(DayAt(DayStart(d, -300), -300), d);
  EXPECT_EQ(FormatLocalTime(DayStart(d, 480), 480), "2027-03-10 00:00 UTC+08:00");
  EXPECT_EQ(FormatLocalTime(DayStart(d, -330) + 90 * 60'000, -330), "2027-03-10 01:30 UTC-05:30");
  // Before 1970 the division must round down, not towards zero.
  EXPECT_EQ(DayAt(-1, 0).n, -1);
}

}  // namespace
}  // namespace sluice::market
