#include "app/broadcast_call.h"

extern "C" {
#include <re.h>
}

#include "telephony/audio.h"
#include "telephony/event_loop.h"

namespace dozvon {

struct BroadcastCall::Timers {  // each cancels itself when destroyed
  SteadyTimer gather;
  SteadyTimer record;
};

namespace {

void GatherExpired(void* arg);
void RecordPoll(void* arg);

}  // namespace

BroadcastCall::BroadcastCall(const Scenario& scenario, PreparedPrompts prompts,
                             std::string reply_path)
    : scenario_(scenario),
      prompts_(std::move(prompts)),
      reply_path_(std::move(reply_path)),
      run_(scenario, prompts_.seconds),
      timers_(std::make_unique<Timers>()) {}

BroadcastCall::~BroadcastCall() = default;

void BroadcastCall::OnAnswer(CallLeg* leg) {
  leg_ = leg;
  leg_->OnDtmf([this](char d) { OnKey(d); });
  Execute(run_.Start());
}

void BroadcastCall::Execute(const ScenarioCommand& c) {
  if (!leg_) return;
  timers_->gather.Cancel();
  switch (c.kind) {
    case ScenarioCommand::Kind::kPlay: {
      auto pcm = c.step < prompts_.by_step.size() ? prompts_.by_step[c.step] : nullptr;
      if (!pcm) {  // nothing to play for this step: treat as played
        Execute(run_.PlayDone(0, true));
        return;
      }
      playing_ = true;
      leg_->Play(pcm, [this](double played, bool finished) {
        playing_ = false;
        Execute(run_.PlayDone(played, finished));
      });
      return;
    }
    case ScenarioCommand::Kind::kWaitDigits:
      timers_->gather.Start(static_cast<uint64_t>(c.timeout.count()), GatherExpired, this);
      return;
    case ScenarioCommand::Kind::kRecord:
      recording_ = c;
      record_started_ms_ = MonotonicMs();
      leg_->StartCapture();
      timers_->record.Start(100, RecordPoll, this);
      return;
    case ScenarioCommand::Kind::kTransfer:
      if (!transfer_) {  // a server without operators: nobody can ever be free
        Execute(run_.Transferred(false));
        return;
      }
      Hold();
      transfer_(c.queue, c.timeout);  // may answer at once through TransferDone
      return;
    case ScenarioCommand::Kind::kHangup:
      leg_->Hangup();
      return;
    case ScenarioCommand::Kind::kHandedOff:
      return;  // bridged to an operator: the engine ends the call
  }
}

void BroadcastCall::Hold() {
  // Ringback (425 Hz, 1 s on, 4 s off) tells the caller the operator's line is ringing.
  static const auto kRingback = std::make_shared<const Pcm>(Tone(425, -13, 1000, 4000, 5000));
  holding_ = true;
  leg_->Play(kRingback, [this](double, bool finished) {
    if (holding_ && finished && leg_) Hold();
  });
}

void BroadcastCall::TransferDone(bool connected) {
  if (!leg_ || !holding_) return;
  holding_ = false;
  leg_->StopPlay();
  Execute(run_.Transferred(connected));
}

void BroadcastCall::OnKey(char d) {
  std::optional<ScenarioCommand> next;
  if (run_.Digit(d, &next)) {
    if (playing_ && leg_) leg_->StopPlay();  // barge-in: PlayDone follows from the callback
    return;
  }
  if (next) Execute(*next);
}

void BroadcastCall::OnRecordTimer() {
  if (!leg_) return;
  uint64_t elapsed = MonotonicMs() - record_started_ms_;
  bool full = elapsed >= static_cast<uint64_t>(recording_.max_length.count());
  // The reply ends after `silence` without speech (but give the callee a second to start).
  bool quiet =
      elapsed >= 1000 && leg_->SilenceMs() >= static_cast<uint64_t>(recording_.silence.count());
  if (!full && !quiet) {
    timers_->record.Start(100, RecordPoll, this);
    return;
  }
  Pcm reply = leg_->StopCapture();
  double seconds = static_cast<double>(reply.size()) / 8000.0;
  std::string path;
  if (!reply.empty() && WriteWav(reply_path_, reply).ok()) path = reply_path_;
  Execute(run_.Recorded(path, seconds));
}

void BroadcastCall::OnEnded(const CallResult& r) {
  if (leg_ && !run_.finished()) {
    if (recording_.kind == ScenarioCommand::Kind::kRecord && timers_->record.running()) {
      // The callee hung up while replying: keep what was said.
      Pcm reply = leg_->StopCapture();
      if (!reply.empty() && WriteWav(reply_path_, reply).ok()) {
        run_.Recorded(reply_path_, static_cast<double>(reply.size()) / 8000.0);
      }
    }
    auto played = playing_ ? std::optional<double>(r.prompt_seconds_played) : std::nullopt;
    if (r.outcome == Outcome::kInterrupted) {
      run_.Cut(played);
    } else {
      run_.FarEndHungUp(played);
    }
  }
  leg_ = nullptr;
  playing_ = false;
  holding_ = false;
  timers_->gather.Cancel();
  timers_->record.Cancel();
}

void BroadcastCall::OnGatherTimer() { Execute(run_.GatherTimeout()); }

namespace {

void GatherExpired(void* arg) { static_cast<BroadcastCall*>(arg)->OnGatherTimer(); }
void RecordPoll(void* arg) { static_cast<BroadcastCall*>(arg)->OnRecordTimer(); }

}  // namespace

}  // namespace dozvon
