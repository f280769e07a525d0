#include "telephony/realtime.h"

#include <sched.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace dozvon {
namespace {

std::atomic<int> g_priority{0};
std::atomic<bool> g_warned{false};

}  // namespace

Status SetMediaPriority(int priority) {
  if (priority < 0 || priority > 99) {
    return Status::InvalidArgument("realtime priority " + std::to_string(priority) +
                                   ": expected 0 (off) to 99");
  }
  g_priority = priority;
  return Status::Ok();
}

int MediaPriority() { return g_priority; }

Status ApplyMediaPriority() {
  const int priority = g_priority;
  if (priority == 0) return Status::Ok();
  struct sched_param param {};
  param.sched_priority = priority;
  // 0: the calling thread (a Linux thread is a task of its own).
  if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &param) != 0) {
    const int err = errno;
    std::string why = "realtime priority " + std::to_string(priority) +
                      " for the media threads: " + std::strerror(err);
    if (err == EPERM) {
      why += " (needs root, CAP_SYS_NICE, or an RLIMIT_RTPRIO of at least " +
             std::to_string(priority) + ": LimitRTPRIO= in a systemd unit, ulimit -r)";
    }
    return Status::FailedPrecondition(why);
  }
  return Status::Ok();
}

void ApplyMediaPriorityOrWarn() {
  Status s = ApplyMediaPriority();
  if (!s.ok() && !g_warned.exchange(true)) {
    std::fprintf(stderr, "dozvon: %s; running at normal priority\n", s.message().c_str());
  }
}

}  // namespace dozvon
