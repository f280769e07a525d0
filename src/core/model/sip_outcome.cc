#include "core/model/sip_outcome.h"

#include <cctype>
#include <charconv>

namespace dozvon {
namespace {

std::optional<Outcome> FromCause(int cause) {
  switch (cause) {
    case 1:   // unallocated number
    case 3:   // no route to destination
    case 22:  // number changed
    case 28:  // invalid number format
      return Outcome::kInvalidNumber;
    case 17:
      return Outcome::kBusy;
    case 18:  // no user responding
    case 19:  // no answer from user
      return Outcome::kNoAnswer;
    case 21:
      return Outcome::kRejected;
    case 34:  // no circuit available
    case 38:  // network out of order
    case 41:  // temporary failure
    case 42:  // switching equipment congestion
    case 44:  // requested circuit not available
      return Outcome::kCongestion;
    default:
      return std::nullopt;  // 16, 31, 127...: let the status code decide
  }
}

}  // namespace

SipOutcome OutcomeFromSip(int status, std::optional<int> cause, bool our_ring_timeout) {
  if (status >= 200 && status < 300) return {Outcome::kAnswered, cause};
  if (cause) {
    if (auto o = FromCause(*cause)) return {*o, cause};
  }
  switch (status) {
    case 404:
    case 484:
    case 485:
    case 604:
      return {Outcome::kInvalidNumber, 1};
    case 410:
      return {Outcome::kInvalidNumber, 22};
    case 486:
    case 600:
      return {Outcome::kBusy, 17};
    case 408:
      return {Outcome::kNoAnswer, 18};
    case 480:
    case 483:
      return {Outcome::kNoAnswer, 19};
    case 487:
      return our_ring_timeout ? SipOutcome{Outcome::kNoAnswer, 19}
                              : SipOutcome{Outcome::kInterrupted, cause};
    case 401:
    case 403:
    case 407:
    case 603:
      return {Outcome::kRejected, 21};
    case 503:
      return {Outcome::kCongestion, 34};
    case 500:
      return {Outcome::kCongestion, 41};
    case 502:
      return {Outcome::kCongestion, 38};
    case 504:
      return {Outcome::kCongestion, 41};
    default:
      break;
  }
  if (status >= 500 && status < 600) return {Outcome::kCongestion, cause};
  return {Outcome::kFailed, cause};
}

std::optional<int> ParseQ850Reason(std::string_view h) {
  auto lower_eq = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return true;
  };
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  size_t semi = h.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  std::string_view proto = h.substr(0, semi);
  while (!proto.empty() && proto.back() == ' ') proto.remove_suffix(1);  // SIP allows LWS
  if (!lower_eq(proto, "q.850")) return std::nullopt;
  h.remove_prefix(semi + 1);
  while (!h.empty()) {
    size_t end = h.find(';');
    std::string_view param = h.substr(0, end);
    while (!param.empty() && param.front() == ' ') param.remove_prefix(1);
    if (param.size() > 6 && lower_eq(param.substr(0, 6), "cause=")) {
      int cause = 0;
      auto r = std::from_chars(param.data() + 6, param.data() + param.size(), cause);
      if (r.ec != std::errc() || cause < 0 || cause > 127) return std::nullopt;
      return cause;
    }
    if (end == std::string_view::npos) break;
    h.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace dozvon
