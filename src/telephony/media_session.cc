#include "telephony/media_session.h"

#include "telephony/event_loop.h"
#include "telephony/rtp_io.h"
#include "telephony/thread_clock.h"

#include <cstdint>
#include <cstring>

extern "C" {
#include <re.h>
}
#include <sndfile.h>
#include <spandsp.h>

#include <sys/resource.h>

#include <algorithm>
#include <deque>
#include <vector>

namespace dozvon {
namespace {

constexpr int kFrameSamples = 160;  // 20 ms at 8 kHz
constexpr uint64_t kFrameMs = 20;
constexpr uint64_t kTickMs = 5;
// A frame may leave up to one frame before its time, so a tick that starts late (this VM
// wakes threads 7-19 ms late, docs/benchmarks.md) still sends it on time. The schedule stays
// anchored at the first frame, which is due at Start and cannot leave early: a far end that
// anchors its playout there gains the lead as margin, and holds at most one frame more.
// Relayed audio gains no latency (a frame carries what has arrived when it leaves).
constexpr uint64_t kSendLeadMs = kFrameMs;
constexpr double kVoiceRms = 300;  // about -40 dBm0: above line noise, below speech

std::string MbufString(struct mbuf* mb) {
  return std::string(reinterpret_cast<const char*>(mb->buf), mb->end);
}

struct mbuf* StringMbuf(std::string_view s) {
  struct mbuf* mb = mbuf_alloc(s.size() + 1);
  mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  mbuf_set_pos(mb, 0);
  return mb;
}

}  // namespace

struct MediaTicker::Impl {
  std::unique_ptr<PeriodicTimer> timer;  // a timerfd: re-armed 200 times a second
  std::vector<MediaSession*> sessions;
  std::unique_ptr<RtpIo> io;
  TickTimings timings;
  RunQueueClock runqueue;
  int64_t last_start_us = 0;
  void OnTick() {
    const int64_t start_us = RtpIo::NowUs();
    if (last_start_us > 0) {
      int64_t gap = start_us - last_start_us;
      timings.gap_max_us = std::max(timings.gap_max_us, gap);
      if (gap > 15000) ++timings.gaps_over_15ms;
    }
    last_start_us = start_us;
    ++timings.ticks;
    struct rusage ru0;
    ::getrusage(RUSAGE_THREAD, &ru0);
    const int64_t cpu0_us = ThreadCpuUs();
    const int64_t wait0_us = runqueue.WaitedUs();
    uint64_t now = MonotonicMs();
    io->Poll();  // what arrived since the last tick, before this tick's frames
    const int64_t polled_us = RtpIo::NowUs();
    // Copy: a session may remove itself from a callback.
    std::vector<MediaSession*> copy = sessions;
    for (MediaSession* s : copy) timings.frames_skipped += s->Tick(now, start_us);
    const int64_t ticked_us = RtpIo::NowUs();
    io->Flush();  // this tick's frames leave together
    const int64_t end_us = RtpIo::NowUs();
    if (end_us - start_us > timings.work_max_us) {
      timings.work_max_us = end_us - start_us;
      struct rusage ru1;
      ::getrusage(RUSAGE_THREAD, &ru1);
      TickTimings::Longest& l = timings.longest;
      l.poll_us = polled_us - start_us;
      l.sessions_us = ticked_us - polled_us;
      l.flush_us = end_us - ticked_us;
      l.cpu_us = ThreadCpuUs() - cpu0_us;
      l.minor_faults = ru1.ru_minflt - ru0.ru_minflt;
      l.major_faults = ru1.ru_majflt - ru0.ru_majflt;
      l.preempted = ru1.ru_nivcsw - ru0.ru_nivcsw;
      l.blocked = ru1.ru_nvcsw - ru0.ru_nvcsw;
      l.runqueue_wait_us = RunQueueClock::Between(wait0_us, runqueue.WaitedUs());
    }
  }
  // The tick runs while a session sends, or while a socket waits for packets that only a
  // Poll delivers (io_uring).
  void Refresh() {
    bool want = !sessions.empty() || (io->needs_poll() && io->open_count() > 0);
    if (want && !timer->running()) {
      last_start_us = 0;  // a stopped tick is no gap
      timer->Start(kTickMs);
    } else if (!want && timer->running()) {
      timer->Stop();
    }
  }
};

MediaTicker::MediaTicker() : impl_(std::make_unique<Impl>()) {
  Impl* impl = impl_.get();
  impl_->io = RtpIo::Create();
  impl_->timer = std::make_unique<PeriodicTimer>([impl] { impl->OnTick(); });
}
MediaTicker::~MediaTicker() { impl_->timer->Stop(); }

void MediaTicker::Add(MediaSession* s) {
  impl_->sessions.push_back(s);
  impl_->Refresh();
}

void MediaTicker::Remove(MediaSession* s) {
  auto& v = impl_->sessions;
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
  impl_->Refresh();
}

RtpIo& MediaTicker::io() { return *impl_->io; }

Result<uint64_t> MediaTicker::OpenSocket(const struct sa& ip, RtpIo::PacketFn fn, void* arg,
                                         struct sa* local) {
  auto handle = impl_->io->Open(ip, fn, arg, local);
  impl_->Refresh();
  return handle;
}

void MediaTicker::CloseSocket(uint64_t handle) {
  impl_->io->Close(handle);
  impl_->Refresh();
}

const TickTimings& MediaTicker::timings() const { return impl_->timings; }

struct MediaSession::Impl {
  MediaSession* self = nullptr;
  MediaTicker* ticker = nullptr;
  uint64_t handle = 0;  // our socket in the ticker's RtpIo
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  struct sdp_session* sdp = nullptr;
  struct sdp_media* media = nullptr;
  struct sa raddr {};
  bool have_remote = false;
  G711 law = G711::kUlaw;
  int audio_pt = 0;
  int telev_pt = -1;
  bool running = false;
  uint64_t next_ms = 0;
  uint32_t ts = 0;
  bool first_packet = true;
  std::shared_ptr<const Pcm> prompt;
  size_t prompt_pos = 0;
  // DTMF out
  std::deque<char> dtmf_queue;
  bool dtmf_in_band = false;
  int event_frames_left = 0;  // frames of the current RFC 4733 event still to send
  int event_code = -1;
  uint32_t event_ts = 0;
  int event_duration = 0;
  int end_packets_left = 0;
  dtmf_tx_state_t* tx = nullptr;
  // DTMF in
  bool detect_dtmf = true;
  dtmf_rx_state_t* rx = nullptr;
  uint32_t last_event_ts = 0;
  bool seen_event = false;
  uint64_t last_event_ms = 0;
  // Recording
  bool recording = false;
  Pcm rec_sent, rec_received;
  bool capturing = false;
  Pcm capture;
  uint64_t last_voice_ms = 0;
  static constexpr size_t kMaxRecord = 8000 * 3600;
  std::unique_ptr<ProgressToneDetector> tones;
  // Bridge: the peer's received audio waits here for our next frame (a ring of 200 ms).
  MediaSession* peer = nullptr;
  static constexpr size_t kRelayMax = 1600;
  std::unique_ptr<int16_t[]> relay;  // allocated when first bridged: most calls never are
  size_t relay_head = 0, relay_size = 0;

  void PushRelay(const int16_t* pcm, size_t n) {
    if (!relay) relay = std::make_unique<int16_t[]>(kRelayMax);
    for (size_t i = 0; i < n; ++i) {
      if (relay_size == kRelayMax) {  // full: drop the oldest sample, keep latency bounded
        relay_head = (relay_head + 1) % kRelayMax;
        --relay_size;
      }
      relay[(relay_head + relay_size) % kRelayMax] = pcm[i];
      ++relay_size;
    }
  }
  // Mixes up to one frame of relayed audio into `frame`; returns the samples taken.
  size_t MixRelay(int16_t* frame) {
    size_t n = std::min<size_t>(relay_size, kFrameSamples);
    for (size_t i = 0; i < n; ++i) {
      int v = frame[i] + relay[(relay_head + i) % kRelayMax];
      frame[i] = static_cast<int16_t>(std::clamp(v, -32768, 32767));
    }
    relay_head = (relay_head + n) % kRelayMax;
    relay_size -= n;
    return n;
  }

  // The outgoing packet, reused frame after frame (RtpIo copies it): no allocation per frame.
  struct mbuf* out = nullptr;
  int64_t frame_due_us = 0;  // of the frame being sent, for RtpIo's late count

  ~Impl() {
    out = static_cast<struct mbuf*>(mem_deref(out));
    if (handle) ticker->CloseSocket(handle);
    sdp = static_cast<struct sdp_session*>(mem_deref(sdp));
    if (tx) dtmf_tx_free(tx);
    if (rx) dtmf_rx_free(rx);
  }

  void Digit(char d) {
    self->stats_.dtmf.push_back(d);
    if (self->on_dtmf) self->on_dtmf(d);
  }

  static void InBandDigits(void* arg, const char* digits, int len) {
    auto* impl = static_cast<Impl*>(arg);
    // RFC 4733 wins when the peer uses it: ignore the in-band echo of the same key press.
    if (impl->seen_event && MonotonicMs() - impl->last_event_ms < 1000) return;
    for (int i = 0; i < len; ++i) impl->Digit(digits[i]);
  }

  // A datagram from our RTP socket: libre decodes the header (CSRCs and extension skipped).
  static void OnPacket(void* arg, const struct sa* src, const uint8_t* data, size_t len) {
    auto* impl = static_cast<Impl*>(arg);
    // Only the negotiated peer's media counts (fuzzed SDP may point anywhere).
    if (impl->have_remote && !sa_cmp(src, &impl->raddr, SA_ADDR)) return;
    struct mbuf mb = {const_cast<uint8_t*>(data), len, 0, len};  // read only
    struct rtp_header hdr;
    if (rtp_hdr_decode(&hdr, &mb) != 0 || hdr.ver != RTP_VERSION) return;
    size_t n = mbuf_get_left(&mb);
    if (hdr.pad) {  // the last byte counts the padding, itself included
      size_t pad = n > 0 ? mb.buf[mb.end - 1] : 0;
      if (pad == 0 || pad > n) return;
      n -= pad;
    }
    OnRtp(impl, &hdr, mbuf_buf(&mb), n);
  }

  static void OnRtp(Impl* impl, const struct rtp_header* hdr, const uint8_t* p, size_t n) {
    MediaStats& st = impl->self->stats_;
    ++st.packets_received;
    if (impl->telev_pt >= 0 && hdr->pt == impl->telev_pt) {
      if (n < 4) return;
      if (!impl->seen_event || hdr->ts != impl->last_event_ts) {
        impl->seen_event = true;
        impl->last_event_ts = hdr->ts;
        impl->last_event_ms = MonotonicMs();
        int digit = telev_code2digit(p[0]);
        if (digit > 0) impl->Digit(static_cast<char>(digit));
      }
      return;
    }
    if (hdr->pt != impl->audio_pt || n == 0 || n > 1000) return;
    int16_t pcm[1000];
    DecodeG711(impl->law, {p, n}, pcm);
    double secs = static_cast<double>(n) / 8000.0;
    st.seconds_received += secs;
    bool voice = Rms({pcm, n}) > kVoiceRms;
    if (voice) {
      st.seconds_with_voice += secs;
      impl->last_voice_ms = MonotonicMs();
    }
    if (impl->peer) {
      impl->peer->impl_->PushRelay(pcm, n);
      if (voice) st.relay_voice_received += secs;
    }
    if (impl->capturing && impl->capture.size() + n <= kMaxRecord) {
      impl->capture.insert(impl->capture.end(), pcm, pcm + n);
    }
    if (impl->detect_dtmf) dtmf_rx(impl->rx, pcm, static_cast<int>(n));
    if (impl->tones) impl->tones->Feed(pcm, n);
    if (impl->recording && impl->rec_received.size() + n <= kMaxRecord) {
      impl->rec_received.insert(impl->rec_received.end(), pcm, pcm + n);
    }
  }

  // The packet buffer, with room for the RTP header in front (Send writes it).
  struct mbuf* Packet() {
    if (!out) out = mbuf_alloc(RTP_HEADER_SIZE + kFrameSamples);
    out->pos = RTP_HEADER_SIZE;
    out->end = RTP_HEADER_SIZE;
    return out;
  }

  // Writes the header in front of the payload in `mb` and hands the datagram to RtpIo.
  void Send(struct mbuf* mb, bool marker, uint8_t pt, uint32_t timestamp) {
    struct rtp_header hdr {};
    hdr.ver = RTP_VERSION;
    hdr.m = marker;
    hdr.pt = pt;
    hdr.seq = seq++;
    hdr.ts = timestamp;
    hdr.ssrc = ssrc;
    const size_t end = mb->end;
    mb->pos = 0;
    rtp_hdr_encode(mb, &hdr);  // exactly RTP_HEADER_SIZE bytes: no CSRCs
    ticker->io().Send(handle, raddr, mb->buf, end, frame_due_us);
  }

  void SendFrame() {
    struct mbuf* mb = Packet();
    bool marker = first_packet;
    first_packet = false;
    // An RFC 4733 event in progress replaces audio.
    if (event_frames_left > 0 || end_packets_left > 0) {
      bool end = event_frames_left == 0;
      event_duration += end ? 0 : kFrameSamples;
      uint8_t payload[4] = {
          static_cast<uint8_t>(event_code), static_cast<uint8_t>((end ? 0x80 : 0) | 10),
          static_cast<uint8_t>(event_duration >> 8), static_cast<uint8_t>(event_duration & 0xff)};
      mbuf_write_mem(mb, payload, 4);
      bool first = event_duration == kFrameSamples && !end;
      Send(mb, first, static_cast<uint8_t>(telev_pt), event_ts);
      if (end) {
        --end_packets_left;
      } else if (--event_frames_left == 0) {
        end_packets_left = 3;
      }
      ts += kFrameSamples;
      return;
    }
    int16_t frame[kFrameSamples] = {};
    bool from_prompt = false;
    if (prompt && prompt_pos < prompt->size()) {
      size_t n = std::min<size_t>(kFrameSamples, prompt->size() - prompt_pos);
      std::memcpy(frame, prompt->data() + prompt_pos, n * sizeof(int16_t));
      prompt_pos += n;
      from_prompt = true;
      self->stats_.prompt_seconds_played += static_cast<double>(n) / 8000.0;
    }
    if (relay_size > 0) {
      size_t n = MixRelay(frame);
      MediaStats& st = self->stats_;
      if (st.relay_first_ms == 0) st.relay_first_ms = MonotonicMs();
      double secs = static_cast<double>(n) / 8000.0;
      st.relay_seconds_sent += secs;
      if (Rms({frame, n}) > kVoiceRms) st.relay_voice_sent += secs;
    }
    if (dtmf_in_band) {
      int16_t tone[kFrameSamples];
      int got = dtmf_tx(tx, tone, kFrameSamples);
      for (int i = 0; i < got; ++i) frame[i] = tone[i];
      if (got < kFrameSamples) dtmf_in_band = false;
    }
    if (recording && rec_sent.size() + kFrameSamples <= kMaxRecord) {
      rec_sent.insert(rec_sent.end(), frame, frame + kFrameSamples);
    }
    uint8_t payload[kFrameSamples];
    EncodeG711(law, frame, payload);
    mbuf_write_mem(mb, payload, kFrameSamples);
    Send(mb, marker, static_cast<uint8_t>(audio_pt), ts);
    ts += kFrameSamples;
    ++self->stats_.frames_sent;
    if (from_prompt && prompt_pos >= prompt->size()) {
      self->stats_.prompt_finished = true;
      prompt.reset();
      if (self->on_prompt_end) self->on_prompt_end();
    }
  }

  void StartNextDigit() {
    if (dtmf_queue.empty() || telev_pt < 0) return;
    char d = dtmf_queue.front();
    dtmf_queue.pop_front();
    event_code = telev_digit2code(d);
    event_frames_left = 5;  // 100 ms
    event_duration = 0;
    event_ts = ts;
  }
};

MediaSession::MediaSession() : impl_(std::make_unique<Impl>()) { impl_->self = this; }

MediaSession::~MediaSession() {
  Unbridge();
  Stop();
}

void MediaSession::Bridge(MediaSession* a, MediaSession* b) {
  if (a == b) return;
  a->Unbridge();
  b->Unbridge();
  a->impl_->peer = b;
  b->impl_->peer = a;
}

void MediaSession::Unbridge() {
  MediaSession* p = impl_->peer;
  if (!p) return;
  impl_->peer = nullptr;
  impl_->relay_size = 0;
  p->impl_->peer = nullptr;
  p->impl_->relay_size = 0;
}

MediaSession* MediaSession::bridged() const { return impl_->peer; }

Result<std::unique_ptr<MediaSession>> MediaSession::Create(MediaTicker* ticker,
                                                           const std::string& local_ip) {
  std::unique_ptr<MediaSession> s(new MediaSession());
  Impl& m = *s->impl_;
  m.ticker = ticker;
  struct sa ip;
  if (sa_set_str(&ip, local_ip.c_str(), 0)) {
    return Status::InvalidArgument("media address \"" + local_ip + "\": not an IP address");
  }
  struct sa laddr;
  auto handle = ticker->OpenSocket(ip, &Impl::OnPacket, &m, &laddr);
  if (!handle.ok()) return handle.status();
  m.handle = *handle;
  m.ssrc = rand_u32();
  m.seq = rand_u16();
  int err = sdp_session_alloc(&m.sdp, &laddr);
  err |= sdp_media_add(&m.media, m.sdp, "audio", sa_port(&laddr), "RTP/AVP");
  err |= sdp_format_add(nullptr, m.media, false, "0", "PCMU", 8000, 1, nullptr, nullptr, nullptr,
                        false, nullptr);
  err |= sdp_format_add(nullptr, m.media, false, "8", "PCMA", 8000, 1, nullptr, nullptr, nullptr,
                        false, nullptr);
  err |= sdp_format_add(nullptr, m.media, false, "101", telev_rtpfmt, 8000, 1, nullptr, nullptr,
                        nullptr, false, "0-15");
  if (err) return Status::Internal(std::string("sdp: ") + std::strerror(err));
  m.rx = dtmf_rx_init(nullptr, Impl::InBandDigits, &m);
  m.tx = dtmf_tx_init(nullptr);
  return s;
}

Result<std::string> MediaSession::Offer() {
  struct mbuf* mb = nullptr;
  int err = sdp_encode(&mb, impl_->sdp, true);
  if (err) return Status::Internal(std::string("sdp_encode: ") + std::strerror(err));
  std::string out = MbufString(mb);
  mem_deref(mb);
  return out;
}

namespace {

Status PickFormats(MediaSession::Impl& m) {
  const struct sdp_format* fmt = sdp_media_rformat(m.media, nullptr);
  if (!fmt || sa_port(sdp_media_raddr(m.media)) == 0) {
    return Status::InvalidArgument("SDP: no usable audio codec (need PCMU or PCMA)");
  }
  bool ulaw = std::strcmp(fmt->name, "PCMU") == 0;
  m.law = ulaw ? G711::kUlaw : G711::kAlaw;
  if (!ulaw && std::strcmp(fmt->name, "PCMA") != 0) {
    return Status::InvalidArgument(std::string("SDP: codec ") + fmt->name + " is not G.711");
  }
  m.audio_pt = fmt->pt;
  const struct sdp_format* te = sdp_media_rformat(m.media, telev_rtpfmt);
  m.telev_pt = te ? te->pt : -1;
  m.raddr = *sdp_media_raddr(m.media);
  m.have_remote = true;
  return Status::Ok();
}

}  // namespace

Status MediaSession::ApplyAnswer(std::string_view sdp) {
  struct mbuf* mb = StringMbuf(sdp);
  int err = sdp_decode(impl_->sdp, mb, false);
  mem_deref(mb);
  if (err) return Status::InvalidArgument(std::string("SDP answer: ") + std::strerror(err));
  return PickFormats(*impl_);
}

Result<std::string> MediaSession::AnswerTo(std::string_view offer) {
  struct mbuf* mb = StringMbuf(offer);
  int err = sdp_decode(impl_->sdp, mb, true);
  mem_deref(mb);
  if (err) return Status::InvalidArgument(std::string("SDP offer: ") + std::strerror(err));
  DZ_RETURN_IF_ERROR(PickFormats(*impl_));
  struct mbuf* out = nullptr;
  err = sdp_encode(&out, impl_->sdp, false);
  if (err) return Status::Internal(std::string("sdp_encode: ") + std::strerror(err));
  std::string s = MbufString(out);
  mem_deref(out);
  return s;
}

void MediaSession::DetectProgressTones(std::function<void(ProgressTone)> on_tone) {
  impl_->tones = on_tone ? std::make_unique<ProgressToneDetector>(std::move(on_tone)) : nullptr;
}

void MediaSession::Start() {
  if (impl_->running || !impl_->have_remote) return;
  impl_->running = true;
  impl_->next_ms = MonotonicMs();
  impl_->ts = static_cast<uint32_t>(rand_u32());
  impl_->ticker->Add(this);
}

void MediaSession::Stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->ticker->Remove(this);
}

void MediaSession::Play(std::shared_ptr<const Pcm> prompt) {
  impl_->prompt = std::move(prompt);
  impl_->prompt_pos = 0;
  stats_.prompt_finished = false;
  stats_.prompt_seconds_played = 0;
  // A prompt played as media starts (the usual order: Start on answer, then Play) sends its
  // first frame now. Waiting for the tick's phase, its work and its hand-over made the first
  // frame, the one due at Start, the latest of a call (docs/benchmarks.md).
  if (impl_->running && impl_->first_packet) {
    Tick(MonotonicMs(), RtpIo::NowUs());
    impl_->ticker->io().Flush();
  }
}

void MediaSession::StopPrompt() { impl_->prompt.reset(); }

void MediaSession::StartCapture() {
  impl_->capture.clear();
  impl_->capturing = true;
}

Pcm MediaSession::TakeCapture() {
  impl_->capturing = false;
  return std::move(impl_->capture);
}

uint64_t MediaSession::last_voice_ms() const { return impl_->last_voice_ms; }

void MediaSession::SendDtmf(const std::string& digits, bool in_band) {
  if (in_band || impl_->telev_pt < 0) {
    dtmf_tx_put(impl_->tx, digits.c_str(), static_cast<int>(digits.size()));
    impl_->dtmf_in_band = true;
    return;
  }
  for (char d : digits) impl_->dtmf_queue.push_back(d);
}

void MediaSession::DetectInBandDtmf(bool on) { impl_->detect_dtmf = on; }

void MediaSession::EnableRecording() { impl_->recording = true; }

Status MediaSession::WriteRecording(const std::string& path, RecordSide side) const {
  const Impl& m = *impl_;
  std::vector<int16_t> data;
  if (side == RecordSide::kBoth) {
    size_t n = std::max(m.rec_sent.size(), m.rec_received.size());
    data.resize(2 * n);
    for (size_t i = 0; i < n; ++i) {
      data[2 * i] = i < m.rec_sent.size() ? m.rec_sent[i] : 0;
      data[2 * i + 1] = i < m.rec_received.size() ? m.rec_received[i] : 0;
    }
  } else {
    data = side == RecordSide::kFarEnd ? m.rec_received : m.rec_sent;
  }
  return WriteWav(path, data, side == RecordSide::kBoth ? 2 : 1);
}

int64_t MediaSession::Tick(uint64_t now_ms, int64_t now_us) {
  Impl& m = *impl_;
  if (!m.running) return 0;
  int sent = 0;
  // Frames that are due catch up, at most three; one frame ahead of time, and only alone: no
  // tick sends two frames unless behind.
  while (sent < 3 && (now_ms >= m.next_ms || (sent == 0 && now_ms + kSendLeadMs >= m.next_ms))) {
    if (m.event_frames_left == 0 && m.end_packets_left == 0) m.StartNextDigit();
    // The due time on RtpIo's clock. now_ms is truncated to the millisecond, so the frame was
    // due up to 1 ms earlier than now_ms says: take the earliest, to never count late short.
    const int64_t behind_ms = static_cast<int64_t>(now_ms) - static_cast<int64_t>(m.next_ms);
    m.frame_due_us = now_us - (behind_ms + 1) * 1000;
    m.SendFrame();
    m.next_ms += kFrameMs;
    ++sent;
  }
  if (now_ms < m.next_ms + kFrameMs) return 0;
  // Still a frame or more behind: skip those frames rather than burst. The timestamp moves on
  // with them, so the far end hears a gap where time was lost instead of every later frame late.
  const uint64_t skipped = (now_ms - m.next_ms) / kFrameMs;
  m.next_ms += skipped * kFrameMs;
  m.ts += static_cast<uint32_t>(skipped * kFrameSamples);
  return static_cast<int64_t>(skipped);
}

}  // namespace dozvon
