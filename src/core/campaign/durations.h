// Text forms used in campaign files: durations ("90s", "3m", "1h30m", "1d") and local time
// ranges ("08:00-22:00"). Pure parsing, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace dozvon {

// Minutes of the local day, [start, end). end may be 24*60.
struct TimeRange {
  int start_min = 0;
  int end_min = 0;
  bool operator==(const TimeRange&) const = default;
};

Result<Duration> ParseDuration(std::string_view text);
std::string FormatDuration(Duration d);  // "3 min", "4 h", "1 d 2 h", "45 s"
Result<TimeRange> ParseTimeRange(std::string_view text);
std::string FormatMinutes(int minutes_of_day);  // "08:00"

}  // namespace dozvon
