// The single place where SIP final responses become business outcomes, following the
// Asterisk/Q.850 convention (../shared/design/TELEPHONY.md). A `Reason: Q.850;cause=N` header
// from the trunk wins over the status code when the cause is one we understand.
#pragma once

#include <optional>
#include <string_view>

#include "core/model/attempt.h"

namespace dozvon {

struct SipOutcome {
  Outcome outcome;
  std::optional<int> q850_cause;  // as sent, or the cause the status code implies
};

// `status`: the final response (200..699). `q850_cause`: from a Reason header, if any.
// `our_ring_timeout`: we sent CANCEL because the ring timeout expired (then 487 = no answer;
// a 487 after a CANCEL for any other reason is an interrupted call).
SipOutcome OutcomeFromSip(int status, std::optional<int> q850_cause, bool our_ring_timeout);

// "Q.850;cause=17;text=\"User busy\"" -> 17. Other protocols (SIP;cause=...) or junk: nullopt.
std::optional<int> ParseQ850Reason(std::string_view reason_header);

}  // namespace dozvon
