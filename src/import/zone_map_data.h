// Declarations of the generated prefix -> zones table (see gen_zone_map.py).
#pragma once

#include <cstdint>

namespace dozvon::zone_map_data {

struct Entry {
  uint64_t prefix;  // the digits of the prefix as a number (country code first)
  uint8_t length;   // number of digits in the prefix
  uint32_t set;     // offset into kSets: a count, then that many indexes into kZones
};

extern const char* const kVersion;
extern const int kLongestPrefix;
extern const int kZoneCount;
extern const char* const kZones[];
extern const uint16_t kSets[];
extern const int kEntryCount;
extern const Entry kEntries[];  // sorted by (length, prefix)

}  // namespace dozvon::zone_map_data
