// Audio helpers at the adapter edge: prompts as 8 kHz 16-bit mono PCM (libsndfile reads any
// WAV; speexdsp resamples once; the result is cached per file), and G.711 via spandsp.
// Thread-safety: LoadPrompt is safe from any thread (the cache is locked); the rest is pure.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace dozvon {

using Pcm = std::vector<int16_t>;  // 8 kHz mono

// Reads a sound file (WAV and whatever libsndfile reads), mixes to mono, resamples to 8 kHz.
// Cached by path and modification time, so each prompt is converted once.
Result<std::shared_ptr<const Pcm>> LoadPrompt(const std::string& path);

// Writes 8 kHz 16-bit WAV (interleaved when channels = 2) under a temporary name and renames
// it, so a reader never sees half a file.
Status WriteWav(const std::string& path, const Pcm& samples, int channels = 1);

enum class G711 { kUlaw, kAlaw };

// G.711 a frame at a time, with spandsp's per-sample conversions inlined into one loop: one
// call per sample was ~5% of a media process's time with 1,000 calls up. `out` holds
// in.size() values.
void EncodeG711(G711 law, std::span<const int16_t> in, uint8_t* out);
void DecodeG711(G711 law, std::span<const uint8_t> in, int16_t* out);

// A tone from spandsp's generator: `hz` at `dbm0`, on for `on_ms` then off for `off_ms`
// (off_ms 0: continuous), `total_ms` long, plus `hz2` at the same level when not 0.
// Simulated voices and call-progress tones.
Pcm Tone(int hz, int dbm0, int on_ms, int off_ms, int total_ms, int hz2 = 0);

// Root mean square of a frame, 0..32767.
double Rms(std::span<const int16_t> frame);

}  // namespace dozvon
