#include "core/time/tz.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

TEST(Tz, FindsIanaZonesAndRejectsOthers) {
  EXPECT_TRUE(FindZone("Europe/Moscow").ok());
  EXPECT_TRUE(FindZone("Asia/Kathmandu").ok());
  auto bad = FindZone("Moscow");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "\"Moscow\" is not an IANA time zone");
}

TEST(Tz, ParsesAndFormatsIso8601) {
  auto t = ParseIso8601("2026-03-02T09:00:00+03:00");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatUtc(*t), "2026-03-02T06:00:00Z");
  EXPECT_EQ(FormatLocal(*t, *FindZone("Asia/Kathmandu")), "2026-03-02T11:45:00+05:45");
  EXPECT_EQ(FormatUtc(*ParseIso8601("2026-03-02 06:00Z")), "2026-03-02T06:00:00Z");
  EXPECT_EQ(FormatUtc(*ParseIso8601("2026-03-02T06:00:00.250-01:30")), "2026-03-02T07:30:00.250Z");
}

TEST(Tz, RejectsTextWithoutOffsetOrOutOfRange) {
  EXPECT_FALSE(ParseIso8601("2026-03-02T09:00:00").ok());
  EXPECT_FALSE(ParseIso8601("2026-02-30T09:00:00Z").ok());
  EXPECT_FALSE(ParseIso8601("yesterday").ok());
  EXPECT_FALSE(ParseIso8601("2026-03-02T09:00:00Zjunk").ok());
}

}  // namespace
}  // namespace dozvon
