// Helpers for core tests: instants from local wall-clock text, and a FakeClock at one.
#pragma once

#include <date/tz.h>
#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"
#include "core/time/tz.h"

namespace dozvon::testing {

// "2026-03-02 13:00" in `zone` -> Instant. Fails the test on a bad zone or text.
inline Instant LocalTime(const std::string& text, const std::string& zone) {
  auto z = FindZone(zone);
  EXPECT_TRUE(z.ok()) << zone;
  std::istringstream in(text);
  date::local_time<std::chrono::minutes> lt;
  in >> date::parse("%Y-%m-%d %H:%M", lt);
  EXPECT_FALSE(in.fail()) << text;
  return std::chrono::time_point_cast<Duration>((*z)->to_sys(lt, date::choose::earliest));
}

inline Instant Utc(const std::string& iso) {
  auto t = ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t;
}

inline const date::time_zone* Zone(const std::string& name) { return *FindZone(name); }

}  // namespace dozvon::testing
