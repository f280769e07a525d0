// One call attempt and its outcome. The attempt row is written before the INVITE leaves and
// completed when the call ends; every report and rule reads these facts.
#pragma once

#include <cstdint>
#include <map>
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

// What an answered call produced beyond its SIP outcome (broadcast scenarios, operators).
struct CallDetails {
  std::optional<bool> success;       // the campaign's success rule, for answered calls
  std::optional<bool> heard_to_end;  // the message played to its end
  std::optional<int64_t> heard_ms;   // of the message, played before a hang-up
  std::optional<int64_t> message_ms;
  std::string dtmf;                         // keys pressed, in order
  std::map<std::string, std::string> vars;  // scenario result variables
  std::string recording;                    // path of a recording, or ""
  std::string hangup_by;                    // "us", "them" or ""
  // Operator campaigns.
  std::string agent;                  // the operator the customer was bridged to
  std::optional<int64_t> connect_ms;  // customer's 200 OK to the operator's first audio
  std::string disposition;            // the wrap-up code
  std::optional<Instant> callback_at;
};

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
  CallDetails details;
};

}  // namespace dozvon
