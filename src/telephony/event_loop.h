// EventLoop: libre's single-threaded loop for the calling thread. libre is process-global:
// create one EventLoop per process (per thread with re_thread_init, later). Run() returns on
// Stop(), SIGINT or SIGTERM.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "core/status.h"

struct mqueue;  // libre
struct tmr;     // libre

namespace dozvon {

// Milliseconds on the steady clock, for every schedule and interval the telephony keeps
// (media frames, INVITE pacing, registrations, timings). libre 1.1.0's tmr_jiffies reads the
// wall clock (gettimeofday): a step by NTP or by hand would stall or skip every call's audio
// and expire registrations early. libre's own timers still use it (docs/telephony.md).
uint64_t MonotonicMs();
uint64_t MonotonicUs();  // the same clock in microseconds

class EventLoop {
 public:
  static Result<std::unique_ptr<EventLoop>> Init();
  ~EventLoop();
  static void Run();
  // Safe from loop callbacks; makes Run() return.
  static void Stop();

 private:
  EventLoop() = default;
};

// Runs functions on the libre loop thread, posted from any thread (libre's mqueue). Create and
// destroy it on the loop thread.
class LoopPoster {
 public:
  static Result<std::unique_ptr<LoopPoster>> Create();
  ~LoopPoster();
  // Thread-safe. `fn` runs later on the loop thread; dropped if the poster is gone.
  void Post(std::function<void()> fn);

 private:
  LoopPoster() = default;
  ::mqueue* mq_ = nullptr;
};

// A one-shot timer on the libre loop, on the monotonic clock, with libre tmr's calling
// convention (RAII: destroying it cancels it). Every SteadyTimer of a thread shares one
// CLOCK_MONOTONIC timerfd on the loop and an ordered queue, instead of libre's timer list:
// that list reads the wall clock, so a step back by NTP would hold every ring timeout and
// hold time for as long as the step, and a step forward would fire them all at once; and it
// inserts by a linear scan of every pending timer (TELEPHONY.md pitfall 2). Where no timerfd
// can be made, libre's list is the fallback. Create, start and destroy on the loop thread.
class SteadyTimer {
 public:
  using Fn = void (*)(void* arg);
  SteadyTimer();
  ~SteadyTimer();
  SteadyTimer(const SteadyTimer&) = delete;
  SteadyTimer& operator=(const SteadyTimer&) = delete;
  // Runs fn(arg) once, `ms` from now, from the loop (never from within Start, even for 0);
  // replaces any pending run. Timers due together run in the order they were started. `fn`
  // may start, cancel or destroy this or any other timer.
  void Start(uint64_t ms, Fn fn, void* arg);
  void Cancel();
  bool running() const;

  struct Queue;

 private:
  friend struct Queue;
  Fn fn_ = nullptr;
  void* arg_ = nullptr;
  uint64_t due_us_ = 0;
  uint64_t seq_ = 0;                 // 0: not queued
  std::unique_ptr<::tmr> fallback_;  // libre's timer, only where no timerfd could be made
};

// A one-shot timer on the libre loop that runs a function (RAII: destroying it cancels it).
// Create, start and destroy on the loop thread.
class LoopTimer {
 public:
  LoopTimer() = default;
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;
  // Replaces any pending run. `fn` may restart or destroy this timer.
  void Start(uint64_t ms, std::function<void()> fn);
  void Cancel();
  bool running() const { return timer_.running(); }

 private:
  static void Fire(void* arg);
  SteadyTimer timer_;
  std::function<void()> fn_;
};

// A periodic timer on the libre loop backed by a timerfd instead of libre's timer list. libre
// inserts every timer by a linear scan of all pending ones (TELEPHONY.md pitfall 2); with
// thousands of calls' SIP transaction timers pending, re-arming a tick every few ms through
// that list took most of the loop's time at 500 calls per second. Loop thread only.
class PeriodicTimer {
 public:
  explicit PeriodicTimer(std::function<void()> fn);
  ~PeriodicTimer();
  PeriodicTimer(const PeriodicTimer&) = delete;
  PeriodicTimer& operator=(const PeriodicTimer&) = delete;
  // Runs `fn` every `period_ms` from one period from now (restarts if running).
  void Start(uint64_t period_ms);
  void Stop();
  bool running() const { return running_; }

 private:
  static void OnReadable(int flags, void* arg);
  static void OnTmr(void* arg);
  std::function<void()> fn_;
  int fd_ = -1;  // -1: no timerfd here; libre's timer list is the fallback
  uint64_t period_ms_ = 0;
  bool running_ = false;
  std::unique_ptr<::tmr> tmr_;
};

}  // namespace dozvon
