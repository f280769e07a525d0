#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/time/tz.h"

namespace dozvon {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dozvon_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
    auto s = SqliteStore::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  NewContact Make(std::string phone, std::vector<std::string> zones = {"Europe/Moscow"}) {
    NewContact c;
    c.phone_e164 = std::move(phone);
    c.country = "RU";
    c.zones = std::move(zones);
    c.zone_source = ZoneSource::kPrefix;
    c.fields = {{"first_name", "Иван"}, {"amount", "1500"}};
    return c;
  }

  int64_t ImportTwo() {
    auto imp = store_->BeginImport("march", now_);
    EXPECT_TRUE(imp.ok());
    EXPECT_TRUE((*imp)->Add(Make("+74951234567")).ok());
    EXPECT_TRUE((*imp)->Add(Make("+79161234567", {"Europe/Moscow", "Asia/Omsk"})).ok());
    EXPECT_TRUE((*imp)->Commit().ok());
    return (*imp)->list_id();
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
  Instant now_ = *ParseIso8601("2026-03-02T09:00:00+03:00");
};

TEST_F(SqliteStoreTest, MigratesOnOpenAndReopensAtSameVersion) {
  EXPECT_EQ(store_->schema_version(), 1);
  store_.reset();
  auto again = SqliteStore::Open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->schema_version(), 1);
}

TEST_F(SqliteStoreTest, UsesWalAndFullSync) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_F(SqliteStoreTest, ImportCommitsContactsWithFieldsAndZones) {
  int64_t list_id = ImportTwo();
  auto list = store_->FindList("march");
  ASSERT_TRUE(list.ok() && list->has_value());
  EXPECT_EQ((*list)->contacts, 2);
  std::vector<Contact> got;
  ASSERT_TRUE(store_
                  ->ForEachContact(list_id,
                                   [&](const Contact& c) {
                                     got.push_back(c);
                                     return Status::Ok();
                                   })
                  .ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].phone_e164, "+79161234567");
  EXPECT_EQ(got[1].zones, (std::vector<std::string>{"Europe/Moscow", "Asia/Omsk"}));
  EXPECT_EQ(got[1].state, ContactState::kNew);
  ASSERT_EQ(got[1].fields.size(), 2u);
  EXPECT_EQ(got[1].fields[0], (std::pair<std::string, std::string>{"first_name", "Иван"}));
}

TEST_F(SqliteStoreTest, ImportWithoutCommitLeavesNothing) {
  {
    auto imp = store_->BeginImport("april", now_);
    ASSERT_TRUE(imp.ok());
    ASSERT_TRUE((*imp)->Add(Make("+74951234567")).ok());
  }
  auto list = store_->FindList("april");
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(list->has_value()) << "the list itself must roll back too";
}

TEST_F(SqliteStoreTest, AttemptLifecycleNumbersAttemptsAndForbidsDoubleOpen) {
  int64_t list_id = ImportTwo();
  CampaignRecord c{0, "march-reminders", "name = \"march-reminders\"", "draft", {"march"}};
  auto cid = store_->UpsertCampaign(c, now_);
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  int64_t contact_id = 0;
  ASSERT_TRUE(store_
                  ->ForEachContact(list_id,
                                   [&](const Contact& ct) {
                                     if (!contact_id) contact_id = ct.id;
                                     return Status::Ok();
                                   })
                  .ok());

  auto a1 = store_->OpenAttempt({contact_id, *cid, "+74951234567", now_});
  ASSERT_TRUE(a1.ok()) << a1.status().ToString();
  EXPECT_EQ(a1->attempt_no, 1);
  auto twice = store_->OpenAttempt({contact_id, *cid, "+74951234567", now_});
  EXPECT_FALSE(twice.ok()) << "a contact with an open attempt must not be dialled again";
  EXPECT_EQ(store_->OpenAttempts()->size(), 1u);

  AttemptResult r;
  r.outcome = Outcome::kBusy;
  r.dialed_at = now_;
  r.ended_at = now_ + std::chrono::seconds(5);
  r.sip_status = 486;
  r.q850_cause = 17;
  r.reason = "busy";
  r.contact = {ContactState::kScheduled, now_ + std::chrono::minutes(3), "busy; retry in 3 min"};
  ASSERT_TRUE(store_->CompleteAttempt(a1->id, r).ok());
  EXPECT_FALSE(store_->CompleteAttempt(a1->id, r).ok()) << "an attempt completes once";

  auto contact = store_->GetContact(contact_id);
  ASSERT_TRUE(contact.ok() && contact->has_value());
  EXPECT_EQ((*contact)->state, ContactState::kScheduled);
  EXPECT_EQ((*contact)->attempts, 1);
  EXPECT_EQ((*contact)->state_reason, "busy; retry in 3 min");
  EXPECT_EQ((*contact)->next_attempt_at, now_ + std::chrono::minutes(3));

  auto a2 = store_->OpenAttempt({contact_id, *cid, "+74951234567", now_ + std::chrono::minutes(3)});
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(a2->attempt_no, 2);
  auto hist = store_->AttemptsOfContact(contact_id);
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 2u);
  EXPECT_EQ((*hist)[0].outcome, Outcome::kBusy);
  EXPECT_EQ((*hist)[0].sip_status, 486);
  EXPECT_FALSE((*hist)[1].outcome.has_value());
}

TEST_F(SqliteStoreTest, CampaignUpsertKeepsIdAndChecksLists) {
  ImportTwo();
  CampaignRecord c{0, "c1", "v1", "draft", {"march"}};
  auto id1 = store_->UpsertCampaign(c, now_);
  ASSERT_TRUE(id1.ok());
  c.config_toml = "v2";
  auto id2 = store_->UpsertCampaign(c, now_);
  ASSERT_TRUE(id2.ok());
  EXPECT_EQ(*id1, *id2);
  ASSERT_TRUE(store_->SetCampaignState(*id1, "running", now_).ok());
  auto found = store_->FindCampaign("c1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->config_toml, "v2");
  EXPECT_EQ((*found)->state, "running");
  EXPECT_EQ((*found)->lists, std::vector<std::string>{"march"});
  EXPECT_FALSE(store_->SetCampaignState(*id1, "exploded", now_).ok());
  c.lists = {"nope"};
  auto bad = store_->UpsertCampaign(c, now_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("list \"nope\" does not exist"), std::string::npos);
}

}  // namespace
}  // namespace dozvon
