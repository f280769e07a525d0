#include "core/schedule/eligibility.h"

#include "core/time/tz.h"

namespace dozvon {

std::string_view ToString(Blocker b) {
  switch (b) {
    case Blocker::kDone:
      return "done";
    case Blocker::kStruck:
      return "struck";
    case Blocker::kInProgress:
      return "in_progress";
    case Blocker::kMaxAttempts:
      return "max_attempts";
    case Blocker::kDnc:
      return "dnc";
    case Blocker::kNoZone:
      return "no_zone";
    case Blocker::kNotStarted:
      return "not_started";
    case Blocker::kEnded:
      return "ended";
    case Blocker::kRetryDelay:
      return "retry_delay";
    case Blocker::kOutsideWindow:
      return "outside_window";
    case Blocker::kWindowsNeverOverlap:
      return "windows_never_overlap";
    case Blocker::kCap:
      return "cap";
  }
  return "unknown";
}

EligibilityChecker::EligibilityChecker(const CampaignConfig& config, const DncList* dnc)
    : config_(config), dnc_(dnc), window_(config.window) {
  if (!config.default_timezone.empty()) {
    auto z = FindZone(config.default_timezone);
    if (z.ok()) default_zone_ = *z;
  }
}

std::vector<const date::time_zone*> EligibilityChecker::ZonesOf(const Contact& c) const {
  std::vector<const date::time_zone*> out;
  for (const auto& name : c.zones) {
    auto z = FindZone(name);
    if (z.ok()) out.push_back(*z);
  }
  if (out.empty() && default_zone_) out.push_back(default_zone_);
  return out;
}

std::optional<Instant> EligibilityChecker::NextAllowed(Instant t, Zones zones,
                                                       std::span<const PastAttempt> history) const {
  // Alternate window and caps until both agree; each step only moves forward.
  for (int step = 0; step < 64; ++step) {
    std::optional<Instant> w = window_.NextOpen(t, zones);
    if (!w) return std::nullopt;
    CapVerdict cap = CheckCaps(config_.caps, history, *w, zones);
    if (cap.allowed) {
      if (config_.stop_at && *w >= *config_.stop_at) return std::nullopt;
      return w;
    }
    t = cap.lifts_at;
  }
  return std::nullopt;
}

std::optional<Instant> EligibilityChecker::NextAllowedInDaypart(
    Instant t, Zones zones, std::span<const PastAttempt> history, const TimeRange& daypart) const {
  std::optional<Instant> first = NextAllowed(t, zones, history);
  if (!first || zones.empty()) return first;
  const date::time_zone* z = zones.front();
  auto minutes_of = [&](Instant x) {
    auto lt = z->to_local(x);
    return std::chrono::duration_cast<std::chrono::minutes>(lt - std::chrono::floor<date::days>(lt))
        .count();
  };
  std::optional<Instant> cand = first;
  for (int day = 0; day < 7 && cand; ++day) {
    auto m = minutes_of(*cand);
    if (m >= daypart.start_min && m < daypart.end_min) return cand;
    // Aim at the daypart's start on the candidate's local day, or the next day's.
    auto local_day = std::chrono::floor<date::days>(z->to_local(*cand));
    if (m >= daypart.start_min) local_day += date::days(1);
    Instant aim =
        z->to_sys(date::local_time<Duration>(local_day) + std::chrono::minutes(daypart.start_min),
                  date::choose::latest);
    cand = NextAllowed(aim, zones, history);
  }
  return first;  // the rules never allow that daypart within a week: take the earliest time
}

Eligibility EligibilityChecker::Check(const Contact& c, std::span<const PastAttempt> history,
                                      Instant now) const {
  Eligibility e;
  auto add = [&](Blocker b, std::string why) { e.reasons.emplace_back(b, std::move(why)); };
  bool never = false;
  switch (c.state) {
    case ContactState::kDone:
      add(Blocker::kDone, c.state_reason.empty() ? "done" : c.state_reason);
      never = true;
      break;
    case ContactState::kStruck:
      add(Blocker::kStruck, c.state_reason.empty() ? "struck" : c.state_reason);
      never = true;
      break;
    case ContactState::kInProgress:
      add(Blocker::kInProgress, "a call to this contact is in progress");
      break;
    default:
      break;
  }
  if (c.attempts >= config_.max_attempts) {
    add(Blocker::kMaxAttempts, std::to_string(c.attempts) + " attempts made (max " +
                                   std::to_string(config_.max_attempts) + ")");
    never = true;
  }
  if (dnc_) {
    if (auto why = dnc_->Match(c.phone_e164)) {
      add(Blocker::kDnc, *why);
      never = true;
    }
  }
  std::vector<const date::time_zone*> zones = ZonesOf(c);
  if (zones.empty()) {
    add(Blocker::kNoZone, "no time zone known for the number and no default_timezone");
    never = true;
  }
  if (config_.stop_at && now >= *config_.stop_at) {
    add(Blocker::kEnded, "the campaign stopped at " + FormatUtc(*config_.stop_at));
    never = true;
  }
  Instant from = now;
  if (config_.start_at && now < *config_.start_at) {
    add(Blocker::kNotStarted, "the campaign starts at " + FormatUtc(*config_.start_at));
    from = *config_.start_at;
  }
  if (c.next_attempt_at && now < *c.next_attempt_at) {
    add(Blocker::kRetryDelay, "next retry at " + FormatUtc(*c.next_attempt_at) +
                                  (c.state_reason.empty() ? "" : " (" + c.state_reason + ")"));
    from = std::max(from, *c.next_attempt_at);
  }
  if (!zones.empty()) {
    for (const date::time_zone* z : zones) {
      if (!window_.IsOpen(now, z)) {
        add(Blocker::kOutsideWindow, "outside the calling window in " + std::string(z->name()) +
                                         " (local " + FormatLocal(now, z) + ")");
      }
    }
    CapVerdict cap = CheckCaps(config_.caps, history, now, zones);
    if (!cap.allowed) add(Blocker::kCap, cap.reason);
  }
  if (never) return e;
  if (e.reasons.empty()) {
    e.callable = true;
    e.next_at = now;
    return e;
  }
  if (c.state == ContactState::kInProgress) return e;  // next time is decided by the outcome
  e.next_at = NextAllowed(from, zones, history);
  if (!e.next_at) {
    if (!window_.NextOpen(from, zones)) {
      add(Blocker::kWindowsNeverOverlap,
          "the calling window is never open in all candidate zones at once");
    } else if (config_.stop_at) {
      add(Blocker::kEnded,
          "no allowed time before the campaign stops at " + FormatUtc(*config_.stop_at));
    }
  }
  return e;
}

}  // namespace dozvon
