#include "core/time/tz.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <cstdio>

namespace dozvon {

Result<const date::time_zone*> FindZone(std::string_view name) {
  if (name.empty()) return Status::NotFound("empty time zone name");
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return Status::NotFound("\"" + std::string(name) + "\" is not an IANA time zone");
  }
}

std::string FormatUtc(Instant t) {
  auto ms = t.time_since_epoch() % std::chrono::seconds(1);
  if (ms.count() == 0) return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t));
  return date::format("%FT%TZ", t);
}

std::string FormatLocal(Instant t, const date::time_zone* zone) {
  auto zt = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t));
  std::string s = date::format("%FT%T%z", zt);  // +0300
  if (s.size() >= 5) s.insert(s.size() - 2, ":");
  return s;
}

namespace {

bool ReadInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto r = std::from_chars(s.data() + pos, s.data() + pos + len, *out);
  return r.ec == std::errc();
}

}  // namespace

Result<Instant> ParseIso8601(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("\"" + std::string(s) + "\": " + std::string(why));
  };
  int y, mo, d, h, mi, sec = 0, ms = 0;
  if (!ReadInt(s, 0, 4, &y) || s.size() < 16 || s[4] != '-' || !ReadInt(s, 5, 2, &mo) ||
      s[7] != '-' || !ReadInt(s, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
      !ReadInt(s, 11, 2, &h) || s[13] != ':' || !ReadInt(s, 14, 2, &mi)) {
    return bad("expected YYYY-MM-DDTHH:MM[:SS]+HH:MM");
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!ReadInt(s, pos + 1, 2, &sec)) return bad("bad seconds");
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t start = ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      std::string frac(s.substr(start, pos - start));
      frac.resize(3, '0');
      ms = std::stoi(frac);
    }
  }
  auto ymd = date::year(y) / mo / d;
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad("date or time out of range");
  int offset_min = 0;
  if (pos >= s.size()) return bad("missing UTC offset (add Z or +03:00)");
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om = 0;
    int sign = s[pos] == '-' ? -1 : 1;
    if (!ReadInt(s, pos + 1, 2, &oh)) return bad("bad UTC offset");
    pos += 3;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size()) {
      if (!ReadInt(s, pos, 2, &om)) return bad("bad UTC offset");
      pos += 2;
    }
    offset_min = sign * (oh * 60 + om);
  } else {
    return bad("bad UTC offset");
  }
  if (pos != s.size()) return bad("trailing characters");
  Instant t = std::chrono::time_point_cast<Duration>(date::sys_days(ymd)) + std::chrono::hours(h) +
              std::chrono::minutes(mi) + std::chrono::seconds(sec) + Duration(ms) -
              std::chrono::minutes(offset_min);
  return t;
}

}  // namespace dozvon

namespace dozvon {

Result<Instant> ParseLocalTime(std::string_view s, const date::time_zone* zone, Instant now) {
  auto bad = [&] {
    return Status::InvalidArgument("\"" + std::string(s) +
                                   "\": expected HH:MM, YYYY-MM-DD HH:MM (local) or ISO 8601 "
                                   "with an offset");
  };
  int h, mi;
  if (s.size() == 5 && s[2] == ':') {
    if (!ReadInt(s, 0, 2, &h) || !ReadInt(s, 3, 2, &mi) || h > 23 || mi > 59) return bad();
    // The next time the contact's clock shows HH:MM: today, or tomorrow if it has passed.
    date::local_days today = std::chrono::floor<date::days>(zone->to_local(now));
    for (int day = 0; day < 2; ++day) {
      auto local = date::local_time<Duration>(today + date::days(day)) + std::chrono::hours(h) +
                   std::chrono::minutes(mi);
      Instant at = zone->to_sys(local, date::choose::earliest);
      if (at > now) return at;
    }
    return bad();
  }
  int y, mo, d;
  if (s.size() == 16 && ReadInt(s, 0, 4, &y) && s[4] == '-' && ReadInt(s, 5, 2, &mo) &&
      s[7] == '-' && ReadInt(s, 8, 2, &d) && (s[10] == ' ' || s[10] == 'T') &&
      ReadInt(s, 11, 2, &h) && s[13] == ':' && ReadInt(s, 14, 2, &mi)) {
    auto ymd = date::year(y) / mo / d;
    if (!ymd.ok() || h > 23 || mi > 59) return bad();
    auto local = date::local_time<Duration>(date::local_days(ymd)) + std::chrono::hours(h) +
                 std::chrono::minutes(mi);
    return zone->to_sys(local, date::choose::earliest);
  }
  auto iso = ParseIso8601(s);
  if (!iso.ok()) return bad();
  return iso;
}

}  // namespace dozvon
