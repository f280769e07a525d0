#include "import/phone.h"

#include <gtest/gtest.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <random>
#include <set>

namespace dozvon {
namespace {

struct PhoneCase {
  std::string raw;
  std::string region;
  std::string e164;  // empty: must be rejected
};

void PrintTo(const PhoneCase& c, std::ostream* os) { *os << c.region << ":" << c.raw; }

class PhoneTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneTest, NormalisesNationalAndInternationalForms) {
  PhoneNormalizer n;
  const auto& c = GetParam();
  auto r = n.Normalize(c.raw, c.region);
  if (c.e164.empty()) {
    EXPECT_FALSE(r.ok()) << c.raw << " -> " << (r.ok() ? r->e164 : "");
  } else {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->e164, c.e164);
  }
}

INSTANTIATE_TEST_SUITE_P(Phones, PhoneTest,
                         ::testing::Values(
                             // Russia: trunk prefix 8, bare 7, +7 with punctuation.
                             PhoneCase{"8 (495) 123-45-67", "RU", "+74951234567"},
                             PhoneCase{"+7 916 123-45-67", "RU", "+79161234567"},
                             PhoneCase{"79161234567", "RU", "+79161234567"},
                             PhoneCase{"89161234567", "RU", "+79161234567"},
                             PhoneCase{"8 383 212-34-56", "RU", "+73832123456"},
                             // Kazakhstan shares +7.
                             PhoneCase{"8 701 123 45 67", "KZ", "+77011234567"},
                             PhoneCase{"+7 727 258 1234", "RU", "+77272581234"},
                             // United States.
                             PhoneCase{"(212) 555-0123", "US", "+12125550123"},
                             PhoneCase{"+1 602 555 0100", "RU", "+16025550100"},
                             PhoneCase{"1-602-555-0100", "US", "+16025550100"},
                             // United Kingdom: national 0 prefix.
                             PhoneCase{"020 7946 0958", "GB", "+442079460958"},
                             PhoneCase{"+44 7911 123456", "", "+447911123456"},
                             PhoneCase{"07911 123456", "GB", "+447911123456"},
                             // Germany.
                             PhoneCase{"030 12345678", "DE", "+493012345678"},
                             PhoneCase{"+49 151 23456789", "", "+4915123456789"},
                             PhoneCase{"0049 30 12345678", "DE", "+493012345678"},
                             // Rejections.
                             PhoneCase{"+7 999", "RU", ""}, PhoneCase{"abc", "RU", ""},
                             PhoneCase{"", "RU", ""}, PhoneCase{"4951234567", "", ""},
                             PhoneCase{"+7 495 123 45 67 ext. 12", "RU", ""},
                             PhoneCase{"+999 123456789", "", ""}));

TEST(Phone, ReasonsNameTheNumberAndTheRegion) {
  PhoneNormalizer n;
  EXPECT_EQ(n.Normalize("+7 999", "RU").status().message(), "phone \"+7 999\": too short for RU");
  EXPECT_EQ(n.Normalize("4951234567", "").status().message(),
            "phone \"4951234567\": no country code (write +CC or pass --country)");
  EXPECT_EQ(n.Normalize("hello", "RU").status().message(), "phone \"hello\": not a phone number");
}

TEST(Phone, KeepsRegionAndCandidateZones) {
  PhoneNormalizer n;
  auto moscow = n.Normalize("+7 495 123 45 67", "");
  ASSERT_TRUE(moscow.ok());
  EXPECT_EQ(moscow->region, "RU");
  EXPECT_TRUE(moscow->geographic);
  EXPECT_EQ(moscow->zones->names, std::vector<std::string>{"Europe/Moscow"});
  auto mobile = n.Normalize("+7 916 123 45 67", "");
  ASSERT_TRUE(mobile.ok());
  EXPECT_FALSE(mobile->geographic);
  EXPECT_EQ(mobile->zones->names.size(), 16u) << "Russian mobiles are not tied to a region";
}

// Normalize() (fast path first) must say exactly what libphonenumber says: same E.164,
// region, zones, or the same error.
void ExpectSameAsLibphonenumber(PhoneNormalizer& fast, PhoneNormalizer& slow,
                                const std::string& raw, const std::string& region, int* compared,
                                int* valid) {
  auto a = fast.Normalize(raw, region);
  auto b = slow.NormalizeSlow(raw, region);
  ++*compared;
  *valid += b.ok();
  ASSERT_EQ(a.ok(), b.ok()) << "\"" << raw << "\" in \"" << region
                            << "\": " << (a.ok() ? a->e164 : a.status().message()) << " vs "
                            << (b.ok() ? b->e164 : b.status().message());
  if (a.ok()) {
    ASSERT_EQ(a->e164, b->e164) << raw << " in " << region;
    ASSERT_EQ(a->region, b->region) << raw << " in " << region;
    ASSERT_EQ(a->country_code, b->country_code) << raw << " in " << region;
    ASSERT_EQ(a->geographic, b->geographic) << raw << " in " << region;
    ASSERT_EQ(a->zones->names, b->zones->names) << raw << " in " << region;
  } else {
    ASSERT_EQ(a.status().message(), b.status().message());
  }
}

// Numbers that share leading digits with random tails, in the formats lists really use.
TEST(Phone, FastPathAgreesWithLibphonenumberOnCommonFormats) {
  std::mt19937 rng(42);
  const std::vector<std::pair<std::string, std::string>> prefixes = {
      {"RU", "8916"},   {"RU", "+7916"},  {"RU", "7495"},     {"RU", "8 383"}, {"RU", "+7 3012"},
      {"KZ", "8701"},   {"KZ", "+7727"},  {"US", "212"},      {"US", "1602"},  {"US", "+1 415"},
      {"GB", "020"},    {"GB", "07700"},  {"GB", "+44 161"},  {"DE", "030"},   {"DE", "0151"},
      {"DE", "+49 89"}, {"AR", "011 15"}, {"AR", "+54 9 11"}, {"IT", "06"},    {"IT", "+39 06"},
      {"FR", "01"},     {"BR", "11 9"},   {"IN", "98"},       {"", "+86 138"}, {"", "+380 44"},
      {"KZ", "7 701"},  {"RU", "7 7"},    {"US", "1 8"},      {"RU", "810 49"}};
  PhoneNormalizer fast;
  PhoneNormalizer slow;
  int compared = 0;
  int valid = 0;
  for (int round = 0; round < 40; ++round) {
    for (const auto& [region, prefix] : prefixes) {
      for (int len = 3; len <= 10; ++len) {
        std::string raw = prefix + " ";
        for (int i = 0; i < len; ++i) raw.push_back(static_cast<char>('0' + rng() % 10));
        ExpectSameAsLibphonenumber(fast, slow, raw, region, &compared, &valid);
        if (HasFatalFailure()) return;
      }
    }
  }
  EXPECT_EQ(compared, 40 * 29 * 8);
  // Italian leading zeros, the IDD "810", Argentina's and Brazil's prefix rewrites are
  // libphonenumber's to parse; the rest of the valid numbers go the fast way.
  EXPECT_GT(fast.fast_hits(), static_cast<size_t>(valid) * 6 / 10) << valid << " valid";
}

// Every region and number type libphonenumber has an example for, mutated (tails redrawn,
// digits dropped and added), written in national, international and bare-code forms, and
// read with the region itself, with no region and with another region as the default.
TEST(Phone, FastPathAgreesWithLibphonenumberInEveryRegion) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::set<std::string> regions;
  util->GetSupportedRegions(&regions);
  ASSERT_GT(regions.size(), 200u);
  const PhoneNumberUtil::PhoneNumberType types[] = {
      PhoneNumberUtil::FIXED_LINE,      PhoneNumberUtil::MOBILE,      PhoneNumberUtil::TOLL_FREE,
      PhoneNumberUtil::PREMIUM_RATE,    PhoneNumberUtil::SHARED_COST, PhoneNumberUtil::VOIP,
      PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER,       PhoneNumberUtil::UAN,
      PhoneNumberUtil::VOICEMAIL};
  std::mt19937 rng(7);
  PhoneNormalizer fast;
  PhoneNormalizer slow;
  int compared = 0;
  int valid = 0;
  for (const std::string& region : regions) {
    for (auto type : types) {
      PhoneNumber example;
      if (!util->GetExampleNumberForType(region, type, &example)) continue;
      std::string nsn;
      util->GetNationalSignificantNumber(example, &nsn);
      for (int variant = 0; variant < 6; ++variant) {
        std::string digits = nsn;
        size_t redraw = std::min<size_t>(digits.size() - 1, 1 + rng() % 4);
        for (size_t i = digits.size() - redraw; i < digits.size(); ++i) {
          digits[i] = static_cast<char>('0' + rng() % 10);
        }
        if (variant == 4) digits.pop_back();
        if (variant == 5) digits.push_back(static_cast<char>('0' + rng() % 10));
        PhoneNumber n;
        n.set_country_code(example.country_code());
        n.set_italian_leading_zero(example.italian_leading_zero());
        n.set_number_of_leading_zeros(example.number_of_leading_zeros());
        n.set_national_number(std::stoull(digits));
        std::string national;
        util->Format(n, PhoneNumberUtil::NATIONAL, &national);
        std::string cc = std::to_string(example.country_code());
        for (const std::string& raw : {national, "+" + cc + " " + digits, cc + digits}) {
          for (const std::string& default_region : {region, std::string(), std::string("RU")}) {
            ExpectSameAsLibphonenumber(fast, slow, raw, default_region, &compared, &valid);
            if (HasFatalFailure()) return;
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 20000);
  EXPECT_GT(fast.fast_hits(), static_cast<size_t>(valid) * 8 / 10) << valid << " valid";
}

}  // namespace
}  // namespace dozvon
