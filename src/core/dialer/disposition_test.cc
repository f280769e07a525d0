// Dispositions: parsed from the campaign file, and how each one moves the contact (through the
// same AfterAttempt every outcome goes through, so windows and caps still apply).
#include <gtest/gtest.h>

#include "core/dialer/after_attempt.h"
#include "core/test_util.h"

namespace dozvon {
namespace {

using testing::LocalTime;
using testing::Zone;

constexpr std::string_view kCampaign = R"(
name = "sales"
mode = "progressive"
lists = ["l"]
max_attempts = 3
[window]
weekdays = ["09:00-21:00"]
weekends = ["10:00-19:00"]
[operators]
skill = "sales"
abandon_message = "This was Acme. Call us back on 8 800 000 00 00."
wrapup_timeout = "10s"
default_disposition = "done"
[[dispositions]]
code = "sale"
success = true
contact_made = true
final = true
[[dispositions]]
code = "done"
final = true
[[dispositions]]
code = "callback"
callback = true
contact_made = true
[[dispositions]]
code = "dnc"
dnc = true
[[dispositions]]
code = "later"
retry_after = "3h"
[[dispositions]]
code = "plain"
)";

class DispositionTest : public ::testing::Test {
 protected:
  DispositionTest() {
    auto c = CampaignConfig::Parse(kCampaign, "sales.toml");
    EXPECT_TRUE(c.ok()) << c.status().message();
    config = *c;
    contact.id = 1;
    contact.phone_e164 = "+73432000001";
    contact.zones = {"Asia/Yekaterinburg"};
    contact.attempts = 1;
  }
  NextState After(const std::string& code, std::optional<Instant> callback_at = std::nullopt) {
    EligibilityChecker checker(config, &dnc);
    RetryPolicy policy(config);
    RetryInput in;
    in.outcome = Outcome::kAnswered;
    in.attempts_made = contact.attempts;
    in.ended_at = ended;
    in.disposition = config.FindDisposition(code);
    EXPECT_NE(in.disposition, nullptr) << code;
    in.callback_at = callback_at;
    std::vector<PastAttempt> history = {{ended - std::chrono::minutes(3), true}};
    return AfterAttempt(checker, policy, contact, history, in);
  }

  CampaignConfig config;
  DncList dnc;
  Contact contact;
  Instant ended = LocalTime("2026-11-24 12:00", "Asia/Yekaterinburg");  // a Tuesday
};

TEST_F(DispositionTest, ParsedWithTheirFlags) {
  EXPECT_EQ(config.dispositions.size(), 6u);
  const Disposition* sale = config.FindDisposition("sale");
  ASSERT_NE(sale, nullptr);
  EXPECT_TRUE(sale->success && sale->contact_made && sale->final);
  EXPECT_EQ(config.FindDisposition("later")->retry_after, std::chrono::hours(3));
  EXPECT_EQ(config.operators.skill, "sales");
  EXPECT_EQ(config.operators.wrapup_timeout, std::chrono::seconds(10));
  EXPECT_EQ(config.FindDisposition("nope"), nullptr);
}

TEST_F(DispositionTest, FinalAndDncEndTheContact) {
  NextState s = After("sale");
  EXPECT_EQ(s.state, ContactState::kDone);
  EXPECT_EQ(s.reason, "done: disposition sale");
  s = After("dnc");
  EXPECT_EQ(s.state, ContactState::kStruck);
  EXPECT_NE(s.reason.find("do not call"), std::string::npos) << s.reason;
}

TEST_F(DispositionTest, CallbackAtTheTimeInTheContactsZone) {
  auto at = ParseLocalTime("18:00", Zone("Asia/Yekaterinburg"), ended);
  ASSERT_TRUE(at.ok()) << at.status().message();
  NextState s = After("callback", *at);
  EXPECT_EQ(s.state, ContactState::kScheduled);
  EXPECT_EQ(s.next_at, LocalTime("2026-11-24 18:00", "Asia/Yekaterinburg"));
  EXPECT_NE(s.reason.find("call back at 2026-11-24T18:00:00+05:00"), std::string::npos) << s.reason;
  // Asked for outside the window (22:30): the window still wins, next morning at 09:00.
  at = ParseLocalTime("22:30", Zone("Asia/Yekaterinburg"), ended);
  ASSERT_TRUE(at.ok());
  s = After("callback", *at);
  EXPECT_EQ(s.next_at, LocalTime("2026-11-25 09:00", "Asia/Yekaterinburg"));
}

TEST_F(DispositionTest, RetryAfterAndPlainCodes) {
  NextState s = After("later");
  EXPECT_EQ(s.state, ContactState::kScheduled);
  EXPECT_EQ(s.next_at, ended + std::chrono::hours(3));
  // No flag: the retry rule for answered calls (done by default).
  s = After("plain");
  EXPECT_EQ(s.state, ContactState::kDone);
  EXPECT_EQ(s.reason, "done: answered");
  // max_attempts still caps a callback.
  contact.attempts = 3;
  s = After("callback", ended + std::chrono::hours(1));
  EXPECT_EQ(s.state, ContactState::kDone);
  EXPECT_NE(s.reason.find("max_attempts"), std::string::npos) << s.reason;
}

TEST(CallbackTime, FormsAndErrors) {
  const date::time_zone* z = Zone("Europe/Moscow");
  Instant now = LocalTime("2026-11-24 19:30", "Europe/Moscow");
  EXPECT_EQ(*ParseLocalTime("18:00", z, now), LocalTime("2026-11-25 18:00", "Europe/Moscow"));
  EXPECT_EQ(*ParseLocalTime("20:15", z, now), LocalTime("2026-11-24 20:15", "Europe/Moscow"));
  EXPECT_EQ(*ParseLocalTime("2026-12-01 10:00", z, now),
            LocalTime("2026-12-01 10:00", "Europe/Moscow"));
  EXPECT_EQ(*ParseLocalTime("2026-12-01T10:00:00Z", z, now), testing::Utc("2026-12-01T10:00:00Z"));
  for (const char* bad : {"25:00", "18-00", "tomorrow", "2026-13-01 10:00", ""}) {
    auto r = ParseLocalTime(bad, z, now);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_NE(r.status().message().find("expected HH:MM"), std::string::npos);
  }
}

TEST(OperatorsConfig, ErrorsNameTheKey) {
  struct Case {
    std::string text, want;
  };
  const std::string head = "name = \"x\"\nmode = \"predictive\"\n";
  for (const Case& c : std::vector<Case>{
           {head + "[operators]\nabandon_message = \"a\"\ndefault_disposition = \"zz\"\n",
            "operators.default_disposition: \"zz\": no such disposition"},
           {head + "[operators]\nabandon_message = \"a\"\nsurprise = 1\n", "surprise"},
           {head + "[[dispositions]]\ncode = \"Bad Code\"\n", "dispositions.code"},
           {head + "[[dispositions]]\ncode = \"a\"\n[[dispositions]]\ncode = \"a\"\n",
            "used twice"},
           {head + "[[dispositions]]\ncode = \"a\"\ncallback = true\nfinal = true\n",
            "exclude each other"},
       }) {
    auto r = CampaignConfig::Parse(c.text, "x.toml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace dozvon
