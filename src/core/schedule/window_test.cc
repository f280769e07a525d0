#include "core/schedule/window.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace dozvon {
namespace {

using testing::LocalTime;
using testing::Utc;
using testing::Zone;

WindowConfig Window(std::vector<TimeRange> weekdays, std::vector<TimeRange> weekends = {}) {
  WindowConfig w;
  w.weekdays = std::move(weekdays);
  w.weekends = std::move(weekends);
  return w;
}

struct OpenCase {
  std::string name;
  std::string zone;
  std::string utc;  // the instant asked about
  bool open;
};

void PrintTo(const OpenCase& c, std::ostream* os) { *os << c.name; }

class WindowOpenTest : public ::testing::TestWithParam<OpenCase> {};

// Window 08:00-21:00 every day. Each row is one instant in one zone, chosen at a DST edge.
TEST_P(WindowOpenTest, OpenOnlyInsideLocalHours) {
  WindowConfig cfg = Window({{8 * 60, 21 * 60}}, {{8 * 60, 21 * 60}});
  CallingWindow w(cfg);
  FakeClock clock(Utc(GetParam().utc));
  EXPECT_EQ(w.IsOpen(clock.Now(), Zone(GetParam().zone)), GetParam().open);
}

INSTANTIATE_TEST_SUITE_P(
    Dst, WindowOpenTest,
    ::testing::Values(
        // London: GMT until 2026-03-29 01:00 UTC, then BST (UTC+1) until 2026-10-25.
        OpenCase{"london_before_spring_0759", "Europe/London", "2026-03-28T07:59:00Z", false},
        OpenCase{"london_before_spring_0800", "Europe/London", "2026-03-28T08:00:00Z", true},
        OpenCase{"london_after_spring_0700utc_is_0800", "Europe/London", "2026-03-30T07:00:00Z",
                 true},
        OpenCase{"london_after_spring_0659utc_is_0759", "Europe/London", "2026-03-30T06:59:00Z",
                 false},
        OpenCase{"london_after_spring_2000utc_is_2100", "Europe/London", "2026-03-30T20:00:00Z",
                 false},
        OpenCase{"london_november_0800utc", "Europe/London", "2026-11-02T08:00:00Z", true},
        OpenCase{"london_november_0759utc", "Europe/London", "2026-11-02T07:59:00Z", false},
        // New York: EST (UTC-5) until 2026-03-08, EDT (UTC-4) until 2026-11-01.
        OpenCase{"ny_march_before_1259utc", "America/New_York", "2026-03-06T12:59:00Z", false},
        OpenCase{"ny_march_before_1300utc", "America/New_York", "2026-03-06T13:00:00Z", true},
        OpenCase{"ny_march_after_1200utc", "America/New_York", "2026-03-09T12:00:00Z", true},
        OpenCase{"ny_march_after_0059utc_next", "America/New_York", "2026-03-10T00:59:00Z", true},
        OpenCase{"ny_march_after_0100utc_next", "America/New_York", "2026-03-10T01:00:00Z", false},
        OpenCase{"ny_november_after_1259utc", "America/New_York", "2026-11-02T12:59:00Z", false},
        OpenCase{"ny_november_after_1300utc", "America/New_York", "2026-11-02T13:00:00Z", true},
        // Phoenix: MST (UTC-7) all year.
        OpenCase{"phoenix_march_1459utc", "America/Phoenix", "2026-03-10T14:59:00Z", false},
        OpenCase{"phoenix_march_1500utc", "America/Phoenix", "2026-03-10T15:00:00Z", true},
        OpenCase{"phoenix_july_1500utc", "America/Phoenix", "2026-07-10T15:00:00Z", true},
        OpenCase{"phoenix_july_1459utc", "America/Phoenix", "2026-07-10T14:59:00Z", false},
        // Kathmandu: UTC+05:45.
        OpenCase{"kathmandu_0214utc", "Asia/Kathmandu", "2026-03-10T02:14:00Z", false},
        OpenCase{"kathmandu_0215utc", "Asia/Kathmandu", "2026-03-10T02:15:00Z", true},
        OpenCase{"kathmandu_1514utc", "Asia/Kathmandu", "2026-03-10T15:14:00Z", true},
        OpenCase{"kathmandu_1515utc", "Asia/Kathmandu", "2026-03-10T15:15:00Z", false}));

TEST(Window, SpringForwardGapOpensAtTheTransition) {
  // Window 02:30-05:00 on the night New York skips 02:00-03:00 (2026-03-08).
  WindowConfig cfg = Window({{150, 300}}, {{150, 300}});
  CallingWindow w(cfg);
  auto ny = Zone("America/New_York");
  auto next = w.NextOpen(LocalTime("2026-03-08 00:00", "America/New_York"), ny);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(FormatLocal(*next, ny), "2026-03-08T03:00:00-04:00");
}

TEST(Window, FallBackRepeatedHourClosesAtItsFirstOccurrence) {
  // Window 00:00-01:30 on the night New York repeats 01:00-02:00 (2026-11-01).
  WindowConfig cfg = Window({{0, 90}}, {{0, 90}});
  CallingWindow w(cfg);
  auto ny = Zone("America/New_York");
  auto day = std::chrono::floor<date::days>(ny->to_local(Utc("2026-11-01T12:00:00Z")));
  auto iv = w.IntervalsOn(day, ny);
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_EQ(FormatUtc(iv[0].start), "2026-11-01T04:00:00Z");  // 00:00 EDT
  EXPECT_EQ(FormatUtc(iv[0].end), "2026-11-01T05:30:00Z");    // 01:30 EDT, not 01:30 EST
}

TEST(Window, WeekendsHolidaysAndAvoidedHours) {
  WindowConfig cfg = Window({{8 * 60, 22 * 60}}, {{9 * 60, 20 * 60}});
  cfg.avoid = {{11 * 60, 13 * 60}};
  cfg.holidays = {date::sys_days(date::year(2026) / 3 / 9)};  // Monday
  CallingWindow w(cfg);
  auto msk = Zone("Europe/Moscow");
  EXPECT_TRUE(w.IsOpen(LocalTime("2026-03-06 08:30", "Europe/Moscow"), msk));   // Friday
  EXPECT_FALSE(w.IsOpen(LocalTime("2026-03-07 08:30", "Europe/Moscow"), msk));  // Saturday
  EXPECT_TRUE(w.IsOpen(LocalTime("2026-03-07 19:59", "Europe/Moscow"), msk));
  EXPECT_FALSE(w.IsOpen(LocalTime("2026-03-09 08:30", "Europe/Moscow"), msk));  // holiday
  EXPECT_TRUE(w.IsOpen(LocalTime("2026-03-09 09:00", "Europe/Moscow"), msk));
  EXPECT_FALSE(w.IsOpen(LocalTime("2026-03-10 12:00", "Europe/Moscow"), msk));  // avoided
  auto next = w.NextOpen(LocalTime("2026-03-10 11:15", "Europe/Moscow"), msk);
  EXPECT_EQ(FormatLocal(*next, msk), "2026-03-10T13:00:00+03:00");
  auto after_close = w.NextOpen(LocalTime("2026-03-06 22:00", "Europe/Moscow"), msk);
  EXPECT_EQ(FormatLocal(*after_close, msk), "2026-03-07T09:00:00+03:00");
}

TEST(Window, CandidateZonesTenHoursApartOnlyOverlapBriefly) {
  // Kaliningrad (UTC+2) and Kamchatka (UTC+12) with 08:00-22:00: both are open only from
  // 06:00 to 10:00 UTC, i.e. 08:00-12:00 in Kaliningrad and 18:00-22:00 in Kamchatka.
  WindowConfig cfg = Window({{8 * 60, 22 * 60}}, {{8 * 60, 22 * 60}});
  CallingWindow w(cfg);
  std::vector<const date::time_zone*> zones = {Zone("Europe/Kaliningrad"), Zone("Asia/Kamchatka")};
  auto kgd = zones[0];
  Instant early = LocalTime("2026-03-10 07:00", "Europe/Kaliningrad");
  EXPECT_FALSE(w.IsOpen(early, zones));
  EXPECT_EQ(FormatLocal(*w.NextOpen(early, zones), kgd), "2026-03-10T08:00:00+02:00");
  EXPECT_TRUE(w.IsOpen(LocalTime("2026-03-10 11:59", "Europe/Kaliningrad"), zones));
  Instant noon = LocalTime("2026-03-10 12:00", "Europe/Kaliningrad");
  EXPECT_FALSE(w.IsOpen(noon, zones)) << "22:00 in Kamchatka";
  EXPECT_TRUE(w.IsOpen(noon, kgd));
  EXPECT_EQ(FormatLocal(*w.NextOpen(noon, zones), kgd), "2026-03-11T08:00:00+02:00");
}

TEST(Window, ZonesThatNeverOverlapHaveNoNextOpen) {
  WindowConfig cfg = Window({{9 * 60, 12 * 60}}, {{9 * 60, 12 * 60}});
  CallingWindow w(cfg);
  std::vector<const date::time_zone*> zones = {Zone("Europe/Kaliningrad"),
                                               Zone("Asia/Vladivostok")};
  EXPECT_FALSE(w.NextOpen(Utc("2026-03-10T00:00:00Z"), zones, 30).has_value());
}

}  // namespace
}  // namespace dozvon
