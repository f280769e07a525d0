#include "core/compliance/caps.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace dozvon {
namespace {

using testing::LocalTime;
using testing::Zone;

Instant Msk(const std::string& s) { return LocalTime(s, "Europe/Moscow"); }

struct CapCase {
  std::string name;
  CapsConfig caps;
  std::vector<std::string> history;  // local Moscow times of earlier attempts
  std::string at;                    // local Moscow time asked about
  bool allowed;
  std::string lifts_at;  // local, when not allowed
};

void PrintTo(const CapCase& c, std::ostream* os) { *os << c.name; }

class CapsTest : public ::testing::TestWithParam<CapCase> {};

TEST_P(CapsTest, CountsCalendarPeriodsInLocalTime) {
  const CapCase& c = GetParam();
  std::vector<PastAttempt> hist;
  for (const auto& h : c.history) hist.push_back({Msk(h), false});
  auto msk = Zone("Europe/Moscow");
  std::vector<const date::time_zone*> zones = {msk};
  CapVerdict v = CheckCaps(c.caps, hist, Msk(c.at), zones);
  EXPECT_EQ(v.allowed, c.allowed) << v.reason;
  if (!c.allowed) EXPECT_EQ(FormatLocal(v.lifts_at, msk), c.lifts_at);
}

const CapsConfig k230fz{1, 2, 8, CapCounts::kAttempts};

INSTANTIATE_TEST_SUITE_P(
    Edges, CapsTest,
    ::testing::Values(
        CapCase{"day_same_day_blocked",
                k230fz,
                {"2026-03-03 10:00"},
                "2026-03-03 21:59",
                false,
                "2026-03-04T00:00:00+03:00"},
        CapCase{"day_next_midnight_allowed",
                k230fz,
                {"2026-03-03 23:59"},
                "2026-03-04 00:00",
                true,
                ""},
        // 2026-03-02 is a Monday: ISO weeks run Monday to Sunday.
        CapCase{"week_two_this_week",
                k230fz,
                {"2026-03-02 10:00", "2026-03-04 10:00"},
                "2026-03-08 12:00",
                false,
                "2026-03-09T00:00:00+03:00"},
        CapCase{"week_monday_resets",
                k230fz,
                {"2026-03-02 10:00", "2026-03-08 23:00"},
                "2026-03-09 08:00",
                true,
                ""},
        CapCase{"week_sunday_still_counts",
                k230fz,
                {"2026-03-07 10:00", "2026-03-08 10:00"},
                "2026-03-08 20:00",
                false,
                "2026-03-09T00:00:00+03:00"},
        CapCase{"month_eight_blocks",
                CapsConfig{0, 0, 8, CapCounts::kAttempts},
                {"2026-03-02 10:00", "2026-03-04 10:00", "2026-03-09 10:00", "2026-03-11 10:00",
                 "2026-03-16 10:00", "2026-03-18 10:00", "2026-03-23 10:00", "2026-03-25 10:00"},
                "2026-03-31 23:59",
                false,
                "2026-04-01T00:00:00+03:00"},
        CapCase{"month_first_resets",
                CapsConfig{0, 0, 8, CapCounts::kAttempts},
                {"2026-03-02 10:00", "2026-03-04 10:00", "2026-03-09 10:00", "2026-03-11 10:00",
                 "2026-03-16 10:00", "2026-03-18 10:00", "2026-03-23 10:00", "2026-03-25 10:00"},
                "2026-04-01 00:00",
                true,
                ""},
        CapCase{"no_caps",
                CapsConfig{},
                {"2026-03-03 10:00", "2026-03-03 11:00"},
                "2026-03-03 12:00",
                true,
                ""}));

TEST(Caps, AnsweredModeCountsOnlyAnsweredCalls) {
  CapsConfig caps{1, 0, 0, CapCounts::kAnswered};
  std::vector<const date::time_zone*> zones = {Zone("Europe/Moscow")};
  std::vector<PastAttempt> hist = {{Msk("2026-03-03 10:00"), false}};
  EXPECT_TRUE(CheckCaps(caps, hist, Msk("2026-03-03 12:00"), zones).allowed);
  hist.push_back({Msk("2026-03-03 11:00"), true});
  CapVerdict v = CheckCaps(caps, hist, Msk("2026-03-03 12:00"), zones);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "cap: 1 answered calls today (max 1)");
}

TEST(Caps, EveryCandidateZoneMustAllowAndTheLatestLiftWins) {
  // 23:30 Moscow on the 3rd is 05:30 on the 4th in Vladivostok: a new day there, not in Moscow.
  CapsConfig caps{1, 0, 0, CapCounts::kAttempts};
  std::vector<const date::time_zone*> zones = {Zone("Asia/Vladivostok"), Zone("Europe/Moscow")};
  std::vector<PastAttempt> hist = {{Msk("2026-03-03 10:00"), false}};
  CapVerdict v = CheckCaps(caps, hist, Msk("2026-03-03 23:30"), zones);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(FormatLocal(v.lifts_at, Zone("Europe/Moscow")), "2026-03-04T00:00:00+03:00");
  EXPECT_EQ(v.reason, "cap: 1 attempts today (max 1)");
}

}  // namespace
}  // namespace dozvon
