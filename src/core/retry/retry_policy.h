// RetryPolicy: what a call's outcome means for the contact: retry at an instant, done, or
// struck, with a reason a supervisor can read. max_attempts always wins over a retry rule;
// calling windows and caps are applied on top by the eligibility check (the contact's next
// callable instant is never earlier than the retry time).
// Pure; thread-compatible.
#pragma once

#include <optional>
#include <string>

#include "core/campaign/campaign_config.h"
#include "core/model/contact.h"
#include "core/schedule/window.h"

namespace dozvon {

struct RetryInput {
  Outcome outcome = Outcome::kNoAnswer;
  int attempts_made = 1;  // including this one
  int outcome_count = 1;  // attempts of this contact that ended with this outcome, incl. this
  Instant ended_at{};
  std::optional<int> sip_status;
  std::optional<int> q850_cause;
  // An answered call that missed the campaign's success rule: retried by retry.unsuccessful.
  bool unsuccessful = false;
  std::string shortfall;  // why, for the reason text
  // Operator campaigns: the wrap-up's disposition, which decides before the outcome's rule.
  const Disposition* disposition = nullptr;
  std::optional<Instant> callback_at;  // a callback disposition's time (else in an hour)
};

struct RetryDecision {
  ContactState state = ContactState::kScheduled;  // kScheduled, kDone or kStruck
  std::optional<Instant> retry_at;                // set when kScheduled
  std::string reason;
  std::optional<TimeRange> daypart;  // next_daypart: the local range aimed at
};

class RetryPolicy {
 public:
  explicit RetryPolicy(const CampaignConfig& config) : config_(config) {}
  // `zones`: the contact's zones (for next_daypart, read in the first one). Must not be empty.
  RetryDecision Decide(const RetryInput& in, Zones zones) const;

 private:
  Instant NextDaypart(Instant ended, const date::time_zone* zone, const Daypart** part) const;
  const CampaignConfig& config_;
};

}  // namespace dozvon
