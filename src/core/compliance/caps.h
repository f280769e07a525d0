// Frequency caps per contact over calendar periods in the contact's local time: the day, the
// ISO week (Monday to Sunday) and the month. With several candidate zones a cap must hold in
// each of them (the periods differ by zone), and it lifts when it has lifted in all of them.
// Pure; thread-compatible.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/campaign/campaign_config.h"
#include "core/schedule/window.h"

namespace dozvon {

// One earlier attempt of the contact, from any campaign: caps are per person, not per campaign.
struct PastAttempt {
  Instant at;
  bool answered = false;
};

enum class CapPeriod { kDay, kWeek, kMonth };
std::string_view ToString(CapPeriod p);

struct CapVerdict {
  bool allowed = true;
  std::optional<CapPeriod> period;  // the binding cap when not allowed
  std::string reason;               // "cap: 2 attempts this week (max 2)"
  Instant lifts_at{};               // when not allowed: start of the next period, all zones
};

CapVerdict CheckCaps(const CapsConfig& caps, std::span<const PastAttempt> history, Instant t,
                     Zones zones);

}  // namespace dozvon
