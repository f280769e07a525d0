#include "core/campaign/toml_read.h"

#include <algorithm>

#include <date/date.h>

#include "core/time/tz.h"

namespace dozvon {

Status Ctx::Error(const toml::node* node, std::string_view key, std::string_view why) const {
  std::string where = std::string(source_);
  if (node && node->source().begin.line) {
    where += ":" + std::to_string(node->source().begin.line);
  }
  return Status::InvalidArgument(where + ": " + std::string(key) + ": " + std::string(why));
}

std::string Join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

Status CheckKeys(const Ctx& ctx, const toml::table& t, std::string_view prefix,
                 const std::set<std::string_view>& allowed) {
  for (const auto& [k, v] : t) {
    if (!allowed.count(k.str())) {
      return ctx.Error(&v, Join(prefix, k.str()), "unknown key");
    }
  }
  return Status::Ok();
}

Result<std::string> GetString(const Ctx& ctx, const toml::node& n, std::string_view key) {
  if (auto s = n.value<std::string>()) return *s;
  return ctx.Error(&n, key, "expected a string");
}

Result<int64_t> GetInt(const Ctx& ctx, const toml::node& n, std::string_view key, int64_t lo,
                       int64_t hi) {
  auto v = n.value<int64_t>();
  if (!v || !n.is_integer()) return ctx.Error(&n, key, "expected an integer");
  if (*v < lo || *v > hi) {
    return ctx.Error(&n, key,
                     "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return *v;
}

Result<double> GetDouble(const Ctx& ctx, const toml::node& n, std::string_view key, double lo,
                         double hi) {
  auto v = n.value<double>();
  if (!v) return ctx.Error(&n, key, "expected a number");
  if (*v < lo || *v > hi) {
    return ctx.Error(&n, key,
                     "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return *v;
}

Result<Duration> GetDuration(const Ctx& ctx, const toml::node& n, std::string_view key) {
  DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, n, key));
  auto d = ParseDuration(s);
  if (!d.ok()) return ctx.Error(&n, key, d.status().message());
  return *d;
}

Result<Instant> GetInstant(const Ctx& ctx, const toml::node& n, std::string_view key) {
  // Accept both a TOML offset date-time and a string.
  if (auto dt = n.value<toml::date_time>()) {
    if (!dt->offset) return ctx.Error(&n, key, "needs a UTC offset, e.g. +03:00");
    date::sys_days day = date::year(dt->date.year) / dt->date.month / dt->date.day;
    Instant t = std::chrono::time_point_cast<Duration>(day) + std::chrono::hours(dt->time.hour) +
                std::chrono::minutes(dt->time.minute) + std::chrono::seconds(dt->time.second) -
                std::chrono::minutes(dt->offset->minutes);
    return t;
  }
  DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, n, key));
  auto t = ParseIso8601(s);
  if (!t.ok()) return ctx.Error(&n, key, t.status().message());
  return *t;
}

Result<std::vector<std::string>> GetStrings(const Ctx& ctx, const toml::node& n,
                                            std::string_view key) {
  const toml::array* arr = n.as_array();
  if (!arr) return ctx.Error(&n, key, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, e, key));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<TimeRange>> GetRanges(const Ctx& ctx, const toml::node& n,
                                         std::string_view key) {
  DZ_ASSIGN_OR_RETURN(std::vector<std::string> items, GetStrings(ctx, n, key));
  std::vector<TimeRange> out;
  for (const auto& s : items) {
    auto r = ParseTimeRange(s);
    if (!r.ok()) return ctx.Error(&n, key, r.status().message());
    out.push_back(*r);
  }
  std::sort(out.begin(), out.end(),
            [](const TimeRange& a, const TimeRange& b) { return a.start_min < b.start_min; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].start_min < out[i - 1].end_min) return ctx.Error(&n, key, "ranges overlap");
  }
  return out;
}

Result<bool> GetBool(const Ctx& ctx, const toml::node& n, std::string_view key) {
  auto b = n.value<bool>();
  if (!b || !n.is_boolean()) return ctx.Error(&n, key, "expected true or false");
  return *b;
}

}  // namespace dozvon
