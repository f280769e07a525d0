#include "telephony/event_loop.h"

#include <cstdint>
#include <cstring>

#include <sys/resource.h>

#include <algorithm>

extern "C" {
#include <re.h>
}

namespace dozvon {
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

void EventLoop::Run() { re_main(OnSignal); }

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

}  // namespace dozvon
