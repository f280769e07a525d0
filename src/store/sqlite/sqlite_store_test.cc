#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/time/tz.h"
#include "store/encoding.h"
#include "store/sqlite/migrations.h"

namespace dozvon {
namespace {

namespace fs = std::filesystem;

// The last column of every row `sql` returns on `db`, as text ("" for NULL): a query's only
// column, or the detail of an EXPLAIN QUERY PLAN.
std::vector<std::string> Column(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* o, int n, char** v, char**) {
        static_cast<std::vector<std::string>*>(o)->emplace_back(v[n - 1] ? v[n - 1] : "");
        return 0;
      },
      &out, nullptr);
  return out;
}

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

  std::vector<Contact> ContactsOf(int64_t list_id) {
    std::vector<Contact> got;
    Status s = store_->ForEachContact(list_id, [&](const Contact& c) {
      got.push_back(c);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return got;
  }

  int64_t ImportTwo() {
    auto imp = store_->BeginImport("march", now_, 0);
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
  EXPECT_EQ(store_->schema_version(), static_cast<int>(sqlite::Migrations().size()));
  store_.reset();
  auto again = SqliteStore::Open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->schema_version(), static_cast<int>(sqlite::Migrations().size()));
}

// A database written by the version-3 schema upgrades in place: the contacts table is rebuilt
// for its cheaper CHECKs, its rows and the attempts that reference them survive, and the CHECKs
// and foreign keys still hold afterwards.
TEST_F(SqliteStoreTest, UpgradesAVersion3DatabaseKeepingRowsAndConstraints) {
  store_.reset();
  std::string old_path = (dir_ / "v3.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &raw), SQLITE_OK);
  auto exec = [&](const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    return rc == SQLITE_OK ? std::string() : msg;
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(exec(std::string(sqlite::Migrations()[i])), "");
  ASSERT_EQ(exec("PRAGMA user_version=3;"
                 "INSERT INTO lists(id, name, created_at) VALUES (1, 'old', 0);"
                 "INSERT INTO contacts(id, list_id, phone_e164, zones, zone_source, state, "
                 "created_at, updated_at) VALUES (7, 1, '+74951234567', 'Europe/Moscow "
                 "Asia/Omsk', 'prefix', 'done', 0, 0), (8, 1, '+74951234568', 'Europe/Moscow "
                 "Asia/Omsk', 'prefix', 'new', 0, 0), (9, 1, '+74951234569', '', 'unknown', "
                 "'new', 0, 0);"
                 "INSERT INTO campaigns(id, name, config, created_at, updated_at) "
                 "VALUES (1, 'c', '', 0, 0);"
                 "INSERT INTO attempts(contact_id, campaign_id, attempt_no, phone_e164, "
                 "created_at, outcome) VALUES (7, 1, 1, '+74951234567', 0, 'answered');"),
            "");
  sqlite3_close(raw);

  auto up = SqliteStore::Open(old_path);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ((*up)->schema_version(), static_cast<int>(sqlite::Migrations().size()));
  auto c = (*up)->GetContact(7);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->phone_e164, "+74951234567");
  EXPECT_EQ((*c)->zones, (std::vector<std::string>{"Europe/Moscow", "Asia/Omsk"}));
  auto none = (*up)->GetContact(9);
  ASSERT_TRUE(none.ok() && none->has_value());
  EXPECT_TRUE((*none)->zones.empty());
  up->reset();

  ASSERT_EQ(sqlite3_open(old_path.c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(exec("PRAGMA foreign_keys=ON; INSERT INTO attempts(contact_id, campaign_id, "
                 "attempt_no, phone_e164, created_at) SELECT contact_id, campaign_id, 2, "
                 "phone_e164, 1 FROM attempts"),
            "");  // the attempts still reference a contact that exists
  EXPECT_NE(exec("UPDATE contacts SET state = 'bogus' WHERE id = 7"), "");
  EXPECT_NE(exec("UPDATE contacts SET zone_source = 'guess' WHERE id = 7"), "");
  EXPECT_EQ(exec("UPDATE contacts SET state = 'struck', zone_source = 'column' WHERE id = 7"), "");
  EXPECT_NE(exec("INSERT INTO attempts(contact_id, campaign_id, attempt_no, phone_e164, "
                 "created_at) VALUES (99, 1, 1, '+7', 0)"),
            "");  // foreign keys are on again for a plain connection that asks for them
  // The two contacts that shared a zone set share one row; the one without zones has none.
  using Rows = std::vector<std::string>;
  EXPECT_EQ(Column(raw, "SELECT count(*) FROM zone_sets"), Rows{"1"});
  EXPECT_EQ(Column(raw, "SELECT count(DISTINCT zone_set) FROM contacts WHERE id IN (7, 8)"),
            Rows{"1"});
  EXPECT_EQ(Column(raw, "SELECT zone_set FROM contacts WHERE id = 9"), Rows{""});
  EXPECT_NE(exec("UPDATE contacts SET zone_set = 42 WHERE id = 7"), "");  // no such set
  // Migration 6 filed the numbers that were there; its triggers follow a changed number, a
  // deleted contact and a new one.
  const std::string kPhones =
      "SELECT phone_e164 || ' ' || contact_id FROM contact_phones ORDER BY 1";
  EXPECT_EQ(Column(raw, kPhones), (Rows{"+74951234567 7", "+74951234568 8", "+74951234569 9"}));
  EXPECT_EQ(exec("UPDATE contacts SET phone_e164 = '+74950000000' WHERE id = 8;"
                 "DELETE FROM contacts WHERE id = 9;"
                 "INSERT INTO contacts(id, list_id, phone_e164, created_at, updated_at) "
                 "VALUES (10, 1, '+74951234567', 0, 0)"),
            "");
  EXPECT_EQ(Column(raw, kPhones), (Rows{"+74950000000 8", "+74951234567 10", "+74951234567 7"}));
  sqlite3_close(raw);
}

// Each distinct set of candidate zones is one zone_sets row, shared by every contact and
// every later import that has it; a rolled-back import leaves no set behind.
TEST_F(SqliteStoreTest, ZoneSetsAreStoredOnceAndRollBackWithTheirImport) {
  const std::vector<std::string> mobile = {"Asia/Omsk", "Europe/Moscow", "Asia/Irkutsk"};
  {
    auto imp = store_->BeginImport("one", now_, 0);
    ASSERT_TRUE(imp.ok());
    ASSERT_TRUE((*imp)->Add(Make("+79161234567", mobile)).ok());
    ASSERT_TRUE((*imp)->Add(Make("+74951234567")).ok());
    ASSERT_TRUE((*imp)->Add(Make("+79161234568", mobile)).ok());
    ASSERT_TRUE((*imp)->Add(Make("+79161234569", {})).ok());
    ASSERT_TRUE((*imp)->Commit().ok());
  }
  {
    auto imp = store_->BeginImport("two", now_, 0);
    ASSERT_TRUE(imp.ok());
    ASSERT_TRUE((*imp)->Add(Make("+79161234570", mobile)).ok());
    ASSERT_TRUE((*imp)->Commit().ok());
  }
  {
    auto imp = store_->BeginImport("three", now_, 0);  // rolled back
    ASSERT_TRUE(imp.ok());
    ASSERT_TRUE((*imp)->Add(Make("+73831234567", {"Asia/Novosibirsk"})).ok());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  std::vector<std::string> sets = Column(raw, "SELECT zones FROM zone_sets ORDER BY id");
  sqlite3_close(raw);
  EXPECT_EQ(sets,
            (std::vector<std::string>{"Asia/Omsk Europe/Moscow Asia/Irkutsk", "Europe/Moscow"}));
  auto two = store_->FindList("two");
  ASSERT_TRUE(two.ok() && two->has_value());
  std::vector<Contact> got = ContactsOf(1);
  for (const Contact& c : ContactsOf((*two)->id)) got.push_back(c);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].zones, mobile) << "candidate zones keep their order";
  EXPECT_EQ(got[1].zones, std::vector<std::string>{"Europe/Moscow"});
  EXPECT_EQ(got[2].zones, mobile);
  EXPECT_TRUE(got[3].zones.empty());
  EXPECT_EQ(got[4].zones, mobile);
}

// The fields column is written by hand for plain text and by nlohmann otherwise; either way
// it must be exactly what nlohmann writes.
TEST_F(SqliteStoreTest, FieldsJsonIsWhatNlohmannWrites) {
  const std::vector<Fields> cases = {
      {{"name", "Иван"}, {"amount", "1500"}},
      {{"note", "say \"hi\" \\ bye"}, {"emoji", "\xF0\x9F\x93\x9E"}, {"", ""}},
      {{"tab", "a\tb"}, {"nl", "x\ny"}, {"ctl", std::string("\x01\x7f", 2)}},
      {{"bad", "\xD0"}, {"overlong", "\xC0\xAF"}, {"surrogate", "\xED\xA0\x80"}},
      {{"cut", "\xE2\x82"}, {"ok", "\xE2\x82\xAC"}, {"high", "\xF4\x90\x80\x80"}},
      {{"k", "1"}, {"k", "2"}},
  };
  auto imp = store_->BeginImport("json", now_, 0);
  ASSERT_TRUE(imp.ok());
  for (size_t i = 0; i < cases.size(); ++i) {
    NewContact c = Make("+7495123456" + std::to_string(i));
    c.fields = cases[i];
    ASSERT_TRUE((*imp)->Add(c).ok());
  }
  ASSERT_TRUE((*imp)->Commit().ok());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT fields FROM contacts ORDER BY id", -1, &st, nullptr),
            SQLITE_OK);
  for (const Fields& f : cases) {
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [k, v] : f) j[k] = v;
    EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
              j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  sqlite3_finalize(st);
  sqlite3_close(raw);
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
  std::vector<Contact> got = ContactsOf(list_id);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].phone_e164, "+79161234567");
  EXPECT_EQ(got[1].zones, (std::vector<std::string>{"Europe/Moscow", "Asia/Omsk"}));
  EXPECT_EQ(got[1].state, ContactState::kNew);
  ASSERT_EQ(got[1].fields.size(), 2u);
  EXPECT_EQ(got[1].fields[0], (std::pair<std::string, std::string>{"first_name", "Иван"}));
}

TEST_F(SqliteStoreTest, ImportWithoutCommitLeavesNothing) {
  {
    auto imp = store_->BeginImport("april", now_, 0);
    ASSERT_TRUE(imp.ok());
    ASSERT_TRUE((*imp)->Add(Make("+74951234567")).ok());
  }
  auto list = store_->FindList("april");
  ASSERT_TRUE(list.ok());
  EXPECT_FALSE(list->has_value()) << "the list itself must roll back too";
}

// What a bulk load takes off `contacts` and puts back: its indexes and triggers, with their
// definitions, read over a separate connection.
std::string ContactsSchema(const std::string& path) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  std::string out;
  for (const std::string& row :
       Column(raw,
              "SELECT type || ' ' || name || ': ' || sql FROM sqlite_schema WHERE "
              "type IN ('index', 'trigger') AND tbl_name = 'contacts' AND sql IS NOT NULL "
              "ORDER BY name")) {
    out += row + "\n";
  }
  sqlite3_close(raw);
  return out;
}

// A large import into a small table loads without the contacts indexes and without the
// trigger that files each number, then re-creates them and appends the numbers itself at
// commit; a rolled-back one leaves them as they were. Either way the schema ends up identical
// and contact_phones holds exactly the contacts' numbers.
TEST_F(SqliteStoreTest, BulkImportRebuildsTheContactsIndexesAtCommitOrKeepsThemOnRollback) {
  const std::string before = ContactsSchema(path_);
  ASSERT_NE(before.find("index contacts_due"), std::string::npos);
  ASSERT_NE(before.find("trigger contacts_phone_added"), std::string::npos);
  {
    auto imp = store_->BeginImport("bulk-abandoned", now_, 1'000'000);
    ASSERT_TRUE(imp.ok()) << imp.status().ToString();
    ASSERT_TRUE((*imp)->Add(Make("+74951234567")).ok());
  }
  EXPECT_EQ(ContactsSchema(path_), before);

  ImportTwo();  // the list exists and holds two rows: far fewer than the import brings
  auto imp = store_->BeginImport("march", now_, 1'000'000);
  ASSERT_TRUE(imp.ok()) << imp.status().ToString();
  // Numbers out of order, one twice and one already stored, so the append has to sort them.
  for (int i = 199; i >= 0; --i) {
    ASSERT_TRUE((*imp)->Add(Make("+7916" + std::to_string(1000000 + i))).ok());
  }
  ASSERT_TRUE((*imp)->Add(Make("+79161000007")).ok());
  ASSERT_TRUE((*imp)->Add(Make("+74951234567")).ok());
  ASSERT_TRUE((*imp)->Commit().ok());
  EXPECT_EQ(ContactsSchema(path_), before);

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  using Rows = std::vector<std::string>;
  EXPECT_EQ(Column(raw, "PRAGMA integrity_check"), Rows{"ok"});
  const Rows filed = Column(raw,
                            "SELECT phone_e164 || ' ' || contact_id FROM contact_phones "
                            "ORDER BY phone_e164, contact_id");
  EXPECT_EQ(filed, Column(raw,
                          "SELECT phone_e164 || ' ' || id FROM contacts ORDER BY "
                          "phone_e164, id"));
  EXPECT_EQ(filed.size(), 204u);
  EXPECT_EQ(Column(raw, "SELECT count(*) FROM contact_phones WHERE phone_e164 = '+79161000007'"),
            Rows{"2"});
  const Rows plan = Column(raw,
                           "EXPLAIN QUERY PLAN SELECT contact_id FROM contact_phones WHERE "
                           "phone_e164 = '+79161000007'");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_NE(plan[0].find("PRIMARY KEY"), std::string::npos) << plan[0];
  // A small import afterwards goes through the trigger again.
  sqlite3_close(raw);
  auto small = store_->BeginImport("april", now_, 10);
  ASSERT_TRUE(small.ok());
  ASSERT_TRUE((*small)->Add(Make("+74990000001")).ok());
  ASSERT_TRUE((*small)->Commit().ok());
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(Column(raw, "SELECT count(*) FROM contact_phones WHERE phone_e164 = '+74990000001'"),
            Rows{"1"});
  sqlite3_close(raw);
  auto list = store_->FindList("march");
  ASSERT_TRUE(list.ok() && list->has_value());
  EXPECT_EQ((*list)->contacts, 204);
}

// A contact the caller encoded itself (the importer's workers do) is stored exactly as the
// store would have encoded it.
TEST_F(SqliteStoreTest, APreEncodedContactIsStoredAsTheStoreWouldEncodeIt) {
  NewContact plain = Make("+79161234567", {"Europe/Moscow", "Asia/Omsk"});
  plain.fields = {{"name", "Иван \"Ваня\""}, {"bad", "\xD0"}};
  NewContact pre = plain;
  pre.phone_e164 = "+79161234568";
  pre.encoded = true;
  AppendZones(&pre.zones_text, pre.zones);
  AppendFieldsJson(&pre.fields_json, pre.fields);
  pre.zones.clear();  // ignored once encoded
  pre.fields.clear();
  auto imp = store_->BeginImport("pre", now_, 0);
  ASSERT_TRUE(imp.ok());
  ASSERT_TRUE((*imp)->Add(plain).ok());
  ASSERT_TRUE((*imp)->Add(pre).ok());
  ASSERT_TRUE((*imp)->Commit().ok());
  std::vector<Contact> got = ContactsOf((*imp)->list_id());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].zones, got[0].zones);
  EXPECT_EQ(got[1].fields, got[0].fields);
  EXPECT_EQ(got[0].fields[0].second, "Иван \"Ваня\"");
}

std::string JournalMode(sqlite3* db) {
  std::vector<std::string> mode = Column(db, "PRAGMA journal_mode");
  return mode.empty() ? "" : mode[0];
}

std::string JournalMode(const std::string& path) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  std::string mode = JournalMode(raw);
  sqlite3_close(raw);
  return mode;
}

// A bulk import with the database to itself writes a rollback journal (each new page once,
// not to the WAL and again at the checkpoint) and puts WAL back when it commits or rolls back.
// With another connection open, as a running engine keeps one, it stays in WAL.
TEST_F(SqliteStoreTest, ABulkImportAloneUsesARollbackJournalThenWalAgain) {
  {
    auto imp = store_->BeginImport("alone", now_, 1'000'000);
    ASSERT_TRUE(imp.ok()) << imp.status().ToString();
    ASSERT_TRUE((*imp)->Add(Make("+74951234567")).ok());
    EXPECT_EQ(JournalMode(path_), "delete");
    ASSERT_TRUE((*imp)->Commit().ok());
  }
  EXPECT_EQ(JournalMode(path_), "wal");
  {
    auto imp = store_->BeginImport("abandoned", now_, 1'000'000);
    ASSERT_TRUE(imp.ok());
    ASSERT_TRUE((*imp)->Add(Make("+74951234568")).ok());
    EXPECT_EQ(JournalMode(path_), "delete");
  }
  EXPECT_EQ(JournalMode(path_), "wal");
  auto abandoned = store_->FindList("abandoned");
  ASSERT_TRUE(abandoned.ok());
  EXPECT_FALSE(abandoned->has_value());

  sqlite3* engine = nullptr;  // another process's connection, idle between its transactions
  ASSERT_EQ(sqlite3_open(path_.c_str(), &engine), SQLITE_OK);
  EXPECT_EQ(JournalMode(engine), "wal");
  {
    auto imp = store_->BeginImport("shared", now_, 1'000'000);
    ASSERT_TRUE(imp.ok()) << imp.status().ToString();
    ASSERT_TRUE((*imp)->Add(Make("+74951234569")).ok());
    EXPECT_EQ(JournalMode(engine), "wal");
    ASSERT_TRUE((*imp)->Commit().ok());
  }
  EXPECT_EQ(JournalMode(engine), "wal");
  // Rows went in without per-row foreign-key checks; their references hold all the same.
  EXPECT_EQ(Column(engine, "PRAGMA foreign_key_check"), std::vector<std::string>{});
  sqlite3_close(engine);
  for (const char* name : {"alone", "shared"}) {
    auto list = store_->FindList(name);
    ASSERT_TRUE(list.ok() && list->has_value()) << name;
    EXPECT_EQ((*list)->contacts, 1) << name;
  }
}

// Another connection's write transaction longer than SQLite's usual few seconds - a large
// import holds the lock that long - makes a store write wait, not fail: the engine's attempt
// writes queue behind an import and must still land.
TEST_F(SqliteStoreTest, AWriteWaitsOutALongTransactionInsteadOfFailing) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "BEGIN IMMEDIATE; INSERT INTO lists(name, created_at) VALUES "
                         "('held', 0)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::thread holder([raw] {
    std::this_thread::sleep_for(std::chrono::seconds(6));
    sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  });
  ImportTwo();  // blocks on the held lock, then commits
  holder.join();
  sqlite3_close(raw);
  auto lists = store_->Lists();
  ASSERT_TRUE(lists.ok());
  ASSERT_EQ(lists->size(), 2u);
  EXPECT_EQ((*lists)[0].name, "held");
  EXPECT_EQ((*lists)[1].name, "march");
  EXPECT_EQ((*lists)[1].contacts, 2);
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

namespace dozvon {
namespace {

// DueContacts reads each list and state in index order and merges them; the result must be
// what one SELECT sorting every due row gives (the reference below), for any limit.
TEST_F(SqliteStoreTest, DueContactsComeInDialingOrderAcrossListsStatesAndPriorities) {
  for (const char* list : {"a", "b", "c"}) {
    auto imp = store_->BeginImport(list, now_, 0);
    ASSERT_TRUE(imp.ok());
    for (int i = 0; i < 30; ++i) {
      NewContact c = Make("+7495" + std::to_string(list[0]) + std::to_string(10000 + i));
      c.priority = (i * 7) % 4 - 1;  // -1..2, mixed
      ASSERT_TRUE((*imp)->Add(c).ok());
    }
    ASSERT_TRUE((*imp)->Commit().ok());
  }
  const int64_t t = now_.time_since_epoch().count();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  // Retries due a minute ago or in a minute, a new contact skipped until later, finished ones.
  const std::string setup =
      "UPDATE contacts SET state = 'scheduled', attempts = 1, next_attempt_at = " +
      std::to_string(t) + " + ((id % 5) - 2) * 60000 WHERE id % 3 = 0;" +
      "UPDATE contacts SET next_attempt_at = " + std::to_string(t + 600000) +
      " WHERE id % 11 = 0 AND state = 'new';" +
      "UPDATE contacts SET state = 'done' WHERE id % 13 = 0;";
  ASSERT_EQ(sqlite3_exec(raw, setup.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  CampaignRecord rec{0, "order", "name = \"order\"", "draft", {"a", "c"}};
  auto cid = store_->UpsertCampaign(rec, now_);
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  auto reference = [&](int limit, bool new_first) {
    std::string sql =
        "SELECT id FROM contacts WHERE list_id IN (SELECT list_id FROM campaign_lists WHERE "
        "campaign_id = " +
        std::to_string(*cid) +
        ") AND state IN ('new', 'scheduled') AND (next_attempt_at IS NULL OR next_attempt_at <= " +
        std::to_string(t) + ") ORDER BY " + (new_first ? "(attempts > 0), " : "") +
        "priority DESC, COALESCE(next_attempt_at, 0), id LIMIT " + std::to_string(limit);
    std::vector<int64_t> ids;
    for (const std::string& id : Column(raw, sql)) ids.push_back(std::stoll(id));
    return ids;
  };
  for (bool new_first : {false, true}) {
    for (int limit : {1, 4, 17, 33, 1000}) {
      auto due = store_->DueContacts(*cid, now_, limit, new_first);
      ASSERT_TRUE(due.ok()) << due.status().ToString();
      std::vector<int64_t> got;
      for (const Contact& c : *due) got.push_back(c.id);
      std::vector<int64_t> want = reference(limit, new_first);
      EXPECT_EQ(got, want) << "limit " << limit << " new_first " << new_first;
      EXPECT_GE(want.size(), std::min<size_t>(limit, 20u));
    }
  }
  sqlite3_close(raw);
}

TEST_F(SqliteStoreTest, DueContactsRescheduleDetailsAndTotals) {
  ImportTwo();
  CampaignRecord rec{0, "b", "name = \"b\"", "draft", {"march"}};
  auto cid = store_->UpsertCampaign(rec, now_);
  ASSERT_TRUE(cid.ok()) << cid.status().ToString();
  auto due = store_->DueContacts(*cid, now_, 10, true);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->size(), 2u);

  // A contact outside its window moves to later and drops out of the due set until then.
  const int64_t later_id = (*due)[1].id;
  Instant later = now_ + std::chrono::hours(3);
  ASSERT_TRUE(store_->Reschedule(later_id, ContactState::kScheduled, later, "outside", now_).ok());
  auto c = store_->GetContact(later_id);
  EXPECT_EQ((*c)->state, ContactState::kNew);  // never called: still new
  EXPECT_EQ((*c)->state_reason, "outside");
  EXPECT_EQ(store_->DueContacts(*cid, now_, 10, true)->size(), 1u);
  EXPECT_EQ(store_->DueContacts(*cid, later, 10, true)->size(), 2u);

  // A broadcast result round-trips and counts in the totals.
  const int64_t first = (*due)[0].id;
  auto a = store_->OpenAttempt({first, *cid, (*due)[0].phone_e164, now_});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(store_->DueContacts(*cid, later, 10, true)->size(), 1u);  // in progress
  AttemptResult r;
  r.outcome = Outcome::kAnswered;
  r.dialed_at = now_;
  r.answered_at = now_ + std::chrono::seconds(3);
  r.ended_at = now_ + std::chrono::seconds(20);
  r.sip_status = 200;
  r.details.success = true;
  r.details.heard_to_end = true;
  r.details.heard_ms = 9000;
  r.details.message_ms = 9000;
  r.details.dtmf = "1";
  r.details.vars = {{"confirmed", "yes"}, {"choice", "1"}};
  r.details.hangup_by = "us";
  r.contact.state = ContactState::kDone;
  ASSERT_TRUE(store_->CompleteAttempt(a->id, r).ok());
  auto rows = store_->AttemptsOfCampaign(*cid);
  ASSERT_EQ(rows->size(), 1u);
  const CallDetails& d = (*rows)[0].details;
  EXPECT_EQ(d.success, true);
  EXPECT_EQ(d.heard_ms, 9000);
  EXPECT_EQ(d.dtmf, "1");
  EXPECT_EQ(d.vars.at("confirmed"), "yes");
  EXPECT_EQ(d.hangup_by, "us");

  auto t = store_->Totals(*cid);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->attempts, 1);
  EXPECT_EQ(t->attempts_by_outcome[Outcome::kAnswered], 1);
  EXPECT_EQ(t->successes, 1);
  EXPECT_EQ(t->heard_to_end, 1);
  EXPECT_EQ(t->var_counts["confirmed=yes"], 1);
  EXPECT_EQ(t->contacts_by_state[ContactState::kDone], 1);
  EXPECT_EQ(t->contacts_by_state[ContactState::kNew], 1);
  // Reschedule never touches a contact with an open attempt.
  auto open = store_->OpenAttempt({later_id, *cid, "+79161234567", later});
  ASSERT_TRUE(open.ok());
  ASSERT_TRUE(store_->Reschedule(later_id, ContactState::kStruck, std::nullopt, "x", later).ok());
  EXPECT_EQ((*store_->GetContact(later_id))->state, ContactState::kInProgress);
}

TEST_F(SqliteStoreTest, OperatorCallDispositionMovesTheContactAndAddsDnc) {
  int64_t list_id = ImportTwo();
  CampaignRecord c{0, "sales", "name = \"sales\"", "draft", {"march"}};
  auto cid = store_->UpsertCampaign(c, now_);
  ASSERT_TRUE(cid.ok());
  std::vector<int64_t> ids;
  ASSERT_TRUE(store_
                  ->ForEachContact(list_id,
                                   [&](const Contact& ct) {
                                     ids.push_back(ct.id);
                                     return Status::Ok();
                                   })
                  .ok());
  auto a = store_->OpenAttempt({ids[0], *cid, "+74951234567", now_});
  ASSERT_TRUE(a.ok());
  DispositionUpdate early{"callback", std::nullopt, std::nullopt, {}, false, now_};
  EXPECT_EQ(store_->SetDisposition(a->id, early).code(), StatusCode::kFailedPrecondition)
      << "an open attempt has no disposition yet";
  AttemptResult r;
  r.outcome = Outcome::kAnswered;
  r.answered_at = now_ + std::chrono::seconds(4);
  r.ended_at = now_ + std::chrono::seconds(60);
  r.details.agent = "op1";
  r.details.connect_ms = 12;
  r.details.disposition = "completed";
  r.contact = {ContactState::kDone, std::nullopt, "done: disposition completed"};
  ASSERT_TRUE(store_->CompleteAttempt(a->id, r).ok());

  const Instant cb = now_ + std::chrono::hours(9);
  DispositionUpdate u{"callback", false,
                      cb,         {ContactState::kScheduled, cb, "call back"},
                      false,      now_ + std::chrono::seconds(70)};
  ASSERT_TRUE(store_->SetDisposition(a->id, u).ok());
  auto hist = store_->AttemptsOfContact(ids[0]);
  ASSERT_TRUE(hist.ok() && hist->size() == 1u);
  const CallDetails& d = (*hist)[0].details;
  EXPECT_EQ(d.agent, "op1");
  EXPECT_EQ(d.connect_ms, 12);
  EXPECT_EQ(d.disposition, "callback");
  EXPECT_EQ(d.callback_at, cb);
  EXPECT_EQ(d.success, false);
  auto ct = store_->GetContact(ids[0]);
  EXPECT_EQ((*ct)->state, ContactState::kScheduled);
  EXPECT_EQ((*ct)->next_attempt_at, cb);

  // A do-not-call disposition strikes the contact and lists its number, once.
  DispositionUpdate dnc{"dnc", std::nullopt, std::nullopt, {ContactState::kStruck, {}, "dnc"},
                        true,  now_};
  ASSERT_TRUE(store_->SetDisposition(a->id, dnc).ok());
  ASSERT_TRUE(store_->SetDisposition(a->id, dnc).ok());
  EXPECT_EQ(*store_->DncNumbers(), std::vector<std::string>{"+74951234567"});
  EXPECT_EQ((*store_->GetContact(ids[0]))->state, ContactState::kStruck);
}

TEST_F(SqliteStoreTest, AgentEventsKeepTheirOrderAndFields) {
  AgentEvent login{"op1", AgentState::kLoggedOut, AgentState::kPaused, "logging in", now_, 0, 0};
  AgentEvent call{"op1",
                  AgentState::kReserved,
                  AgentState::kOnCall,
                  "attempt 5",
                  now_ + std::chrono::seconds(3),
                  2,
                  5};
  AgentEvent other{"op2", AgentState::kLoggedOut, AgentState::kPaused, "", now_, 0, 0};
  ASSERT_TRUE(store_->AddAgentEvents({login, other, call}).ok());
  auto mine = store_->AgentEvents("op1");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].reason, "logging in");
  EXPECT_EQ((*mine)[1].to, AgentState::kOnCall);
  EXPECT_EQ((*mine)[1].at, now_ + std::chrono::seconds(3));
  EXPECT_EQ((*mine)[1].attempt_id, 5);
  EXPECT_EQ(store_->AgentEvents("")->size(), 3u);
}

TEST_F(SqliteStoreTest, OperatorCredentialsAreReplacedFoundAndRemoved) {
  const std::string ha1 = "0123456789abcdef0123456789abcdef";
  ASSERT_TRUE(
      store_
          ->SetOperatorCredential({"anna", "dozvon", ha1, Instant(std::chrono::milliseconds(1000))})
          .ok());
  ASSERT_TRUE(store_
                  ->SetOperatorCredential(
                      {"boris", "dozvon", ha1, Instant(std::chrono::milliseconds(1000))})
                  .ok());
  // A new password replaces the old one.
  const std::string ha1b = "fedcba9876543210fedcba9876543210";
  ASSERT_TRUE(store_
                  ->SetOperatorCredential(
                      {"anna", "callcenter", ha1b, Instant(std::chrono::milliseconds(2000))})
                  .ok());
  auto anna = store_->FindOperatorCredential("anna");
  ASSERT_TRUE(anna.ok() && anna->has_value());
  EXPECT_EQ((*anna)->realm, "callcenter");
  EXPECT_EQ((*anna)->ha1, ha1b);
  EXPECT_EQ((*anna)->updated_at, Instant(std::chrono::milliseconds(2000)));
  EXPECT_FALSE(store_->FindOperatorCredential("carl")->has_value());
  auto all = store_->OperatorCredentials();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "anna");
  EXPECT_EQ((*all)[1].name, "boris");
  EXPECT_TRUE(store_->RemoveOperatorCredential("boris").ok());
  EXPECT_EQ(store_->RemoveOperatorCredential("boris").code(), StatusCode::kNotFound);
  // Not a credential: refused, and nothing written.
  EXPECT_FALSE(store_->SetOperatorCredential({"dana", "dozvon", "secret", Instant()}).ok());
  EXPECT_FALSE(store_->SetOperatorCredential({"", "dozvon", ha1, Instant()}).ok());
  EXPECT_FALSE(store_->FindOperatorCredential("dana")->has_value());
  EXPECT_EQ(store_->OperatorCredentials()->size(), 1u);
}

}  // namespace
}  // namespace dozvon
