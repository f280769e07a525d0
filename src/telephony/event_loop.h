// EventLoop: libre's single-threaded loop for the calling thread. libre is process-global:
// create one EventLoop per process (per thread with re_thread_init, later). Run() returns on
// Stop(), SIGINT or SIGTERM.
#pragma once

#include <memory>

#include "core/status.h"

namespace dozvon {

class EventLoop {
 public:
  static Result<std::unique_ptr<EventLoop>> Init();
  ~EventLoop();
  void Run();
  // Safe from loop callbacks; makes Run() return.
  static void Stop();

 private:
  EventLoop() = default;
};

}  // namespace dozvon
