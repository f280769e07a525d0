// Typed reads from a parsed TOML table, each failing with "source:line: key: reason".
// Shared by every TOML file the project validates (campaigns, scenarios, the server config).
#pragma once

#include <toml++/toml.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/campaign/durations.h"
#include "core/clock.h"
#include "core/status.h"

namespace dozvon {

// Errors carry "source:line: key: reason".
class Ctx {
 public:
  explicit Ctx(std::string_view source) : source_(source) {}
  Status Error(const toml::node* node, std::string_view key, std::string_view why) const;
  std::string_view source() const { return source_; }

 private:
  std::string source_;
};

std::string Join(std::string_view prefix, std::string_view key);
Status CheckKeys(const Ctx& ctx, const toml::table& t, std::string_view prefix,
                 const std::set<std::string_view>& allowed);
Result<std::string> GetString(const Ctx& ctx, const toml::node& n, std::string_view key);
Result<int64_t> GetInt(const Ctx& ctx, const toml::node& n, std::string_view key, int64_t lo,
                       int64_t hi);
Result<double> GetDouble(const Ctx& ctx, const toml::node& n, std::string_view key, double lo,
                         double hi);
Result<bool> GetBool(const Ctx& ctx, const toml::node& n, std::string_view key);
Result<Duration> GetDuration(const Ctx& ctx, const toml::node& n, std::string_view key);
Result<Instant> GetInstant(const Ctx& ctx, const toml::node& n, std::string_view key);
Result<std::vector<std::string>> GetStrings(const Ctx& ctx, const toml::node& n,
                                            std::string_view key);
Result<std::vector<TimeRange>> GetRanges(const Ctx& ctx, const toml::node& n,
                                         std::string_view key);

}  // namespace dozvon
