#include "telephony/thread_clock.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <thread>

namespace dozvon {
namespace {

using Clock = std::chrono::steady_clock;

// Busy for `ms` of wall time (bounded by the clock, not by work done).
void Spin(int ms) {
  const auto end = Clock::now() + std::chrono::milliseconds(ms);
  volatile uint64_t x = 0;
  while (Clock::now() < end) x = x + 1;
}

TEST(ThreadCpuUs, CountsThisThreadsWorkOnly) {
  const int64_t before = ThreadCpuUs();
  const auto wall0 = Clock::now();
  Spin(30);
  const int64_t spun = ThreadCpuUs() - before;
  const int64_t wall_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - wall0).count();
  EXPECT_GT(spun, 0);
  EXPECT_LE(spun, wall_us + 1000);

  // Another thread's 50 ms of spinning is not ours: this one only waits for it.
  const int64_t before_join = ThreadCpuUs();
  std::thread([] { Spin(50); }).join();
  EXPECT_LT(ThreadCpuUs() - before_join, 25000);
}

TEST(RunQueueClock, CountsTimeRunnableButOffTheCpu) {
  RunQueueClock probe;
  if (probe.WaitedUs() < 0) GTEST_SKIP() << "no /proc/thread-self/schedstat in this kernel";
  // Two threads busy on one CPU for 200 ms: each is runnable while the other runs, so each
  // waits a large share of it. Normal scheduling, so neither can starve the other.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  int64_t waited[2] = {-1, -1};
  auto busy = [&one](int64_t* out) {
    ASSERT_EQ(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0);
    RunQueueClock clock;
    const int64_t w0 = clock.WaitedUs();
    Spin(200);
    const int64_t w1 = clock.WaitedUs();
    EXPECT_GE(w1, w0) << "the wait only grows";
    *out = w1 - w0;
  };
  std::thread a(busy, &waited[0]);
  std::thread b(busy, &waited[1]);
  a.join();
  b.join();
  EXPECT_GT(waited[0], 20000);
  EXPECT_GT(waited[1], 20000);
}

TEST(RunQueueClock, AThreadThatSleepsIsNotWaiting) {
  RunQueueClock clock;
  const int64_t w0 = clock.WaitedUs();
  if (w0 < 0) GTEST_SKIP() << "no /proc/thread-self/schedstat in this kernel";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Asleep is not runnable: at most the wake-up itself is counted.
  EXPECT_LT(clock.WaitedUs() - w0, 50000);
}

TEST(RunQueueClock, BetweenTwoReadingsIsUnknownIfEitherIs) {
  EXPECT_EQ(RunQueueClock::Between(100, 350), 250);
  EXPECT_EQ(RunQueueClock::Between(-1, 350), -1);
  EXPECT_EQ(RunQueueClock::Between(100, -1), -1);
}

}  // namespace
}  // namespace dozvon
