#include "tts/tts.h"

#include <espeak-ng/speak_lib.h>
#include <sndfile.h>
#include <speex/speex_resampler.h>

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>

namespace dozvon {
namespace {

std::mutex g_espeak_mu;  // espeak-ng keeps global state: one synthesis at a time per process
int g_espeak_rate = 0;
std::vector<int16_t>* g_sink = nullptr;

int OnSynth(short* wav, int n, espeak_EVENT* events) {
  (void)events;
  if (wav && n > 0 && g_sink) g_sink->insert(g_sink->end(), wav, wav + n);
  return 0;
}

std::string Key(const TtsRequest& r) {
  return r.voice + "|" + std::to_string(r.rate) + "|" + r.text;
}

}  // namespace

struct Tts::Impl {
  std::string dir;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const Pcm>> memory;
  int64_t synths = 0;
};

Tts::Tts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tts::~Tts() = default;

Result<std::unique_ptr<Tts>> Tts::Create(const std::string& cache_dir) {
  {
    std::lock_guard lock(g_espeak_mu);
    if (g_espeak_rate == 0) {
      int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
      if (rate <= 0)
        return Status::Unavailable("espeak-ng: initialisation failed (espeak-ng-data?)");
      espeak_SetSynthCallback(OnSynth);
      g_espeak_rate = rate;
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->dir = cache_dir;
  if (!cache_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cache_dir, ec);
    if (ec) return Status::IoError(cache_dir + ": " + ec.message());
  }
  return std::unique_ptr<Tts>(new Tts(std::move(impl)));
}

std::string Tts::CachePath(const TtsRequest& r) const {
  if (impl_->dir.empty()) return "";
  char name[32];
  std::snprintf(name, sizeof name, "%016zx.wav", std::hash<std::string>{}(Key(r)));
  return impl_->dir + "/" + name;
}

int64_t Tts::synth_count() const { return impl_->synths; }

Result<std::shared_ptr<const Pcm>> Tts::Synthesize(const TtsRequest& r) {
  if (r.text.empty()) return Status::InvalidArgument("say: empty text");
  const std::string key = Key(r);
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->memory.find(key);
    if (it != impl_->memory.end()) return it->second;
  }
  const std::string path = CachePath(r);
  if (!path.empty() && std::filesystem::exists(path)) {
    auto cached = LoadPrompt(path);
    if (cached.ok()) {
      std::lock_guard lock(impl_->mu);
      impl_->memory[key] = *cached;
      return *cached;
    }
  }
  std::vector<int16_t> raw;
  {
    std::lock_guard lock(g_espeak_mu);
    if (espeak_SetVoiceByName(r.voice.c_str()) != EE_OK) {
      return Status::InvalidArgument("say: voice \"" + r.voice + "\" is not installed");
    }
    espeak_SetParameter(espeakRATE, r.rate, 0);
    g_sink = &raw;
    espeak_ERROR err = espeak_Synth(r.text.c_str(), r.text.size() + 1, 0, POS_CHARACTER, 0,
                                    espeakCHARS_UTF8, nullptr, nullptr);
    espeak_Synchronize();
    g_sink = nullptr;
    if (err != EE_OK) return Status::Internal("espeak-ng: synthesis failed");
  }
  int err = 0;
  SpeexResamplerState* rs = speex_resampler_init(1, g_espeak_rate, 8000, 5, &err);
  if (!rs) return Status::Internal(std::string("resampler: ") + speex_resampler_strerror(err));
  Pcm pcm(raw.size() * 8000 / g_espeak_rate + 64);
  spx_uint32_t in_len = static_cast<spx_uint32_t>(raw.size());
  spx_uint32_t out_len = static_cast<spx_uint32_t>(pcm.size());
  speex_resampler_process_int(rs, 0, raw.data(), &in_len, pcm.data(), &out_len);
  speex_resampler_destroy(rs);
  pcm.resize(out_len);
  if (!path.empty()) {
    SF_INFO info{};
    info.samplerate = 8000;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    std::string tmp = path + ".part";
    if (SNDFILE* f = sf_open(tmp.c_str(), SFM_WRITE, &info)) {
      sf_write_short(f, pcm.data(), static_cast<sf_count_t>(pcm.size()));
      sf_close(f);
      std::filesystem::rename(tmp, path);
    }
  }
  auto shared = std::make_shared<const Pcm>(std::move(pcm));
  std::lock_guard lock(impl_->mu);
  ++impl_->synths;
  impl_->memory[key] = shared;
  return shared;
}

}  // namespace dozvon
