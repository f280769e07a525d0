// Progress display for long CLI commands: a redrawn bar on a terminal, plain periodic lines
// (every few seconds) when stderr is a file or a pipe. Jobs of fewer than kQuietItems items
// that finish before the first line print nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dozvon {

class ProgressReporter {
 public:
  explicit ProgressReporter(std::string label);
  // `done` and `total` in the same unit (bytes); `items` is what the user counts (rows).
  void Update(uint64_t done, uint64_t total, int64_t items, bool finished);

  static constexpr int64_t kQuietItems = 100000;

 private:
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
  bool printed_ = false;
};

}  // namespace dozvon
