#include "core/compliance/dnc.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

TEST(Dnc, NumbersAndPrefixes) {
  DncList d;
  ASSERT_TRUE(
      d.AddLines("# regulator list\n+79161234567\n+7800*  # toll-free\n\n+44207*\n", "dnc.txt")
          .ok());
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.Match("+79161234567").value(), "on the do-not-call list");
  EXPECT_EQ(d.Match("+78001234567").value(), "on the do-not-call list (prefix +7800)");
  EXPECT_EQ(d.Match("+442079460958").value(), "on the do-not-call list (prefix +44207)");
  EXPECT_FALSE(d.Match("+79161234568").has_value());
  EXPECT_FALSE(d.Match("+7801").has_value());
}

TEST(Dnc, BadLineNamesFileAndLine) {
  DncList d;
  Status s = d.AddLines("+79161234567\n8916 123\n", "dnc.txt");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "dnc.txt:2: \"8916 123\": expected +digits or +digits*");
}

}  // namespace
}  // namespace dozvon
