#include "import/zone_map.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/time/tz.h"
#include "import/phone.h"

namespace dozvon {
namespace {

std::vector<std::string> ZonesOf(const std::string& number) {
  PhoneNormalizer n;
  auto r = n.Normalize(number, "");
  EXPECT_TRUE(r.ok()) << number << ": " << r.status().ToString();
  return r.ok() ? r->zones->names : std::vector<std::string>{};
}

bool Has(const std::vector<std::string>& zones, const std::string& z) {
  return std::find(zones.begin(), zones.end(), z) != zones.end();
}

TEST(ZoneMap, GeographicPrefixes) {
  EXPECT_EQ(ZonesOf("+7 495 123 45 67"), std::vector<std::string>{"Europe/Moscow"});
  EXPECT_EQ(ZonesOf("+7 383 212 34 56"), std::vector<std::string>{"Asia/Novosibirsk"});
  EXPECT_EQ(ZonesOf("+1 212 555 0123"), std::vector<std::string>{"America/New_York"});
  EXPECT_EQ(ZonesOf("+49 30 12345678"), std::vector<std::string>{"Europe/Berlin"});
}

TEST(ZoneMap, ArizonaKeepsPhoenixAndTheNavajoNationsDenver) {
  // libphonenumber lists both for +1 602: most of Arizona keeps MST all year (Phoenix), the
  // Navajo Nation observes DST (Denver). Calling only when both windows are open is safe.
  auto zones = ZonesOf("+1 602 555 0100");
  EXPECT_TRUE(Has(zones, "America/Phoenix"));
  EXPECT_EQ(zones.size(), 2u);
  EXPECT_TRUE(Has(zones, "America/Denver"));
}

TEST(ZoneMap, RussianMobileHasEveryRussianZone) {
  auto zones = ZonesOf("+7 916 123 45 67");
  EXPECT_EQ(zones.size(), 16u);
  EXPECT_TRUE(Has(zones, "Europe/Moscow"));
  EXPECT_TRUE(Has(zones, "Asia/Anadyr"));
  EXPECT_TRUE(Has(zones, "Europe/Kaliningrad"));
}

TEST(ZoneMap, KaliningradIsNotFiledUnderBucharest) {
  // Upstream maps +7 4012 to Europe/Bucharest, which keeps DST; Kaliningrad does not.
  EXPECT_EQ(ZonesOf("+7 4012 123456"), std::vector<std::string>{"Europe/Kaliningrad"});
  EXPECT_FALSE(Has(ZonesOf("+7 916 123 45 67"), "Europe/Bucharest"));
}

TEST(ZoneMap, EveryZoneInTheTableExistsInTzdata) {
  auto all = ZoneMap::AllZones();
  EXPECT_GT(all.size(), 250u);
  for (const auto& z : all) EXPECT_TRUE(FindZone(z).ok()) << z;
}

TEST(ZoneMap, UnknownPrefixGivesNoZones) {
  EXPECT_TRUE(ZoneMap::Find("99999", 999, true).names.empty());
  EXPECT_TRUE(ZoneMap::Find("7abc", 7, true).names.empty());
  EXPECT_EQ(ZoneMap::Find("99999", 999, true).text, "");
}

// Numbers with the same candidates share one set, whose text is what the store writes.
TEST(ZoneMap, SetsAreSharedAndCarryTheirText) {
  const ZoneSet& a = ZoneMap::Find("79161234567", 7, false);
  const ZoneSet& b = ZoneMap::Find("79031234567", 7, false);
  EXPECT_EQ(&a, &b);
  ASSERT_EQ(a.names.size(), 16u);
  std::string joined;
  for (const auto& z : a.names) joined += (joined.empty() ? "" : " ") + z;
  EXPECT_EQ(a.text, joined);
  EXPECT_EQ(ZoneMap::Find("74951234567", 7, true).text, "Europe/Moscow");
}

}  // namespace
}  // namespace dozvon
