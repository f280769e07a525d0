// AfterAttempt: the contact's next state once an attempt has ended: the retry policy's decision,
// then pushed forward by calling windows and caps (with the daypart kept when a no-answer retry
// moves to another day), with a reason a supervisor can read. Shared by the engine, the replay
// and start-up recovery, so a contact moves the same way everywhere. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/retry/retry_policy.h"
#include "core/schedule/eligibility.h"

namespace dozvon {

struct NextState {
  ContactState state = ContactState::kScheduled;
  std::optional<Instant> next_at;   // kScheduled: the first instant windows and caps allow
  std::optional<Instant> retry_at;  // kScheduled: what the retry rule alone asked for
  bool daypart = false;             // the rule aimed at a daypart (next_at is inside it)
  std::string reason;
};

// `contact`: as stored after the attempt was opened (attempts includes this one). `history`:
// every attempt of the contact including this one. `in.ended_at` is when it ended.
NextState AfterAttempt(const EligibilityChecker& checker, const RetryPolicy& policy,
                       const Contact& contact, std::span<const PastAttempt> history,
                       const RetryInput& in);

}  // namespace dozvon
