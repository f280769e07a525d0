// CallingWindow: when a contact may be called, in the contact's own local time.
//
// A day's open ranges come from the config (weekday / weekend / holiday / per-day override,
// minus `avoid`) and are turned into UTC intervals through the zone's real rules, so DST is
// exact. Around a DST change the window is shrunk, never stretched: a start in a skipped hour
// opens at the transition, an end in a repeated hour closes at its first occurrence.
// A contact with several candidate zones is callable only when the window is open in all.
// Pure; thread-compatible (const methods only).
#pragma once

#include <date/tz.h>

#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/campaign/campaign_config.h"

namespace dozvon {

using Zones = std::span<const date::time_zone* const>;

struct Interval {
  Instant start;
  Instant end;  // exclusive
};

class CallingWindow {
 public:
  explicit CallingWindow(const WindowConfig& config) : config_(config) {}

  // The local open ranges on a local date (after holidays, overrides and `avoid`).
  std::vector<TimeRange> RangesOn(date::local_days day) const;
  // The same as UTC intervals in `zone`.
  std::vector<Interval> IntervalsOn(date::local_days day, const date::time_zone* zone) const;

  bool IsOpen(Instant t, const date::time_zone* zone) const;
  bool IsOpen(Instant t, Zones zones) const;
  // Earliest instant >= t at which the window is open; nullopt if none within `horizon_days`.
  std::optional<Instant> NextOpen(Instant t, const date::time_zone* zone,
                                  int horizon_days = 400) const;
  // When the open stretch containing t ends (t must be open), else nullopt.
  std::optional<Instant> OpenUntil(Instant t, const date::time_zone* zone) const;
  // Earliest instant >= t open in every zone at once; nullopt if the windows never overlap
  // within the horizon (e.g. zones 10 hours apart with a 6-hour window).
  std::optional<Instant> NextOpen(Instant t, Zones zones, int horizon_days = 400) const;

 private:
  const WindowConfig& config_;
};

}  // namespace dozvon
