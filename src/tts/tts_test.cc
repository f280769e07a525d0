#include "tts/tts.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace dozvon {
namespace {

double VoiceSeconds(const Pcm& pcm) {
  double secs = 0;
  for (size_t i = 0; i + 160 <= pcm.size(); i += 160) {
    if (Rms({pcm.data() + i, 160}) > 300) secs += 0.02;
  }
  return secs;
}

TEST(Tts, SpeaksRussianAndEnglishAt8kHzAndCachesByContent) {
  auto dir = std::filesystem::temp_directory_path() / ("dozvon_tts_" + std::to_string(::getpid()));
  auto tts = Tts::Create(dir.string());
  ASSERT_TRUE(tts.ok()) << tts.status().ToString();
  TtsRequest ru{"Здравствуйте, Иван. Ваша задолженность 1500 рублей.", "ru", 160};
  auto a = (*tts)->Synthesize(ru);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_GT((*a)->size(), 8000u * 2) << "a sentence lasts seconds";
  EXPECT_GT(VoiceSeconds(**a), 1.0);
  auto again = (*tts)->Synthesize(ru);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(a->get(), again->get()) << "same text, voice and rate: the cached audio";
  EXPECT_EQ((*tts)->synth_count(), 1);
  EXPECT_TRUE(std::filesystem::exists((*tts)->CachePath(ru)));

  auto en = (*tts)->Synthesize({"Hello, this is a payment reminder.", "en", 160});
  ASSERT_TRUE(en.ok());
  EXPECT_GT(VoiceSeconds(**en), 1.0);
  EXPECT_EQ((*tts)->synth_count(), 2);

  auto fresh = Tts::Create(dir.string());  // a new process would find the WAV on disk
  ASSERT_TRUE(fresh.ok());
  auto from_disk = (*fresh)->Synthesize(ru);
  ASSERT_TRUE(from_disk.ok());
  EXPECT_EQ((*fresh)->synth_count(), 0);
  EXPECT_EQ((*from_disk)->size(), (*a)->size());

  EXPECT_FALSE((*tts)->Synthesize({"x", "no-such-voice", 160}).ok());
  EXPECT_FALSE((*tts)->Synthesize({"", "ru", 160}).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dozvon
