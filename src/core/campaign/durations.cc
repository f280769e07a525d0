#include "core/campaign/durations.h"

#include <cstdio>

namespace dozvon {

Result<Duration> ParseDuration(std::string_view s) {
  auto bad = [&] {
    return Status::InvalidArgument("\"" + std::string(s) +
                                   "\": expected a duration like 30s, 3m, 4h, 1d or 1h30m");
  };
  if (s.empty()) return bad();
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      n = n * 10 + (s[i] - '0');
      if (n > 10'000'000) return bad();
      ++i;
      ++digits;
    }
    if (digits == 0 || i >= s.size()) return bad();
    int64_t unit;
    if (s.compare(i, 2, "ms") == 0) {
      unit = 1;
      i += 2;
    } else {
      switch (s[i]) {
        case 's':
          unit = 1000;
          break;
        case 'm':
          unit = 60'000;
          break;
        case 'h':
          unit = 3'600'000;
          break;
        case 'd':
          unit = 86'400'000;
          break;
        case 'w':
          unit = 7 * 86'400'000LL;
          break;
        default:
          return bad();
      }
      ++i;
    }
    total_ms += n * unit;
  }
  return Duration(total_ms);
}

std::string FormatDuration(Duration d) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600 && s % 60 == 0) return std::to_string(s / 60) + " min";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  if (s < 86400) {
    int64_t h = s / 3600, m = (s % 3600) / 60;
    return std::to_string(h) + " h" + (m ? " " + std::to_string(m) + " min" : "");
  }
  int64_t days = s / 86400, h = (s % 86400) / 3600;
  return std::to_string(days) + " d" + (h ? " " + std::to_string(h) + " h" : "");
}

namespace {

bool ParseHm(std::string_view s, int* minutes) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (int i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return false;
  *minutes = h * 60 + m;
  return true;
}

}  // namespace

Result<TimeRange> ParseTimeRange(std::string_view s) {
  size_t dash = s.find('-');
  TimeRange r;
  if (dash == std::string_view::npos || !ParseHm(s.substr(0, dash), &r.start_min) ||
      !ParseHm(s.substr(dash + 1), &r.end_min)) {
    return Status::InvalidArgument("\"" + std::string(s) + "\": expected HH:MM-HH:MM");
  }
  if (r.end_min <= r.start_min) {
    return Status::InvalidArgument("\"" + std::string(s) +
                                   "\": the end must be after the start (split ranges that "
                                   "cross midnight in two)");
  }
  return r;
}

std::string FormatMinutes(int m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
  return buf;
}

}  // namespace dozvon
