#include "telephony/sip_uac.h"

#include <cstdint>

extern "C" {
#include <re.h>
}

#include <algorithm>
#include <cstring>
#include <deque>
#include <list>

#include "core/model/sip_outcome.h"
#include "telephony/event_loop.h"
#include "telephony/media_session.h"
#include "telephony/sip_stack.h"

namespace dozvon {
namespace {

using SteadyClock = std::chrono::steady_clock;

double Since(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string PlString(const struct pl& p) { return std::string(p.p ? p.p : "", p.l); }

}  // namespace

struct Call;

struct SipUac::Impl {
  std::unique_ptr<SipStack> stack;  // first: destroyed last, after the calls on it
  TrunkConfig trunk;
  std::list<std::unique_ptr<Call>> calls;
  std::shared_ptr<MediaTicker> ticker;
  std::string local_ip;
  // CPS pacing: dials wait here and leave one every 1/cps seconds.
  std::deque<Call*> waiting;
  // Runs CpsTick while dials wait (a timerfd: see PeriodicTimer).
  std::unique_ptr<PeriodicTimer> cps_timer;
  double next_invite_ms = 0;
  TrunkCounters counters;
  struct sipreg* reg = nullptr;
  ~Impl();
  // "sip:USER@HOST[:PORT][;transport=tcp]" for this trunk.
  std::string Uri(const std::string& user) const;
  void Finish(Call* c);
  Status Invite(Call* c);
  static void CpsTick(void* arg);
};

struct Call final : CallLeg {
  SipUac::Impl* uac = nullptr;
  std::list<std::unique_ptr<Call>>::iterator self;  // in uac->calls: erased without a search
  DialRequest req;
  std::function<void(const CallResult&)> done;
  struct sipsess* sess = nullptr;
  std::unique_ptr<MediaSession> media;
  std::shared_ptr<const Pcm> prompt;
  std::string offer;  // our SDP
  int reinvites = 0;
  SteadyTimer ring_tmr;
  SteadyTimer hold_tmr;
  SteadyTimer finish_tmr;
  SteadyTimer tone_tmr;
  bool early_media = false;
  std::optional<ProgressTone> tone;  // the tone that ends this call, when one did
  SteadyClock::time_point invited, first_progress, answered;
  bool got_progress = false, was_answered = false, finished = false, media_failed = false;
  CallResult result;
  // Driven by an owner (DialRequest::on_answer).
  std::function<void(double, bool)> play_done;
  uint64_t capture_start_ms = 0;

  void Play(std::shared_ptr<const Pcm> pcm, std::function<void(double, bool)> done) override;
  void StopPlay() override;
  double PromptSecondsPlayed() const override {
    return media ? media->stats().prompt_seconds_played : 0;
  }
  void OnDtmf(std::function<void(char)> fn) override {
    if (media) media->on_dtmf = std::move(fn);
  }
  void StartCapture() override {
    capture_start_ms = MonotonicMs();
    if (media) media->StartCapture();
  }
  Pcm StopCapture() override { return media ? media->TakeCapture() : Pcm{}; }
  uint64_t SilenceMs() const override {
    uint64_t last = std::max(capture_start_ms, media ? media->last_voice_ms() : 0);
    uint64_t now = MonotonicMs();
    return now > last ? now - last : 0;
  }
  void Hangup() override;
  Status Bridge(CallLeg* other) override;
  void Unbridge() override {
    if (media) media->Unbridge();
  }
  bool bridged() const override { return media && media->bridged() != nullptr; }
  MediaStats Stats() const override { return media ? media->stats() : MediaStats{}; }
  void SendDtmf(const std::string& digits) override {
    if (media && !finished) media->SendDtmf(digits, false);
  }
  uint64_t answered_ms = 0;  // MonotonicMs() at 200 OK
};

namespace {

void FinishLater(Call* c);

// The trunk's digest credentials, for INVITEs and REGISTERs alike.
int TrunkCredentials(const TrunkConfig& trunk, char** user, char** pass) {
  if (trunk.username.empty()) return EAUTH;
  int err = str_dup(user, trunk.username.c_str());
  err |= str_dup(pass, trunk.password.c_str());
  return err;
}

int AuthHandler(char** user, char** pass, const char* realm, void* arg) {
  (void)realm;
  return TrunkCredentials(static_cast<Call*>(arg)->uac->trunk, user, pass);
}

int OfferHandler(struct mbuf** descp, const struct sip_msg* msg, void* arg) {
  // A re-INVITE mid-call (hold, codec change, a confused peer): answer it from our media
  // session when it still offers G.711; otherwise refuse it (libre replies 488) and keep the
  // call as it was.
  auto* c = static_cast<Call*>(arg);
  ++c->reinvites;
  if (!c->media || mbuf_get_left(msg->mb) == 0) return EPROTO;
  std::string offer(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  auto answer = c->media->AnswerTo(offer);
  if (!answer.ok()) return EPROTO;
  struct mbuf* mb = mbuf_alloc(answer->size() + 1);
  mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(answer->data()), answer->size());
  mbuf_set_pos(mb, 0);
  *descp = mb;
  return 0;
}

void HoldExpired(void* arg);

int AnswerHandler(const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  std::string sdp(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  Status s = c->media->ApplyAnswer(sdp);
  if (!s.ok()) {
    c->result.reason = s.message();
    c->media_failed = true;
  }
  return 0;
}

void ToneEndsCall(void* arg);

void ProgressHandler(const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  if (!c->got_progress) {
    c->got_progress = true;
    c->first_progress = SteadyClock::now();
    c->result.post_dial_delay_s = Since(c->invited, c->first_progress);
  }
  // Early media (183 with SDP): listen for ringback, busy, congestion and SIT tones.
  if (!c->early_media && msg && mbuf_get_left(msg->mb) > 0 &&
      msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
    std::string sdp(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
    if (c->media->ApplyAnswer(sdp).ok()) {
      c->early_media = true;
      c->media->DetectProgressTones([c](ProgressTone t) {
        c->result.early_tone = std::string(ToString(t));
        if (t == ProgressTone::kRingback || c->tone) return;
        c->tone = t;
        // Not from inside packet handling: the call ends from a timer tick.
        c->tone_tmr.Start(0, ToneEndsCall, c);
      });
    }
  }
}

void ToneEndsCall(void* arg) {
  auto* c = static_cast<Call*>(arg);
  if (c->finished || c->was_answered || !c->tone) return;
  c->ring_tmr.Cancel();
  c->media->DetectProgressTones(nullptr);
  int status = *c->tone == ProgressTone::kBusy          ? 486
               : *c->tone == ProgressTone::kSpecialInfo ? 404
                                                        : 503;
  SipOutcome o = OutcomeFromSip(status, std::nullopt, false);
  c->result.outcome = o.outcome;
  c->result.q850_cause = o.q850_cause;
  c->result.sip_status = 487;  // what the trunk answers our CANCEL with
  c->result.reason = c->result.early_tone + " tone in early media; CANCEL sent";
  if (c->got_progress) c->result.ring_s = Since(c->first_progress, SteadyClock::now());
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));  // sends CANCEL
  FinishLater(c);
}

void HoldExpired(void* arg) {
  auto* c = static_cast<Call*>(arg);
  if (c->finished) return;
  c->result.hangup_by = HangupBy::kUs;
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));  // sends BYE
  FinishLater(c);
}

void EstablishedHandler(const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  (void)msg;
  c->ring_tmr.Cancel();
  c->tone_tmr.Cancel();
  c->media->DetectProgressTones(nullptr);
  c->was_answered = true;
  c->answered = SteadyClock::now();
  c->answered_ms = MonotonicMs();
  c->result.answer_s = Since(c->invited, c->answered);
  if (c->got_progress) c->result.ring_s = Since(c->first_progress, c->answered);
  SipOutcome o = OutcomeFromSip(200, std::nullopt, false);
  c->result.outcome = o.outcome;
  c->result.sip_status = 200;
  if (c->media_failed) {
    // Answered, but no codec we can speak: end it at once with a clear reason.
    c->result.outcome = Outcome::kFailed;
    c->hold_tmr.Start(0, HoldExpired, c);
    return;
  }
  c->result.reason = "200 OK";
  c->result.answered_at = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  c->media->Start();
  if (c->req.on_answer) {
    c->media->on_prompt_end = [c] {
      if (auto done = std::move(c->play_done)) done(c->PromptSecondsPlayed(), true);
    };
    c->req.on_answer(c);
    return;
  }
  if (c->prompt) {
    c->media->Play(c->prompt);
    c->media->on_prompt_end = [c] {
      c->hold_tmr.Start(static_cast<uint64_t>(c->req.hold.count()), HoldExpired, c);
    };
  } else {
    c->hold_tmr.Start(static_cast<uint64_t>(c->req.hold.count()), HoldExpired, c);
  }
}

void CloseHandler(int err, const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  c->ring_tmr.Cancel();
  c->tone_tmr.Cancel();
  c->hold_tmr.Cancel();
  if (c->was_answered) {
    c->result.hangup_by = HangupBy::kThem;  // their BYE (or the dialog failed)
  } else if (msg && !msg->req && msg->scode >= 300) {
    std::optional<int> cause;
    if (const struct sip_hdr* h = sip_msg_hdr(msg, SIP_HDR_REASON)) {
      cause = ParseQ850Reason(PlString(h->val));
    }
    SipOutcome o = OutcomeFromSip(msg->scode, cause, false);
    c->result.outcome = o.outcome;
    c->result.q850_cause = o.q850_cause;
    c->result.sip_status = msg->scode;
    c->result.reason = std::to_string(msg->scode) + " " + PlString(msg->reason);
    if (c->got_progress) c->result.ring_s = Since(c->first_progress, SteadyClock::now());
  } else {
    c->result.outcome = Outcome::kFailed;
    c->result.reason = std::string("transport: ") + std::strerror(err);
  }
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
  FinishLater(c);
}

void RingTimeout(void* arg) {
  auto* c = static_cast<Call*>(arg);
  c->tone_tmr.Cancel();
  // Dereferencing a pending session sends CANCEL and absorbs the 487; libre does not call
  // close_h for it, so the outcome is recorded here (TELEPHONY.md pitfall 5).
  SipOutcome o = OutcomeFromSip(487, std::nullopt, true);
  c->result.outcome = o.outcome;
  c->result.q850_cause = o.q850_cause;
  c->result.sip_status = 487;
  c->result.cancelled_on_timeout = true;
  c->result.reason = "ring timeout; CANCEL sent";
  if (c->got_progress) c->result.ring_s = Since(c->first_progress, SteadyClock::now());
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
  FinishLater(c);
}

int RegisterAuth(char** user, char** pass, const char* realm, void* arg) {
  (void)realm;
  return TrunkCredentials(static_cast<SipUac::Impl*>(arg)->trunk, user, pass);
}

void Registered(int err, const struct sip_msg* msg, void* arg) {
  auto* uac = static_cast<SipUac::Impl*>(arg);
  bool ok = !err && msg && msg->scode >= 200 && msg->scode < 300;
  if (!ok && (err || (msg && msg->scode >= 300))) ++uac->counters.register_failures;
  uac->counters.registered = ok;
}

void FinishNow(void* arg) {
  auto* c = static_cast<Call*>(arg);
  c->uac->Finish(c);
}

}  // namespace

void Call::Play(std::shared_ptr<const Pcm> pcm, std::function<void(double, bool)> done) {
  if (!media || finished) return;
  play_done = std::move(done);
  media->Play(std::move(pcm));
}

void Call::StopPlay() {
  if (!media) return;
  media->StopPrompt();
  if (auto done = std::move(play_done)) done(PromptSecondsPlayed(), false);
}

Status Call::Bridge(CallLeg* other) {
  auto* o = dynamic_cast<Call*>(other);
  if (!o || o == this) return Status::InvalidArgument("bridge: not another call leg");
  if (finished || o->finished || !media || !o->media || !was_answered || !o->was_answered) {
    return Status::FailedPrecondition("bridge: both calls must be answered and still up");
  }
  MediaSession::Bridge(media.get(), o->media.get());
  return Status::Ok();
}

void Call::Hangup() {
  // From a timer tick, never inside the callback that asked for it.
  if (!finished) hold_tmr.Start(0, HoldExpired, this);
}

namespace {

// Completion runs from a fresh timer tick, never inside a libre callback that still uses the
// session.
void FinishLater(Call* c) {
  if (c->finished) return;
  c->finished = true;
  c->play_done = nullptr;  // the owner learns the end from `done`, not from a prompt
  if (c->media) {
    c->media->Stop();
    const MediaStats& m = c->media->stats();
    c->result.prompt_seconds_played = m.prompt_seconds_played;
    c->result.prompt_finished = m.prompt_finished;
    c->result.dtmf = m.dtmf;
    c->result.seconds_received = m.seconds_received;
    c->result.seconds_with_voice = m.seconds_with_voice;
    c->result.reinvites = c->reinvites;
    if (m.relay_first_ms != 0 && c->answered_ms != 0) {
      c->result.connect_s = static_cast<double>(m.relay_first_ms - c->answered_ms) / 1000.0;
    }
    c->result.bridge_voice_heard_s = m.relay_voice_sent;
    c->result.bridge_voice_passed_s = m.relay_voice_received;
    if (c->was_answered && !c->req.record_path.empty()) {
      Status s = c->media->WriteRecording(c->req.record_path, MediaSession::RecordSide::kBoth);
      if (s.ok()) {
        c->result.recording = c->req.record_path;
      } else {
        c->result.reason += "; recording: " + s.message();
      }
    }
  }
  if (c->was_answered) c->result.talk_s = Since(c->answered, SteadyClock::now());
  c->finish_tmr.Start(0, FinishNow, c);
}

}  // namespace

SipUac::Impl::~Impl() {
  if (cps_timer) cps_timer->Stop();
  reg = static_cast<struct sipreg*>(mem_deref(reg));
  for (auto& c : calls) {
    c->ring_tmr.Cancel();
    c->hold_tmr.Cancel();
    c->finish_tmr.Cancel();
    c->tone_tmr.Cancel();
    c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
    c->media.reset();
  }
}

void SipUac::Impl::Finish(Call* c) {
  ++counters.completed;
  ++counters.by_outcome[c->result.outcome];
  auto done = std::move(c->done);
  // The owner hears of the end while the leg (and what it captured) still exists.
  if (done) done(c->result);
  // No timer may fire on a freed call.
  c->ring_tmr.Cancel();
  c->hold_tmr.Cancel();
  c->tone_tmr.Cancel();
  c->media.reset();
  calls.erase(c->self);
}

SipUac::SipUac(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SipUac::~SipUac() = default;

Result<std::unique_ptr<SipUac>> SipUac::Create(const TrunkConfig& trunk, const std::string& ip,
                                               std::shared_ptr<MediaTicker> ticker) {
  auto impl = std::make_unique<Impl>();
  impl->ticker = ticker ? std::move(ticker) : std::make_shared<MediaTicker>();
  impl->trunk = trunk;
  impl->local_ip = ip;
  SipStackOptions options;
  options.tcp = trunk.transport == SipTransport::kTcp;
  struct sa probe;
  options.dns = sa_set_str(&probe, trunk.host.c_str(), 0) != 0;  // a name, not an address
  options.dns_servers = trunk.dns_servers;
  DZ_ASSIGN_OR_RETURN(impl->stack, SipStack::Open(ip, 0, "dozvon", 32, options));
  DZ_RETURN_IF_ERROR(impl->stack->ListenSessions(nullptr, nullptr));
  if (trunk.register_trunk) {
    if (trunk.username.empty()) return Status::InvalidArgument("register: a username is needed");
    std::string reg_uri = impl->Uri("");
    std::string aor = impl->Uri(trunk.username);
    // libre refreshes the binding before it expires and retries after a failure.
    int err = sipreg_register(&impl->reg, impl->stack->sip(), reg_uri.c_str(), aor.c_str(), nullptr,
                              aor.c_str(), static_cast<uint32_t>(trunk.register_expires_s),
                              trunk.username.c_str(), nullptr, 0, 0, RegisterAuth, impl.get(),
                              false, Registered, impl.get(), nullptr, nullptr);
    if (err) return Status::Unavailable(std::string("REGISTER: ") + std::strerror(err));
  }
  return std::unique_ptr<SipUac>(new SipUac(std::move(impl)));
}

uint16_t SipUac::local_port() const { return impl_->stack->port(); }
int SipUac::active_calls() const { return static_cast<int>(impl_->calls.size()); }

Status SipUac::Dial(const DialRequest& req, std::function<void(const CallResult&)> done) {
  if (!req.to_uri.empty()) {
    // A URI from a registration: refuse anything that could break the request line.
    if (req.to_uri.compare(0, 4, "sip:") != 0 || req.to_uri.size() > 200 ||
        req.to_uri.find_first_of(" <>\"\r\n") != std::string::npos) {
      return Status::InvalidArgument("to \"" + req.to_uri + "\": expected a sip: URI");
    }
  } else if (req.to_e164.size() < 2 || req.to_e164[0] != '+' ||
             req.to_e164.find_first_not_of("0123456789", 1) != std::string::npos) {
    return Status::InvalidArgument("to \"" + req.to_e164 + "\": expected E.164 like +79161234567");
  }
  for (const auto& [name, value] : req.headers) {
    // Our own tracing headers; still, nothing may break the message framing.
    bool ok = !name.empty() &&
              name.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                  "opqrstuvwxyz0123456789-") == std::string::npos &&
              value.find_first_of("\r\n") == std::string::npos;
    if (!ok) return Status::InvalidArgument("header \"" + name + "\": not a valid SIP header");
  }
  const TrunkConfig& trunk = impl_->trunk;
  if (trunk.max_calls > 0 && static_cast<int>(impl_->calls.size()) >= trunk.max_calls) {
    return Status::Unavailable("trunk at max_calls (" + std::to_string(trunk.max_calls) + ")");
  }
  auto call = std::make_unique<Call>();
  Call* c = call.get();
  c->uac = impl_.get();
  c->req = req;
  c->done = std::move(done);
  if (!req.prompt_path.empty()) {
    auto prompt = LoadPrompt(req.prompt_path);
    if (!prompt.ok()) return prompt.status();
    c->prompt = *prompt;
  }
  impl_->calls.push_back(std::move(call));
  c->self = std::prev(impl_->calls.end());
  if (trunk.cps <= 0) {
    Status st = impl_->Invite(c);
    if (!st.ok()) impl_->calls.pop_back();
    return st;
  }
  impl_->waiting.push_back(c);
  if (impl_->waiting.size() == 1) {
    // After idle time the first INVITE leaves now, not in a burst of the slots missed.
    impl_->next_invite_ms = std::max(impl_->next_invite_ms, static_cast<double>(MonotonicMs()));
    Impl* impl = impl_.get();
    if (!impl->cps_timer)
      impl->cps_timer = std::make_unique<PeriodicTimer>([impl] { Impl::CpsTick(impl); });
    // The tick period is the gap between INVITEs (1-10 ms); a tick sends every slot now due.
    const double gap_ms = 1000.0 / trunk.cps;
    impl->cps_timer->Start(static_cast<uint64_t>(std::clamp(gap_ms, 1.0, 10.0)));
  }
  return Status::Ok();
}

Status SipUac::Impl::Invite(Call* c) {
  // Sockets are taken when the INVITE leaves, not while a dial waits for its CPS slot: a
  // queue of thousands must not hold thousands of RTP ports.
  auto media = MediaSession::Create(ticker.get(), local_ip);
  if (!media.ok()) return media.status();
  c->media = std::move(media).value();
  if (!c->req.record_path.empty()) c->media->EnableRecording();
  auto offer = c->media->Offer();
  if (!offer.ok()) return offer.status();
  c->offer = std::move(offer).value();
  struct mbuf* desc = mbuf_alloc(c->offer.size() + 1);
  mbuf_write_mem(desc, reinterpret_cast<const uint8_t*>(c->offer.data()), c->offer.size());
  mbuf_set_pos(desc, 0);
  char from_uri[256];
  std::string to_uri = c->req.to_uri.empty() ? Uri(c->req.to_e164) : c->req.to_uri;
  re_snprintf(from_uri, sizeof from_uri, "sip:%s@%s", trunk.caller_id.c_str(), local_ip.c_str());
  std::string headers;
  for (const auto& [name, value] : c->req.headers) headers += name + ": " + value + "\r\n";
  c->invited = SteadyClock::now();
  c->result.invited_at = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  // The caller ID is our own configuration; still, it goes through "%s", never as a format.
  int err = sipsess_connect(&c->sess, stack->sessions(), to_uri.c_str(), nullptr, from_uri,
                            trunk.caller_id.c_str(), nullptr, 0, "application/sdp", desc,
                            AuthHandler, c, false, OfferHandler, AnswerHandler, ProgressHandler,
                            EstablishedHandler, nullptr, nullptr, CloseHandler, c,
                            headers.empty() ? nullptr : "%s", headers.c_str());
  mem_deref(desc);
  if (err) return Status::Unavailable(std::string("INVITE: ") + std::strerror(err));
  ++counters.invites;
  c->ring_tmr.Start(static_cast<uint64_t>(c->req.ring_timeout.count()), RingTimeout, c);
  return Status::Ok();
}

std::string SipUac::Impl::Uri(const std::string& user) const {
  std::string u = "sip:";
  if (!user.empty()) u += user + "@";
  struct sa probe;
  bool address = sa_set_str(&probe, trunk.host.c_str(), 0) == 0;
  u += address && sa_af(&probe) == AF_INET6 ? "[" + trunk.host + "]" : trunk.host;
  // A name without a port is left to SRV records (RFC 3263); an address defaults to 5060.
  if (trunk.port != 0 || address) u += ":" + std::to_string(trunk.port ? trunk.port : 5060);
  if (trunk.transport == SipTransport::kTcp) u += ";transport=tcp";
  return u;
}

void SipUac::Impl::CpsTick(void* arg) {
  auto* self = static_cast<Impl*>(arg);
  const double gap_ms = 1000.0 / self->trunk.cps;
  const double now = static_cast<double>(MonotonicMs());
  // A busy loop fires this tick a few ms late: the slots missed since are still sent, so the
  // rate holds (resetting here lost a fifth of the rate at 500 CPS). Only slots older than
  // kCatchUpMs are dropped (a stall), so there is never a burst.
  constexpr double kCatchUpMs = 20;
  if (self->next_invite_ms < now - kCatchUpMs) self->next_invite_ms = now - kCatchUpMs;
  // INVITEs leave one per slot; a slow tick sends the slots it missed, never more.
  while (!self->waiting.empty() && self->next_invite_ms <= now) {
    Call* c = self->waiting.front();
    self->waiting.pop_front();
    self->next_invite_ms += gap_ms;
    Status s = self->Invite(c);
    if (!s.ok()) {
      c->result.outcome = Outcome::kFailed;
      c->result.reason = s.message();
      FinishLater(c);
    }
  }
  if (self->waiting.empty()) self->cps_timer->Stop();
}

TrunkCounters SipUac::counters() const {
  TrunkCounters out = impl_->counters;
  out.active = static_cast<int>(impl_->calls.size()) - static_cast<int>(impl_->waiting.size());
  out.queued = static_cast<int>(impl_->waiting.size());
  out.tick = impl_->ticker->timings();
  out.rtp_backend = impl_->ticker->io().backend();
  out.rtp = impl_->ticker->io().counters();
  return out;
}

}  // namespace dozvon
