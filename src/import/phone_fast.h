// FastPhoneParser: libphonenumber's Parse() and GetNumberType() decisions for the common case,
// with RE2 instead of ICU.
//
// Debian's libphonenumber 8.12 matches its metadata patterns with ICU regexes behind one
// process-wide mutex: ~12 us a number, most of a 1,000,000-row import (docs/benchmarks.md).
// This class reads the same library's own metadata (metadata_get(), the compiled-in
// PhoneMetadataCollection) and replays the same steps - country code extraction, the
// default region's country code written without '+', national prefix stripping, length
// checks, region choice among regions sharing a code, number type - with the same patterns
// compiled by RE2, which is linear-time and lock-free.
//
// It covers only input written with digits and separators, and answers only when it is sure:
// numbers that need an IDD, a national prefix transform rule, Italian leading zeros, or that
// come out invalid get std::nullopt, and the caller asks libphonenumber (which also words the
// error). phone_test.cc compares it with libphonenumber over many generated numbers in every
// region the library knows.
//
// Thread-safety: a FastPhoneParser compiles regions' patterns lazily and is not thread-safe;
// use one per thread. The parsed metadata underneath is shared and immutable.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dozvon {

struct FastParsedPhone {
  int country_code = 0;
  std::string national;  // national significant number, no leading zero
  std::string region;    // "RU"; "001" for non-geographic entities
  int type = 0;          // i18n::phonenumbers::PhoneNumberUtil::PhoneNumberType
};

class FastPhoneParser {
 public:
  FastPhoneParser();
  ~FastPhoneParser();

  // `digits`: the number's digits only; `plus`: it was written with a leading '+';
  // `default_region`: as for Parse(). nullopt: not decided here, ask libphonenumber.
  std::optional<FastParsedPhone> Parse(std::string_view digits, bool plus,
                                       std::string_view default_region);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
