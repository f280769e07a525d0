#include "import/importer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/time/tz.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

namespace fs = std::filesystem;

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dozvon_import_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = SqliteStore::Open((dir_ / "t.db").string());
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  static std::string Slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::vector<Contact> Contacts(const std::string& list) {
    std::vector<Contact> out;
    auto l = store_->FindList(list);
    if (!l.ok() || !l->has_value()) return out;
    EXPECT_TRUE(store_
                    ->ForEachContact((*l)->id,
                                     [&](const Contact& c) {
                                       out.push_back(c);
                                       return Status::Ok();
                                     })
                    .ok());
    return out;
  }

  Result<ImportSummary> Import(const std::string& path, Dedupe d = Dedupe::kList,
                               const std::string& list = "march") {
    ImportOptions o;
    o.list = list;
    o.default_region = "RU";
    o.dedupe = d;
    o.threads = 2;
    return ImportCsv(*store_, path, o, now_);
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  Instant now_ = *ParseIso8601("2026-03-02T09:00:00+03:00");
};

TEST_F(ImporterTest, ImportsNormalisesAndRejectsWithReasons) {
  std::string p = Write("c.csv",
                        "\xEF\xBB\xBFPhone;First Name;amount;timezone\r\n"
                        "8 (495) 123-45-67;Иван;1500;\r\n"
                        "+7 999;Пётр;10;\r\n"
                        "+7 916 123 45 67;Анна;\"2,5\";Asia/Omsk\r\n"
                        "+7 383 212 34 56;Олег;7;Moscow\r\n"
                        "\r\n"
                        "+7 383 212 34 57;Ольга;8\r\n");
  auto r = Import(p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->imported, 2);
  EXPECT_EQ(r->rejected, 3);
  EXPECT_EQ(r->duplicates, 0);
  EXPECT_EQ(r->delimiter, ';');

  auto cs = Contacts("march");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].phone_e164, "+74951234567");
  EXPECT_EQ(cs[0].zones, std::vector<std::string>{"Europe/Moscow"});
  EXPECT_EQ(cs[0].zone_source, ZoneSource::kPrefix);
  EXPECT_EQ(cs[0].source_line, 2);
  ASSERT_EQ(cs[0].fields.size(), 3u);
  EXPECT_EQ(cs[0].fields[0].first, "first_name");
  EXPECT_EQ(cs[0].fields[0].second, "Иван");
  EXPECT_EQ(cs[1].zones, std::vector<std::string>{"Asia/Omsk"}) << "the column wins";
  EXPECT_EQ(cs[1].zone_source, ZoneSource::kColumn);
  EXPECT_EQ(cs[1].fields[1].second, "2,5");

  std::string rejects = Slurp(r->rejects_path);
  EXPECT_EQ(r->rejects_path, p + ".rejects.csv");
  EXPECT_EQ(
      rejects,
      "line,reason,Phone,First Name,amount,timezone\r\n"
      "3,\"phone \"\"+7 999\"\": too short for RU\",+7 999,Пётр,10,\r\n"
      "5,\"timezone \"\"Moscow\"\" is not an IANA time zone\",+7 383 212 34 56,Олег,7,Moscow\r\n"
      "7,\"expected 4 fields, got 3\",+7 383 212 34 57,Ольга,8\r\n");
}

TEST_F(ImporterTest, DedupeWithinFileAndAgainstListOrSystem) {
  std::string a = Write("a.csv", "phone\n+74951234567\n8 495 123-45-67\n+74951234568\n");
  auto r1 = Import(a);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->imported, 2);
  EXPECT_EQ(r1->duplicates, 1);
  EXPECT_NE(Slurp(r1->rejects_path).find("3,duplicate of line 2,"), std::string::npos);

  auto again = Import(a);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->duplicates, 3);

  auto other_list = Import(a, Dedupe::kList, "april");
  ASSERT_TRUE(other_list.ok());
  EXPECT_EQ(other_list->imported, 2) << "list dedupe ignores other lists";

  auto system = Import(a, Dedupe::kSystem, "may");
  ASSERT_TRUE(system.ok());
  EXPECT_EQ(system->imported, 0);
  EXPECT_NE(Slurp(system->rejects_path).find("duplicate: already in the database"),
            std::string::npos);

  auto none = Import(a, Dedupe::kNone, "june");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->imported, 3);
  EXPECT_EQ(none->rejects_path, "") << "no rejects: no file, and a stale one is removed";
  EXPECT_FALSE(fs::exists(a + ".rejects.csv"));
}

TEST_F(ImporterTest, UnusableInputLeavesTheDatabaseUnchanged) {
  auto missing = Import((dir_ / "nope.csv").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  auto no_phone = Import(Write("n.csv", "name,amount\nIvan,1\n"));
  ASSERT_FALSE(no_phone.ok());
  EXPECT_EQ(no_phone.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_phone.status().message().find("line 1: no \"phone\" column"), std::string::npos);

  auto dup_header = Import(Write("d.csv", "phone,name,Name\n+74951234567,a,b\n"));
  ASSERT_FALSE(dup_header.ok());

  auto empty = Import(Write("e.csv", ""));
  ASSERT_FALSE(empty.ok());

  auto lists = store_->Lists();
  ASSERT_TRUE(lists.ok());
  EXPECT_TRUE(lists->empty()) << "not even the list may be created";
}

// A store that fails after a few rows, as a full disk would.
class FailingStore final : public ContactStore {
 public:
  explicit FailingStore(ContactStore& inner) : inner_(inner) {}
  Result<std::optional<ListInfo>> FindList(std::string_view n) override {
    return inner_.FindList(n);
  }
  Result<std::vector<ListInfo>> Lists() override { return inner_.Lists(); }
  Result<std::unique_ptr<ContactImport>> BeginImport(std::string_view list, Instant now,
                                                     int64_t rows) override {
    DZ_ASSIGN_OR_RETURN(auto real, inner_.BeginImport(list, now, rows));
    return std::unique_ptr<ContactImport>(new Failing(std::move(real)));
  }
  Status ForEachPhone(std::optional<int64_t> l,
                      const std::function<void(std::string_view)>& fn) override {
    return inner_.ForEachPhone(l, fn);
  }
  Status ForEachContact(int64_t l, const std::function<Status(const Contact&)>& fn) override {
    return inner_.ForEachContact(l, fn);
  }
  Result<std::optional<Contact>> GetContact(int64_t id) override { return inner_.GetContact(id); }

 private:
  class Failing final : public ContactImport {
   public:
    explicit Failing(std::unique_ptr<ContactImport> r) : real_(std::move(r)) {}
    int64_t list_id() const override { return real_->list_id(); }
    Status Add(const NewContact& c) override {
      if (++n_ > 3) return Status::IoError("disk full");
      return real_->Add(c);
    }
    Status Commit() override { return real_->Commit(); }

   private:
    std::unique_ptr<ContactImport> real_;
    int n_ = 0;
  };
  ContactStore& inner_;
};

TEST_F(ImporterTest, StoreFailureMidFileRollsBackEverything) {
  std::string text = "phone\n";
  for (int i = 0; i < 10; ++i) text += "+7495123456" + std::to_string(i) + "\n";
  FailingStore failing(*store_);
  ImportOptions o;
  o.list = "march";
  o.default_region = "RU";
  auto r = ImportCsv(failing, Write("f.csv", text), o, now_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("f.csv:5: disk full"), std::string::npos)
      << r.status().message();
  EXPECT_TRUE(store_->Lists()->empty());
  EXPECT_FALSE(fs::exists(dir_ / "f.csv.rejects.csv"));
}

TEST_F(ImporterTest, LargeFileKeepsOrderAcrossBatches) {
  std::string text = "phone,n\n";
  for (int i = 0; i < 20000; ++i) {
    text += "+7916" + std::to_string(1000000 + i) + "," + std::to_string(i) + "\n";
    if (i % 997 == 0) text += "bad,x\n";
  }
  int64_t progress_calls = 0;
  ImportOptions o;
  o.list = "big";
  o.default_region = "RU";
  o.threads = 3;
  o.progress = [&](const ImportProgress&) { ++progress_calls; };
  auto r = ImportCsv(*store_, Write("big.csv", text), o, now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->imported, 20000);
  EXPECT_EQ(r->rejected, 21);
  EXPECT_GT(progress_calls, 3);
  auto cs = Contacts("big");
  ASSERT_EQ(cs.size(), 20000u);
  for (size_t i = 0; i < cs.size(); ++i) {
    ASSERT_EQ(cs[i].fields[0].second, std::to_string(i)) << "file order is kept";
  }
}

// A phone-only file has far fewer bytes per row than the dedupe table is sized for, so the
// table grows during the import; numbers seen before it grew still match.
TEST_F(ImporterTest, DedupeHoldsWhileItsTableGrows) {
  std::string text = "phone\n";
  for (int i = 0; i < 30000; ++i) text += "+7916" + std::to_string(1000000 + i) + "\n";
  for (int i = 0; i < 30000; i += 3000) text += "8916" + std::to_string(1000000 + i) + "\n";
  ImportOptions o;
  o.list = "phones";
  o.default_region = "RU";
  auto r = ImportCsv(*store_, Write("phones.csv", text), o, now_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->imported, 30000);
  EXPECT_EQ(r->duplicates, 10);
  std::string rejects = Slurp(r->rejects_path);
  EXPECT_NE(rejects.find("30002,duplicate of line 2,89161000000"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("30011,duplicate of line 27002,89161027000"), std::string::npos)
      << rejects;
}

}  // namespace
}  // namespace dozvon
