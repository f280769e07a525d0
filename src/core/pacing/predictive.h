// The predictive pacer.
//
// Each tick it looks ahead over the next no_answer_timeout + connect_limit seconds in 1-second
// slots. For every slot x it estimates, with means and variances:
//   supply S(x): operators free by x = idle now + talking/wrapping operators whose remaining
//                talk + wrap (conditional on time already spent, lognormal fits of the observed
//                distributions) ends by x;
//   demand D(x): answered calls needing an operator by x = waiting now + ringing calls that
//                answer by x (conditional on ringing so far: p * dF / (p * (1-F) + 1 - p)) +
//                n new calls * p * F_ring(x).
// A call answered at x can take an operator freed up to x + connect_limit, so the expected
// abandons are max_x E[(D(x) - S(x + connect_limit))+]: from the exact distribution of the
// Bernoulli terms while there are few (a small team), else a normal approximation. It dials the
// largest n whose expected abandons stay within cap * expected answers in the horizon.
//   - p is the answer rate of resolved dial cohorts (never of whichever calls ended first).
//   - cap = target * gain; gain follows the realized abandon rate over the configured window,
//     aiming below the target by a margin that shrinks as answers accumulate (binomial error),
//     and tightens when the current clock hour runs hot.
//   - Progressive until min_observations answers and talks are seen; never dials with no
//     operator logged in; never more than max_lines_per_agent lines per logged-in operator.
#pragma once

#include <cstdint>

#include "core/pacing/pacer.h"

namespace dozvon {

// The abandon rate to aim at over a window of `answered` live answers: the highest `aim` whose
// realized rate, a binomial count at that rate, stays at or under `target` with 95% confidence
// (aim + 1.645 * sqrt(aim * (1 - aim) / answered) = target), and never under target / 2.
double AbandonAim(double target, int64_t answered);

class PredictivePacer final : public Pacer {
 public:
  explicit PredictivePacer(PacerOptions o) : o_(o) {}
  std::string_view name() const override { return "predictive"; }
  PacerDecision Decide(const PacerSnapshot& s, PacerMemo& memo) const override;

 private:
  PacerOptions o_;
};

}  // namespace dozvon
