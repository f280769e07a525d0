// CarrierSim: a SIP UAS on loopback that behaves like the public network, per destination
// number: answer after a ring time and hang up after a talk time (or stay until the caller
// hangs up), busy, no answer (ring until CANCEL), invalid number, rejected, congestion, or any
// SIP code with an optional Q.850 Reason header. Per-number rules override the profile's
// shares. It can demand digest auth. Decisions are deterministic for a seed and a number.
// Thread-safety: runs on the libre loop thread that created it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace dozvon {

class MediaTicker;

struct SimBehaviour {
  enum class Kind { kAnswer, kNoAnswer, kReject };
  Kind kind = Kind::kAnswer;
  int code = 0;                       // kReject: the final response
  std::optional<int> q850;            // kReject: Reason header cause
  std::optional<double> ring_s;       // before answering (kAnswer) or before the 180 (others)
  std::optional<double> talk_s;       // kAnswer: callee hangs up after this; nullopt = stays
  std::string dtmf;                   // kAnswer: keys pressed after answer
  double dtmf_at = 1.0;               // seconds after answer
  bool dtmf_in_band = false;          // tones in the audio instead of RFC 4733 events
  std::optional<double> reinvite_at;  // send a re-INVITE this long after answer
  // Early media: 183 with SDP, then this tone until answer or CANCEL: "ringback" (then the
  // call goes on as drawn), "busy", "congestion" or "sit" (these never answer).
  std::string early;
};

struct CarrierProfile {
  uint64_t seed = 1;
  double answer = 0.5, busy = 0.15, no_answer = 0.2, invalid = 0.05, rejected = 0.05,
         congestion = 0.05;
  double ring_mean = 3, ring_cv = 0.5;
  double talk_mean = 20, talk_cv = 0.5;
  double stay_share = 0;  // answered callees who never hang up themselves
  double voice_hz = 0;    // answered callees "speak" a tone of this pitch in bursts; 0: silent
  std::string auth_user, auth_password, auth_realm = "dozvon-sim";
  std::map<std::string, SimBehaviour> numbers;
  // Answered callees who press a key: key -> share of answered calls, pressed about `keys_at`
  // seconds after answer (lognormal, cv 0.3). Per-number rules win.
  std::map<char, double> keys;
  double keys_at = 8;

  // Errors name the file, line and key.
  static Result<CarrierProfile> Parse(std::string_view toml_text, std::string_view source);
  // The behaviour for a dialled number: its rule, else a draw from the shares. `call_no` counts
  // earlier calls to the same number, so a retry draws afresh (a busy line may answer later).
  SimBehaviour Decide(const std::string& number, int call_no = 0) const;
};

struct CarrierStats {
  int64_t invites = 0, challenged = 0, answered = 0, rejected = 0, cancelled = 0,
          hangups_by_callee = 0, hangups_by_caller = 0, malformed = 0, not_acceptable = 0,
          tcp_invites = 0, registers = 0;
  double audio_seconds = 0;  // audio received from callers
  double voice_seconds = 0;  // of which above speech level: what "the callee heard"
};

class CarrierSim {
 public:
  // Listens on UDP `ip`:`port` (0 = ephemeral). libre must be initialised.
  static Result<std::unique_ptr<CarrierSim>> Create(CarrierProfile profile, const std::string& ip,
                                                    uint16_t port);
  ~CarrierSim();
  uint16_t port() const;
  const CarrierStats& stats() const;
  // The media tick its calls run on, to share with operator phones in the same process.
  std::shared_ptr<MediaTicker> ticker() const;
  // Called for every call the simulator answers, with the dialled number and the caller's
  // X-Dozvon-Attempt header ("" when absent): tests check each answered call has its attempt.
  void OnAnswered(std::function<void(const std::string& number, const std::string& attempt)> fn);
  // Called when an answered call ends, with what the callee heard: tests check that a bridged
  // customer heard the operator.
  struct CallEnd {
    std::string number, attempt;
    double heard_s = 0;        // audio received from the caller
    double heard_voice_s = 0;  // of which above speech level
  };
  void OnCallEnd(std::function<void(const CallEnd&)> fn);

  struct Impl;

 private:
  explicit CarrierSim(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
