#include "telephony/sip_uac.h"

#include <cstdint>

extern "C" {
#include <re.h>
}

#include <cstring>
#include <list>

#include "core/model/sip_outcome.h"

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
  TrunkConfig trunk;
  struct sip* sip = nullptr;
  struct sipsess_sock* sock = nullptr;
  std::list<std::unique_ptr<Call>> calls;
  uint16_t port = 0;
  std::string local_ip;
  ~Impl();
  void Finish(Call* c);
};

struct Call {
  SipUac::Impl* uac = nullptr;
  DialRequest req;
  std::function<void(const CallResult&)> done;
  struct sipsess* sess = nullptr;
  struct udp_sock* rtp = nullptr;  // media socket offered in SDP; media engine comes next
  struct tmr ring_tmr {};
  struct tmr hold_tmr {};
  struct tmr finish_tmr {};
  SteadyClock::time_point invited, first_progress, answered;
  bool got_progress = false, was_answered = false, finished = false;
  CallResult result;
};

namespace {

void FinishLater(Call* c);

int AuthHandler(char** user, char** pass, const char* realm, void* arg) {
  auto* c = static_cast<Call*>(arg);
  (void)realm;
  if (c->uac->trunk.username.empty()) return EAUTH;
  int err = str_dup(user, c->uac->trunk.username.c_str());
  err |= str_dup(pass, c->uac->trunk.password.c_str());
  return err;
}

int OfferHandler(struct mbuf** descp, const struct sip_msg* msg, void* arg) {
  // An unexpected re-INVITE mid-call: decline politely with the session unchanged.
  (void)descp;
  (void)msg;
  (void)arg;
  return 0;
}

int AnswerHandler(const struct sip_msg* msg, void* arg) {
  (void)msg;
  (void)arg;
  return 0;
}

void ProgressHandler(const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  (void)msg;
  if (!c->got_progress) {
    c->got_progress = true;
    c->first_progress = SteadyClock::now();
    c->result.post_dial_delay_s = Since(c->invited, c->first_progress);
  }
}

void HoldExpired(void* arg) {
  auto* c = static_cast<Call*>(arg);
  c->result.hangup_by = HangupBy::kUs;
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));  // sends BYE
  FinishLater(c);
}

void EstablishedHandler(const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  (void)msg;
  tmr_cancel(&c->ring_tmr);
  c->was_answered = true;
  c->answered = SteadyClock::now();
  c->result.answer_s = Since(c->invited, c->answered);
  if (c->got_progress) c->result.ring_s = Since(c->first_progress, c->answered);
  SipOutcome o = OutcomeFromSip(200, std::nullopt, false);
  c->result.outcome = o.outcome;
  c->result.sip_status = 200;
  c->result.reason = "200 OK";
  tmr_start(&c->hold_tmr, static_cast<uint64_t>(c->req.hold.count()), HoldExpired, c);
}

void CloseHandler(int err, const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<Call*>(arg);
  tmr_cancel(&c->ring_tmr);
  tmr_cancel(&c->hold_tmr);
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

void FinishNow(void* arg) {
  auto* c = static_cast<Call*>(arg);
  c->uac->Finish(c);
}

// Completion runs from a fresh timer tick, never inside a libre callback that still uses the
// session.
void FinishLater(Call* c) {
  if (c->finished) return;
  c->finished = true;
  if (c->was_answered) c->result.talk_s = Since(c->answered, SteadyClock::now());
  tmr_start(&c->finish_tmr, 0, FinishNow, c);
}

void RtpDrop(const struct sa* src, struct mbuf* mb, void* arg) {
  (void)src;
  (void)mb;
  (void)arg;
}

}  // namespace

SipUac::Impl::~Impl() {
  for (auto& c : calls) {
    tmr_cancel(&c->ring_tmr);
    tmr_cancel(&c->hold_tmr);
    tmr_cancel(&c->finish_tmr);
    c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
    c->rtp = static_cast<struct udp_sock*>(mem_deref(c->rtp));
  }
  if (sock) {
    sipsess_close_all(sock);
    sock = static_cast<struct sipsess_sock*>(mem_deref(sock));
  }
  if (sip) {
    sip_close(sip, true);
    sip = static_cast<struct sip*>(mem_deref(sip));
  }
}

void SipUac::Impl::Finish(Call* c) {
  c->rtp = static_cast<struct udp_sock*>(mem_deref(c->rtp));
  auto done = std::move(c->done);
  CallResult result = c->result;
  calls.remove_if([c](const std::unique_ptr<Call>& p) { return p.get() == c; });
  if (done) done(result);
}

SipUac::SipUac(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SipUac::~SipUac() = default;

Result<std::unique_ptr<SipUac>> SipUac::Create(const TrunkConfig& trunk, const std::string& ip) {
  auto impl = std::make_unique<Impl>();
  impl->trunk = trunk;
  impl->local_ip = ip;
  int err = sip_alloc(&impl->sip, nullptr, 32, 32, 32, "dozvon", nullptr, nullptr);
  if (err) return Status::Internal(std::string("sip_alloc: ") + std::strerror(err));
  struct sa laddr;
  if (sa_set_str(&laddr, ip.c_str(), 0)) {
    return Status::InvalidArgument("local address \"" + ip + "\": not an IP address");
  }
  err = sip_transp_add(impl->sip, SIP_TRANSP_UDP, &laddr);
  if (err) return Status::Unavailable(std::string("sip transport: ") + std::strerror(err));
  err = sip_transp_laddr(impl->sip, &laddr, SIP_TRANSP_UDP, nullptr);
  if (err) return Status::Internal(std::string("sip laddr: ") + std::strerror(err));
  impl->port = sa_port(&laddr);
  err = sipsess_listen(&impl->sock, impl->sip, 32, nullptr, nullptr);
  if (err) return Status::Internal(std::string("sipsess_listen: ") + std::strerror(err));
  return std::unique_ptr<SipUac>(new SipUac(std::move(impl)));
}

uint16_t SipUac::local_port() const { return impl_->port; }
int SipUac::active_calls() const { return static_cast<int>(impl_->calls.size()); }

Status SipUac::Dial(const DialRequest& req, std::function<void(const CallResult&)> done) {
  if (req.to_e164.size() < 2 || req.to_e164[0] != '+' ||
      req.to_e164.find_first_not_of("0123456789", 1) != std::string::npos) {
    return Status::InvalidArgument("to \"" + req.to_e164 + "\": expected E.164 like +79161234567");
  }
  auto call = std::make_unique<Call>();
  Call* c = call.get();
  c->uac = impl_.get();
  c->req = req;
  c->done = std::move(done);
  tmr_init(&c->ring_tmr);
  tmr_init(&c->hold_tmr);
  tmr_init(&c->finish_tmr);

  struct sa rtp_addr;
  sa_set_str(&rtp_addr, impl_->local_ip.c_str(), 0);
  int err = udp_listen(&c->rtp, &rtp_addr, RtpDrop, c);
  if (err) return Status::Unavailable(std::string("rtp socket: ") + std::strerror(err));
  udp_local_get(c->rtp, &rtp_addr);

  char sdp[512];
  re_snprintf(sdp, sizeof sdp,
              "v=0\r\no=dozvon 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
              "m=audio %u RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
              "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n"
              "a=sendrecv\r\n",
              impl_->local_ip.c_str(), impl_->local_ip.c_str(), sa_port(&rtp_addr));
  struct mbuf* desc = mbuf_alloc(512);
  mbuf_write_str(desc, sdp);
  mbuf_set_pos(desc, 0);

  char to_uri[256], from_uri[256];
  re_snprintf(to_uri, sizeof to_uri, "sip:%s@%s:%u", req.to_e164.c_str(), impl_->trunk.host.c_str(),
              impl_->trunk.port);
  re_snprintf(from_uri, sizeof from_uri, "sip:%s@%s", impl_->trunk.caller_id.c_str(),
              impl_->local_ip.c_str());
  c->invited = SteadyClock::now();
  // The caller ID is our own configuration; still, it goes through "%s", never as a format.
  err = sipsess_connect(&c->sess, impl_->sock, to_uri, nullptr, from_uri,
                        impl_->trunk.caller_id.c_str(), nullptr, 0, "application/sdp", desc,
                        AuthHandler, c, false, OfferHandler, AnswerHandler, ProgressHandler,
                        EstablishedHandler, nullptr, nullptr, CloseHandler, c, nullptr);
  mem_deref(desc);
  if (err) {
    c->rtp = static_cast<struct udp_sock*>(mem_deref(c->rtp));
    return Status::Unavailable(std::string("INVITE: ") + std::strerror(err));
  }
  tmr_start(&c->ring_tmr, static_cast<uint64_t>(req.ring_timeout.count()), RingTimeout, c);
  impl_->calls.push_back(std::move(call));
  return Status::Ok();
}

}  // namespace dozvon
