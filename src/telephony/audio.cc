#include "telephony/audio.h"

#include <sndfile.h>
#include <spandsp.h>
#include <speex/speex_resampler.h>
#include <sys/stat.h>

#include <cmath>
#include <map>
#include <mutex>

namespace dozvon {

namespace {

// G.711 by table: spandsp's conversions computed once for every input. At 2,000 calls the
// per-sample arithmetic was 3-4% of the media loop; a lookup in 64 KB (one law) is cheaper.
struct G711Tables {
  uint8_t ulaw[65536], alaw[65536];
  int16_t from_ulaw[256], from_alaw[256];
  G711Tables() {
    for (int i = 0; i < 65536; ++i) {
      const auto v = static_cast<int16_t>(static_cast<uint16_t>(i));
      ulaw[i] = linear_to_ulaw(v);
      alaw[i] = linear_to_alaw(v);
    }
    for (int c = 0; c < 256; ++c) {
      from_ulaw[c] = ulaw_to_linear(static_cast<uint8_t>(c));
      from_alaw[c] = alaw_to_linear(static_cast<uint8_t>(c));
    }
  }
};

const G711Tables& Tables() {
  static const G711Tables tables;
  return tables;
}

}  // namespace

void EncodeG711(G711 law, std::span<const int16_t> in, uint8_t* out) {
  const uint8_t* t = law == G711::kUlaw ? Tables().ulaw : Tables().alaw;
  for (size_t i = 0; i < in.size(); ++i) out[i] = t[static_cast<uint16_t>(in[i])];
}

void DecodeG711(G711 law, std::span<const uint8_t> in, int16_t* out) {
  const int16_t* t = law == G711::kUlaw ? Tables().from_ulaw : Tables().from_alaw;
  for (size_t i = 0; i < in.size(); ++i) out[i] = t[in[i]];
}

Pcm Tone(int hz, int dbm0, int on_ms, int off_ms, int total_ms, int hz2) {
  Pcm out(static_cast<size_t>(std::max(0, total_ms)) * 8, 0);
  tone_gen_descriptor_t* desc =
      tone_gen_descriptor_init(nullptr, hz, dbm0, hz2, hz2 ? dbm0 : 0,
                               off_ms > 0 ? on_ms : total_ms, off_ms, 0, 0, off_ms > 0);
  if (!desc) return out;
  tone_gen_state_t* gen = tone_gen_init(nullptr, desc);
  size_t done = 0;
  while (gen && done < out.size()) {
    int n = tone_gen(gen, out.data() + done, static_cast<int>(out.size() - done));
    if (n <= 0) break;  // a one-shot tone ended: the rest stays silent
    done += static_cast<size_t>(n);
  }
  if (gen) tone_gen_free(gen);
  tone_gen_descriptor_free(desc);
  return out;
}

double Rms(std::span<const int16_t> frame) {
  if (frame.empty()) return 0;
  double sum = 0;
  for (int16_t s : frame) sum += static_cast<double>(s) * s;
  return std::sqrt(sum / frame.size());
}

namespace {

struct CacheEntry {
  int64_t mtime = 0;
  std::shared_ptr<const Pcm> pcm;
};

Result<Pcm> Decode(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return Status::InvalidArgument(path + ": " + sf_strerror(nullptr));
  if (info.channels < 1 || info.samplerate < 4000 || info.frames > 8000LL * 3600 * 48) {
    sf_close(f);
    return Status::InvalidArgument(path + ": unsupported audio (" + std::to_string(info.channels) +
                                   " channels, " + std::to_string(info.samplerate) + " Hz)");
  }
  std::vector<int16_t> inter(static_cast<size_t>(info.frames) * info.channels);
  sf_count_t got = sf_readf_short(f, inter.data(), info.frames);
  sf_close(f);
  std::vector<int16_t> mono(static_cast<size_t>(got));
  for (sf_count_t i = 0; i < got; ++i) {
    int sum = 0;
    for (int c = 0; c < info.channels; ++c) sum += inter[i * info.channels + c];
    mono[i] = static_cast<int16_t>(sum / info.channels);
  }
  if (info.samplerate == 8000) return mono;
  int err = 0;
  SpeexResamplerState* rs = speex_resampler_init(1, info.samplerate, 8000, 5, &err);
  if (!rs) return Status::Internal(path + ": resampler: " + speex_resampler_strerror(err));
  Pcm out(mono.size() * 8000 / info.samplerate + 64);
  spx_uint32_t in_len = static_cast<spx_uint32_t>(mono.size());
  spx_uint32_t out_len = static_cast<spx_uint32_t>(out.size());
  speex_resampler_process_int(rs, 0, mono.data(), &in_len, out.data(), &out_len);
  speex_resampler_destroy(rs);
  out.resize(out_len);
  return out;
}

}  // namespace

Result<std::shared_ptr<const Pcm>> LoadPrompt(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, CacheEntry> cache;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Status::NotFound(path + ": no such prompt file");
  std::lock_guard lock(mu);
  auto it = cache.find(path);
  if (it != cache.end() && it->second.mtime == st.st_mtime) return it->second.pcm;
  DZ_ASSIGN_OR_RETURN(Pcm pcm, Decode(path));
  auto shared = std::make_shared<const Pcm>(std::move(pcm));
  cache[path] = {st.st_mtime, shared};
  return shared;
}

Status WriteWav(const std::string& path, const Pcm& samples, int channels) {
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  std::string tmp = path + ".part";
  SNDFILE* f = sf_open(tmp.c_str(), SFM_WRITE, &info);
  if (!f) return Status::IoError(path + ": " + sf_strerror(nullptr));
  sf_count_t frames = static_cast<sf_count_t>(samples.size() / channels);
  sf_count_t wrote = sf_writef_short(f, samples.data(), frames);
  sf_close(f);
  if (wrote != frames || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError(path + ": write failed");
  }
  return Status::Ok();
}

}  // namespace dozvon
