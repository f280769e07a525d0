#include "telephony/progress_tones.h"

#include <gtest/gtest.h>

#include <vector>

#include "telephony/audio.h"

namespace dozvon {
namespace {

std::vector<ProgressTone> Detect(const Pcm& pcm) {
  std::vector<ProgressTone> seen;
  ProgressToneDetector d([&](ProgressTone t) { seen.push_back(t); });
  for (size_t i = 0; i < pcm.size(); i += 160)
    d.Feed(pcm.data() + i, std::min<size_t>(160, pcm.size() - i));
  return seen;
}

Pcm Concat(std::initializer_list<Pcm> parts) {
  Pcm out;
  for (const Pcm& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(ProgressTones, RussianBusy) {
  auto seen = Detect(Tone(425, -15, 350, 350, 3000));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), ProgressTone::kBusy);
}

TEST(ProgressTones, CeptBusy) {
  auto seen = Detect(Tone(425, -15, 500, 500, 4000));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), ProgressTone::kBusy);
}

TEST(ProgressTones, RussianCongestion) {
  auto seen = Detect(Tone(425, -15, 175, 175, 3000));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), ProgressTone::kCongestion);
}

TEST(ProgressTones, RussianRingbackIsNotBusy) {
  auto seen = Detect(Tone(425, -15, 1000, 4000, 11000));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), ProgressTone::kRingback);
  for (ProgressTone t : seen) EXPECT_NE(t, ProgressTone::kBusy);
}

TEST(ProgressTones, NorthAmericanBusyAndRingback) {
  auto busy = Detect(Tone(480, -15, 500, 500, 4000, 620));
  ASSERT_FALSE(busy.empty());
  EXPECT_EQ(busy.front(), ProgressTone::kBusy);
  auto ring = Detect(Tone(440, -15, 2000, 4000, 13000, 480));
  ASSERT_FALSE(ring.empty());
  EXPECT_EQ(ring.front(), ProgressTone::kRingback);
}

TEST(ProgressTones, SpecialInformationTone) {
  Pcm sit = Concat({Tone(914, -15, 330, 0, 330), Tone(1371, -15, 330, 0, 330),
                    Tone(1777, -15, 330, 0, 330), Pcm(8000, 0)});
  auto seen = Detect(Concat({sit, sit}));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), ProgressTone::kSpecialInfo);
}

TEST(ProgressTones, SpeechLikeToneIsNothing) {
  // A continuous 1 kHz tone (a voice announcement stands in) is no call-progress tone.
  EXPECT_TRUE(Detect(Tone(1000, -15, 5000, 0, 5000)).empty());
  EXPECT_TRUE(Detect(Pcm(8000 * 5, 0)).empty());
}

TEST(ProgressTones, DetectorsDoNotDisturbEachOther) {
  // Two calls at once: one hears SIT, the other ringback. spandsp 0.0.6 leaks stack state
  // between detectors that monitor a single frequency; the ringback must never read as busy.
  Pcm sit = Concat({Tone(914, -12, 330, 0, 330), Tone(1371, -12, 330, 0, 330),
                    Tone(1777, -12, 330, 0, 330), Pcm(8080, 0)});
  Pcm ring = Tone(425, -12, 1000, 4000, 11000);
  std::vector<ProgressTone> a, b;
  ProgressToneDetector da([&](ProgressTone t) { a.push_back(t); });
  ProgressToneDetector db([&](ProgressTone t) { b.push_back(t); });
  for (size_t i = 0; i + 160 <= ring.size(); i += 160) {
    da.Feed(sit.data() + (i % sit.size()), 160);
    db.Feed(ring.data() + i, 160);
  }
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.front(), ProgressTone::kSpecialInfo);
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), ProgressTone::kRingback);
  for (ProgressTone t : b) EXPECT_EQ(t, ProgressTone::kRingback);
}

}  // namespace
}  // namespace dozvon
