#include "telephony/event_loop.h"

#include <cstdint>
#include <cstring>

#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <utility>

#include "telephony/realtime.h"

extern "C" {
#include <re.h>
}

namespace dozvon {

uint64_t MonotonicUs() {
  struct timespec t;
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000 + static_cast<uint64_t>(t.tv_nsec) / 1000;
}
uint64_t MonotonicMs() { return MonotonicUs() / 1000; }

// The calling thread's SteadyTimers, ordered by (due, start order), behind one timerfd that
// is armed for the earliest and listened to on the loop only while a timer is queued (so none
// is left in libre's fd set when the loop closes).
struct SteadyTimer::Queue {
  using Key = std::pair<uint64_t, uint64_t>;  // due_us, seq
  std::map<Key, SteadyTimer*> timers;
  int fd = -1;
  bool loop_open = false;  // between EventLoop's libre_init and libre_close on this thread
  bool listening = false;
  bool dispatching = false;
  uint64_t armed_us = 0;  // what the timerfd is set for; 0: disarmed
  uint64_t next_seq = 1;

  static Queue* ForThisThread() {
    // Lives as long as the thread; the fd is closed with it.
    static thread_local Queue q;
    if (q.fd == -1) q.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    return q.fd >= 0 ? &q : nullptr;
  }
  // Not fd_close: at thread exit libre's loop is closed or about to be (EventLoop's
  // destructor already took the fd out of it).
  ~Queue() {
    if (fd >= 0) close(fd);
  }
  // Around libre_close and libre_init: the fd leaves libre's set with the loop that held it,
  // and joins the next loop's if timers are still queued. In between (a timer cancelled by an
  // owner that outlived the loop) it joins none.
  void LoopClosing() {
    if (listening) fd_close(fd);
    listening = false;
    loop_open = false;
  }
  void LoopOpened() {
    loop_open = true;
    Rearm();
  }

  void Add(SteadyTimer* t) {
    t->seq_ = next_seq++;
    timers.emplace(Key{t->due_us_, t->seq_}, t);
    Rearm();
  }
  void Remove(SteadyTimer* t) {
    timers.erase(Key{t->due_us_, t->seq_});
    t->seq_ = 0;
    Rearm();
  }
  // The timerfd follows the earliest timer; the fd is listened to while any is queued.
  void Rearm() {
    if (dispatching) return;  // Dispatch re-arms once at its end
    const uint64_t want = timers.empty() ? 0 : timers.begin()->first.first;
    if (want != armed_us) {
      struct itimerspec its {};
      its.it_value.tv_sec = static_cast<time_t>(want / 1000000);
      its.it_value.tv_nsec = static_cast<long>(want % 1000000 * 1000);
      timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, nullptr);  // all zero disarms
      armed_us = want;
    }
    if (!timers.empty() && !listening && loop_open) {
      listening = fd_listen(fd, FD_READ, OnReadable, this) == 0;
    } else if (timers.empty() && listening) {
      fd_close(fd);
      listening = false;
    }
  }
  static void OnReadable(int, void* arg) { static_cast<Queue*>(arg)->Dispatch(); }
  // Runs the timers due now, in order. Bounded: a timer started by a callback gets a later
  // sequence number and waits for the next wake-up, even when it is due at once.
  void Dispatch() {
    uint64_t expirations = 0;
    if (read(fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) return;
    armed_us = 0;  // fired, or cleared by the read
    const uint64_t now = MonotonicUs();
    const uint64_t last_seq = next_seq;
    dispatching = true;
    while (!timers.empty()) {
      auto it = timers.begin();
      if (it->first.first > now || it->first.second >= last_seq) break;
      SteadyTimer* t = it->second;
      timers.erase(it);
      t->seq_ = 0;
      const Fn fn = t->fn_;
      void* const arg = t->arg_;
      fn(arg);  // may start, cancel or destroy any timer, this one too
    }
    dispatching = false;
    Rearm();
  }
};

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
  if (SteadyTimer::Queue* q = SteadyTimer::Queue::ForThisThread()) q->LoopOpened();
  return std::unique_ptr<EventLoop>(new EventLoop());
}

EventLoop::~EventLoop() {
  if (SteadyTimer::Queue* q = SteadyTimer::Queue::ForThisThread()) q->LoopClosing();
  libre_close();
}

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

SteadyTimer::SteadyTimer() = default;

SteadyTimer::~SteadyTimer() { Cancel(); }

void SteadyTimer::Start(uint64_t ms, Fn fn, void* arg) {
  Cancel();
  fn_ = fn;
  arg_ = arg;
  if (!fallback_) {
    if (Queue* q = Queue::ForThisThread()) {
      due_us_ = MonotonicUs() + ms * 1000;
      q->Add(this);
      return;
    }
    fallback_ = std::make_unique<::tmr>();
    tmr_init(fallback_.get());
  }
  tmr_start(fallback_.get(), ms, fn, arg);
}

void SteadyTimer::Cancel() {
  if (seq_ != 0) Queue::ForThisThread()->Remove(this);
  if (fallback_) tmr_cancel(fallback_.get());
}

bool SteadyTimer::running() const {
  return seq_ != 0 || (fallback_ && tmr_isrunning(fallback_.get()));
}

void LoopTimer::Start(uint64_t ms, std::function<void()> fn) {
  fn_ = std::move(fn);
  timer_.Start(ms, Fire, this);
}

void LoopTimer::Cancel() {
  timer_.Cancel();
  fn_ = nullptr;
}

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
