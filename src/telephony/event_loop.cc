#include "telephony/event_loop.h"

#include <cstdint>
#include <cstring>

#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "telephony/realtime.h"

extern "C" {
#include <re.h>
}

namespace dozvon {

uint64_t MonotonicMs() {
  struct timespec t;
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000 + static_cast<uint64_t>(t.tv_nsec) / 1000000;
}
namespace {

void OnPosted(int id, void* data, void* arg) {
  (void)id;
  (void)arg;
  std::unique_ptr<std::function<void()>> fn(static_cast<std::function<void()>*>(data));
  (*fn)();
}

void OnSignal(int sig) {
  (void)sig;
  re_cancel();
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::Init() {
  int err = libre_init();
  if (err) return Status::Internal(std::string("libre_init: ") + std::strerror(err));
  // Each call needs RTP and RTCP sockets: raise the fd limit (soft up to the hard limit, at
  // most 65536) and size libre's poll set to match (TELEPHONY.md pitfall 3).
  struct rlimit rl;
  int maxfds = 1024;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rlim_t want = rl.rlim_max == RLIM_INFINITY ? 65536 : std::min<rlim_t>(rl.rlim_max, 65536);
    if (rl.rlim_cur < want) {
      rl.rlim_cur = want;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
      maxfds = static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 65536));
  }
  err = fd_setsize(maxfds);
  if (err) {
    libre_close();
    return Status::Internal(std::string("fd_setsize: ") + std::strerror(err));
  }
  return std::unique_ptr<EventLoop>(new EventLoop());
}

EventLoop::~EventLoop() { libre_close(); }

void EventLoop::Run() {
  ApplyMediaPriorityOrWarn();  // the loop carries the media tick
  re_main(OnSignal);
}

void EventLoop::Stop() { re_cancel(); }

Result<std::unique_ptr<LoopPoster>> LoopPoster::Create() {
  std::unique_ptr<LoopPoster> p(new LoopPoster());
  int err = mqueue_alloc(&p->mq_, OnPosted, nullptr);
  if (err) return Status::Internal(std::string("mqueue_alloc: ") + std::strerror(err));
  return p;
}

LoopPoster::~LoopPoster() { mq_ = static_cast<::mqueue*>(mem_deref(mq_)); }

void LoopPoster::Post(std::function<void()> fn) {
  auto* heap = new std::function<void()>(std::move(fn));
  if (mqueue_push(mq_, 0, heap) != 0) delete heap;
}

LoopTimer::LoopTimer() : tmr_(std::make_unique<::tmr>()) { tmr_init(tmr_.get()); }
LoopTimer::~LoopTimer() { tmr_cancel(tmr_.get()); }

void LoopTimer::Start(uint64_t ms, std::function<void()> fn) {
  fn_ = std::move(fn);
  tmr_start(tmr_.get(), ms, Fire, this);
}

void LoopTimer::Cancel() {
  tmr_cancel(tmr_.get());
  fn_ = nullptr;
}

bool LoopTimer::running() const { return tmr_isrunning(tmr_.get()); }

void LoopTimer::Fire(void* arg) {
  auto* self = static_cast<LoopTimer*>(arg);
  // Moved out first: the function may start this timer again, or destroy it.
  auto fn = std::move(self->fn_);
  self->fn_ = nullptr;
  if (fn) fn();
}

PeriodicTimer::PeriodicTimer(std::function<void()> fn)
    : fn_(std::move(fn)), tmr_(std::make_unique<::tmr>()) {
  tmr_init(tmr_.get());
  fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

PeriodicTimer::~PeriodicTimer() {
  Stop();
  if (fd_ >= 0) close(fd_);
}

void PeriodicTimer::Start(uint64_t period_ms) {
  period_ms_ = std::max<uint64_t>(1, period_ms);
  if (fd_ >= 0) {
    struct itimerspec its {};
    its.it_interval.tv_sec = static_cast<time_t>(period_ms_ / 1000);
    its.it_interval.tv_nsec = static_cast<long>((period_ms_ % 1000) * 1000000);
    its.it_value = its.it_interval;
    if (timerfd_settime(fd_, 0, &its, nullptr) == 0 &&
        (running_ || fd_listen(fd_, FD_READ, OnReadable, this) == 0)) {
      running_ = true;
      return;
    }
    // No timerfd after all: fall back to libre's list for good.
    fd_close(fd_);
    close(fd_);
    fd_ = -1;
  }
  running_ = true;
  tmr_start(tmr_.get(), period_ms_, OnTmr, this);
}

void PeriodicTimer::Stop() {
  if (!running_) return;
  running_ = false;
  if (fd_ >= 0) {
    struct itimerspec off {};
    timerfd_settime(fd_, 0, &off, nullptr);
    fd_close(fd_);
  }
  tmr_cancel(tmr_.get());
}

void PeriodicTimer::OnReadable(int, void* arg) {
  auto* self = static_cast<PeriodicTimer*>(arg);
  uint64_t expirations = 0;
  // Ticks missed while the loop was busy are run once: callers catch up by the clock.
  if (read(self->fd_, &expirations, sizeof expirations) != sizeof expirations) return;
  if (self->running_ && self->fn_) self->fn_();
}

void PeriodicTimer::OnTmr(void* arg) {
  auto* self = static_cast<PeriodicTimer*>(arg);
  tmr_start(self->tmr_.get(), self->period_ms_, OnTmr, self);
  if (self->fn_) self->fn_();
}

}  // namespace dozvon
