// MediaSession: one call's audio. SDP offer/answer through libre's sdp module; RTP through
// libre's rtp sockets; G.711 (PCMU or PCMA, as negotiated); a prompt played in 20 ms frames;
// DTMF received both as RFC 4733 events and in band (spandsp), and sent either way; counters
// of what was received and played. Frames are sent from one shared MediaTicker (a 5 ms tick
// for all calls), never a timer per call (TELEPHONY.md pitfall 2).
// Thread-safety: all on the libre loop thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "telephony/audio.h"
#include "telephony/progress_tones.h"
#include "telephony/rtp_io.h"

namespace dozvon {

class MediaSession;

// How the shared media tick kept time (steady clock): where late frames come from.
struct TickTimings {
  int64_t ticks = 0;
  int64_t gap_max_us = 0;  // longest time between two tick starts (the period is 5 ms)
  int64_t gaps_over_15ms = 0;
  int64_t work_max_us = 0;  // longest tick: receive, every session's frame, queue the sends
  // Where the longest tick went: its receive (Poll), its sessions' frames, its hand-over; the
  // CPU time the loop thread got in it, and where the rest went: runnable but off a CPU
  // (runqueue_wait, from /proc/thread-self/schedstat: behind another task, or queued on a
  // vCPU the host had stopped); asleep (blocked: voluntary context switches, e.g. a lock or a
  // page fault waiting on mmap_lock); or neither, the vCPU stopped under the running thread
  // (with steal-time accounting its CPU time leaves that out). Also its page faults and
  // involuntary context switches (preempted).
  struct Longest {
    int64_t poll_us = 0, sessions_us = 0, flush_us = 0, cpu_us = 0, runqueue_wait_us = 0;
    int64_t minor_faults = 0, major_faults = 0, preempted = 0, blocked = 0;
  } longest;
  int64_t frames_skipped = 0;  // never sent: a session was still a frame behind after catching up
};

// Drives every registered session from one 5 ms tick. Late frames: io().counters().late_sends,
// and timings().frames_skipped, which were never sent.
class MediaTicker {
 public:
  MediaTicker();
  ~MediaTicker();
  void Add(MediaSession* s);
  void Remove(MediaSession* s);
  const TickTimings& timings() const;
  // Every session's RTP socket (io_uring when the kernel allows it). Open and close sockets
  // here: the tick must run while one waits for packets only a Poll delivers.
  RtpIo& io();
  Result<uint64_t> OpenSocket(const struct sa& ip, RtpIo::PacketFn fn, void* arg, struct sa* local);
  void CloseSocket(uint64_t handle);

  struct Impl;

 private:
  friend class MediaSession;
  std::unique_ptr<Impl> impl_;
};

struct MediaStats {
  int64_t packets_received = 0;
  double seconds_received = 0;    // audio received, 20 ms per frame
  double seconds_with_voice = 0;  // frames above a speech-level RMS
  std::string dtmf;               // digits received, in order
  double prompt_seconds_played = 0;
  bool prompt_finished = false;
  int64_t frames_sent = 0;
  // Bridging (MediaSession::Bridge): what this session passed between its peer and the far end.
  uint64_t relay_first_ms = 0;      // MonotonicMs() of the first frame of the peer's audio sent
  double relay_seconds_sent = 0;    // the peer's audio sent to the far end
  double relay_voice_sent = 0;      // of which above speech level: what the far end heard
  double relay_voice_received = 0;  // the far end's speech passed on to the peer
};

class MediaSession {
 public:
  static Result<std::unique_ptr<MediaSession>> Create(MediaTicker* ticker,
                                                      const std::string& local_ip);
  ~MediaSession();

  // SDP: the offer we send; the answer we got; or, for a UAS, our answer to their offer.
  Result<std::string> Offer();
  Status ApplyAnswer(std::string_view sdp);
  Result<std::string> AnswerTo(std::string_view offer);

  // Early media (before answer): call-progress tones in what the far end sends. `on_tone`
  // runs inside packet handling: it must not destroy this session there. Null stops it.
  void DetectProgressTones(std::function<void(ProgressTone)> on_tone);

  // Starts sending frames (silence until Play) once the remote address is known.
  void Start();
  void Stop();
  void Play(std::shared_ptr<const Pcm> prompt);
  // Stops the prompt where it is; prompt_seconds_played keeps what was sent.
  void StopPrompt();
  void SendDtmf(const std::string& digits, bool in_band);
  // In-band DTMF detection runs on every received frame unless turned off here (the carrier
  // simulator, which never listens for digits). RFC 4733 events are always decoded.
  void DetectInBandDtmf(bool on);

  // Two-way bridge: each session's received audio is sent, decoded and re-encoded (so PCMU
  // meets PCMA), in the other's next frame, mixed with any prompt playing there. At most
  // 200 ms is queued per direction (older audio is dropped, never delayed). A session can be
  // in one bridge; bridging again or destroying either side ends the old one.
  static void Bridge(MediaSession* a, MediaSession* b);
  void Unbridge();
  MediaSession* bridged() const;

  // Keeps what is sent and received, for WriteRecording (bounded to one hour per side).
  void EnableRecording();
  enum class RecordSide { kFarEnd, kNearEnd, kBoth };
  // Writes a 8 kHz WAV: one side mono, or both as stereo (left: us, right: the far end).
  Status WriteRecording(const std::string& path, RecordSide side) const;

  // Far-end audio from StartCapture on (bounded like recordings), for a recorded reply.
  void StartCapture();
  Pcm TakeCapture();
  // MonotonicMs() of the last far-end frame above speech level; 0 when none yet.
  uint64_t last_voice_ms() const;

  const MediaStats& stats() const { return stats_; }
  std::function<void(char)> on_dtmf;
  std::function<void()> on_prompt_end;

  // Called by the ticker: sends the frames that are due at `now_ms` (MonotonicMs), read at
  // `now_us` on RtpIo's clock. Returns the frames skipped because it was too far behind.
  int64_t Tick(uint64_t now_ms, int64_t now_us);

  struct Impl;

 private:
  MediaSession();
  std::unique_ptr<Impl> impl_;
  MediaStats stats_;
  friend struct Impl;
};

}  // namespace dozvon
