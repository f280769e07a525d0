#include "import/zone_map.h"

#include <algorithm>
#include <unordered_map>

#include "import/zone_map_data.h"
#include "store/encoding.h"

namespace dozvon {
namespace {

using zone_map_data::Entry;

const Entry* FindEntry(int length, uint64_t prefix) {
  const Entry* begin = zone_map_data::kEntries;
  const Entry* end = begin + zone_map_data::kEntryCount;
  auto it = std::lower_bound(begin, end, std::pair<int, uint64_t>(length, prefix),
                             [](const Entry& e, const std::pair<int, uint64_t>& k) {
                               return std::pair<int, uint64_t>(e.length, e.prefix) < k;
                             });
  if (it != end && it->length == length && it->prefix == prefix) return it;
  return nullptr;
}

// Every set of the table, built on first use: a million-row import looked up 16 zone names
// per mobile number, and copying them was most of its normalising thread's allocations.
class Sets {
 public:
  static const Sets& Get() {
    static const Sets sets;  // thread-safe initialisation
    return sets;
  }
  const ZoneSet& At(uint32_t offset) const { return by_offset_.at(offset); }
  const ZoneSet& None() const { return none_; }

 private:
  Sets() {
    for (int e = 0; e < zone_map_data::kEntryCount; ++e) {
      const uint32_t offset = zone_map_data::kEntries[e].set;
      if (by_offset_.count(offset)) continue;
      const uint16_t* set = zone_map_data::kSets + offset;
      ZoneSet z;
      for (int i = 1; i <= set[0]; ++i) z.names.emplace_back(zone_map_data::kZones[set[i]]);
      AppendZones(&z.text, z.names);  // the store's own encoding of a zone set
      by_offset_.emplace(offset, std::move(z));
    }
  }
  std::unordered_map<uint32_t, ZoneSet> by_offset_;
  ZoneSet none_;
};

const ZoneSet& LongestMatch(std::string_view digits) {
  int max_len = std::min<int>(zone_map_data::kLongestPrefix, static_cast<int>(digits.size()));
  for (int len = max_len; len >= 1; --len) {
    uint64_t value = 0;
    for (int i = 0; i < len; ++i) value = value * 10 + static_cast<uint64_t>(digits[i] - '0');
    if (const Entry* e = FindEntry(len, value)) return Sets::Get().At(e->set);
  }
  return Sets::Get().None();
}

}  // namespace

const ZoneSet& ZoneMap::Find(std::string_view e164_digits, int country_code, bool geographic) {
  for (char ch : e164_digits) {
    if (ch < '0' || ch > '9') return Sets::Get().None();
  }
  if (geographic) return LongestMatch(e164_digits);
  return LongestMatch(std::to_string(country_code));
}

std::vector<std::string> ZoneMap::AllZones() {
  return {zone_map_data::kZones, zone_map_data::kZones + zone_map_data::kZoneCount};
}

const char* ZoneMap::DataVersion() { return zone_map_data::kVersion; }

}  // namespace dozvon
