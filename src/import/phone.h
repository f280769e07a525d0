// PhoneNormalizer: raw phone text -> E.164, country and candidate zones, via libphonenumber.
//
// libphonenumber's Parse() costs ~9 us a number here (regex-heavy), which dominated a
// 1,000,000-row import. Parse() of a number written only with digits and separators depends
// on its leading digits and its length, not on its tail, so the normalizer remembers, per
// (region, '+', length, first 8 digits), which country code Parse() chose and how many leading
// digits (trunk prefix, country code) it dropped, and replays that for the next such number.
// Validity is still decided per number by libphonenumber (GetNumberType). A memo is only
// recorded when the national number is a plain suffix of the input; anything else (letters,
// extensions, transformed prefixes, leading zeros) always takes the full Parse() path.
// phone_test.cc checks the fast path against plain Parse() over many generated numbers.
//
// Thread-safety: not thread-safe (the memo); use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace dozvon {

struct NormalizedPhone {
  std::string e164;    // "+74951234567"
  std::string region;  // "RU"; "001" for non-geographic entities
  int country_code = 0;
  bool geographic = false;         // fixed line, or a mobile tied to a region
  std::vector<std::string> zones;  // candidates from the prefix table; may be empty
};

class PhoneNormalizer {
 public:
  PhoneNormalizer();
  ~PhoneNormalizer();

  // `default_region`: ISO 3166 code used when the number has no country code ("RU"), or "".
  // Errors read like: "phone \"+7 999\": too short for RU".
  Result<NormalizedPhone> Normalize(std::string_view raw, std::string_view default_region);

  // For tests: normalise without the memo, straight through libphonenumber.
  Result<NormalizedPhone> NormalizeSlow(std::string_view raw, std::string_view default_region);

  size_t memo_hits() const;

  // True if libphonenumber knows the region code ("RU", "KZ"...).
  static bool IsKnownRegion(std::string_view region);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
