// Clock: the only way core code learns the time. Production injects the system clock (app/),
// tests and `dozvon simulate` inject FakeClock, so every rule runs deterministically.
// Thread-safety: FakeClock is not thread-safe; it belongs to the thread that drives the core.
#pragma once

#include <chrono>

namespace dozvon {

// A UTC instant with millisecond resolution. All stored and compared times are Instants.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC). May jump; use for calendars, windows and stored timestamps.
  virtual Instant Now() const = 0;
  // Monotonic time for measuring intervals (ring time, connect time). Never jumps.
  virtual std::chrono::nanoseconds Monotonic() const = 0;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start) : now_(start) {}
  Instant Now() const override { return now_; }
  std::chrono::nanoseconds Monotonic() const override { return mono_; }
  void Set(Instant t) {
    if (t > now_) mono_ += t - now_;
    now_ = t;
  }
  void Advance(Duration d) {
    now_ += d;
    mono_ += d;
  }

 private:
  Instant now_;
  std::chrono::nanoseconds mono_{0};
};

}  // namespace dozvon
