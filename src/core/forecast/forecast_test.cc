#include "core/forecast/forecast.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

CampaignConfig Campaign(const std::string& mode) {
  auto c = CampaignConfig::Parse(R"(
name = "f"
mode = ")" + mode + R"("
start_at = "2026-03-02T09:00:00+03:00"
default_timezone = "Europe/Moscow"
max_attempts = 4
[window]
weekdays = ["09:00-18:00"]
weekends = []
)",
                                 "f.toml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

TEST(ForecastProfile, ParsesAndNamesBadKeys) {
  auto p = ForecastProfile::Parse("answer_rate=0.3,talk_mean=90,wrap_mean=15,ring_mean=10");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->talk_mean, 90);
  EXPECT_EQ(ForecastProfile::Parse("answer_rat=0.3").status().message(),
            "--profile: \"answer_rat\": unknown key");
  EXPECT_FALSE(ForecastProfile::Parse("talk_mean=abc").ok());
  EXPECT_FALSE(ForecastProfile::Parse("answer_rate=0.7,busy_rate=0.5").ok());
}

TEST(Forecast, PredictiveCampaignFinishesTheListWithinTheCap) {
  ForecastOptions o;
  o.contacts = 3000;
  o.agents = 10;
  o.seed = 3;
  auto p = ForecastProfile::Parse("answer_rate=0.35,talk_mean=60,wrap_mean=10,ring_mean=8");
  ASSERT_TRUE(p.ok());
  auto r = RunForecast(Campaign("predictive"), o, *p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->finished_list);
  EXPECT_GT(r->contacts_reached, 1500);
  EXPECT_LE(r->abandon_rate(), 0.03 + 0.01);  // a short run: allow the margin's noise
  // The list's tail (a few retries spread over dayparts) leaves operators waiting.
  EXPECT_GT(r->occupancy(), 0.15);
  EXPECT_LT(r->occupancy(), 0.9);
  EXPECT_GT(r->days(), 0.1);
  int64_t total = 0;
  for (const auto& [state, n] : r->contacts_by_state) total += n;
  EXPECT_EQ(total, 3000);
  EXPECT_EQ(r->contacts_by_state[ContactState::kInProgress], 0);
}

TEST(Forecast, MoreOperatorsFinishSoonerAndSeedsRepeat) {
  // No breaks: an operator leaving for a break after a progressive dial could strand a call.
  auto p = ForecastProfile::Parse(
      "answer_rate=0.3,talk_mean=90,wrap_mean=15,ring_mean=10,break_every=0");
  ForecastOptions few, many;
  few.contacts = many.contacts = 2000;
  few.agents = 5;
  many.agents = 20;
  auto a = RunForecast(Campaign("progressive"), few, *p);
  auto b = RunForecast(Campaign("progressive"), many, *p);
  auto a2 = RunForecast(Campaign("progressive"), few, *p);
  ASSERT_TRUE(a.ok() && b.ok() && a2.ok());
  EXPECT_GT(a->days(), b->days());
  EXPECT_EQ(a->dials, a2->dials) << "same seed, same forecast";
  EXPECT_EQ(a->abandoned, 0) << "progressive never dials past the idle operators";
}

// The days add up to the totals, follow each other with none left out, and count the list down.
void ExpectDaysAddUp(const ForecastResult& r, int64_t contacts) {
  ASSERT_FALSE(r.by_day.empty());
  ForecastDay sum;
  int64_t left = contacts;
  for (const ForecastDay& d : r.by_day) {
    sum.dials += d.dials;
    sum.live_answers += d.live_answers;
    sum.connected += d.connected;
    sum.abandoned += d.abandoned;
    sum.talk_seconds += d.talk_seconds;
    sum.logged_seconds += d.logged_seconds;
    EXPECT_LE(d.contacts_left, left) << d.date;
    left = d.contacts_left;
  }
  EXPECT_EQ(sum.dials, r.dials);
  EXPECT_EQ(sum.live_answers, r.live_answers);
  EXPECT_EQ(sum.connected, r.connected);
  EXPECT_EQ(sum.abandoned, r.abandoned);
  EXPECT_NEAR(sum.talk_seconds, r.talk_seconds, 1e-6 * r.talk_seconds);
  EXPECT_NEAR(sum.logged_seconds, r.logged_seconds, 1e-6 * r.logged_seconds);
  auto in = [&](ContactState st) {
    auto it = r.contacts_by_state.find(st);
    return it == r.contacts_by_state.end() ? int64_t{0} : it->second;
  };
  EXPECT_EQ(r.by_day.back().contacts_left, in(ContactState::kNew) + in(ContactState::kScheduled));
}

TEST(Forecast, ByDayAddsUpAndSkipsNoDay) {
  ForecastOptions o;
  o.contacts = 6000;
  o.agents = 4;  // about 900 contacts a day: the list outlasts the first weekend
  auto p = ForecastProfile::Parse("answer_rate=0.3,talk_mean=90,wrap_mean=15,ring_mean=10");
  auto r = RunForecast(Campaign("predictive"), o, *p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectDaysAddUp(*r, 6000);
  // Monday 2 March 2026 onwards, one entry per calendar day; weekends have no window.
  ASSERT_GE(r->by_day.size(), 6u);
  EXPECT_EQ(r->by_day[0].date, "2026-03-02");
  EXPECT_EQ(r->by_day[0].weekday, "Mon");
  EXPECT_EQ(r->by_day[5].date, "2026-03-07");
  EXPECT_EQ(r->by_day[5].weekday, "Sat");
  EXPECT_EQ(r->by_day[5].dials, 0);
  EXPECT_EQ(r->by_day[5].logged_seconds, 0);
  // 4 operators on a 9-hour day, less 15 minutes every 2 hours: the first day is worked in full.
  EXPECT_GT(r->by_day[0].logged_seconds, 4 * 7.5 * 3600.0);
  EXPECT_LE(r->by_day[0].logged_seconds, 4 * 9 * 3600.0);
  EXPECT_GT(r->by_day[0].occupancy(), r->by_day.back().occupancy()) << "the tail waits";
}

TEST(Forecast, ByDayFollowsTheLocalCalendarAcrossDst) {
  // Europe/London springs forward on Sunday 29 March 2026: that day has 23 hours, and an
  // open window of 00:00-24:00 gives it 23 logged hours per operator, not 24.
  auto c = CampaignConfig::Parse(R"(
name = "dst"
mode = "progressive"
start_at = "2026-03-28T00:00:00+00:00"
default_timezone = "Europe/London"
max_attempts = 50
[window]
weekdays = ["00:00-24:00"]
weekends = ["00:00-24:00"]
[retry]
no_answer = { after = "1h" }
busy = { after = "1h" }
)",
                                 "dst.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ForecastOptions o;
  o.contacts = 20000;
  o.agents = 2;
  auto p = ForecastProfile::Parse("answer_rate=0.05,talk_mean=60,ring_mean=10,break_every=0");
  auto r = RunForecast(*c, o, *p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectDaysAddUp(*r, 20000);
  ASSERT_GE(r->by_day.size(), 3u);
  EXPECT_EQ(r->by_day[1].date, "2026-03-29");
  EXPECT_DOUBLE_EQ(r->by_day[0].logged_seconds, 2 * 24 * 3600.0);
  EXPECT_DOUBLE_EQ(r->by_day[1].logged_seconds, 2 * 23 * 3600.0);
  EXPECT_DOUBLE_EQ(r->by_day[2].logged_seconds, 2 * 24 * 3600.0);
}

}  // namespace
}  // namespace dozvon
