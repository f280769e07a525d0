#include "core/dialer/after_attempt.h"

namespace dozvon {

NextState AfterAttempt(const EligibilityChecker& checker, const RetryPolicy& policy,
                       const Contact& contact, std::span<const PastAttempt> history,
                       const RetryInput& in) {
  std::vector<const date::time_zone*> zones = checker.ZonesOf(contact);
  NextState out;
  if (zones.empty()) {
    // Nothing to read local time in: the retry rule alone cannot place a next call.
    out.state = ContactState::kDone;
    out.reason = "done: the contact has no time zone";
    return out;
  }
  RetryDecision d = policy.Decide(in, zones);
  out.state = d.state;
  out.reason = d.reason;
  if (d.state != ContactState::kScheduled) return out;
  out.retry_at = d.retry_at;
  out.daypart = d.daypart.has_value();

  Contact after = contact;
  after.state = ContactState::kScheduled;
  after.next_attempt_at = d.retry_at;
  Eligibility e = checker.Check(after, history, in.ended_at);
  if (e.next_at && d.daypart) {
    e.next_at = checker.NextAllowedInDaypart(*d.retry_at, zones, history, *d.daypart);
  }
  out.next_at = e.next_at;
  // Say why the next call is later than the retry rule alone would put it.
  if (e.next_at && d.retry_at && *e.next_at > *d.retry_at) {
    Eligibility later = checker.Check(after, history, *d.retry_at);
    for (const auto& [blocker, why] : later.reasons) {
      if (blocker == Blocker::kCap || blocker == Blocker::kOutsideWindow) {
        out.reason += "; held: " + why;
        break;
      }
    }
  }
  if (!e.next_at) out.reason += "; no allowed time left";
  return out;
}

}  // namespace dozvon
