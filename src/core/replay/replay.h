// Replay: the real core rules (eligibility, windows, caps, retry policy) driven on a virtual
// clock with scripted call outcomes and no telephony. `dozvon simulate --outcomes` uses it to
// show, attempt by attempt, what a campaign would do with a list; tests use it to check the
// rules hold over thousands of contacts. Pure: contacts and outcomes in, attempt rows out.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/campaign/campaign_config.h"
#include "core/compliance/dnc.h"
#include "core/model/contact.h"
#include "core/schedule/window.h"

namespace dozvon {

struct ScriptedOutcome {
  Outcome outcome = Outcome::kNoAnswer;
  Duration ring{};
  Duration talk{};
};

// (E.164 phone, attempt number) -> what happens on that attempt. A missing entry: no answer,
// ringing until the campaign's ring timeout.
using OutcomeScript = std::map<std::pair<std::string, int>, ScriptedOutcome>;

struct ReplayAttempt {
  int64_t attempt_id = 0;
  int64_t contact_id = 0;
  std::string phone;
  int attempt_no = 0;
  Instant started{};
  const date::time_zone* zone = nullptr;  // first candidate zone (local_time is shown in it)
  std::string zones;                      // all candidate zones, space-separated
  Outcome outcome = Outcome::kNoAnswer;
  std::optional<Instant> next_attempt;  // next instant the contact may be called
  ContactState contact_state = ContactState::kScheduled;
  std::string reason;
};

struct ReplayOptions {
  int lines = 10;                // calls in progress at once
  std::optional<Instant> start;  // default: the campaign's start_at
  std::optional<Instant> stop;   // default: the campaign's stop_at, else start + 366 days
};

struct ReplaySummary {
  int64_t attempts = 0;
  std::map<Outcome, int64_t> by_outcome;
  std::map<ContactState, int64_t> contacts_by_state;
  Instant started{};
  Instant finished{};          // when the last call ended (or the stop time)
  bool stopped_early = false;  // stop time reached with contacts still to call
};

class Replay {
 public:
  Replay(const CampaignConfig& config, const DncList* dnc, ReplayOptions options);
  // Runs until every contact is done, struck or never callable again, or until the stop time.
  // `contacts` are updated in place; `on_attempt` receives each attempt when it ends.
  Result<ReplaySummary> Run(std::vector<Contact>& contacts, const OutcomeScript& script,
                            const std::function<void(const ReplayAttempt&)>& on_attempt);

 private:
  const CampaignConfig& config_;
  const DncList* dnc_;
  ReplayOptions options_;
};

}  // namespace dozvon
