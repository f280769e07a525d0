#include "core/retry/retry_policy.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace dozvon {
namespace {

using testing::LocalTime;
using testing::Zone;

constexpr std::string_view kRules = R"(
name = "t"
max_attempts = 5
[retry]
busy = { after = "3m" }
no_answer = { after = "next_daypart" }
invalid_number = "strike"
rejected = { after = "1d" }
congestion = { after = "5m", max = 2 }
abandoned = { after = "4h" }
machine = "next_daypart"
failed = "30m"
interrupted = { after = "10m" }
answered = "done"
)";

struct RetryCase {
  std::string name;
  Outcome outcome;
  int attempts_made;
  int outcome_count;
  std::string ended_local;  // Europe/Moscow
  std::optional<int> sip;
  ContactState state;
  std::string next_local;  // "" when not scheduled
  std::string reason;
};

void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.name; }

class RetryPolicyTest : public ::testing::TestWithParam<RetryCase> {};

TEST_P(RetryPolicyTest, EveryRule) {
  auto config = CampaignConfig::Parse(kRules, "rules.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  RetryPolicy policy(*config);
  const RetryCase& c = GetParam();
  auto msk = Zone("Europe/Moscow");
  FakeClock clock(LocalTime(c.ended_local, "Europe/Moscow"));
  RetryInput in{c.outcome, c.attempts_made, c.outcome_count, clock.Now(),
                c.sip,     std::nullopt,    false,           ""};
  std::vector<const date::time_zone*> zones = {msk};
  RetryDecision d = policy.Decide(in, zones);
  EXPECT_EQ(d.state, c.state);
  EXPECT_EQ(d.reason, c.reason);
  if (c.next_local.empty()) {
    EXPECT_FALSE(d.retry_at.has_value());
  } else {
    ASSERT_TRUE(d.retry_at.has_value());
    EXPECT_EQ(FormatLocal(*d.retry_at, msk), c.next_local);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RetryPolicyTest,
    ::testing::Values(
        RetryCase{"busy", Outcome::kBusy, 1, 1, "2026-03-02 10:00", 486, ContactState::kScheduled,
                  "2026-03-02T10:03:00+03:00", "busy; retry in 3 min"},
        RetryCase{"no_answer_afternoon_to_evening", Outcome::kNoAnswer, 1, 1, "2026-03-02 13:00",
                  std::nullopt, ContactState::kScheduled, "2026-03-02T17:00:00+03:00",
                  "no answer at 13:00; next try in the evening"},
        RetryCase{"no_answer_evening_to_next_morning", Outcome::kNoAnswer, 2, 2, "2026-03-02 19:30",
                  std::nullopt, ContactState::kScheduled, "2026-03-03T09:00:00+03:00",
                  "no answer at 19:30; next try in the morning"},
        RetryCase{"no_answer_late_morning_keeps_gap", Outcome::kNoAnswer, 1, 1, "2026-03-02 11:30",
                  std::nullopt, ContactState::kScheduled, "2026-03-02T13:30:00+03:00",
                  "no answer at 11:30; next try in the afternoon"},
        RetryCase{"no_answer_before_morning", Outcome::kNoAnswer, 1, 1, "2026-03-02 08:10",
                  std::nullopt, ContactState::kScheduled, "2026-03-02T10:10:00+03:00",
                  "no answer at 08:10; next try in the morning"},
        RetryCase{"machine_next_daypart", Outcome::kMachine, 1, 1, "2026-03-02 16:00", std::nullopt,
                  ContactState::kScheduled, "2026-03-02T18:00:00+03:00",
                  "answering machine at 16:00; next try in the evening"},
        RetryCase{"invalid_struck_with_sip", Outcome::kInvalidNumber, 1, 1, "2026-03-02 10:00", 404,
                  ContactState::kStruck, "", "struck: invalid number (SIP 404)"},
        RetryCase{"rejected_next_day", Outcome::kRejected, 1, 1, "2026-03-02 10:00", 603,
                  ContactState::kScheduled, "2026-03-03T10:00:00+03:00", "rejected; retry in 1 d"},
        RetryCase{"congestion", Outcome::kCongestion, 1, 1, "2026-03-02 10:00", 503,
                  ContactState::kScheduled, "2026-03-02T10:05:00+03:00",
                  "network congestion; retry in 5 min"},
        RetryCase{"congestion_rule_max", Outcome::kCongestion, 3, 3, "2026-03-02 10:00", 503,
                  ContactState::kDone, "", "done: network congestion 3 times (max 2 retries)"},
        RetryCase{"abandoned", Outcome::kAbandoned, 1, 1, "2026-03-02 10:00", std::nullopt,
                  ContactState::kScheduled, "2026-03-02T14:00:00+03:00",
                  "abandoned (no operator was free); retry in 4 h"},
        RetryCase{"failed", Outcome::kFailed, 1, 1, "2026-03-02 10:00", 500,
                  ContactState::kScheduled, "2026-03-02T10:30:00+03:00",
                  "call failed; retry in 30 min"},
        RetryCase{"interrupted", Outcome::kInterrupted, 1, 1, "2026-03-02 10:00", std::nullopt,
                  ContactState::kScheduled, "2026-03-02T10:10:00+03:00",
                  "interrupted; retry in 10 min"},
        RetryCase{"answered_done", Outcome::kAnswered, 1, 1, "2026-03-02 10:00", 200,
                  ContactState::kDone, "", "done: answered"},
        RetryCase{"max_attempts_wins", Outcome::kNoAnswer, 5, 5, "2026-03-02 10:00", std::nullopt,
                  ContactState::kDone, "", "done: 5 attempts without answer"},
        RetryCase{"max_attempts_even_for_busy", Outcome::kBusy, 5, 2, "2026-03-02 10:00", 486,
                  ContactState::kDone, "", "done: 5 attempts, the last busy"}));

}  // namespace
}  // namespace dozvon
