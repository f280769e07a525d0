// ZoneMap: candidate time zones of a phone number from its prefix, following libphonenumber's
// PhoneNumberToTimeZonesMapper: geographic numbers by the longest matching prefix of the E.164
// digits, non-geographic ones (e.g. Russian mobiles) by country code. Ambiguity is kept: +7 9xx
// yields 16 zones, +1 602 yields America/Denver and America/Phoenix.
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dozvon {

// One set of candidate zones from the table; sets are built once and shared.
struct ZoneSet {
  std::vector<std::string> names;
  std::string text;  // the names separated by spaces, as the store writes them
};

class ZoneMap {
 public:
  // `e164_digits`: the number without '+'. `geographic`: libphonenumber says the number's type
  // is geographic (fixed line, or mobile in countries whose mobiles are regional).
  // `country_code`: the calling code, for the non-geographic fallback.
  // The set lives as long as the program; an empty set when the table has none.
  static const ZoneSet& Find(std::string_view e164_digits, int country_code, bool geographic);
  // Every zone name the table can return (for tests and diagnostics).
  static std::vector<std::string> AllZones();
  static const char* DataVersion();
};

}  // namespace dozvon
