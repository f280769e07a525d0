// Do-not-call list: exact E.164 numbers and prefixes. Checked when contacts are claimed and
// again right before dialing. Pure; immutable after loading, safe to share for reading.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/status.h"

namespace dozvon {

class DncList {
 public:
  void AddNumber(std::string e164) { numbers_.insert(std::move(e164)); }
  void AddPrefix(std::string prefix);
  // One entry per line: "+79161234567" or a prefix "+7800*"; '#' starts a comment.
  // `source` names the text in errors ("dnc.txt:12: ...").
  Status AddLines(std::string_view text, std::string_view source);

  // Why the number may not be called, or nullopt.
  std::optional<std::string> Match(std::string_view e164) const;
  size_t size() const { return numbers_.size() + prefixes_.size(); }

 private:
  std::unordered_set<std::string> numbers_;
  std::unordered_set<std::string> prefixes_;
  size_t longest_prefix_ = 0;
};

}  // namespace dozvon
