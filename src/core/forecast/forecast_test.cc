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

}  // namespace
}  // namespace dozvon
