// Abandon accounting over the windows regulators use: rolling 24 h (UK Ofcom), rolling 30
// days (US TSR/TCPA), or since the campaign started. An abandoned call is a live answer that
// was not connected to an operator within connect_limit. Kept in hourly buckets in the memo.
#pragma once

#include "core/campaign/campaign_config.h"
#include "core/pacing/snapshot.h"

namespace dozvon {

class AbandonLedger {
 public:
  AbandonLedger(PacerMemo& memo, AbandonWindow window) : memo_(memo), window_(window) {}

  // Records the snapshot's answer and abandon events at time t and drops expired hours.
  void Record(const PacerSnapshot& s);

  struct Totals {
    int64_t answered = 0;
    int64_t abandoned = 0;
    double rate() const { return answered ? static_cast<double>(abandoned) / answered : 0.0; }
  };
  // Over the configured window ending at t.
  Totals Window(double t) const;
  // The current clock hour only.
  Totals Hour(double t) const;
  // Live answers per hour lately: the last three complete hours, or the current one projected.
  double AnswersPerHour(double t) const;

 private:
  static int64_t HourOf(double t) { return static_cast<int64_t>(t / 3600.0); }
  int64_t WindowHours() const;
  PacerMemo& memo_;
  AbandonWindow window_;
};

}  // namespace dozvon
