#include "import/zone_map.h"

#include <algorithm>

#include "import/zone_map_data.h"

namespace dozvon {
namespace {

using zone_map_data::Entry;

const Entry* Find(int length, uint64_t prefix) {
  const Entry* begin = zone_map_data::kEntries;
  const Entry* end = begin + zone_map_data::kEntryCount;
  auto it = std::lower_bound(begin, end, std::pair<int, uint64_t>(length, prefix),
                             [](const Entry& e, const std::pair<int, uint64_t>& k) {
                               return std::pair<int, uint64_t>(e.length, e.prefix) < k;
                             });
  if (it != end && it->length == length && it->prefix == prefix) return it;
  return nullptr;
}

std::vector<std::string> LongestMatch(std::string_view digits) {
  int max_len = std::min<int>(zone_map_data::kLongestPrefix, static_cast<int>(digits.size()));
  for (int len = max_len; len >= 1; --len) {
    uint64_t value = 0;
    for (int i = 0; i < len; ++i) value = value * 10 + static_cast<uint64_t>(digits[i] - '0');
    if (const Entry* e = Find(len, value)) {
      const uint16_t* set = zone_map_data::kSets + e->set;
      std::vector<std::string> out;
      out.reserve(set[0]);
      for (int i = 1; i <= set[0]; ++i) out.emplace_back(zone_map_data::kZones[set[i]]);
      return out;
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> ZoneMap::Lookup(std::string_view e164_digits, int country_code,
                                         bool geographic) {
  for (char ch : e164_digits) {
    if (ch < '0' || ch > '9') return {};
  }
  if (geographic) return LongestMatch(e164_digits);
  return LongestMatch(std::to_string(country_code));
}

std::vector<std::string> ZoneMap::AllZones() {
  return {zone_map_data::kZones, zone_map_data::kZones + zone_map_data::kZoneCount};
}

const char* ZoneMap::DataVersion() { return zone_map_data::kVersion; }

}  // namespace dozvon
