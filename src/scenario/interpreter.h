// ScenarioRun: one answered call walking a Scenario. Pure state machine: the call leg adapter
// (app/) feeds it events (a prompt ended, a key, a timeout, a recording, a transfer result) and
// carries out the command it returns. It keeps the call's results: keys, variables, the path
// through the steps, and how much of the message was heard.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace dozvon {

struct ScenarioCommand {
  enum class Kind {
    kPlay,        // play the prepared prompt of `step`
    kWaitDigits,  // wait up to `timeout` for keys
    kRecord,      // record the far end up to `max_length`, ending after `silence`
    kTransfer,    // hand the call to operator queue `queue`, holding up to `timeout`
    kHangup,      // hang up; `reason` says why
    kHandedOff,   // a transfer connected: the scenario no longer owns the call
  };
  Kind kind = Kind::kHangup;
  size_t step = 0;
  bool barge_in = false;
  Duration timeout{};
  Duration max_length{};
  Duration silence{};
  std::string queue;
  std::string reason;
};

struct ScenarioResult {
  std::string dtmf;                         // every key, in order
  std::map<std::string, std::string> vars;  // set steps and gathers
  std::vector<std::string> path;            // step ids (or #N) in the order they ran
  double message_seconds = 0;               // length of the message steps
  double heard_seconds = 0;                 // of those, played before a hang-up or barge-in
  bool heard_to_end = false;
  std::string recording;  // the reply recorded by a record step
  std::string transferred_to;
  std::string end_reason;  // "scenario ended", "hung up during step #3", ...

  double heard_fraction() const {
    return message_seconds > 0 ? std::min(1.0, heard_seconds / message_seconds) : 0.0;
  }
};

class ScenarioRun {
 public:
  // `prompt_seconds[i]`: the length of step i's prepared prompt (0 for other steps).
  ScenarioRun(const Scenario& scenario, std::vector<double> prompt_seconds);

  ScenarioCommand Start();
  // The prompt of the current play step ended: played to its end, or cut by a barge-in.
  ScenarioCommand PlayDone(double seconds_played, bool finished);
  // A key from the far end. True when it interrupts the current prompt (barge-in): the adapter
  // stops playback and calls PlayDone. A gather completed by this key returns its next
  // command through `next`.
  bool Digit(char d, std::optional<ScenarioCommand>* next);
  ScenarioCommand GatherTimeout();
  ScenarioCommand Recorded(const std::string& path, double seconds);
  ScenarioCommand Transferred(bool connected);
  // The far end hung up; the run is over. `seconds_played`: of the prompt playing at that
  // moment, if one was (it counts toward the message heard).
  void FarEndHungUp(std::optional<double> seconds_played = std::nullopt);
  // We ended the call mid-scenario (the engine stopping); counts like a hang-up, said apart.
  void Cut(std::optional<double> seconds_played = std::nullopt);

  const ScenarioResult& result() const { return result_; }
  bool finished() const { return finished_; }

 private:
  ScenarioCommand RunFrom(size_t index);
  ScenarioCommand EndGather();
  bool Feed(char d, std::optional<ScenarioCommand>* next);
  void CountHeard(double seconds_played, bool finished);
  ScenarioCommand Finish(ScenarioCommand::Kind kind, std::string reason);
  std::string NameOf(size_t i) const;

  const Scenario& sc_;
  std::vector<double> prompt_seconds_;
  std::vector<bool> message_done_;
  ScenarioResult result_;
  size_t current_ = 0;
  ScenarioCommand::Kind waiting_ = ScenarioCommand::Kind::kHangup;
  std::string gathered_;
  std::string typeahead_;  // keys pressed before a gather started
  int steps_run_ = 0;
  bool finished_ = false;
};

}  // namespace dozvon
