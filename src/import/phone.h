// PhoneNormalizer: raw phone text -> E.164, country and candidate zones, via libphonenumber.
//
// libphonenumber's Parse() and GetNumberType() cost ~12 us a number here (ICU regexes behind
// one mutex), which dominated a 1,000,000-row import. Numbers written with digits and
// separators go through FastPhoneParser first: the same decisions from the same library's
// metadata, matched with RE2 (phone_fast.h). Whatever it cannot decide - letters,
// extensions, IDD prefixes, invalid numbers - takes the full libphonenumber path, which also
// words the errors. phone_test.cc checks the two paths agree.
//
// Thread-safety: not thread-safe; use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "import/zone_map.h"

namespace dozvon {

struct NormalizedPhone {
  std::string e164;    // "+74951234567"
  std::string region;  // "RU"; "001" for non-geographic entities
  int country_code = 0;
  bool geographic = false;  // fixed line, or a mobile tied to a region
  // Candidates from the prefix table (shared, never null once normalised; may be empty).
  const ZoneSet* zones = nullptr;
};

class PhoneNormalizer {
 public:
  PhoneNormalizer();
  ~PhoneNormalizer();

  // `default_region`: ISO 3166 code used when the number has no country code ("RU"), or "".
  // Errors read like: "phone \"+7 999\": too short for RU".
  Result<NormalizedPhone> Normalize(std::string_view raw, std::string_view default_region);

  // For tests: normalise straight through libphonenumber, without the fast path.
  Result<NormalizedPhone> NormalizeSlow(std::string_view raw, std::string_view default_region);

  size_t fast_hits() const;  // numbers the fast path decided

  // True if libphonenumber knows the region code ("RU", "KZ"...).
  static bool IsKnownRegion(std::string_view region);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
