#include "telephony/thread_clock.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace dozvon {

int64_t ThreadCpuUs() {
  struct timespec t;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * 1000000 + t.tv_nsec / 1000;
}

RunQueueClock::~RunQueueClock() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t RunQueueClock::WaitedUs() {
  if (fd_ == -2) fd_ = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return -1;
  char buf[96];
  const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
  if (n <= 0) return -1;
  buf[n] = 0;
  unsigned long long on_cpu_ns = 0, waited_ns = 0;
  if (std::sscanf(buf, "%llu %llu", &on_cpu_ns, &waited_ns) != 2) return -1;
  return static_cast<int64_t>(waited_ns / 1000);
}

}  // namespace dozvon
