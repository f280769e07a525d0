#include "telephony/realtime.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace dozvon {
namespace {

struct Sched {
  int policy = -1;
  int priority = -1;
};

Sched Current() {
  Sched s;
  s.policy = sched_getscheduler(0);
  struct sched_param p {};
  if (sched_getparam(0, &p) == 0) s.priority = p.sched_priority;
  return s;
}

class RealtimeTest : public ::testing::Test {
 protected:
  void TearDown() override { ASSERT_TRUE(SetMediaPriority(0).ok()); }
};

TEST_F(RealtimeTest, OffLeavesTheThreadAlone) {
  ASSERT_TRUE(SetMediaPriority(0).ok());
  Sched after;
  std::thread([&] {
    EXPECT_TRUE(ApplyMediaPriority().ok());
    after = Current();
  }).join();
  EXPECT_EQ(after.policy, SCHED_OTHER);
}

TEST_F(RealtimeTest, OutOfRangePrioritiesAreRefused) {
  EXPECT_FALSE(SetMediaPriority(-1).ok());
  EXPECT_FALSE(SetMediaPriority(100).ok());
  EXPECT_EQ(MediaPriority(), 0);
}

// The media thread runs round-robin at the priority asked; a thread it starts (TTS, store)
// is back at normal priority.
TEST_F(RealtimeTest, TheMediaThreadGetsRoundRobinAndItsChildrenDoNot) {
  ASSERT_TRUE(SetMediaPriority(7).ok());
  Status applied;
  Sched media, child;
  std::thread([&] {
    applied = ApplyMediaPriority();
    media = Current();
    std::thread([&] { child = Current(); }).join();
  }).join();
  if (!applied.ok()) {
    // Without the privilege the error names what is missing, and nothing changed.
    EXPECT_NE(applied.message().find("RLIMIT_RTPRIO"), std::string::npos) << applied.message();
    EXPECT_EQ(media.policy, SCHED_OTHER);
    GTEST_SKIP() << "no privilege for real-time scheduling here: " << applied.message();
  }
  EXPECT_EQ(media.policy & ~SCHED_RESET_ON_FORK, SCHED_RR);
  EXPECT_NE(media.policy & SCHED_RESET_ON_FORK, 0);
  EXPECT_EQ(media.priority, 7);
  EXPECT_EQ(child.policy, SCHED_OTHER);
  EXPECT_EQ(child.priority, 0);
  EXPECT_EQ(Current().policy, SCHED_OTHER) << "only the thread that asked changes";
}

}  // namespace
}  // namespace dozvon
