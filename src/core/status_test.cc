#include "core/status.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  DZ_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, OkIsDefaultAndCheap) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

TEST(Status, CarriesCodeAndMessageThroughCopies) {
  Status s = Status::NotFound("list \"march\"");
  Status copy = s;
  EXPECT_EQ(copy.code(), StatusCode::kNotFound);
  EXPECT_EQ(copy.ToString(), "not found: list \"march\"");
  EXPECT_EQ(s.WithContext("import").message(), "import: list \"march\"");
}

TEST(Result, PropagatesErrorsWithMacros) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
}

}  // namespace
}  // namespace dozvon
