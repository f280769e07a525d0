#include "import/csv_reader.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

std::vector<CsvRecord> ReadAll(std::string data, Status* error = nullptr) {
  auto r = CsvReader::FromString(std::move(data));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<CsvRecord> out;
  for (int guard = 0; guard < 100000; ++guard) {
    CsvRecord rec;
    auto more = (*r)->Next(&rec);
    if (!more.ok()) {
      if (error) *error = more.status();
      break;
    }
    if (!*more) break;
    out.push_back(std::move(rec));
  }
  return out;
}

using Fields = std::vector<std::string>;

struct DelimiterCase {
  std::string text;
  char expected;
};

void PrintTo(const DelimiterCase& c, std::ostream* os) { *os << c.text; }

class DelimiterTest : public ::testing::TestWithParam<DelimiterCase> {};

TEST_P(DelimiterTest, GuessesFromHeaderAndRows) {
  EXPECT_EQ(GuessDelimiter(GetParam().text), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Csv, DelimiterTest,
                         ::testing::Values(DelimiterCase{"phone,name\n+1,a\n", ','},
                                           DelimiterCase{"phone;name;amount\n+7;Иван, мл.;1,5\n",
                                                         ';'},
                                           DelimiterCase{"phone\tname\n+7\tA, B\n", '\t'},
                                           DelimiterCase{"phone|name\n+7|x\n", '|'},
                                           DelimiterCase{"\"a,b\";c\n\"x,y\";z\n", ';'},
                                           DelimiterCase{"phone\n+79161234567\n", ','}));

TEST(CsvReader, QuotedFieldsWithDelimitersQuotesAndNewlines) {
  auto recs = ReadAll(
      "phone,note\n"
      "+1,\"a, b\"\n"
      "+2,\"she said \"\"hi\"\"\"\n"
      "+3,\"two\nlines\"\n"
      "+4,last\n");
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[1].fields, (Fields{"+1", "a, b"}));
  EXPECT_EQ(recs[2].fields, (Fields{"+2", "she said \"hi\""}));
  EXPECT_EQ(recs[3].fields, (Fields{"+3", "two\nlines"}));
  EXPECT_EQ(recs[3].line, 4);
  EXPECT_EQ(recs[4].line, 6) << "line numbers count the embedded newline";
}

TEST(CsvReader, StripsBomAndHandlesCrlf) {
  auto r = CsvReader::FromString("\xEF\xBB\xBFphone;name\r\n+7;Олег\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->had_bom());
  EXPECT_EQ((*r)->delimiter(), ';');
  CsvRecord rec;
  ASSERT_TRUE(*(*r)->Next(&rec));
  EXPECT_EQ(rec.fields, (Fields{"phone", "name"}));
  ASSERT_TRUE(*(*r)->Next(&rec));
  EXPECT_EQ(rec.fields, (Fields{"+7", "Олег"}));
  EXPECT_FALSE(*(*r)->Next(&rec));
}

TEST(CsvReader, SkipsBlankLinesAndEmptyRowsKeepingLineNumbers) {
  auto recs = ReadAll("phone,name\n\n+1,a\r\n\r\n,\n+2,b");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].line, 3);
  EXPECT_EQ(recs[2].line, 6);
  EXPECT_EQ(recs[2].fields, (Fields{"+2", "b"})) << "last line without a newline";
}

TEST(CsvReader, TabDelimiterKeepsEmptyFieldsAndTrimsOnlySpaces) {
  auto recs = ReadAll("phone\tname\tcity\n +7 \t\tOmsk\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].fields, (Fields{"+7", "", "Omsk"}));
}

TEST(CsvReader, TenThousandCharacterField) {
  std::string big(10000, 'x');
  big[5000] = ',';
  auto recs = ReadAll("phone,note\n+1,\"" + big + "\"\n+2,y\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields[1], big);
  EXPECT_EQ(recs[2].fields[1], "y");
}

TEST(CsvReader, UnterminatedQuoteIsAnErrorNamingItsLine) {
  Status err;
  auto recs = ReadAll("phone,note\n+1,ok\n+2,\"never closed\n+3,lost\n", &err);
  ASSERT_EQ(recs.size(), 2u);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.message(),
            "line 3: quoted field never closes (the record runs to the end of the file)");
}

TEST(CsvReader, RefusesUtf16) {
  auto r = CsvReader::FromString(std::string("\xFF\xFEp\0h\0", 6));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("UTF-16"), std::string::npos);
}

TEST(CsvReader, AppendCsvFieldQuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField(&out, "plain");
  out += ',';
  AppendCsvField(&out, "a,\"b\"\nc");
  EXPECT_EQ(out, "plain,\"a,\"\"b\"\"\nc\"");
}

}  // namespace
}  // namespace dozvon
