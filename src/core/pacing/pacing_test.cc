#include <gtest/gtest.h>

#include <cmath>

#include "core/pacing/abandon_ledger.h"
#include "core/pacing/pacer.h"
#include "core/pacing/predictive.h"

namespace dozvon {
namespace {

// Enough history to predict: the answer rate and ring time given, talks of 60 +- 60 s and
// wrap-ups of 10 +- 5 s.
PacerStats Learned(double answer_rate, double mean_ring, double sd_ring) {
  PacerStats st;
  st.answer_rate = answer_rate;
  st.n_outcomes = 400;
  st.mean_ring = mean_ring;
  st.sd_ring = sd_ring;
  st.n_ring = 200;
  st.mean_talk = 60;
  st.sd_talk = 60;
  st.n_talk = 200;
  st.mean_wrap = 10;
  st.sd_wrap = 5;
  st.n_wrap = 200;
  return st;
}

// A mid-shift snapshot with enough history to predict: 20 operators, 4 idle, 12 talking,
// 4 in wrap-up, 6 lines ringing, answer rate 0.3.
PacerSnapshot Busy() {
  PacerSnapshot s;
  s.t = 3 * 3600;
  s.n_agents = 20;
  s.idle = 4;
  s.idle_elapsed = {1, 2, 3, 4};
  s.talk_elapsed = {5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120};
  s.wrap_elapsed = {1, 3, 5, 7};
  s.ringing_elapsed = {1, 2, 4, 6, 8, 12};
  s.stats = Learned(0.3, 10, 5);
  return s;
}

std::unique_ptr<Pacer> Make(const std::string& name, PacerOptions o = {}) {
  auto p = MakePacer(name, o);
  EXPECT_TRUE(p.ok());
  return std::move(p).value();
}

TEST(Pacing, NoDialsWithZeroOperators) {
  PacerSnapshot s = Busy();
  s.n_agents = 0;
  s.idle = 3;  // inconsistent input must not make anyone dial
  for (const char* name : {"preview", "progressive", "power", "predictive"}) {
    PacerMemo memo;
    EXPECT_EQ(Make(name)->Decide(s, memo).dial, 0) << name;
  }
}

TEST(Pacing, ProgressiveIsOneLinePerIdleOperator) {
  PacerSnapshot s = Busy();
  PacerMemo memo;
  s.ringing_elapsed = {1};
  s.queued = 1;
  EXPECT_EQ(Make("progressive")->Decide(s, memo).dial, 2);  // 4 idle - 1 ringing - 1 queued
  EXPECT_EQ(Make("preview")->Decide(s, memo).dial, 0);
}

TEST(Pacing, PredictiveLearnsProgressivelyFirst) {
  PacerSnapshot s = Busy();
  s.stats.n_ring = 5;
  s.stats.n_talk = 5;
  PacerMemo memo;
  PacerDecision d = Make("predictive")->Decide(s, memo);
  EXPECT_EQ(d.dial, ProgressiveLines(s));
  EXPECT_EQ(d.mode, "progressive (learning)");
}

TEST(Pacing, PredictiveDialsAboveTheProgressiveFloorWhenItIsSafe) {
  PacerSnapshot s = Busy();
  PacerMemo memo;
  PacerDecision d = Make("predictive")->Decide(s, memo);
  EXPECT_GT(d.dial, ProgressiveLines(s)) << "with 16 operators finishing soon it should overdial";
  EXPECT_LE(d.expected_abandon, d.cap);
}

// A small team is judged on the exact distribution of answers, not a normal approximation:
// two idle operators, nothing else in flight, rings that all end well inside the look-ahead
// (cv 0.05), so n new lines at p = 0.15 bring Binomial(n, 0.15) answers and the expected
// abandons are E[(B - 2)+] = 0.15n - 2 + 2 P(B = 0) + P(B = 1). The pacer must dial the largest n
// whose ratio to the expected answers stays within its cap, and report that ratio.
TEST(Pacing, SmallTeamsAreJudgedOnTheExactAnswerDistribution) {
  PacerSnapshot s;
  s.t = 3600;
  s.n_agents = 2;
  s.idle = 2;
  s.idle_elapsed = {1, 1};
  s.stats = Learned(0.15, 5, 0.25);
  PacerOptions o;
  o.max_lines_per_agent = 10;
  PacerMemo memo;
  PacerDecision d = Make("predictive", o)->Decide(s, memo);
  auto ratio = [](int n) {
    const double p = 0.15;
    double p0 = std::pow(1 - p, n), p1 = n * p * std::pow(1 - p, n - 1);
    return (n * p - 2 + 2 * p0 + p1) / (n * p);
  };
  ASSERT_GT(d.cap, 0);
  int want = 0;
  while (want < 20 && ratio(want + 1) <= d.cap) ++want;
  EXPECT_GT(want, 2) << "above one line per idle operator";
  EXPECT_EQ(d.dial, want) << "cap " << d.cap;
  EXPECT_NEAR(d.expected_abandon, ratio(want), 1e-6);
  EXPECT_EQ(d.mode, "predictive");
}

TEST(Pacing, ProgressiveFloorHoldsWhenTheCapIsExhausted) {
  PacerSnapshot s = Busy();
  s.ringing_elapsed.clear();
  PacerMemo memo;
  // This hour already has 20 abandons out of 100 answers: far over the hourly guard.
  memo.hours.push_back({static_cast<int64_t>(s.t / 3600), 100, 20});
  PacerDecision d = Make("predictive")->Decide(s, memo);
  EXPECT_EQ(d.cap, 0);
  EXPECT_EQ(d.dial, ProgressiveLines(s)) << "falls back to progressive, never below it";
}

TEST(Pacing, TheHourlyGuardIsAnOption) {
  PacerSnapshot s = Busy();
  s.ringing_elapsed.clear();
  // Half-way through the hour: 100 answers, 4 abandons. Projected to 200 answers, one more
  // abandon is 2.5%: past 90% of a 2% guard, within 60% of a 10% one.
  s.t = 3 * 3600 + 1800;
  auto decide = [&](double guard) {
    PacerOptions o;
    o.worst_hour_guard = guard;
    PacerMemo memo;
    memo.hours.push_back({0, 2000, 40});
    memo.hours.push_back({3, 100, 4});
    return Make("predictive", o)->Decide(s, memo);
  };
  EXPECT_EQ(decide(0.02).cap, 0) << "a 2% guard stops overdialling";
  PacerDecision loose = decide(0.10);
  EXPECT_GT(loose.cap, 0) << "a 10% guard leaves the cap alone";
  EXPECT_GT(loose.dial, decide(0.02).dial);
}

TEST(Pacing, BacksOffAfterABurstOfAbandons) {
  auto pacer = Make("predictive");
  PacerSnapshot s = Busy();
  PacerMemo calm;
  calm.hours.push_back({0, 2000, 20});  // 1% so far
  PacerDecision before = pacer->Decide(s, calm);
  PacerMemo burst = calm;
  burst.last_adjust = -1e18;
  for (int i = 0; i < 60; ++i) s.events.push_back({PacerEventType::kAbandon, 0});
  for (int i = 0; i < 100; ++i) s.events.push_back({PacerEventType::kAnswer, 10});
  PacerDecision after = pacer->Decide(s, burst);
  EXPECT_LT(after.cap, before.cap);
  EXPECT_LT(after.dial, before.dial);
}

TEST(Pacing, NeverExceedsMaxLinesPerAgent) {
  PacerOptions o;
  o.max_lines_per_agent = 1.5;
  PacerSnapshot s = Busy();
  s.stats.answer_rate = 0.02;  // a cold list tempts a pacer to dial a lot
  s.ringing_elapsed.assign(28, 1.0);
  for (const char* name : {"power", "predictive"}) {
    PacerMemo memo;
    PacerDecision d = Make(name, o)->Decide(s, memo);
    EXPECT_LE(d.dial + 28, 30) << name;
  }
}

struct WindowCase {
  AbandonWindow window;
  int64_t expected_answered;
};

TEST(AbandonLedger, EachWindowKindCountsItsOwnSpan) {
  // Hours 0, 10, 700 and 745 since start; now is hour 746.
  for (auto [window, expect] :
       {WindowCase{AbandonWindow::kRolling24h, 2}, WindowCase{AbandonWindow::kRolling30d, 3},
        WindowCase{AbandonWindow::kSinceStart, 5}}) {
    PacerMemo memo;
    memo.hours = {{0, 1, 1}, {10, 1, 0}, {700, 1, 0}, {745, 1, 0}};
    AbandonLedger ledger(memo, window);
    PacerSnapshot s;
    s.t = 746 * 3600.0 + 5;
    s.events = {{PacerEventType::kAnswer, 3}};
    ledger.Record(s);
    EXPECT_EQ(ledger.Window(s.t).answered, expect);
    EXPECT_EQ(ledger.Hour(s.t).answered, 1);
  }
}

TEST(Pacing, TheAimLeavesTheBinomialErrorAtItsOwnRate) {
  const double target = 0.03;
  double last = 0;
  for (int64_t n : {300, 560, 1500, 5000, 100000}) {
    const double aim = AbandonAim(target, n);
    // At the aim, the 95% upper bound of the realized rate is the target exactly.
    EXPECT_NEAR(aim + 1.645 * std::sqrt(aim * (1 - aim) / static_cast<double>(n)), target, 1e-9)
        << n << " answers";
    EXPECT_GT(aim, last) << "the margin shrinks as answers accumulate";
    last = aim;
  }
  EXPECT_NEAR(AbandonAim(target, 560), 0.0202, 0.0001);
  EXPECT_NEAR(AbandonAim(target, 100000), 0.0291, 0.0001);
  EXPECT_EQ(AbandonAim(target, 0), 0.015) << "no evidence yet: half the target";
  EXPECT_EQ(AbandonAim(target, 50), 0.015);
}

TEST(Pacing, CapIsHeldOverTheConfiguredWindow) {
  // The same history: a bad day 2 days ago (10% abandons), a clean last 24 h.
  auto make_memo = [] {
    PacerMemo m;
    for (int64_t h = 0; h < 8; ++h) m.hours.push_back({h, 500, 50});
    for (int64_t h = 48; h < 56; ++h) m.hours.push_back({h, 500, 5});
    return m;
  };
  PacerSnapshot s = Busy();
  s.t = 56 * 3600.0;
  PacerOptions uk;
  uk.window = AbandonWindow::kRolling24h;
  PacerOptions us;
  us.window = AbandonWindow::kRolling30d;
  PacerMemo m_uk = make_memo(), m_us = make_memo();
  PacerDecision d_uk = Make("predictive", uk)->Decide(s, m_uk);
  PacerDecision d_us = Make("predictive", us)->Decide(s, m_us);
  EXPECT_GT(d_uk.cap, 0.03) << "24 h window: 1% realized, room to spend";
  EXPECT_LT(d_us.cap, 0.01) << "30 d window: 5.5% realized, must repay";
  EXPECT_GT(d_uk.dial, d_us.dial);
}

}  // namespace
}  // namespace dozvon
