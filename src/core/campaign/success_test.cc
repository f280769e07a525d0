#include "core/campaign/success.h"

#include <gtest/gtest.h>

#include "core/campaign/campaign_config.h"
#include "core/retry/retry_policy.h"
#include "core/test_util.h"

namespace dozvon {
namespace {

CallFacts Facts(double heard, std::string dtmf, std::map<std::string, std::string> vars = {}) {
  CallFacts f;
  f.heard_fraction = heard;
  f.heard_to_end = heard >= 1.0;
  f.dtmf = std::move(dtmf);
  f.vars = std::move(vars);
  return f;
}

TEST(SuccessRule, DefaultIsHeardToTheEnd) {
  SuccessRule r;
  EXPECT_TRUE(r.Met(Facts(1.0, "")));
  EXPECT_FALSE(r.Met(Facts(0.99, "")));
}

TEST(SuccessRule, ShareKeyAndVariableTerms) {
  auto r = SuccessRule::Parse("heard >= 90% or pressed 1");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->Met(Facts(0.9, "")));
  EXPECT_FALSE(r->Met(Facts(0.89, "2")));
  EXPECT_TRUE(r->Met(Facts(0.1, "21")));

  auto v = SuccessRule::Parse("confirmed = yes and heard >= 50%");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(v->Met(Facts(0.6, "1", {{"confirmed", "yes"}})));
  EXPECT_FALSE(v->Met(Facts(0.4, "1", {{"confirmed", "yes"}})));
  EXPECT_FALSE(v->Met(Facts(1.0, "1", {{"confirmed", "no"}})));
  EXPECT_EQ(v->Vars(), std::vector<std::string>{"confirmed"});
  EXPECT_EQ(v->VarTerms(), std::vector<std::string>{"confirmed=yes"});
}

TEST(SuccessRule, BadTextNamesTheProblem) {
  for (const char* bad : {"", "heard >= 190%", "pressed", "pressed 12", "heard or", "listened",
                          "heard xor pressed 1", "heard >= 90"}) {
    auto r = SuccessRule::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(SuccessRule::Parse("heard >= 190%").status().message().find("190%"), std::string::npos);
}

TEST(SuccessRule, CampaignFileAndRetryOfAnUnsuccessfulAnswer) {
  auto c = CampaignConfig::Parse(R"(
name = "b"
[broadcast]
scenario = "s.toml"
success = "pressed 1"
[retry]
unsuccessful = { after = "2h", max = 1 }
)",
                                 "b.toml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->broadcast.scenario, "s.toml");
  EXPECT_EQ(c->retry.unsuccessful.after, std::chrono::hours(2));

  RetryPolicy policy(*c);
  auto zone = testing::Zone("Europe/Moscow");
  std::vector<const date::time_zone*> zones{zone};
  RetryInput in;
  in.outcome = Outcome::kAnswered;
  in.attempts_made = 1;
  in.ended_at = testing::LocalTime("2026-03-02 10:00", "Europe/Moscow");
  in.unsuccessful = true;
  in.shortfall = "heard 40%";
  RetryDecision d = policy.Decide(in, zones);
  EXPECT_EQ(d.state, ContactState::kScheduled);
  EXPECT_EQ(*d.retry_at, in.ended_at + std::chrono::hours(2));
  EXPECT_NE(d.reason.find("heard 40%"), std::string::npos) << d.reason;

  in.outcome_count = 2;  // the rule's one retry is used up
  EXPECT_EQ(policy.Decide(in, zones).state, ContactState::kDone);
  in.unsuccessful = false;
  EXPECT_EQ(policy.Decide(in, zones).state, ContactState::kDone);

  auto bad =
      CampaignConfig::Parse("name = \"b\"\n[broadcast]\nsuccess = \"heard >= 2000%\"\n", "b.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("b.toml:3: broadcast.success"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace dozvon
