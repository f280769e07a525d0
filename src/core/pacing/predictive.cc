#include "core/pacing/predictive.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/pacing/abandon_ledger.h"

namespace dozvon {
namespace {

double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double phi(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI); }

// E[max(X, 0)] for X ~ Normal(m, v).
double ExpectedPositive(double m, double v) {
  if (v < 1e-12) return std::max(m, 0.0);
  double sd = std::sqrt(v);
  double z = m / sd;
  return sd * phi(z) + m * Phi(z);
}

struct LogNormal {
  double mu = 0, sig = 1;
  static LogNormal Fit(double mean, double sd) {
    mean = std::max(mean, 1e-3);
    double cv = std::max(sd / mean, 0.05);
    double s2 = std::log(1.0 + cv * cv);
    return {std::log(mean) - s2 / 2.0, std::sqrt(s2)};
  }
  double Cdf(double x) const { return x <= 0 ? 0.0 : Phi((std::log(x) - mu) / sig); }
  // P(X <= e + h | X > e).
  double CondDone(double e, double h) const {
    if (h <= 0) return 0.0;
    double fe = Cdf(e);
    if (fe >= 1.0 - 1e-12) return 1.0;
    return (Cdf(e + h) - fe) / (1.0 - fe);
  }
};

// The exact distribution of (answers needing an operator by x) - (operators free by x +
// connect_limit), one per look-ahead slot: every ringing call and every busy operator is its
// own Bernoulli, so for a small team the tails that abandons live in are not smoothed away
// by a normal approximation (a few lines at p = 0.15 are far from normal). AddCall() adds one
// new dial to every slot, so the pacer's n = 1, 2, ... search costs one pass per step.
class ExactShortfall {
 public:
  // `constant` per slot: queued - idle, the certain part.
  void AddSlot(const std::vector<double>& demand, const std::vector<double>& supply,
               double constant, double f_new) {
    std::vector<double> pmf{1.0};
    for (double q : demand) Convolve(&pmf, q, +1);
    for (double q : supply) Convolve(&pmf, q, -1);
    slots_.push_back({std::move(pmf), constant - static_cast<double>(supply.size()), f_new});
  }
  void AddCall() {
    for (Slot& sl : slots_) Convolve(&sl.pmf, sl.f_new, +1);
  }
  // max over slots of E[max(X, 0)].
  double Worst() const {
    double worst = 0;
    for (const Slot& sl : slots_) {
      double e = 0;
      for (size_t i = 0; i < sl.pmf.size(); ++i) {
        double v = sl.base + static_cast<double>(i);
        if (v > 0) e += sl.pmf[i] * v;
      }
      worst = std::max(worst, e);
    }
    return worst;
  }

 private:
  struct Slot {
    std::vector<double> pmf;  // pmf[i]: P(X = base + i)
    double base;
    double f_new;
  };
  // Adds a Bernoulli(q) term worth +1 (demand) or -1 (supply, which also lowers the base:
  // index i then stands for one less, so a -1 is an index that does not move).
  static void Convolve(std::vector<double>* pmf, double q, int sign) {
    std::vector<double>& p = *pmf;
    p.push_back(0.0);
    for (size_t i = p.size() - 1; i > 0; --i) {
      p[i] = sign > 0 ? p[i] * (1 - q) + p[i - 1] * q : p[i] * q + p[i - 1] * (1 - q);
    }
    p[0] *= sign > 0 ? (1 - q) : q;
  }
  std::vector<Slot> slots_;
};

// Above this many Bernoulli terms (calls in flight, busy operators and new lines) the normal
// approximation is close and the exact sums would cost too much per tick.
constexpr size_t kExactTerms = 160;

}  // namespace

double AbandonAim(double target, int64_t answered) {
  // The smaller root of (target - aim)^2 = z^2 * aim * (1 - aim) / n. The binomial error is
  // taken at the rate aimed at, not at the target: at the target's it left 0.2 points more
  // margin than 95% needs on a 5-operator team's 560 answers in 8 hours.
  const double zz = 1.645 * 1.645 / static_cast<double>(std::max<int64_t>(answered, 1));
  const double aim =
      (2 * target + zz - std::sqrt(zz * zz + 4 * zz * target * (1 - target))) / (2 * (1 + zz));
  return std::max(aim, 0.5 * target);
}

PacerDecision PredictivePacer::Decide(const PacerSnapshot& s, PacerMemo& memo) const {
  PacerDecision d;
  if (s.n_agents <= 0) {
    d.mode = "no operators";
    return d;
  }
  AbandonLedger ledger(memo, o_.window);
  ledger.Record(s);
  const int in_flight = static_cast<int>(s.ringing_elapsed.size()) + s.queued;
  const int room =
      std::max(0, static_cast<int>(std::floor(o_.max_lines_per_agent * s.n_agents)) - in_flight);
  const int floor_lines = std::min(ProgressiveLines(s), room);
  const PacerStats& st = s.stats;
  if (!st.answer_rate || *st.answer_rate <= 0 || !st.mean_ring || !st.mean_talk ||
      st.n_ring < o_.min_observations || st.n_talk < o_.min_observations) {
    d.dial = floor_lines;
    d.mode = "progressive (learning)";
    return d;
  }

  // Budget: the window may hold abandons up to `aim` of its answers, where aim sits under the
  // target by the one-sided 95% binomial error of the answers seen so far (the margin shrinks
  // as evidence grows). Spend what is left, or repay an overshoot, over about the next hour of
  // answers, so one early burst neither freezes dialing for hours nor is ignored.
  const double target = o_.target_abandon;
  AbandonLedger::Totals win = ledger.Window(s.t);
  const double aim = AbandonAim(target, win.answered);
  double per_hour = ledger.AnswersPerHour(s.t);
  double slack = aim * static_cast<double>(win.answered) - static_cast<double>(win.abandoned);
  // The model's bias is removed by a slow integral term (gain): every 5 minutes it moves a
  // few percent towards making the realized window rate meet the aim.
  if (s.t - memo.last_adjust >= 300.0) {
    memo.last_adjust = s.t;
    if (win.answered >= 100) {
      double r = win.rate();
      if (r > aim) {
        memo.gain *= 0.95;
      } else if (r < 0.9 * aim) {
        memo.gain *= 1.03;
      }
      memo.gain = std::clamp(memo.gain, 0.2, 3.0);
    }
  }
  double cap =
      memo.gain * std::clamp(aim + slack / std::max(per_hour, 10.0), 0.1 * target, 2.0 * target);
  // Keep the worst clock hour sane: project this hour's answers from its elapsed share and
  // hold back as its abandons approach the hourly guard.
  AbandonLedger::Totals hour = ledger.Hour(s.t);
  if (hour.abandoned > 0) {
    double into_hour = std::max(std::fmod(s.t, 3600.0) / 3600.0, 0.25);
    double projected = std::max<double>(hour.answered, hour.answered / into_hour);
    double allowed = o_.worst_hour_guard * projected;
    // One more abandon must still fit: small teams have few answers an hour, so a single
    // abandon moves the hour's rate by a point or more.
    if (hour.abandoned + 1 > 0.9 * allowed) {
      cap = 0;
    } else if (hour.abandoned + 1 > 0.6 * allowed) {
      cap *= 0.5;
    }
  }
  d.cap = cap;

  const double p = std::clamp(*st.answer_rate, 1e-3, 1.0);
  const LogNormal ring = LogNormal::Fit(*st.mean_ring, st.sd_ring.value_or(0.5 * *st.mean_ring));
  const LogNormal talk = LogNormal::Fit(*st.mean_talk, st.sd_talk.value_or(*st.mean_talk));
  const double mw = st.mean_wrap.value_or(0.0);
  const LogNormal wrap = LogNormal::Fit(std::max(mw, 1e-3), st.sd_wrap.value_or(0.5 * mw));
  const double cl = s.connect_limit;
  const double to = s.no_answer_timeout;
  const int slots = static_cast<int>(std::ceil(to)) + 1;  // answers happen at x in [0, to]

  // Supply by y (y = x + connect_limit), mean and variance.
  const bool exact = s.ringing_elapsed.size() + s.talk_elapsed.size() + s.wrap_elapsed.size() +
                         static_cast<size_t>(room) <=
                     kExactTerms;
  std::vector<double> s_mean(slots), s_var(slots);
  std::vector<std::vector<double>> s_q(exact ? slots : 0), d_q(exact ? slots : 0);
  for (int k = 0; k < slots; ++k) {
    double y = k + cl;
    double m = s.idle, v = 0;
    auto add = [&](double q) {
      m += q;
      v += q * (1 - q);
      if (exact) s_q[k].push_back(q);
    };
    for (double e : s.talk_elapsed) add(talk.CondDone(e, y - mw));
    if (mw > 0) {
      for (double e : s.wrap_elapsed) add(wrap.CondDone(e, y));
    } else {
      m += static_cast<double>(s.wrap_elapsed.size());
    }
    s_mean[k] = m;
    s_var[k] = v;
  }
  // Demand by x from calls already in flight.
  std::vector<double> d_mean(slots), d_var(slots), f_new(slots);
  for (int k = 0; k < slots; ++k) {
    double x = k;
    double m = s.queued, v = 0;
    for (double r : s.ringing_elapsed) {
      if (r >= to) continue;
      double fr = ring.Cdf(r);
      double alive = p * (1 - fr) + (1 - p);
      double q = p * (ring.Cdf(std::min(r + x, to)) - fr) / alive;
      m += q;
      v += q * (1 - q);
      if (exact) d_q[k].push_back(q);
    }
    d_mean[k] = m;
    d_var[k] = v;
    f_new[k] = p * ring.Cdf(std::min(x, to));
  }
  auto answers = [&](int n) { return d_mean[slots - 1] + n * f_new[slots - 1]; };
  auto ratio = [&](int n) {
    double worst = 0;
    for (int k = 0; k < slots; ++k) {
      double m = d_mean[k] + n * f_new[k] - s_mean[k];
      double v = d_var[k] + n * f_new[k] * (1 - f_new[k]) + s_var[k];
      worst = std::max(worst, ExpectedPositive(m, v));
    }
    return answers(n) > 0 ? worst / answers(n) : 0.0;
  };
  int n = 0;
  if (exact) {
    ExactShortfall x;
    for (int k = 0; k < slots; ++k) {
      // Operators in a wrap-up of unknown length (no mean yet) count as free, as above.
      const double certain = s.idle + (mw > 0 ? 0.0 : static_cast<double>(s.wrap_elapsed.size()));
      x.AddSlot(d_q[k], s_q[k], s.queued - certain, f_new[k]);
    }
    int added = 0;
    auto exact_ratio = [&] { return answers(added) > 0 ? x.Worst() / answers(added) : 0.0; };
    double at_n = exact_ratio();
    while (n < room) {  // the same search as below, a line at a time
      x.AddCall();
      ++added;
      double r = exact_ratio();
      if (r > cap) break;
      n = added;
      at_n = r;
    }
    d.dial = std::max(n, floor_lines);
    while (added < d.dial) {
      x.AddCall();
      ++added;
    }
    d.expected_abandon = d.dial == n ? at_n : exact_ratio();
  } else {
    while (n < room && ratio(n + 1) <= cap) ++n;
    d.dial = std::max(n, floor_lines);
    d.expected_abandon = ratio(d.dial);
  }
  d.mode = n >= floor_lines ? "predictive" : "progressive (cap)";
  return d;
}

}  // namespace dozvon
