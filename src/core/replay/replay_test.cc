#include "core/replay/replay.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace dozvon {
namespace {

using testing::LocalTime;
using testing::Zone;

TEST(Replay, FollowsRetryRulesWindowsAndLines) {
  auto cfg = CampaignConfig::Parse(R"(
name = "r"
start_at = "2026-03-02T09:00:00+03:00"
stop_at = "2026-03-20T20:00:00+03:00"
max_attempts = 3
ring_timeout = "20s"
[window]
weekdays = ["09:00-18:00"]
weekends = []
[retry]
busy = "10m"
)",
                                   "r.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  std::vector<Contact> contacts(3);
  for (int i = 0; i < 3; ++i) {
    contacts[i].id = i + 1;
    contacts[i].phone_e164 = "+7495000000" + std::to_string(i);
    contacts[i].zones = {"Europe/Moscow"};
  }
  OutcomeScript script;
  script[{"+74950000000", 1}] = {Outcome::kAnswered, std::chrono::seconds(5),
                                 std::chrono::seconds(30)};
  script[{"+74950000001", 1}] = {Outcome::kBusy, std::chrono::seconds(2), {}};
  script[{"+74950000001", 2}] = {Outcome::kAnswered, std::chrono::seconds(3),
                                 std::chrono::seconds(10)};
  script[{"+74950000002", 1}] = {Outcome::kInvalidNumber, std::chrono::seconds(1), {}};
  ReplayOptions opt;
  opt.lines = 1;
  Replay replay(*cfg, nullptr, opt);
  std::vector<ReplayAttempt> rows;
  auto summary = replay.Run(contacts, script, [&](const ReplayAttempt& a) { rows.push_back(a); });
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(rows.size(), 4u);
  auto msk = Zone("Europe/Moscow");
  // One line: calls are strictly sequential, fresh contacts first.
  EXPECT_EQ(FormatLocal(rows[0].started, msk), "2026-03-02T09:00:00+03:00");
  EXPECT_EQ(FormatLocal(rows[1].started, msk), "2026-03-02T09:00:35+03:00");
  EXPECT_EQ(rows[1].outcome, Outcome::kBusy);
  EXPECT_EQ(rows[1].reason, "busy; retry in 10 min");
  EXPECT_EQ(rows[2].outcome, Outcome::kInvalidNumber);
  EXPECT_EQ(rows[2].contact_state, ContactState::kStruck);
  EXPECT_EQ(rows[3].attempt_no, 2);
  EXPECT_EQ(FormatLocal(rows[3].started, msk), "2026-03-02T09:10:37+03:00");
  EXPECT_EQ(summary->contacts_by_state[ContactState::kDone], 2);
  EXPECT_EQ(summary->contacts_by_state[ContactState::kStruck], 1);
  EXPECT_FALSE(summary->stopped_early);
}

TEST(Replay, NoAnswerEverywhereEndsAtMaxAttemptsWithinWindows) {
  auto cfg = CampaignConfig::Parse(R"(
name = "r"
start_at = "2026-03-06T17:50:00+03:00"
max_attempts = 3
[window]
weekdays = ["09:00-18:00"]
weekends = []
[retry]
no_answer = "1h"
)",
                                   "r.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  std::vector<Contact> contacts(1);
  contacts[0].id = 1;
  contacts[0].phone_e164 = "+74950000000";
  contacts[0].zones = {"Europe/Moscow"};
  Replay replay(*cfg, nullptr, {});
  std::vector<ReplayAttempt> rows;
  auto summary = replay.Run(contacts, {}, [&](const ReplayAttempt& a) { rows.push_back(a); });
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(rows.size(), 3u);
  auto msk = Zone("Europe/Moscow");
  EXPECT_EQ(FormatLocal(rows[0].started, msk), "2026-03-06T17:50:00+03:00");  // Friday
  EXPECT_EQ(FormatLocal(rows[1].started, msk), "2026-03-09T09:00:00+03:00");  // Monday
  EXPECT_EQ(FormatLocal(rows[2].started, msk), "2026-03-09T10:00:30+03:00");
  EXPECT_EQ(rows[2].contact_state, ContactState::kDone);
  EXPECT_EQ(rows[2].reason, "done: 3 attempts without answer");
}

}  // namespace
}  // namespace dozvon
