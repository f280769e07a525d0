// Property test of the replay: run `dozvon simulate` on the committed 1,000-contact example and
// check, from attempts.csv alone and with checks written independently of the core's own
// window/cap code, that no attempt breaks a window, a cap, a retry delay or the attempt limit.
#include <date/tz.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/campaign/campaign_config.h"
#include "core/time/tz.h"
#include "import/csv_reader.h"

namespace dozvon {
namespace {

namespace fs = std::filesystem;

struct Row {
  int64_t attempt_id;
  int64_t contact_id;
  int attempt_no;
  Instant started;
  std::vector<const date::time_zone*> zones;
  std::string outcome;
  std::optional<Instant> next;
  std::string state;
  std::string reason;
};

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReplayProperty : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string src = DOZVON_SOURCE_DIR;
    dir_ = fs::temp_directory_path() / ("dozvon_replay_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    fs::copy_file(src + "/examples/replay/contacts.csv", dir_ / "contacts.csv",
                  fs::copy_options::overwrite_existing);
    std::string cmd = std::string(DOZVON_BINARY_DIR) + "/dozvon simulate --campaign " + src +
                      "/examples/replay/campaign.toml --contacts " + (dir_ / "contacts.csv").string() +
                      " --outcomes " + src + "/examples/replay/outcomes.csv --lines 20 --out " +
                      (dir_ / "attempts.csv").string() + " > " + (dir_ / "out.txt").string();
    exit_code_ = std::system(cmd.c_str());
    auto cfg = CampaignConfig::Parse(Slurp(src + "/examples/replay/campaign.toml"), "campaign.toml");
    ASSERT_TRUE(cfg.ok());
    config_ = new CampaignConfig(*cfg);
    auto reader = CsvReader::Open((dir_ / "attempts.csv").string());
    ASSERT_TRUE(reader.ok());
    CsvRecord rec;
    ASSERT_TRUE(*(*reader)->Next(&rec));  // header
    ASSERT_EQ(rec.fields.size(), 11u);
    rows_ = new std::vector<Row>();
    while (*(*reader)->Next(&rec)) {
      Row r;
      r.attempt_id = std::stoll(rec.fields[0]);
      r.contact_id = std::stoll(rec.fields[1]);
      r.attempt_no = std::stoi(rec.fields[3]);
      r.started = *ParseIso8601(rec.fields[4]);
      std::istringstream zs(rec.fields[6]);
      for (std::string z; zs >> z;) r.zones.push_back(date::locate_zone(z));
      r.outcome = rec.fields[7];
      if (!rec.fields[8].empty()) r.next = *ParseIso8601(rec.fields[8]);
      r.state = rec.fields[9];
      r.reason = rec.fields[10];
      rows_->push_back(std::move(r));
    }
  }
  static void TearDownTestSuite() {
    fs::remove_all(dir_);
    delete rows_;
    delete config_;
  }

  static int LocalMinutes(Instant t, const date::time_zone* z) {
    auto lt = z->to_local(t);
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::minutes>(lt - std::chrono::floor<date::days>(lt))
            .count());
  }

  static inline fs::path dir_;
  static inline int exit_code_ = -1;
  static inline std::vector<Row>* rows_ = nullptr;
  static inline CampaignConfig* config_ = nullptr;
};

TEST_F(ReplayProperty, RunsAndCoversTheList) {
  ASSERT_EQ(exit_code_, 0) << Slurp((dir_ / "out.txt").string());
  std::set<int64_t> contacts;
  for (const Row& r : *rows_) contacts.insert(r.contact_id);
  EXPECT_EQ(contacts.size(), 1000u) << "every contact is attempted at least once";
  EXPECT_GT(rows_->size(), 2000u);
}

TEST_F(ReplayProperty, EveryAttemptIsInsideTheWindowInEveryCandidateZone) {
  int checked = 0;
  for (const Row& r : *rows_) {
    ASSERT_GE(r.started, *config_->start_at);
    ASSERT_LT(r.started, *config_->stop_at);
    for (const date::time_zone* z : r.zones) {
      auto local_day = std::chrono::floor<date::days>(z->to_local(r.started));
      date::weekday wd{local_day};
      date::year_month_day ymd{local_day};
      bool holiday = false;
      for (auto h : config_->window.holidays) holiday |= (date::year_month_day(h) == ymd);
      bool weekend = wd == date::Saturday || wd == date::Sunday || holiday;
      // Independent of the core: the example's ranges, read straight from the file's values.
      int open = weekend ? 9 * 60 : 8 * 60;
      int close = weekend ? 20 * 60 : 22 * 60;
      int m = LocalMinutes(r.started, z);
      ASSERT_TRUE(m >= open && m < close)
          << "attempt " << r.attempt_id << " at " << FormatLocal(r.started, z) << " in "
          << z->name();
      ++checked;
    }
  }
  EXPECT_GT(checked, 3000);
}

TEST_F(ReplayProperty, NoContactExceedsItsCapsInAnyZone) {
  std::map<int64_t, std::vector<const Row*>> by_contact;
  for (const Row& r : *rows_) by_contact[r.contact_id].push_back(&r);
  for (const auto& [id, rows] : by_contact) {
    for (const date::time_zone* z : rows.front()->zones) {
      std::map<int, int> per_day, per_week, per_month;
      for (const Row* r : rows) {
        auto day = std::chrono::floor<date::days>(z->to_local(r->started));
        int d = day.time_since_epoch().count();
        // ISO week: days since a Monday (1970-01-05 was a Monday), integer-divided by 7.
        int w = (d - 4) >= 0 ? (d - 4) / 7 : -1;
        date::year_month_day ymd{day};
        int mo = static_cast<int>(ymd.year()) * 12 + static_cast<int>(unsigned(ymd.month()));
        ASSERT_LE(++per_day[d], config_->caps.per_day) << "contact " << id << " in " << z->name();
        ASSERT_LE(++per_week[w], config_->caps.per_week) << "contact " << id << " in " << z->name();
        ASSERT_LE(++per_month[mo], config_->caps.per_month) << "contact " << id;
      }
    }
  }
}

TEST_F(ReplayProperty, RetryDelaysAndAttemptLimitHold) {
  std::map<int64_t, std::vector<const Row*>> by_contact;
  for (const Row& r : *rows_) by_contact[r.contact_id].push_back(&r);
  const std::map<std::string, Duration> min_delay = {
      {"busy", std::chrono::minutes(3)},
      {"rejected", std::chrono::hours(24)},
      {"congestion", std::chrono::minutes(5)},
      {"no_answer", std::chrono::hours(2)},  // next daypart, at least daypart_min_gap later
      {"machine", std::chrono::hours(2)}};
  for (auto& [id, rows] : by_contact) {
    std::sort(rows.begin(), rows.end(),
              [](const Row* a, const Row* b) { return a->attempt_no < b->attempt_no; });
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = *rows[i];
      ASSERT_EQ(r.attempt_no, static_cast<int>(i + 1)) << "contact " << id;
      ASSERT_LE(r.attempt_no, config_->max_attempts) << "contact " << id;
      if (i + 1 == rows.size()) {
        EXPECT_TRUE(r.state == "done" || r.state == "struck") << "contact " << id << ": " << r.state;
        continue;
      }
      const Row& next = *rows[i + 1];
      ASSERT_EQ(r.state, "scheduled") << "contact " << id << " was called after " << r.state;
      ASSERT_TRUE(r.next.has_value());
      ASSERT_GE(next.started, *r.next) << "contact " << id << " attempt " << next.attempt_no;
      auto it = min_delay.find(r.outcome);
      ASSERT_NE(it, min_delay.end()) << r.outcome;
      ASSERT_GE(next.started - r.started, it->second) << "contact " << id << " after " << r.outcome;
      if (r.outcome == "no_answer") {
        // Never the same local hour on the next day.
        const date::time_zone* z = r.zones.front();
        bool next_day = std::chrono::floor<date::days>(z->to_local(next.started)) ==
                        std::chrono::floor<date::days>(z->to_local(r.started)) + date::days(1);
        if (next_day) {
          EXPECT_NE(LocalMinutes(next.started, z) / 60, LocalMinutes(r.started, z) / 60)
              << "contact " << id;
        }
      }
    }
  }
}

}  // namespace
}  // namespace dozvon
