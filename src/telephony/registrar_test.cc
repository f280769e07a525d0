#include "telephony/registrar.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

// RFC 2617 section 3.5's example: the HA1 behind its response digest.
TEST(DigestHa1, MatchesRfc2617) {
  EXPECT_EQ(DigestHa1("Mufasa", "testrealm@host.com", "Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9");
  // The realm is part of it: the same password stored for another realm does not match.
  EXPECT_NE(DigestHa1("Mufasa", "dozvon", "Circle Of Life"),
            DigestHa1("Mufasa", "testrealm@host.com", "Circle Of Life"));
}

}  // namespace
}  // namespace dozvon
