// Text to speech with espeak-ng, for `say` prompts: Russian and English (any espeak-ng voice),
// resampled from espeak's 22,050 Hz to 8 kHz with speexdsp. Results are content-addressed:
// cached in memory and as WAV files under a cache folder, keyed by text, voice and rate, so a
// campaign saying the same sentence to thousands of people synthesises it once.
// Thread-safety: Synthesize is safe from any thread (espeak-ng itself is serialised).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "telephony/audio.h"

namespace dozvon {

struct TtsRequest {
  std::string text;          // UTF-8
  std::string voice = "ru";  // espeak-ng voice name: "ru", "en", "en-us", ...
  int rate = 160;            // words per minute
};

class Tts {
 public:
  // `cache_dir` holds synthesised WAVs (created if missing); "" keeps the cache in memory only.
  static Result<std::unique_ptr<Tts>> Create(const std::string& cache_dir);
  ~Tts();

  Result<std::shared_ptr<const Pcm>> Synthesize(const TtsRequest& req);
  // The WAV path a request is cached under (written by Synthesize), for prompts by file.
  std::string CachePath(const TtsRequest& req) const;
  int64_t synth_count() const;  // how many requests actually ran espeak (cache misses)

  struct Impl;

 private:
  explicit Tts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
