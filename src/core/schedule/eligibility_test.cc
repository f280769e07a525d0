#include "core/schedule/eligibility.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace dozvon {
namespace {

using testing::LocalTime;
using testing::Zone;

CampaignConfig Config() {
  auto c = CampaignConfig::Parse(R"(
name = "t"
start_at = "2026-03-02T09:00:00+03:00"
stop_at = "2026-03-31T20:00:00+03:00"
max_attempts = 3
[window]
weekdays = ["08:00-22:00"]
weekends = ["09:00-20:00"]
[caps]
per_day = 1
per_week = 2
)",
                                 "t.toml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

Contact MoscowContact() {
  Contact c;
  c.id = 7;
  c.phone_e164 = "+74951234567";
  c.zones = {"Europe/Moscow"};
  return c;
}

bool Has(const Eligibility& e, Blocker b) {
  for (const auto& [k, v] : e.reasons) {
    if (k == b) return true;
  }
  return false;
}

TEST(Eligibility, CallableInsideWindowAfterStart) {
  CampaignConfig cfg = Config();
  EligibilityChecker checker(cfg, nullptr);
  FakeClock clock(LocalTime("2026-03-02 10:00", "Europe/Moscow"));
  Eligibility e = checker.Check(MoscowContact(), {}, clock.Now());
  EXPECT_TRUE(e.callable);
  EXPECT_TRUE(e.reasons.empty());
}

TEST(Eligibility, ListsEveryReasonAndTheNextInstant) {
  CampaignConfig cfg = Config();
  EligibilityChecker checker(cfg, nullptr);
  Contact c = MoscowContact();
  c.state = ContactState::kScheduled;
  c.attempts = 1;
  c.next_attempt_at = LocalTime("2026-03-03 23:30", "Europe/Moscow");
  c.state_reason = "busy; retry in 3 min";
  std::vector<PastAttempt> hist = {{LocalTime("2026-03-03 10:00", "Europe/Moscow"), false}};
  FakeClock clock(LocalTime("2026-03-03 23:00", "Europe/Moscow"));
  Eligibility e = checker.Check(c, hist, clock.Now());
  EXPECT_FALSE(e.callable);
  EXPECT_TRUE(Has(e, Blocker::kRetryDelay));
  EXPECT_TRUE(Has(e, Blocker::kOutsideWindow));
  EXPECT_TRUE(Has(e, Blocker::kCap));
  ASSERT_TRUE(e.next_at.has_value());
  // Retry time 23:30 is outside the window; the day cap lifts at midnight; window opens 08:00.
  EXPECT_EQ(FormatLocal(*e.next_at, Zone("Europe/Moscow")), "2026-03-04T08:00:00+03:00");
}

TEST(Eligibility, WeekCapPushesToNextMonday) {
  CampaignConfig cfg = Config();
  EligibilityChecker checker(cfg, nullptr);
  std::vector<PastAttempt> hist = {{LocalTime("2026-03-02 10:00", "Europe/Moscow"), false},
                                   {LocalTime("2026-03-03 10:00", "Europe/Moscow"), false}};
  Contact c = MoscowContact();
  c.attempts = 2;
  Eligibility e = checker.Check(c, hist, LocalTime("2026-03-04 10:00", "Europe/Moscow"));
  EXPECT_FALSE(e.callable);
  EXPECT_EQ(FormatLocal(*e.next_at, Zone("Europe/Moscow")), "2026-03-09T08:00:00+03:00");
}

TEST(Eligibility, NeverAgainCases) {
  CampaignConfig cfg = Config();
  DncList dnc;
  dnc.AddPrefix("+7495");
  EligibilityChecker checker(cfg, &dnc);
  Instant now = LocalTime("2026-03-02 10:00", "Europe/Moscow");
  Eligibility on_dnc = checker.Check(MoscowContact(), {}, now);
  EXPECT_TRUE(Has(on_dnc, Blocker::kDnc));
  EXPECT_FALSE(on_dnc.next_at.has_value());

  EligibilityChecker no_dnc(cfg, nullptr);
  Contact maxed = MoscowContact();
  maxed.attempts = 3;
  EXPECT_TRUE(Has(no_dnc.Check(maxed, {}, now), Blocker::kMaxAttempts));

  Contact zoneless = MoscowContact();
  zoneless.zones.clear();
  Eligibility nz = no_dnc.Check(zoneless, {}, now);
  EXPECT_TRUE(Has(nz, Blocker::kNoZone));
  EXPECT_FALSE(nz.next_at.has_value());

  Eligibility ended =
      no_dnc.Check(MoscowContact(), {}, LocalTime("2026-04-01 10:00", "Europe/Moscow"));
  EXPECT_TRUE(Has(ended, Blocker::kEnded));
}

TEST(Eligibility, BeforeStartWaitsForStart) {
  CampaignConfig cfg = Config();
  EligibilityChecker checker(cfg, nullptr);
  Eligibility e =
      checker.Check(MoscowContact(), {}, LocalTime("2026-03-01 12:00", "Europe/Moscow"));
  EXPECT_TRUE(Has(e, Blocker::kNotStarted));
  EXPECT_EQ(FormatLocal(*e.next_at, Zone("Europe/Moscow")), "2026-03-02T09:00:00+03:00");
}

TEST(Eligibility, DefaultTimezoneCoversZonelessContacts) {
  CampaignConfig cfg = Config();
  cfg.default_timezone = "Asia/Novosibirsk";
  EligibilityChecker checker(cfg, nullptr);
  Contact c = MoscowContact();
  c.zones.clear();
  // 05:00 Moscow is 09:00 in Novosibirsk.
  EXPECT_TRUE(checker.Check(c, {}, LocalTime("2026-03-03 05:00", "Europe/Moscow")).callable);
  EXPECT_FALSE(checker.Check(c, {}, LocalTime("2026-03-03 03:00", "Europe/Moscow")).callable);
}

}  // namespace
}  // namespace dozvon

namespace dozvon {
namespace {

TEST(Eligibility, CapPushedRetryStillRotatesDaypart) {
  CampaignConfig cfg = Config();
  EligibilityChecker checker(cfg, nullptr);
  auto msk = Zone("Europe/Moscow");
  std::vector<const date::time_zone*> zones = {msk};
  // No answer at 08:10; the afternoon retry today is blocked by the day cap. Tomorrow's first
  // allowed time is 08:00, the same hour again; the daypart-aware answer is 12:00 tomorrow.
  std::vector<PastAttempt> hist = {{LocalTime("2026-03-03 08:10", "Europe/Moscow"), false}};
  Instant retry = LocalTime("2026-03-03 12:00", "Europe/Moscow");
  EXPECT_EQ(FormatLocal(*checker.NextAllowed(retry, zones, hist), msk),
            "2026-03-04T08:00:00+03:00");
  TimeRange afternoon{12 * 60, 17 * 60};
  EXPECT_EQ(FormatLocal(*checker.NextAllowedInDaypart(retry, zones, hist, afternoon), msk),
            "2026-03-04T12:00:00+03:00");
}

}  // namespace
}  // namespace dozvon
