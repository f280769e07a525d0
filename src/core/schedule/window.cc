#include "core/schedule/window.h"

#include <algorithm>

namespace dozvon {
namespace {

std::vector<TimeRange> Subtract(const std::vector<TimeRange>& ranges,
                                const std::vector<TimeRange>& cut) {
  std::vector<TimeRange> out = ranges;
  for (const TimeRange& c : cut) {
    std::vector<TimeRange> next;
    for (const TimeRange& r : out) {
      if (c.end_min <= r.start_min || c.start_min >= r.end_min) {
        next.push_back(r);
        continue;
      }
      if (c.start_min > r.start_min) next.push_back({r.start_min, c.start_min});
      if (c.end_min < r.end_min) next.push_back({c.end_min, r.end_min});
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

std::vector<TimeRange> CallingWindow::RangesOn(date::local_days day) const {
  int wd = static_cast<int>(date::weekday(day).c_encoding());
  const std::vector<TimeRange>* base;
  date::sys_days as_sys(day.time_since_epoch());
  bool holiday = std::binary_search(config_.holidays.begin(), config_.holidays.end(), as_sys);
  bool weekend = std::find(config_.weekend_days.begin(), config_.weekend_days.end(), wd) !=
                 config_.weekend_days.end();
  if (holiday) {
    base = &config_.weekends;
  } else if (config_.by_day[wd]) {
    base = &*config_.by_day[wd];
  } else {
    base = weekend ? &config_.weekends : &config_.weekdays;
  }
  return config_.avoid.empty() ? *base : Subtract(*base, config_.avoid);
}

std::vector<Interval> CallingWindow::IntervalsOn(date::local_days day,
                                                 const date::time_zone* zone) const {
  std::vector<Interval> out;
  for (const TimeRange& r : RangesOn(day)) {
    auto local_start = date::local_time<Duration>(day) + std::chrono::minutes(r.start_min);
    auto local_end = date::local_time<Duration>(day) + std::chrono::minutes(r.end_min);
    // Shrink, never stretch: the later reading of an ambiguous start, the earlier of an end.
    Instant s = zone->to_sys(local_start, date::choose::latest);
    Instant e = zone->to_sys(local_end, date::choose::earliest);
    if (e > s) out.push_back({s, e});
  }
  return out;
}

bool CallingWindow::IsOpen(Instant t, const date::time_zone* zone) const {
  auto local_day = std::chrono::floor<date::days>(zone->to_local(t));
  for (const Interval& i : IntervalsOn(local_day, zone)) {
    if (t >= i.start && t < i.end) return true;
  }
  return false;
}

bool CallingWindow::IsOpen(Instant t, Zones zones) const {
  return std::all_of(zones.begin(), zones.end(),
                     [&](const date::time_zone* z) { return IsOpen(t, z); });
}

std::optional<Instant> CallingWindow::OpenUntil(Instant t, const date::time_zone* zone) const {
  auto local_day = std::chrono::floor<date::days>(zone->to_local(t));
  for (const Interval& i : IntervalsOn(local_day, zone)) {
    if (t >= i.start && t < i.end) return i.end;
  }
  return std::nullopt;
}

std::optional<Instant> CallingWindow::NextOpen(Instant t, const date::time_zone* zone,
                                               int horizon_days) const {
  auto day = std::chrono::floor<date::days>(zone->to_local(t));
  for (int d = 0; d <= horizon_days; ++d) {
    for (const Interval& i : IntervalsOn(day + date::days(d), zone)) {
      if (i.end > t) return std::max(i.start, t);
    }
  }
  return std::nullopt;
}

std::optional<Instant> CallingWindow::NextOpen(Instant t, Zones zones, int horizon_days) const {
  if (zones.empty()) return std::nullopt;
  const Instant limit = t + date::days(horizon_days);
  Instant cand = t;
  // Each pass moves `cand` to the latest of the zones' next openings; it stops when all agree.
  // Bounded: every pass either finishes or advances past at least one closed stretch.
  for (int pass = 0; pass < 4 * horizon_days * static_cast<int>(zones.size()) + 8; ++pass) {
    bool moved = false;
    for (const date::time_zone* z : zones) {
      std::optional<Instant> n = NextOpen(cand, z, horizon_days);
      if (!n || *n > limit) return std::nullopt;
      if (*n > cand) {
        cand = *n;
        moved = true;
      }
    }
    if (!moved) return cand;
  }
  return std::nullopt;
}

}  // namespace dozvon
