#include "core/model/attempt.h"

namespace dozvon {

std::string_view ToString(Outcome o) {
  switch (o) {
    case Outcome::kAnswered:
      return "answered";
    case Outcome::kBusy:
      return "busy";
    case Outcome::kNoAnswer:
      return "no_answer";
    case Outcome::kInvalidNumber:
      return "invalid_number";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kCongestion:
      return "congestion";
    case Outcome::kAbandoned:
      return "abandoned";
    case Outcome::kMachine:
      return "machine";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kInterrupted:
      return "interrupted";
  }
  return "failed";
}

std::optional<Outcome> OutcomeFromString(std::string_view s) {
  for (auto v : {Outcome::kAnswered, Outcome::kBusy, Outcome::kNoAnswer, Outcome::kInvalidNumber,
                 Outcome::kRejected, Outcome::kCongestion, Outcome::kAbandoned, Outcome::kMachine,
                 Outcome::kFailed, Outcome::kInterrupted}) {
    if (ToString(v) == s) return v;
  }
  return std::nullopt;
}

}  // namespace dozvon
