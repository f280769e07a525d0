// BroadcastCall: carries out a scenario on one answered call leg. The pure ScenarioRun decides;
// this adapter plays the prepared prompts, times gathers, records replies and hangs up.
// Thread-safety: libre loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scenario/interpreter.h"
#include "telephony/sip_uac.h"

namespace dozvon {

// Every prompt of the scenario, rendered for one contact before the call is placed, so an
// answered callee hears the message at once.
struct PreparedPrompts {
  std::vector<std::shared_ptr<const Pcm>> by_step;  // null for steps without audio
  std::vector<double> seconds;
};

class BroadcastCall {
 public:
  // `reply_path`: where a record step writes the callee's reply (WAV).
  BroadcastCall(const Scenario& scenario, PreparedPrompts prompts, std::string reply_path);
  ~BroadcastCall();
  BroadcastCall(const BroadcastCall&) = delete;
  BroadcastCall& operator=(const BroadcastCall&) = delete;

  // Who takes a transfer step: the engine, when it has operators. It answers through
  // TransferDone; without it every transfer runs its fallback at once.
  using TransferFn = std::function<void(const std::string& queue, Duration wait)>;
  void SetTransfer(TransferFn fn) { transfer_ = std::move(fn); }
  // The transfer's outcome: an operator is bridged to the call (the engine owns it from now
  // on), or nobody was free within the step's wait (the fallback runs).
  void TransferDone(bool connected);
  CallLeg* leg() const { return leg_; }

  void OnAnswer(CallLeg* leg);
  // The call ended (either side); the leg is gone.
  void OnEnded(const CallResult& r);
  const ScenarioResult& result() const { return run_.result(); }
  // Timer entry points (libre callbacks).
  void OnGatherTimer();
  void OnRecordTimer();

  struct Timers;

 private:
  void Execute(const ScenarioCommand& c);
  void OnKey(char d);
  void Hold();

  const Scenario& scenario_;
  PreparedPrompts prompts_;
  std::string reply_path_;
  ScenarioRun run_;
  CallLeg* leg_ = nullptr;
  bool playing_ = false;
  bool holding_ = false;  // a transfer waits for an operator: ringback plays
  TransferFn transfer_;
  uint64_t record_started_ms_ = 0;
  ScenarioCommand recording_{};
  std::unique_ptr<Timers> timers_;
};

}  // namespace dozvon
