#include "app/progress.h"

#include <unistd.h>

#include <cstdio>

namespace dozvon {

ProgressReporter::ProgressReporter(std::string label)
    : label_(std::move(label)),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressReporter::Update(uint64_t done, uint64_t total, int64_t items, bool finished) {
  auto now = std::chrono::steady_clock::now();
  auto since_last = now - last_;
  if (!finished && since_last < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(2))) {
    return;
  }
  // Short jobs finish silently: no bar flashes for a 300-row file. A large one always ends
  // with a line, however fast it was, so its log says what it did and how fast.
  if (finished && !printed_ && items < kQuietItems) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  if (frac > 1) frac = 1;
  double rate = secs > 0 ? static_cast<double>(items) / secs : 0;
  if (tty_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(frac * kWidth);
    std::string bar(filled, '#');
    bar.append(kWidth - filled, '.');
    std::fprintf(stderr, "\r%s [%s] %3.0f%% %lld rows, %.0f rows/s%s", label_.c_str(), bar.c_str(),
                 frac * 100, static_cast<long long>(items), rate, finished ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s: %.0f%% %lld rows, %.0f rows/s\n", label_.c_str(), frac * 100,
                 static_cast<long long>(items), rate);
  }
  std::fflush(stderr);
  printed_ = true;
}

}  // namespace dozvon
