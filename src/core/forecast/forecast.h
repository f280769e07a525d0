// Campaign forecasting: the real core (pacer, retry rules, windows, caps) on a virtual clock
// with stochastic call outcomes, operators who take breaks, and answering machines. It answers
// "how long will this list take with A operators, and what will it look like": days to finish,
// contacts reached, occupancy, abandon rate, calls per operator-hour. Pure and deterministic for
// a seed; no telephony.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/campaign/campaign_config.h"
#include "core/model/contact.h"

namespace dozvon {

struct ForecastProfile {
  double answer_rate = 0.3;    // share of dials a live person answers
  double machine_rate = 0.05;  // share of dials an answering machine answers
  double busy_rate = 0.08;
  double invalid_rate = 0.03;
  double ring_mean = 10, ring_cv = 0.5;  // seconds to answer
  double talk_mean = 90, talk_cv = 1.0;
  double wrap_mean = 15, wrap_cv = 0.5;
  double break_every = 7200;  // an operator's break after this much logged-in time (0: none)
  double break_length = 900;

  // "answer_rate=0.3,talk_mean=90,wrap_mean=15,ring_mean=10"; unknown keys and bad values are
  // errors naming the key.
  static Result<ForecastProfile> Parse(std::string_view text);
};

struct ForecastOptions {
  int64_t contacts = 1000;
  int agents = 10;  // operators (or lines, for a broadcast campaign)
  uint64_t seed = 1;
  std::string pacer;  // "" = by the campaign's mode
  int max_days = 90;
};

// One local calendar day of a forecast (in the contacts' zone): what a planner staffs by.
struct ForecastDay {
  std::string date;     // "2026-03-02", local
  std::string weekday;  // "Mon"
  int64_t dials = 0, live_answers = 0, connected = 0, abandoned = 0;
  double talk_seconds = 0, logged_seconds = 0;
  int64_t contacts_left = 0;  // not yet done or struck at the day's end (or the forecast's)
  double occupancy() const { return logged_seconds > 0 ? talk_seconds / logged_seconds : 0; }
  double abandon_rate() const { return live_answers ? double(abandoned) / live_answers : 0; }
};

struct ForecastResult {
  Instant started{}, finished{};
  std::string zone;  // where the synthetic contacts live: default_timezone, else Europe/Moscow
  bool finished_list = false;  // every contact done or struck
  int64_t dials = 0, live_answers = 0, connected = 0, abandoned = 0, machines = 0;
  int64_t contacts_reached = 0;
  double talk_seconds = 0, logged_seconds = 0;
  std::map<Outcome, int64_t> by_outcome;
  std::map<ContactState, int64_t> contacts_by_state;
  // Every local day from the start to the last call, in order, including days nothing was
  // dialled (a weekend, or retries not yet due).
  std::vector<ForecastDay> by_day;
  double days() const;
  double occupancy() const { return logged_seconds > 0 ? talk_seconds / logged_seconds : 0; }
  double abandon_rate() const { return live_answers ? double(abandoned) / live_answers : 0; }
  double calls_per_operator_hour() const {
    return logged_seconds > 0 ? connected / (logged_seconds / 3600.0) : 0;
  }
};

Result<ForecastResult> RunForecast(const CampaignConfig& config, const ForecastOptions& options,
                                   const ForecastProfile& profile);

}  // namespace dozvon
