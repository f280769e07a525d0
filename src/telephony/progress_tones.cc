#include "telephony/progress_tones.h"

#include <spandsp.h>

#include <array>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace dozvon {

std::string_view ToString(ProgressTone t) {
  switch (t) {
    case ProgressTone::kRingback:
      return "ringback";
    case ProgressTone::kBusy:
      return "busy";
    case ProgressTone::kCongestion:
      return "congestion";
    case ProgressTone::kSpecialInfo:
      return "special information";
  }
  return "?";
}

struct ProgressToneDetector::Impl {
  // One spandsp detector per tone family: its Goertzel set picks the two strongest monitored
  // frequencies, so 425 Hz next to 440/480 Hz would read as a two-frequency tone and match no
  // pattern. CEPT (425 Hz), North American, and SIT tones are separated.
  struct Family {
    Impl* owner = nullptr;
    super_tone_rx_descriptor_t* desc = nullptr;
    super_tone_rx_state_t* rx = nullptr;
    std::map<int, ProgressTone> ids;
  };
  std::list<Family> families;
  std::function<void(ProgressTone)> on_tone;
  std::optional<ProgressTone> last;

  using Element = std::array<int, 4>;  // f1, f2, min ms, max ms; f1 = 0 for the silent part
  using Pattern = std::pair<ProgressTone, std::vector<Element>>;

  void AddFamily(const std::vector<Pattern>& patterns) {
    Family& f = families.emplace_back();
    f.owner = this;
    f.desc = super_tone_rx_make_descriptor(nullptr);
    for (const auto& [tone, elements] : patterns) {
      int id = super_tone_rx_add_tone(f.desc);
      for (const Element& e : elements) {
        super_tone_rx_add_element(f.desc, id, e[0], e[1], e[2], e[3]);
      }
      f.ids[id] = tone;
    }
    // spandsp 0.0.6 compares the two strongest Goertzel results, and with a single monitored
    // frequency it reads the second from uninitialised stack: detections then depend on other
    // detectors' leftovers (measured: a ringback read as busy next to a SIT call). A guard
    // frequency no progress tone uses (2600 Hz, for a minute) keeps two monitored; its pattern
    // is never reported.
    std::set<int> freqs;
    for (const auto& p : patterns) {
      for (const Element& e : p.second) {
        if (e[0]) freqs.insert(e[0]);
        if (e[1]) freqs.insert(e[1]);
      }
    }
    if (freqs.size() < 2) {
      int guard = super_tone_rx_add_tone(f.desc);
      super_tone_rx_add_element(f.desc, guard, 2600, 0, 60000, 61000);
    }
    f.rx = super_tone_rx_init(nullptr, f.desc, Report, &f);
  }

  ~Impl() {
    for (Family& f : families) {
      if (f.rx) super_tone_rx_free(f.rx);
      if (f.desc) super_tone_rx_free_descriptor(f.desc);
    }
  }

  static void Report(void* arg, int code, int level, int delay) {
    auto* f = static_cast<Family*>(arg);
    (void)level;
    (void)delay;
    auto it = f->ids.find(code);
    if (it == f->ids.end()) return;  // -1: the tone stopped
    Impl* self = f->owner;
    if (self->last == it->second) return;
    self->last = it->second;
    if (self->on_tone) self->on_tone(it->second);
  }
};

ProgressToneDetector::ProgressToneDetector(std::function<void(ProgressTone)> on_tone)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.on_tone = std::move(on_tone);
  m.AddFamily({{ProgressTone::kBusy, {{425, 0, 300, 550}, {0, 0, 300, 550}}},
               {ProgressTone::kCongestion, {{425, 0, 150, 275}, {0, 0, 150, 275}}},
               {ProgressTone::kRingback, {{425, 0, 800, 1200}, {0, 0, 2800, 4500}}}});
  m.AddFamily({{ProgressTone::kBusy, {{480, 620, 400, 600}, {0, 0, 400, 600}}},
               {ProgressTone::kCongestion, {{480, 620, 200, 300}, {0, 0, 200, 300}}}});
  // 440 and 480 Hz share one Goertzel bin at spandsp's block size: one "frequency" here.
  m.AddFamily({{ProgressTone::kRingback, {{460, 0, 1800, 2200}, {0, 0, 3800, 4200}}}});
  m.AddFamily({{ProgressTone::kSpecialInfo,
                {{914, 0, 250, 400}, {1371, 0, 250, 400}, {1777, 0, 250, 400}}}});
}

ProgressToneDetector::~ProgressToneDetector() = default;

void ProgressToneDetector::Feed(const int16_t* pcm, size_t n) {
  for (Impl::Family& f : impl_->families) {
    if (f.rx) super_tone_rx(f.rx, pcm, static_cast<int>(n));
  }
}

}  // namespace dozvon
