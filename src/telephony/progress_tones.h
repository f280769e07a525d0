// ProgressToneDetector: call-progress tones in early media, with spandsp's supervisory tone
// detector (ITU-T E.180 cadences). Carriers often answer a call attempt with 183 Session
// Progress and play the tone instead of sending 486 or 404; the dialer then knows the outcome
// seconds earlier and cancels. Cadences (on/off in ms, with tolerance):
//   busy        425 Hz 300-550 / 300-550  (Russia 350/350, CEPT 500/500), US 480+620 500/500
//   congestion  425 Hz 150-275 / 150-275  (Russia 175/175, CEPT 250/250), US 480+620 250/250
//   ringback    425 Hz 800-1200 / 2800-4500 (Russia 1000/4000, CEPT 1000/4000),
//               US 440+480 2000/4000 (one Goertzel bin at 460 Hz covers the pair)
//   special information (SIT) 914, 1371, 1777 Hz, 250-400 ms each: number not in service
// Thread-safety: one detector per call, used on the loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace dozvon {

enum class ProgressTone { kRingback, kBusy, kCongestion, kSpecialInfo };

std::string_view ToString(ProgressTone t);

class ProgressToneDetector {
 public:
  // `on_tone` runs once per tone as its cadence is recognised (never twice in a row for the
  // same tone).
  explicit ProgressToneDetector(std::function<void(ProgressTone)> on_tone);
  ~ProgressToneDetector();
  void Feed(const int16_t* pcm, size_t n);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
