#include "core/compliance/caps.h"

namespace dozvon {
namespace {

using date::local_days;

local_days LocalDay(Instant t, const date::time_zone* z) {
  return std::chrono::floor<date::days>(z->to_local(t));
}

// First local day of the period that contains `day`.
local_days PeriodStart(local_days day, CapPeriod p) {
  switch (p) {
    case CapPeriod::kDay:
      return day;
    case CapPeriod::kWeek: {
      unsigned iso = date::weekday(day).iso_encoding();  // Monday = 1
      return day - date::days(iso - 1);
    }
    case CapPeriod::kMonth: {
      date::year_month_day ymd(day);
      return local_days(ymd.year() / ymd.month() / 1);
    }
  }
  return day;
}

local_days NextPeriodStart(local_days start, CapPeriod p) {
  switch (p) {
    case CapPeriod::kDay:
      return start + date::days(1);
    case CapPeriod::kWeek:
      return start + date::days(7);
    case CapPeriod::kMonth: {
      date::year_month_day ymd(start);
      return local_days((ymd.year() / ymd.month() + date::months(1)) / 1);
    }
  }
  return start;
}

std::string_view PeriodWord(CapPeriod p) {
  switch (p) {
    case CapPeriod::kDay:
      return "today";
    case CapPeriod::kWeek:
      return "this week";
    case CapPeriod::kMonth:
      return "this month";
  }
  return "";
}

}  // namespace

std::string_view ToString(CapPeriod p) {
  switch (p) {
    case CapPeriod::kDay:
      return "day";
    case CapPeriod::kWeek:
      return "week";
    case CapPeriod::kMonth:
      return "month";
  }
  return "day";
}

CapVerdict CheckCaps(const CapsConfig& caps, std::span<const PastAttempt> history, Instant t,
                     Zones zones) {
  CapVerdict v;
  const std::pair<CapPeriod, int> limits[] = {{CapPeriod::kDay, caps.per_day},
                                              {CapPeriod::kWeek, caps.per_week},
                                              {CapPeriod::kMonth, caps.per_month}};
  for (const auto& [period, limit] : limits) {
    if (limit <= 0) continue;
    for (const date::time_zone* z : zones) {
      local_days start = PeriodStart(LocalDay(t, z), period);
      local_days next = NextPeriodStart(start, period);
      int count = 0;
      for (const PastAttempt& a : history) {
        if (caps.counts == CapCounts::kAnswered && !a.answered) continue;
        local_days d = LocalDay(a.at, z);
        if (d >= start && d < next) ++count;
      }
      if (count < limit) continue;
      Instant lifts = z->to_sys(date::local_time<Duration>(next), date::choose::latest);
      if (v.allowed || lifts > v.lifts_at) {
        v.allowed = false;
        v.period = period;
        v.lifts_at = lifts;
        v.reason = "cap: " + std::to_string(count) +
                   (caps.counts == CapCounts::kAnswered ? " answered calls " : " attempts ") +
                   std::string(PeriodWord(period)) + " (max " + std::to_string(limit) + ")";
      }
    }
  }
  return v;
}

}  // namespace dozvon
