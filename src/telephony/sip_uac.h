// SipUac: places outbound calls over SIP with libre (one libre loop, the caller's thread).
// Each call: INVITE with an SDP offer (PCMU, PCMA, telephone-event), digest auth when the trunk
// challenges, the ring timeout then CANCEL, and one result when it ends: the final SIP status,
// the Q.850 cause (from a Reason header or implied), the outcome from the core's one table, and
// timings (post-dial delay, ring time, answer time, talk time).
// Thread-safety: everything runs on the libre loop thread that created the SipUac.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/model/attempt.h"
#include "core/status.h"
#include "telephony/audio.h"
#include "telephony/media_session.h"

namespace dozvon {

enum class SipTransport { kUdp, kTcp };

struct TrunkConfig {
  // An IP address, or a DNS name resolved per RFC 3263 (NAPTR, SRV, A) by libre's resolver.
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: not given (SRV for a name, 5060 for an address)
  SipTransport transport = SipTransport::kUdp;
  std::vector<std::string> dns_servers;  // "IP:PORT"; empty: /etc/resolv.conf
  std::string username;                  // digest auth, when the trunk challenges
  std::string password;
  std::string caller_id = "dozvon";
  int max_calls = 0;  // concurrent calls on this trunk; 0 = no limit
  double cps = 0;     // INVITEs per second, spread evenly (never a burst); 0 = no limit
  // Register to the trunk (username/password) and keep the binding refreshed.
  bool register_trunk = false;
  int register_expires_s = 600;
};

// What the trunk has done, for the core's pacing and for supervisors.
struct TrunkCounters {
  int active = 0;
  int queued = 0;       // dials waiting for their CPS slot
  int64_t invites = 0;  // INVITEs sent
  int64_t completed = 0;
  TickTimings tick;  // how the shared media tick kept time (late frames: rtp.late_sends
                     // + tick.frames_skipped)
  // The media sockets, shared by every call on this trunk's ticker (RtpIo).
  RtpIo::Backend rtp_backend = RtpIo::Backend::kPlain;
  RtpIoCounters rtp;
  std::map<Outcome, int64_t> by_outcome;
  bool registered = false;  // the trunk accepted our REGISTER (when register_trunk)
  int64_t register_failures = 0;
};

// An answered call, driven by its owner (a scenario) instead of the prompt-and-hold default.
// Valid from DialRequest::on_answer until the call's `done` callback returns (the owner may
// still read a capture inside it; playback and hang-up are over). All on the loop thread.
class CallLeg {
 public:
  virtual ~CallLeg() = default;
  // Plays `pcm` from its start, replacing any prompt playing. `done(seconds_played, finished)`
  // runs when it ends or is stopped, never after the call has ended.
  virtual void Play(std::shared_ptr<const Pcm> pcm, std::function<void(double, bool)> done) = 0;
  virtual void StopPlay() = 0;
  // Seconds of the current (or last) prompt sent so far.
  virtual double PromptSecondsPlayed() const = 0;
  virtual void OnDtmf(std::function<void(char)> fn) = 0;
  // Keeps the far end's audio from now until StopCapture (a reply to record).
  virtual void StartCapture() = 0;
  virtual Pcm StopCapture() = 0;
  // Milliseconds since the far end last spoke (or since the capture started, if later).
  virtual uint64_t SilenceMs() const = 0;
  // Ends the call from our side (BYE); `done` follows.
  virtual void Hangup() = 0;
  // Connects this leg's audio with `other`'s, both ways (a customer and an operator). Either
  // leg ending, Unbridge, or bridging again ends it. Both legs must be answered.
  virtual Status Bridge(CallLeg* other) = 0;
  virtual void Unbridge() = 0;
  virtual bool bridged() const = 0;
  // Media counters so far (a nailed-up operator leg reads them between customers).
  virtual MediaStats Stats() const = 0;
  // Sends DTMF to the far end (RFC 4733 when negotiated, else in band).
  virtual void SendDtmf(const std::string& digits) = 0;
};

struct DialRequest {
  std::string to_e164;  // "+79161234567"
  std::chrono::milliseconds ring_timeout{30000};
  // Hang up this long after answer, or after the prompt ends when there is one.
  std::chrono::milliseconds hold{1000};
  std::string prompt_path;  // WAV (any rate) played on answer; "" = silence
  std::string record_path;  // WAV of the call: stereo, left us, right the far end; "" = none
  // Instead of to_e164 through the trunk: call this SIP URI directly (an operator's phone, from
  // its registration Contact).
  std::string to_uri;
  // Extra SIP headers on the INVITE, e.g. {"X-Dozvon-Attempt", "42"} for end-to-end tracing.
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the answered call is handed to the owner instead of prompt_path and hold.
  std::function<void(CallLeg*)> on_answer;
};

enum class HangupBy { kNone, kUs, kThem };

struct CallResult {
  Outcome outcome = Outcome::kFailed;
  int sip_status = 0;  // final response; 200 for answered calls
  std::optional<int> q850_cause;
  bool cancelled_on_timeout = false;
  HangupBy hangup_by = HangupBy::kNone;
  std::optional<double> post_dial_delay_s;  // INVITE to first 18x
  std::optional<double> ring_s;             // first 18x to answer or final failure
  std::optional<double> answer_s;           // INVITE to 200 OK
  std::optional<double> talk_s;             // 200 OK to hang-up
  std::string reason;                       // readable: "486 Busy Here"
  // A call-progress tone heard in early media (183 with SDP): "ringback", "busy",
  // "congestion", "special information". Busy, congestion and SIT end the call at once
  // (CANCEL) with that outcome.
  std::string early_tone;
  // Media, for answered calls.
  double prompt_seconds_played = 0;  // heard by the far end, up to its hang-up
  bool prompt_finished = false;      // false: the far end hung up first
  std::string dtmf;                  // keys the far end pressed (RFC 4733 or in band)
  double seconds_received = 0;       // audio received from the far end
  double seconds_with_voice = 0;
  std::string recording;  // path written, or "" (see reason if it failed)
  int reinvites = 0;      // re-INVITEs the far end sent during the call
  // Bridged calls: 200 OK to the first frame of the other party's audio sent to this leg (the
  // connect time a customer experiences), and speech passed each way.
  std::optional<double> connect_s;
  double bridge_voice_heard_s = 0;   // the other party's speech sent to this leg
  double bridge_voice_passed_s = 0;  // this leg's speech passed to the other party
  // Wall-clock times, for the attempt row.
  std::optional<Instant> invited_at;   // the INVITE left (after any CPS wait)
  std::optional<Instant> answered_at;  // 200 OK
};

class SipUac {
 public:
  // Binds a UDP SIP transport on `local_ip`, port 0 (ephemeral). libre must be initialised.
  // Give every SipUac of a process the same `ticker` (one media tick for all calls); null
  // makes one for this trunk.
  static Result<std::unique_ptr<SipUac>> Create(const TrunkConfig& trunk,
                                                const std::string& local_ip = "127.0.0.1",
                                                std::shared_ptr<MediaTicker> ticker = nullptr);
  ~SipUac();

  uint16_t local_port() const;
  // Starts a call, or queues it for its CPS slot; `done` is called once, on the loop thread,
  // when it ends. Unavailable when the trunk is at max_calls (nothing is queued then).
  Status Dial(const DialRequest& request, std::function<void(const CallResult&)> done);
  int active_calls() const;
  TrunkCounters counters() const;

  struct Impl;

 private:
  explicit SipUac(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
