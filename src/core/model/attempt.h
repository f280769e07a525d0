// One call attempt and its outcome. The attempt row is written before the INVITE leaves and
// completed when the call ends; every report and rule reads these facts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace dozvon {

// The business meaning of how a call ended. SIP codes become outcomes in exactly one place
// (the telephony mapping table); everything else speaks in outcomes.
enum class Outcome {
  kAnswered,
  kBusy,
  kNoAnswer,
  kInvalidNumber,
  kRejected,
  kCongestion,
  kAbandoned,
  kMachine,
  kFailed,
  kInterrupted,  // the engine stopped or crashed while the attempt was open
};

std::string_view ToString(Outcome o);
std::optional<Outcome> OutcomeFromString(std::string_view s);

struct Attempt {
  int64_t id = 0;
  int64_t contact_id = 0;
  int64_t campaign_id = 0;
  int attempt_no = 0;
  std::string phone_e164;
  Instant created_at{};
  std::optional<Instant> dialed_at;
  std::optional<Instant> answered_at;
  std::optional<Instant> ended_at;
  std::optional<Outcome> outcome;  // empty while the attempt is open
  std::optional<int> sip_status;
  std::optional<int> q850_cause;
  std::string reason;
};

}  // namespace dozvon
