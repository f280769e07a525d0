// PeriodicTimer on a real libre loop: it repeats, stops, and restarts. Counts only; every run
// of the loop is bounded by a one-shot guard timer.
#include "telephony/event_loop.h"

#include <gtest/gtest.h>

namespace dozvon {
namespace {

class PeriodicTimerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = EventLoop::Init();
    ASSERT_TRUE(l.ok()) << l.status().message();
    loop_ = std::move(l).value();
  }
  // Runs the loop until Stop() or `guard_ms`, whichever comes first.
  void RunFor(uint64_t guard_ms) {
    LoopTimer guard;
    guard.Start(guard_ms, [] { EventLoop::Stop(); });
    EventLoop::Run();
  }
  std::unique_ptr<EventLoop> loop_;
};

TEST_F(PeriodicTimerTest, RepeatsUntilStoppedAndCanRestart) {
  int ticks = 0;
  PeriodicTimer* self = nullptr;
  PeriodicTimer t([&] {
    if (++ticks % 5 == 0) {
      self->Stop();
      EventLoop::Stop();
    }
  });
  self = &t;
  t.Start(2);
  EXPECT_TRUE(t.running());
  RunFor(5000);
  EXPECT_EQ(ticks, 5);
  EXPECT_FALSE(t.running());
  RunFor(30);  // stopped: nothing more runs
  EXPECT_EQ(ticks, 5);
  t.Start(1);
  RunFor(5000);
  EXPECT_EQ(ticks, 10) << "restarted after Stop";
}

TEST_F(PeriodicTimerTest, DestroyingItWhileRunningStopsIt) {
  int ticks = 0;
  {
    PeriodicTimer t([&] { ++ticks; });
    t.Start(1);
  }
  RunFor(30);
  EXPECT_EQ(ticks, 0);
}

}  // namespace
}  // namespace dozvon
