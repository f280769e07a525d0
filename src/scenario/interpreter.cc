#include "scenario/interpreter.h"

#include <algorithm>

namespace dozvon {
namespace {
// A scenario may loop ("press 1 or 2" again); this bounds one call's walk.
constexpr int kMaxSteps = 200;
}  // namespace

ScenarioRun::ScenarioRun(const Scenario& scenario, std::vector<double> prompt_seconds)
    : sc_(scenario), prompt_seconds_(std::move(prompt_seconds)) {
  prompt_seconds_.resize(sc_.steps.size(), 0.0);
  message_done_.assign(sc_.steps.size(), false);
  for (size_t i : sc_.message_steps) result_.message_seconds += prompt_seconds_[i];
}

std::string ScenarioRun::NameOf(size_t i) const {
  return sc_.steps[i].id.empty() ? "#" + std::to_string(i + 1) : sc_.steps[i].id;
}

ScenarioCommand ScenarioRun::Finish(ScenarioCommand::Kind kind, std::string reason) {
  finished_ = true;
  result_.end_reason = reason;
  ScenarioCommand c;
  c.kind = kind;
  c.reason = std::move(reason);
  return c;
}

ScenarioCommand ScenarioRun::Start() { return RunFrom(0); }

ScenarioCommand ScenarioRun::RunFrom(size_t index) {
  size_t i = index;
  while (true) {
    if (i >= sc_.steps.size()) return Finish(ScenarioCommand::Kind::kHangup, "scenario ended");
    if (++steps_run_ > kMaxSteps) {
      return Finish(ScenarioCommand::Kind::kHangup,
                    "step limit (" + std::to_string(kMaxSteps) + ") reached");
    }
    const Step& st = sc_.steps[i];
    current_ = i;
    result_.path.push_back(NameOf(i));
    const size_t after = st.next.value_or(i + 1);
    ScenarioCommand c;
    c.step = i;
    switch (st.kind) {
      case StepKind::kSet:
        for (const auto& [k, v] : st.vars) result_.vars[k] = v;
        i = after;
        continue;
      case StepKind::kBranch: {
        auto it = result_.vars.find(st.on);
        std::string value = it == result_.vars.end() ? "" : it->second;
        size_t to = after;
        for (const auto& [v, target] : st.cases) {
          if (v == value) to = target;
        }
        i = to;
        continue;
      }
      case StepKind::kHangup:
        return Finish(ScenarioCommand::Kind::kHangup, "hangup step " + NameOf(i));
      case StepKind::kPlay:
      case StepKind::kSay:
        c.kind = ScenarioCommand::Kind::kPlay;
        c.barge_in = st.barge_in;
        break;
      case StepKind::kGather: {
        gathered_.clear();
        waiting_ = ScenarioCommand::Kind::kWaitDigits;
        // Keys pressed during the prompts before it count (type-ahead). A later gather reached
        // through this one takes the keys still left.
        while (!typeahead_.empty()) {
          char d = typeahead_.front();
          typeahead_.erase(0, 1);
          std::optional<ScenarioCommand> next;
          Feed(d, &next);
          if (next) return *next;
        }
        c.kind = ScenarioCommand::Kind::kWaitDigits;
        c.timeout = st.timeout;
        break;
      }
      case StepKind::kRecord:
        c.kind = ScenarioCommand::Kind::kRecord;
        c.max_length = st.max_length;
        c.silence = st.silence;
        break;
      case StepKind::kTransfer:
        c.kind = ScenarioCommand::Kind::kTransfer;
        c.queue = st.queue;
        c.timeout = st.wait;
        break;
    }
    waiting_ = c.kind;
    return c;
  }
}

void ScenarioRun::CountHeard(double seconds_played, bool finished) {
  if (std::find(sc_.message_steps.begin(), sc_.message_steps.end(), current_) ==
      sc_.message_steps.end()) {
    return;
  }
  result_.heard_seconds += std::min(seconds_played, prompt_seconds_[current_]);
  message_done_[current_] = message_done_[current_] || finished;
  bool all = true;
  for (size_t i : sc_.message_steps) all = all && message_done_[i];
  result_.heard_to_end = all;
}

ScenarioCommand ScenarioRun::PlayDone(double seconds_played, bool finished) {
  CountHeard(seconds_played, finished);
  return RunFrom(sc_.steps[current_].next.value_or(current_ + 1));
}

bool ScenarioRun::Digit(char d, std::optional<ScenarioCommand>* next) {
  if (finished_) return false;
  result_.dtmf.push_back(d);
  return Feed(d, next);
}

bool ScenarioRun::Feed(char d, std::optional<ScenarioCommand>* next) {
  const Step& st = sc_.steps[current_];
  if (waiting_ == ScenarioCommand::Kind::kPlay) {
    typeahead_.push_back(d);
    return st.barge_in;
  }
  if (waiting_ != ScenarioCommand::Kind::kWaitDigits) return false;
  if (st.terminator && d == st.terminator) {
    *next = EndGather();
    return false;
  }
  gathered_.push_back(d);
  if (static_cast<int>(gathered_.size()) >= st.max_digits) *next = EndGather();
  return false;
}

ScenarioCommand ScenarioRun::EndGather() {
  const Step& st = sc_.steps[current_];
  result_.vars[st.into] = gathered_;
  gathered_.clear();
  return RunFrom(st.next.value_or(current_ + 1));
}

ScenarioCommand ScenarioRun::GatherTimeout() { return EndGather(); }

ScenarioCommand ScenarioRun::Recorded(const std::string& path, double seconds) {
  result_.recording = path;
  result_.vars["recorded_seconds"] = std::to_string(static_cast<int>(seconds + 0.5));
  const Step& st = sc_.steps[current_];
  return RunFrom(st.next.value_or(current_ + 1));
}

ScenarioCommand ScenarioRun::Transferred(bool connected) {
  const Step& st = sc_.steps[current_];
  if (connected) {
    result_.transferred_to = st.queue;
    return Finish(ScenarioCommand::Kind::kHandedOff, "transferred to queue " + st.queue);
  }
  result_.vars["transfer"] = "no_operator";
  return RunFrom(st.next.value_or(current_ + 1));
}

void ScenarioRun::FarEndHungUp(std::optional<double> seconds_played) {
  if (finished_) return;
  if (seconds_played && waiting_ == ScenarioCommand::Kind::kPlay)
    CountHeard(*seconds_played, false);
  finished_ = true;
  result_.end_reason = "hung up during step " + NameOf(current_);
}

void ScenarioRun::Cut(std::optional<double> seconds_played) {
  if (finished_) return;
  FarEndHungUp(seconds_played);
  result_.end_reason = "cut during step " + NameOf(current_);
}

}  // namespace dozvon
