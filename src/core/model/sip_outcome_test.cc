#include "core/model/sip_outcome.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

struct Row {
  int status;
  std::optional<int> reason_cause;
  bool our_timeout;
  Outcome outcome;
  std::optional<int> cause;
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << r.status << "/" << (r.reason_cause ? *r.reason_cause : -1);
}

class SipOutcomeTable : public ::testing::TestWithParam<Row> {};

TEST_P(SipOutcomeTable, MapsEveryRowOfTheTelephonyTable) {
  const Row& r = GetParam();
  SipOutcome o = OutcomeFromSip(r.status, r.reason_cause, r.our_timeout);
  EXPECT_EQ(ToString(o.outcome), ToString(r.outcome));
  EXPECT_EQ(o.q850_cause, r.cause);
}

INSTANTIATE_TEST_SUITE_P(
    Telephony, SipOutcomeTable,
    ::testing::Values(Row{200, std::nullopt, false, Outcome::kAnswered, std::nullopt},
                      Row{404, std::nullopt, false, Outcome::kInvalidNumber, 1},
                      Row{484, std::nullopt, false, Outcome::kInvalidNumber, 1},
                      Row{485, std::nullopt, false, Outcome::kInvalidNumber, 1},
                      Row{604, std::nullopt, false, Outcome::kInvalidNumber, 1},
                      Row{486, std::nullopt, false, Outcome::kBusy, 17},
                      Row{600, std::nullopt, false, Outcome::kBusy, 17},
                      Row{408, std::nullopt, false, Outcome::kNoAnswer, 18},
                      Row{480, std::nullopt, false, Outcome::kNoAnswer, 19},
                      Row{483, std::nullopt, false, Outcome::kNoAnswer, 19},
                      Row{487, std::nullopt, true, Outcome::kNoAnswer, 19},
                      Row{487, std::nullopt, false, Outcome::kInterrupted, std::nullopt},
                      Row{401, std::nullopt, false, Outcome::kRejected, 21},
                      Row{403, std::nullopt, false, Outcome::kRejected, 21},
                      Row{407, std::nullopt, false, Outcome::kRejected, 21},
                      Row{603, std::nullopt, false, Outcome::kRejected, 21},
                      Row{410, std::nullopt, false, Outcome::kInvalidNumber, 22},
                      Row{503, std::nullopt, false, Outcome::kCongestion, 34},
                      Row{500, std::nullopt, false, Outcome::kCongestion, 41},
                      Row{502, std::nullopt, false, Outcome::kCongestion, 38},
                      Row{504, std::nullopt, false, Outcome::kCongestion, 41},
                      // A Reason header wins when its cause means something.
                      Row{480, 17, false, Outcome::kBusy, 17},
                      Row{503, 1, false, Outcome::kInvalidNumber, 1},
                      Row{486, 16, false, Outcome::kBusy,
                          17},  // normal clearing: the status decides
                      Row{606, std::nullopt, false, Outcome::kFailed, std::nullopt},
                      Row{501, std::nullopt, false, Outcome::kCongestion, std::nullopt}));

TEST(SipOutcome, ParsesQ850ReasonHeaders) {
  EXPECT_EQ(ParseQ850Reason("Q.850;cause=17;text=\"User busy\""), 17);
  EXPECT_EQ(ParseQ850Reason("q.850 ; cause=1"), 1);  // whitespace around ';' is legal
  EXPECT_EQ(ParseQ850Reason("q.850;text=\"x\";cause=34"), 34);
  EXPECT_EQ(ParseQ850Reason("SIP;cause=200;text=\"Call completed elsewhere\""), std::nullopt);
  EXPECT_EQ(ParseQ850Reason("Q.850;cause=abc"), std::nullopt);
  EXPECT_EQ(ParseQ850Reason("Q.850;cause=999"), std::nullopt);
  EXPECT_EQ(ParseQ850Reason(""), std::nullopt);
}

}  // namespace
}  // namespace dozvon
