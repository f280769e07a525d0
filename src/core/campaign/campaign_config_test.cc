#include "core/campaign/campaign_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/time/tz.h"

namespace dozvon {
namespace {

constexpr std::string_view kExample = R"(name = "march-reminders"
mode = "broadcast"
lists = ["march"]
start_at = "2026-03-02T09:00:00+03:00"
stop_at = 2026-03-31T20:00:00+03:00
max_attempts = 5
ring_timeout = "30s"
default_timezone = "Europe/Moscow"
new_first = true
[window]
weekdays = ["08:00-22:00"]
weekends = ["09:00-20:00"]
holidays = ["2026-03-09"]
avoid = ["11:00-13:00", "15:00-17:00"]
[caps]
per_day = 1
per_week = 2
per_month = 8
counts = "attempts"
[retry]
busy = { after = "3m" }
no_answer = { after = "next_daypart" }
invalid_number = "strike"
rejected = { after = "1d" }
congestion = { after = "5m" }
abandoned = { after = "4h" }
machine = { after = "next_daypart" }
)";

TEST(CampaignConfig, ParsesTheDocumentedExample) {
  auto c = CampaignConfig::Parse(kExample, "march.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "march-reminders");
  EXPECT_EQ(c->mode, DialMode::kBroadcast);
  EXPECT_EQ(c->lists, std::vector<std::string>{"march"});
  EXPECT_EQ(FormatUtc(*c->start_at), "2026-03-02T06:00:00Z");
  EXPECT_EQ(FormatUtc(*c->stop_at), "2026-03-31T17:00:00Z");
  EXPECT_EQ(c->ring_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->window.weekdays, (std::vector<TimeRange>{{480, 1320}}));
  EXPECT_EQ(c->window.avoid.size(), 2u);
  EXPECT_EQ(c->window.holidays.size(), 1u);
  EXPECT_EQ(c->caps.per_week, 2);
  EXPECT_EQ(c->RuleFor(Outcome::kBusy).after, std::chrono::minutes(3));
  EXPECT_EQ(c->RuleFor(Outcome::kNoAnswer).action, RetryAction::kNextDaypart);
  EXPECT_EQ(c->RuleFor(Outcome::kInvalidNumber).action, RetryAction::kStrike);
  EXPECT_EQ(c->RuleFor(Outcome::kFailed).action, RetryAction::kAfter) << "defaults kept";
  EXPECT_EQ(c->retry.dayparts.size(), 3u);
}

struct BadCase {
  std::string name;
  std::string text;
  std::string error;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class CampaignConfigBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(CampaignConfigBad, NamesLineAndKey) {
  auto c = CampaignConfig::Parse(GetParam().text, "c.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CampaignConfigBad,
    ::testing::Values(
        BadCase{"unknown_top", "name = \"x\"\nmax_atempts = 3\n",
                "c.toml:2: max_atempts: unknown key"},
        BadCase{"unknown_nested", "name = \"x\"\n[caps]\nper_dya = 1\n",
                "c.toml:3: caps.per_dya: unknown key"},
        BadCase{"bad_outcome", "name = \"x\"\n[retry]\nbussy = \"3m\"\n",
                "c.toml:3: retry.bussy: unknown key (outcomes: answered, busy, no_answer, "
                "invalid_number, rejected, congestion, abandoned, machine, failed, interrupted; or "
                "unsuccessful)"},
        BadCase{"bad_duration", "name = \"x\"\n[retry]\nbusy = { after = \"3 minutes\" }\n",
                "c.toml:3: retry.busy.after: \"3 minutes\": expected a duration like 30s, 3m, "
                "4h, 1d or 1h30m"},
        BadCase{"bad_range", "name = \"x\"\n[window]\nweekdays = [\"22:00-08:00\"]\n",
                "c.toml:3: window.weekdays: \"22:00-08:00\": the end must be after the start "
                "(split ranges that cross midnight in two)"},
        BadCase{"bad_zone", "name = \"x\"\ndefault_timezone = \"MSK\"\n",
                "c.toml:2: default_timezone: \"MSK\" is not an IANA time zone"},
        BadCase{"range_limit", "name = \"x\"\nmax_attempts = 0\n",
                "c.toml:2: max_attempts: must be between 1 and 100"},
        BadCase{"type", "name = \"x\"\nnew_first = \"yes\"\n",
                "c.toml:2: new_first: expected true or false"},
        BadCase{"mode", "name = \"x\"\nmode = \"robot\"\n",
                "c.toml:2: mode: \"robot\": expected broadcast, preview, progressive, power or "
                "predictive"},
        BadCase{"no_offset", "name = \"x\"\nstart_at = \"2026-03-02T09:00:00\"\n",
                "c.toml:2: start_at: \"2026-03-02T09:00:00\": missing UTC offset (add Z or "
                "+03:00)"},
        BadCase{"stop_before_start",
                "name = \"x\"\nstart_at = \"2026-03-02T09:00:00Z\"\nstop_at = "
                "\"2026-03-01T09:00:00Z\"\n",
                "c.toml:3: stop_at: must be after start_at"},
        BadCase{"syntax", "name = \"x\"\n[caps\n",
                "c.toml:2: Error while parsing table header: expected ']', saw '\\n'"},
        BadCase{"no_name", "mode = \"broadcast\"\n", "c.toml: name: required"}));

TEST(CampaignConfig, PresetsInExamplesParse) {
  for (const char* f : {"ru-230fz.toml", "us-tsr.toml", "uk-ofcom.toml"}) {
    std::ifstream in(std::string(DOZVON_SOURCE_DIR) + "/examples/" + f);
    ASSERT_TRUE(in) << f;
    std::stringstream ss;
    ss << in.rdbuf();
    auto c = CampaignConfig::Parse(ss.str(), f);
    EXPECT_TRUE(c.ok()) << f << ": " << c.status().ToString();
  }
}

}  // namespace
}  // namespace dozvon
