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

// A one-shot timer on the libre loop that runs a function (RAII: destroying it cancels it).
// Create, start and destroy on the loop thread.
class LoopTimer {
 public:
  LoopTimer();
  ~LoopTimer();
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;
  // Replaces any pending run. `fn` may restart or destroy this timer.
  void Start(uint64_t ms, std::function<void()> fn);
  void Cancel();
  bool running() const;

 private:
  static void Fire(void* arg);
  std::unique_ptr<::tmr> tmr_;
  std::function<void()> fn_;
};

}  // namespace dozvon
