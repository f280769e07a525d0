#include "core/compliance/dnc.h"

#include <algorithm>

namespace dozvon {

void DncList::AddPrefix(std::string prefix) {
  longest_prefix_ = std::max(longest_prefix_, prefix.size());
  prefixes_.insert(std::move(prefix));
}

Status DncList::AddLines(std::string_view text, std::string_view source) {
  size_t pos = 0;
  for (int line = 1; pos <= text.size(); ++line) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view s = text.substr(pos, end - pos);
    pos = end + 1;
    if (size_t hash = s.find('#'); hash != std::string_view::npos) s = s.substr(0, hash);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    if (s.empty()) continue;
    bool prefix = s.back() == '*';
    if (prefix) s.remove_suffix(1);
    if (s.size() < 2 || s[0] != '+' ||
        s.find_first_not_of("0123456789", 1) != std::string_view::npos) {
      return Status::InvalidArgument(std::string(source) + ":" + std::to_string(line) + ": \"" +
                                     std::string(s) + "\": expected +digits or +digits*");
    }
    if (prefix) {
      AddPrefix(std::string(s));
    } else {
      AddNumber(std::string(s));
    }
  }
  return Status::Ok();
}

std::optional<std::string> DncList::Match(std::string_view e164) const {
  if (numbers_.count(std::string(e164))) return std::string("on the do-not-call list");
  for (size_t len = std::min(longest_prefix_, e164.size()); len >= 2; --len) {
    std::string p(e164.substr(0, len));
    if (prefixes_.count(p)) return "on the do-not-call list (prefix " + p + ")";
  }
  return std::nullopt;
}

}  // namespace dozvon
