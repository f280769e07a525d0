// CampaignConfig: everything that decides how a campaign dials, parsed from TOML.
// Every key and its default is documented in docs/campaign.md. An unknown key or a bad value is
// an error naming the file, the line and the key. Pure: parses text handed to it.
#pragma once

#include <date/date.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/campaign/durations.h"
#include "core/campaign/success.h"
#include "core/clock.h"
#include "core/model/attempt.h"
#include "core/status.h"

namespace dozvon {

enum class DialMode { kBroadcast, kPreview, kProgressive, kPower, kPredictive };
std::string_view ToString(DialMode m);

struct WindowConfig {
  std::vector<TimeRange> weekdays{{8 * 60, 21 * 60}};
  std::vector<TimeRange> weekends{{9 * 60, 20 * 60}};
  // Per-day overrides, indexed by weekday (0 = Sunday .. 6 = Saturday); empty optional = use
  // weekdays/weekends. An empty vector means "closed all day".
  std::array<std::optional<std::vector<TimeRange>>, 7> by_day;
  std::vector<int> weekend_days{0, 6};   // Sunday, Saturday
  std::vector<date::sys_days> holidays;  // local dates treated as weekend days
  std::vector<TimeRange> avoid;          // cut out of every day
};

enum class CapCounts { kAttempts, kAnswered };

struct CapsConfig {
  int per_day = 0;  // 0: no cap
  int per_week = 0;
  int per_month = 0;
  CapCounts counts = CapCounts::kAttempts;
};

enum class RetryAction { kAfter, kNextDaypart, kStrike, kDone };

struct RetryRule {
  RetryAction action = RetryAction::kDone;
  Duration after{};
  int max = 0;  // retries allowed for this outcome; 0: bounded only by max_attempts
};

struct Daypart {
  std::string name;
  TimeRange range;
};

struct RetryConfig {
  std::map<Outcome, RetryRule> rules;
  // An answered broadcast call that missed the campaign's success rule.
  RetryRule unsuccessful{RetryAction::kNextDaypart, {}, 0};
  std::vector<Daypart> dayparts;
  // next_daypart never schedules sooner than this after the attempt.
  Duration daypart_min_gap = std::chrono::hours(2);
};

struct DncConfig {
  std::vector<std::string> numbers;   // E.164
  std::vector<std::string> prefixes;  // E.164 prefixes, e.g. "+7800"
  std::vector<std::string> files;     // one number or prefix ("+7800*") per line; loaded by app/
};

// Voice broadcast: what an answered call runs and when it counts as a success.
struct BroadcastConfig {
  std::string scenario;       // scenario file, relative to the campaign file
  std::string trunk;          // trunk name from the server config; "" = the first trunk
  SuccessRule success;        // default: the message heard to the end
  bool record_calls = false;  // keep a stereo recording of every answered call
};

// How an operator ends a call's wrap-up. The flags drive the contact's next state (see
// RetryPolicy): final ends it, dnc strikes it and adds the number to the do-not-call list,
// callback schedules it for the time the operator gives (in the contact's zone), retry_after
// schedules it that long after the call; none of these: the retry rule for answered calls.
// success and contact_made are counted for reports (conversion, right-party contacts).
struct Disposition {
  std::string code;  // [a-z0-9_], unique in the campaign
  std::string label;
  bool success = false;
  bool contact_made = false;
  bool callback = false;
  bool dnc = false;
  bool final = false;
  std::optional<Duration> retry_after;
};

// Operator campaigns (preview, progressive, power, predictive): where calls go and what the
// customer hears when no operator is free.
struct OperatorsConfig {
  std::string trunk;  // trunk name from the server config; "" = the first trunk
  std::string skill;  // only operators with this skill take this campaign's calls; "" = any
  // Played to an answered customer no operator could take within the connect limit, then the
  // call ends (US TSR / Ofcom: the seller's name and a number to call back). Text for TTS, or
  // a WAV file (relative to the campaign file).
  std::string abandon_message;
  std::string abandon_prompt;
  std::string voice = "ru";
  Duration wrapup_timeout = std::chrono::seconds(30);  // then default_disposition applies
  std::string default_disposition = "completed";
  std::string script;  // shown to the operator with the contact's card
  bool record_calls = false;
};

enum class AbandonWindow { kRolling24h, kRolling30d, kSinceStart };

struct PacingConfig {
  std::string pacer;               // "" = by mode
  double max_abandon_rate = 0.03;  // of live answers
  AbandonWindow abandon_window = AbandonWindow::kRolling30d;
  Duration connect_limit = std::chrono::seconds(2);
  double max_lines_per_agent = 3.0;
  double power_ratio = 1.5;
};

struct CampaignConfig {
  std::string name;
  DialMode mode = DialMode::kBroadcast;
  std::vector<std::string> lists;
  std::optional<Instant> start_at;
  std::optional<Instant> stop_at;
  int max_attempts = 5;
  Duration ring_timeout = std::chrono::seconds(30);
  std::string default_timezone;  // "" = a contact without zones cannot be called
  bool new_first = true;
  int max_lines = 0;  // concurrent calls of this campaign; 0 = trunk limits only
  int priority = 0;   // between campaigns sharing trunks; higher first
  WindowConfig window;
  CapsConfig caps;
  RetryConfig retry;
  DncConfig dnc;
  PacingConfig pacing;
  BroadcastConfig broadcast;
  OperatorsConfig operators;
  std::vector<Disposition> dispositions;

  // `source` names the text in messages ("march.toml").
  static Result<CampaignConfig> Parse(std::string_view toml_text, std::string_view source);
  // The built-in defaults with no campaign file (tests).
  static CampaignConfig Defaults();

  const RetryRule& RuleFor(Outcome o) const;
  const Disposition* FindDisposition(std::string_view code) const;
  bool with_operators() const { return mode != DialMode::kBroadcast; }
};

}  // namespace dozvon
