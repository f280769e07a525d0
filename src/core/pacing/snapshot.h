// What a pacer sees each tick and what it returns: the typed form of the JSON-lines pacer
// protocol (../shared/specs/pacer-protocol.md). The engine fills a PacerSnapshot from live
// state; `dozvon pace` fills it from JSON. All times are seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dozvon {

struct PacerStats {
  std::optional<double> answer_rate;  // from resolved dial cohorts
  int64_t n_outcomes = 0;
  std::optional<double> mean_ring, sd_ring;
  int64_t n_ring = 0;
  std::optional<double> mean_talk, sd_talk;
  int64_t n_talk = 0;
  std::optional<double> mean_wrap, sd_wrap;
  int64_t n_wrap = 0;
  int64_t dials = 0, answered = 0, connected = 0, abandoned = 0;
};

enum class PacerEventType { kAnswer, kFail, kAbandon, kTalkEnd, kWrapEnd };

struct PacerEvent {
  PacerEventType type;
  double value = 0;  // ring / after / talk / wrap seconds
};

struct PacerSnapshot {
  double t = 0;
  int n_agents = 0;
  int idle = 0;
  std::vector<double> idle_elapsed;
  std::vector<double> talk_elapsed;
  std::vector<double> wrap_elapsed;
  std::vector<double> ringing_elapsed;
  int queued = 0;
  std::vector<double> queued_elapsed;
  double connect_limit = 2;
  double no_answer_timeout = 20;
  double tick = 1;
  PacerStats stats;
  std::vector<PacerEvent> events;
};

// Live answers and abandons per clock hour since the campaign started, for the abandon-rate
// windows. Sparse: only hours with activity, oldest first.
struct HourBucket {
  int64_t hour = 0;
  int64_t answered = 0;
  int64_t abandoned = 0;
};

// State a pacer keeps between ticks. Travels as the protocol's `memo`.
struct PacerMemo {
  double gain = 1.0;           // multiplier on the abandon target, set by feedback
  double last_adjust = -1e18;  // t of the last feedback step
  std::vector<HourBucket> hours;
};

struct PacerDecision {
  int dial = 0;
  double expected_abandon = 0;  // expected abandon ratio of the lines in flight after dialling
  double cap = 0;               // the ratio the decision was held to
  std::string mode;             // "progressive" while learning, "predictive", "hold", ...
};

}  // namespace dozvon
