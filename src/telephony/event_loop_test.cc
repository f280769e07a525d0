// PeriodicTimer and SteadyTimer on a real libre loop: they fire when due and in order, stop,
// restart, and survive callbacks that destroy timers. Every run of the loop is bounded by a
// one-shot guard timer.
#include "telephony/event_loop.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

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

using SteadyTimerTest = PeriodicTimerTest;

TEST_F(SteadyTimerTest, FiresOnceWhenDueAndNeverBefore) {
  struct Seen {
    int fired = 0;
    uint64_t at_us = 0;
  } seen;
  SteadyTimer t;
  const uint64_t start_us = MonotonicUs();
  t.Start(
      30,
      [](void* arg) {
        auto* s = static_cast<Seen*>(arg);
        ++s->fired;
        s->at_us = MonotonicUs();
      },
      &seen);
  EXPECT_TRUE(t.running());
  RunFor(100);
  EXPECT_EQ(seen.fired, 1);
  EXPECT_GE(seen.at_us - start_us, 30000u);
  EXPECT_FALSE(t.running());
}

TEST_F(SteadyTimerTest, ZeroDelayRunsFromTheLoopNotFromStart) {
  int fired = 0;
  SteadyTimer t;
  t.Start(
      0, [](void* arg) { ++*static_cast<int*>(arg); }, &fired);
  EXPECT_EQ(fired, 0);
  RunFor(20);
  EXPECT_EQ(fired, 1);
}

// Timers due together run in the order they were started; an earlier one first.
TEST_F(SteadyTimerTest, RunsByDueTimeThenStartOrder) {
  std::string order;
  struct Mark {
    std::string* order;
    char c;
  } a{&order, 'a'}, b{&order, 'b'}, c{&order, 'c'};
  auto mark = [](void* arg) {
    auto* m = static_cast<Mark*>(arg);
    m->order->push_back(m->c);
  };
  SteadyTimer ta, tb, tc;
  ta.Start(10, mark, &a);
  tb.Start(10, mark, &b);
  tc.Start(5, mark, &c);
  RunFor(60);
  EXPECT_EQ(order, "cab");
}

TEST_F(SteadyTimerTest, CancelStopsItAndStartReplacesThePendingRun) {
  int fired = 0;
  auto count = [](void* arg) { ++*static_cast<int*>(arg); };
  SteadyTimer cancelled, replaced;
  cancelled.Start(5, count, &fired);
  cancelled.Cancel();
  EXPECT_FALSE(cancelled.running());
  const uint64_t start_us = MonotonicUs();
  uint64_t at_us = 0;
  replaced.Start(5, count, &fired);
  replaced.Start(
      40, [](void* arg) { *static_cast<uint64_t*>(arg) = MonotonicUs(); }, &at_us);
  RunFor(100);
  EXPECT_EQ(fired, 0) << "neither the cancelled run nor the replaced one happened";
  EXPECT_GE(at_us - start_us, 40000u);
}

// A callback may destroy a timer due in the same wake-up, and one may destroy itself.
TEST_F(SteadyTimerTest, ACallbackMayDestroyTimersDueWithIt) {
  struct State {
    std::unique_ptr<SteadyTimer> victim = std::make_unique<SteadyTimer>();
    std::unique_ptr<SteadyTimer> suicidal = std::make_unique<SteadyTimer>();
    int victim_runs = 0, killer_runs = 0, suicidal_runs = 0;
  } st;
  SteadyTimer killer;
  killer.Start(
      10,
      [](void* arg) {
        auto* s = static_cast<State*>(arg);
        ++s->killer_runs;
        s->victim.reset();
      },
      &st);
  st.victim->Start(
      10, [](void* arg) { ++static_cast<State*>(arg)->victim_runs; }, &st);
  st.suicidal->Start(
      10,
      [](void* arg) {
        auto* s = static_cast<State*>(arg);
        ++s->suicidal_runs;
        s->suicidal.reset();
      },
      &st);
  RunFor(60);
  EXPECT_EQ(st.killer_runs, 1);
  EXPECT_EQ(st.victim_runs, 0);
  EXPECT_EQ(st.suicidal_runs, 1);
  EXPECT_EQ(st.suicidal, nullptr);
}

// A timer that restarts itself at 0 ms from its own callback cannot keep the loop in one
// wake-up: each run waits for the next, and the guard (due later, started earlier) still runs.
TEST_F(SteadyTimerTest, ARestartAtZeroFromTheCallbackWaitsForTheNextWakeUp) {
  struct Spin {
    SteadyTimer t;
    int runs = 0;
    static void Run(void* arg) {
      auto* s = static_cast<Spin*>(arg);
      ++s->runs;
      s->t.Start(0, Run, s);
    }
  } spin;
  spin.t.Start(0, Spin::Run, &spin);
  RunFor(30);  // returns only if the guard's wake-up came: the spin did not hold the loop
  spin.t.Cancel();
  EXPECT_GT(spin.runs, 1) << "it ran again at each wake-up";
}

// Many timers with random delays: every one fires once, none before its due time, and they
// fire in due order.
TEST_F(SteadyTimerTest, TenThousandTimersFireOnceEachInDueOrder) {
  constexpr int kTimers = 10000;
  struct Entry {
    SteadyTimer t;
    uint64_t due_us = 0;
    int fired = 0;
    uint64_t at_us = 0;
    std::vector<uint64_t>* dues_seen = nullptr;
  };
  std::vector<uint64_t> dues_seen;
  std::vector<std::unique_ptr<Entry>> entries;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> ms(0, 40);
  for (int i = 0; i < kTimers; ++i) {
    auto e = std::make_unique<Entry>();
    const int delay = ms(rng);
    e->dues_seen = &dues_seen;
    e->due_us = MonotonicUs() + static_cast<uint64_t>(delay) * 1000;
    e->t.Start(
        static_cast<uint64_t>(delay),
        [](void* arg) {
          auto* en = static_cast<Entry*>(arg);
          ++en->fired;
          en->at_us = MonotonicUs();
          en->dues_seen->push_back(en->due_us);
        },
        e.get());
    entries.push_back(std::move(e));
  }
  RunFor(200);
  int late_or_early = 0;
  for (const auto& e : entries) {
    EXPECT_EQ(e->fired, 1);
    if (e->at_us < e->due_us) ++late_or_early;
  }
  EXPECT_EQ(late_or_early, 0) << "fired before their due time";
  ASSERT_EQ(dues_seen.size(), static_cast<size_t>(kTimers));
  // Start order and due order can differ by the microseconds between two Starts: allow
  // a millisecond, the delays' own resolution.
  for (size_t i = 1; i < dues_seen.size(); ++i) {
    ASSERT_LE(dues_seen[i - 1], dues_seen[i] + 1000) << "at " << i;
  }
}

// A timer still queued when its loop closes fires in the next loop of the thread, and one
// started and cancelled between two loops touches neither.
TEST(SteadyTimerAcrossLoops, AQueuedTimerFiresInTheNextLoop) {
  int fired = 0;
  auto count = [](void* arg) { ++*static_cast<int*>(arg); };
  SteadyTimer t;
  {
    auto first = EventLoop::Init();
    ASSERT_TRUE(first.ok()) << first.status().message();
    t.Start(10, count, &fired);
  }
  SteadyTimer between;
  between.Start(5, count, &fired);
  between.Cancel();
  auto second = EventLoop::Init();
  ASSERT_TRUE(second.ok()) << second.status().message();
  LoopTimer guard;
  guard.Start(100, [] { EventLoop::Stop(); });
  EventLoop::Run();
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(t.running());
}

}  // namespace
}  // namespace dozvon
