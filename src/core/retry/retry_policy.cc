#include "core/retry/retry_policy.h"

#include "core/time/tz.h"

namespace dozvon {
namespace {

std::string OutcomeWords(Outcome o) {
  switch (o) {
    case Outcome::kAnswered:
      return "answered";
    case Outcome::kBusy:
      return "busy";
    case Outcome::kNoAnswer:
      return "no answer";
    case Outcome::kInvalidNumber:
      return "invalid number";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kCongestion:
      return "network congestion";
    case Outcome::kAbandoned:
      return "abandoned (no operator was free)";
    case Outcome::kMachine:
      return "answering machine";
    case Outcome::kFailed:
      return "call failed";
    case Outcome::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

std::string SipSuffix(const RetryInput& in) {
  if (!in.sip_status) return "";
  std::string s = " (SIP " + std::to_string(*in.sip_status);
  if (in.q850_cause) s += ", Q.850 cause " + std::to_string(*in.q850_cause);
  return s + ")";
}

int LocalMinutes(Instant t, const date::time_zone* z) {
  auto local = z->to_local(t);
  auto since_midnight = local - std::chrono::floor<date::days>(local);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
}

}  // namespace

Instant RetryPolicy::NextDaypart(Instant ended, const date::time_zone* zone,
                                 const Daypart** part) const {
  const auto& parts = config_.retry.dayparts;
  auto local = zone->to_local(ended);
  date::local_days today = std::chrono::floor<date::days>(local);
  int now_min = LocalMinutes(ended, zone);
  // The daypart the call fell in, or the last one that started before it.
  int cur = -1;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].range.start_min <= now_min) cur = static_cast<int>(i);
  }
  int target = (cur + 1) % static_cast<int>(parts.size());
  // The next occurrence of the target daypart that starts after now: today or tomorrow.
  date::local_days day = (cur + 1 < static_cast<int>(parts.size())) ? today : today + date::days(1);
  const Instant earliest = ended + config_.retry.daypart_min_gap;
  for (int guard = 0; guard < 8; ++guard) {
    const TimeRange& r = parts[target].range;
    auto start_local = date::local_time<Duration>(day) + std::chrono::minutes(r.start_min);
    auto end_local = date::local_time<Duration>(day) + std::chrono::minutes(r.end_min);
    Instant start = zone->to_sys(start_local, date::choose::latest);
    Instant end = zone->to_sys(end_local, date::choose::earliest);
    Instant at = std::max(start, earliest);
    if (at < end) {
      *part = &parts[target];
      return at;
    }
    day += date::days(1);  // the gap pushed past this occurrence: same daypart, next day
  }
  *part = &parts[target];
  return earliest;
}

RetryDecision RetryPolicy::Decide(const RetryInput& in, Zones zones) const {
  RetryDecision d;
  if (const Disposition* disp = in.disposition) {
    const std::string what = "disposition " + disp->code;
    if (disp->dnc) {
      d.state = ContactState::kStruck;
      d.reason = "struck: " + what + " (do not call)";
      return d;
    }
    if (disp->final) {
      d.state = ContactState::kDone;
      d.reason = "done: " + what;
      return d;
    }
    if (disp->callback || disp->retry_after) {
      if (in.attempts_made >= config_.max_attempts) {
        d.state = ContactState::kDone;
        d.reason = "done: " + what + ", but " + std::to_string(in.attempts_made) +
                   " attempts reached max_attempts";
        return d;
      }
      d.state = ContactState::kScheduled;
      if (disp->callback) {
        d.retry_at = in.callback_at ? *in.callback_at : in.ended_at + std::chrono::hours(1);
        d.reason = what + ": call back at " + FormatLocal(*d.retry_at, zones.front());
      } else {
        d.retry_at = in.ended_at + *disp->retry_after;
        d.reason = what + "; retry in " + FormatDuration(*disp->retry_after);
      }
      return d;
    }
  }
  const bool unsuccessful = in.unsuccessful && in.outcome == Outcome::kAnswered;
  const RetryRule& rule = unsuccessful ? config_.retry.unsuccessful : config_.RuleFor(in.outcome);
  const std::string what = unsuccessful ? "answered, " + in.shortfall : OutcomeWords(in.outcome);
  switch (rule.action) {
    case RetryAction::kStrike:
      d.state = ContactState::kStruck;
      d.reason = "struck: " + what + SipSuffix(in);
      return d;
    case RetryAction::kDone:
      d.state = ContactState::kDone;
      d.reason = "done: " + what;
      return d;
    default:
      break;
  }
  if (in.attempts_made >= config_.max_attempts) {
    d.state = ContactState::kDone;
    bool unanswered = in.outcome == Outcome::kNoAnswer || in.outcome == Outcome::kMachine;
    d.reason = "done: " + std::to_string(in.attempts_made) + " attempts" +
               (unanswered ? " without answer" : ", the last " + what);
    return d;
  }
  if (rule.max > 0 && in.outcome_count > rule.max) {
    d.state = ContactState::kDone;
    d.reason = "done: " + what + " " + std::to_string(in.outcome_count) + " times (max " +
               std::to_string(rule.max) + " retries)";
    return d;
  }
  d.state = ContactState::kScheduled;
  if (rule.action == RetryAction::kAfter) {
    d.retry_at = in.ended_at + rule.after;
    d.reason = what + "; retry in " + FormatDuration(rule.after);
    return d;
  }
  const date::time_zone* zone = zones.front();
  const Daypart* part = nullptr;
  d.retry_at = NextDaypart(in.ended_at, zone, &part);
  d.daypart = part->range;
  d.reason = what + " at " + FormatMinutes(LocalMinutes(in.ended_at, zone)) + "; next try in the " +
             part->name;
  return d;
}

}  // namespace dozvon
