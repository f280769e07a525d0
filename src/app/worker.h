// Worker: one thread that runs jobs in order (the store thread, the prompt thread), so the
// SIP loop never waits on the database or on speech synthesis.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace dozvon {

class Worker {
 public:
  Worker();
  ~Worker();  // runs the jobs already queued, then joins
  void Post(std::function<void()> job);
  size_t pending() const;

 private:
  void Run();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dozvon
