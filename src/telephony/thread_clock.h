// The calling thread's own clocks, for finding where a late tick or submission went: the CPU
// time it got, and the time it spent runnable but kept off a CPU.
// Thread-safety: each function reads the calling thread; a RunQueueClock belongs to the one
// thread that first reads it.
#pragma once

#include <cstdint>

namespace dozvon {

// CLOCK_THREAD_CPUTIME_ID in microseconds.
int64_t ThreadCpuUs();

// The thread's run-queue wait so far (schedstat's second field), in microseconds, through an
// fd kept open: one pread a reading. -1 where the kernel keeps no schedstat. On a VM this
// also grows while the thread waits on a vCPU the hypervisor has stopped.
class RunQueueClock {
 public:
  RunQueueClock() = default;
  RunQueueClock(const RunQueueClock&) = delete;
  RunQueueClock& operator=(const RunQueueClock&) = delete;
  ~RunQueueClock();
  int64_t WaitedUs();
  // The wait between two readings; -1 if either was -1.
  static int64_t Between(int64_t earlier_us, int64_t later_us) {
    return earlier_us >= 0 && later_us >= 0 ? later_us - earlier_us : -1;
  }

 private:
  int fd_ = -2;  // opened on first use, by the reading thread (/proc/thread-self)
};

}  // namespace dozvon
