// Eligibility: may this contact be called now for this campaign, and if not, every reason and
// the next instant it could be. The single place that combines contact state, attempt limit,
// do-not-call, campaign start/stop, retry time, calling window and caps. `dozvon explain`, the
// replay and the engine's claim all ask it. Pure; thread-compatible.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/campaign/campaign_config.h"
#include "core/compliance/caps.h"
#include "core/compliance/dnc.h"
#include "core/model/contact.h"
#include "core/schedule/window.h"

namespace dozvon {

enum class Blocker {
  kDone,
  kStruck,
  kInProgress,
  kMaxAttempts,
  kDnc,
  kNoZone,
  kNotStarted,
  kEnded,
  kRetryDelay,
  kOutsideWindow,
  kWindowsNeverOverlap,
  kCap,
};
std::string_view ToString(Blocker b);

struct Eligibility {
  bool callable = false;
  std::vector<std::pair<Blocker, std::string>> reasons;  // empty when callable
  std::optional<Instant> next_at;  // now when callable; nullopt when never again
};

class EligibilityChecker {
 public:
  // `dnc` may be null. Both must outlive the checker.
  EligibilityChecker(const CampaignConfig& config, const DncList* dnc);

  // The contact's zones as tz pointers: its own, else the campaign default, else empty.
  std::vector<const date::time_zone*> ZonesOf(const Contact& c) const;

  Eligibility Check(const Contact& contact, std::span<const PastAttempt> history,
                    Instant now) const;

  // The earliest instant >= t when window and caps both allow a call (ignores state, limits and
  // retry time); nullopt if none before stop_at or within a year.
  std::optional<Instant> NextAllowed(Instant t, Zones zones,
                                     std::span<const PastAttempt> history) const;

  // Like NextAllowed, but when caps or windows push the call to another day, land it in the
  // local `daypart` of that day (the first zone's) if the rules allow, so a no-answer retry
  // rotates dayparts instead of repeating the same hour the next day.
  std::optional<Instant> NextAllowedInDaypart(Instant t, Zones zones,
                                              std::span<const PastAttempt> history,
                                              const TimeRange& daypart) const;

  const CallingWindow& window() const { return window_; }

 private:
  const CampaignConfig& config_;
  const DncList* dnc_;
  CallingWindow window_;
  const date::time_zone* default_zone_ = nullptr;
};

}  // namespace dozvon
