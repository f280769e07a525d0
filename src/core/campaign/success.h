// SuccessRule: when an answered broadcast call counts as a success (the contact is done) and
// when it is retried. Text form, in a campaign's [broadcast] section:
//   success = "heard >= 90% or pressed 1"
//   success = "confirmed = yes and heard"
// Terms: `heard` (the message played to its end), `heard >= N%` (that share of it played),
// `pressed D` (key D pressed at any time), `VAR = VALUE` (a scenario result variable).
// `and` binds tighter than `or`. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace dozvon {

// What an answered call produced, as the success rule sees it.
struct CallFacts {
  double heard_fraction = 0;  // of the message, 0..1
  bool heard_to_end = false;
  std::string dtmf;  // every key pressed, in order
  std::map<std::string, std::string> vars;
};

struct SuccessTerm {
  enum class Kind { kHeard, kPressed, kVar };
  Kind kind = Kind::kHeard;
  double min_fraction = 1.0;  // kHeard
  char digit = 0;             // kPressed
  std::string var, value;     // kVar
};

class SuccessRule {
 public:
  // The default: the message heard to the end.
  SuccessRule();
  static Result<SuccessRule> Parse(std::string_view text);
  bool Met(const CallFacts& facts) const;
  // Why the rule was not met, for the contact's reason: "heard 40% of the message".
  std::string Shortfall(const CallFacts& facts) const;
  const std::string& text() const { return text_; }
  // Variable names the rule reads (a scenario must be able to set them).
  std::vector<std::string> Vars() const;
  // "VAR=VALUE" for each variable term, as result counts are keyed ("confirmed=yes").
  std::vector<std::string> VarTerms() const;

 private:
  std::vector<std::vector<SuccessTerm>> any_of_;  // OR of ANDs
  std::string text_;
};

}  // namespace dozvon
