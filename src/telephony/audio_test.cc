#include "telephony/audio.h"

#include <gtest/gtest.h>
#include <spandsp.h>

#include <vector>

namespace dozvon {
namespace {

// The frame codecs must give exactly spandsp's per-sample values, for every input.
TEST(G711, EncodeMatchesSpandspForEverySample) {
  std::vector<int16_t> all(65536);
  for (int i = 0; i < 65536; ++i) all[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
  std::vector<uint8_t> u(all.size()), a(all.size());
  EncodeG711(G711::kUlaw, all, u.data());
  EncodeG711(G711::kAlaw, all, a.data());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(u[i], linear_to_ulaw(all[i])) << "sample " << all[i];
    ASSERT_EQ(a[i], linear_to_alaw(all[i])) << "sample " << all[i];
  }
}

TEST(G711, DecodeMatchesSpandspAndRoundTrips) {
  std::vector<uint8_t> codes(256);
  for (int i = 0; i < 256; ++i) codes[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
  std::vector<int16_t> u(256), a(256);
  DecodeG711(G711::kUlaw, codes, u.data());
  DecodeG711(G711::kAlaw, codes, a.data());
  std::vector<uint8_t> back(256);
  for (size_t i = 0; i < 256; ++i) {
    ASSERT_EQ(u[i], ulaw_to_linear(codes[i])) << "code " << i;
    ASSERT_EQ(a[i], alaw_to_linear(codes[i])) << "code " << i;
  }
  // A-law has one code per value; mu-law's two zeros (0x7F, 0xFF) both decode to 0.
  EncodeG711(G711::kAlaw, a, back.data());
  EXPECT_EQ(back, codes);
  EncodeG711(G711::kUlaw, u, back.data());
  for (size_t i = 0; i < 256; ++i) {
    if (u[i] != 0) {
      EXPECT_EQ(back[i], codes[i]) << "code " << i;
    }
  }
}

}  // namespace
}  // namespace dozvon
