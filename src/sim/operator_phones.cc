#include "sim/operator_phones.h"

#include <cstdint>
#include <cstring>

extern "C" {
#include <re.h>
}

#include <chrono>
#include <list>
#include <map>

#include "telephony/audio.h"
#include "telephony/event_loop.h"
#include "telephony/media_session.h"
#include "telephony/sip_stack.h"

namespace dozvon {
namespace {

std::string PlString(const struct pl& p) { return std::string(p.p ? p.p : "", p.l); }

}  // namespace

struct Phone {
  OperatorPhones::Impl* owner = nullptr;
  std::string user;
  struct sipreg* reg = nullptr;
  bool registered = false;
};

struct OpCall {
  OperatorPhones::Impl* owner = nullptr;
  std::string user;
  struct sipsess* sess = nullptr;
  std::unique_ptr<MediaSession> media;
  std::string sdp;
  SteadyTimer answer_tmr;
  SteadyTimer free_tmr;
  bool answered = false, closed = false;
  std::chrono::steady_clock::time_point answered_at;
};

struct OperatorPhones::Impl {
  std::unique_ptr<SipStack> stack;  // first: destroyed last
  OperatorPhonesConfig config;
  std::string ip;
  std::shared_ptr<MediaTicker> ticker;
  std::list<Phone> phones;
  std::list<std::unique_ptr<OpCall>> calls;
  std::shared_ptr<const Pcm> voice;
  OperatorPhonesStats stats;
  std::function<void(const OperatorCallStats&)> on_end;

  ~Impl() {
    for (auto& c : calls) {
      c->answer_tmr.Cancel();
      c->free_tmr.Cancel();
      c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
      c->media.reset();
    }
    for (auto& p : phones) p.reg = static_cast<struct sipreg*>(mem_deref(p.reg));
  }
};

namespace {

int PhoneAuth(char** user, char** pass, const char* realm, void* arg) {
  auto* p = static_cast<Phone*>(arg);
  (void)realm;
  int err = str_dup(user, p->user.c_str());
  err |= str_dup(pass, p->owner->config.password.c_str());
  return err;
}

void PhoneRegistered(int err, const struct sip_msg* msg, void* arg) {
  auto* p = static_cast<Phone*>(arg);
  bool ok = !err && msg && msg->scode >= 200 && msg->scode < 300;
  if (ok != p->registered) p->owner->stats.registered += ok ? 1 : -1;
  p->registered = ok;
}

void FreeOpCall(void* arg) {
  auto* c = static_cast<OpCall*>(arg);
  OperatorPhones::Impl* o = c->owner;
  c->media.reset();
  o->calls.remove_if([c](const std::unique_ptr<OpCall>& p) { return p.get() == c; });
}

void OpClose(int err, const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<OpCall*>(arg);
  (void)err;
  (void)msg;
  if (c->closed) return;
  c->closed = true;
  c->answer_tmr.Cancel();
  OperatorCallStats s;
  s.user = c->user;
  if (c->media) {
    c->media->Stop();
    s.heard_voice_s = c->media->stats().seconds_with_voice;
    s.heard_s = c->media->stats().seconds_received;
  }
  if (c->answered) {
    s.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - c->answered_at).count();
  }
  c->owner->stats.heard_voice_s += s.heard_voice_s;
  if (c->owner->on_end) c->owner->on_end(s);
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
  c->free_tmr.Start(0, FreeOpCall, c);
}

void OpEstablished(const struct sip_msg* msg, void* arg) {
  (void)msg;
  (void)arg;
}

int OpOffer(struct mbuf** descp, const struct sip_msg* msg, void* arg) {
  (void)descp;
  (void)msg;
  (void)arg;
  return 0;
}

int OpAnswer(const struct sip_msg* msg, void* arg) {
  (void)msg;
  (void)arg;
  return 0;
}

void Speak(OpCall* c) {
  // Talk-like bursts, looped for as long as the call lasts.
  c->media->Play(c->owner->voice);
  c->media->on_prompt_end = [c] { c->media->Play(c->owner->voice); };
}

void AnswerOpCall(void* arg) {
  auto* c = static_cast<OpCall*>(arg);
  struct mbuf* desc = mbuf_alloc(c->sdp.size() + 1);
  mbuf_write_mem(desc, reinterpret_cast<const uint8_t*>(c->sdp.data()), c->sdp.size());
  mbuf_set_pos(desc, 0);
  int err = sipsess_answer(c->sess, 200, "OK", desc, nullptr);
  mem_deref(desc);
  if (err) {
    OpClose(err, nullptr, c);
    return;
  }
  c->answered = true;
  c->answered_at = std::chrono::steady_clock::now();
  ++c->owner->stats.answered;
  c->media->Start();
  Speak(c);
}

void OpInvite(const struct sip_msg* msg, void* arg) {
  auto* o = static_cast<OperatorPhones::Impl*>(arg);
  ++o->stats.calls;
  if (!msg->callid.l || !msg->from.auri.l || !msg->to.auri.l || !msg->cseq.num) {
    ++o->stats.malformed;
    sip_reply(o->stack->sip(), msg, 400, "Bad Request");
    return;
  }
  std::string user = PlString(msg->uri.user);
  bool known = false;
  for (const Phone& p : o->phones) known = known || (p.user == user && p.registered);
  if (!known) {
    sip_reply(o->stack->sip(), msg, 404, "Not Found");
    return;
  }
  auto media = MediaSession::Create(o->ticker.get(), o->ip);
  if (!media.ok()) {
    sip_reply(o->stack->sip(), msg, 500, "Server Internal Error");
    return;
  }
  auto call = std::make_unique<OpCall>();
  OpCall* c = call.get();
  c->owner = o;
  c->user = user;
  c->media = std::move(media).value();
  std::string offer(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  auto answer = c->media->AnswerTo(offer);
  if (!answer.ok()) {
    sip_reply(o->stack->sip(), msg, 488, "Not Acceptable Here");
    return;
  }
  c->sdp = *answer;
  int err = sipsess_accept(&c->sess, o->stack->sessions(), msg, 180, "Ringing", user.c_str(),
                           "application/sdp", nullptr, nullptr, nullptr, false, OpOffer, OpAnswer,
                           OpEstablished, nullptr, nullptr, OpClose, c, nullptr);
  if (err) {
    sip_reply(o->stack->sip(), msg, 500, "Server Internal Error");
    return;
  }
  c->answer_tmr.Start(static_cast<uint64_t>(o->config.answer_after_s * 1000), AnswerOpCall, c);
  o->calls.push_back(std::move(call));
}

}  // namespace

OperatorPhones::OperatorPhones(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OperatorPhones::~OperatorPhones() = default;
OperatorPhonesStats OperatorPhones::stats() const { return impl_->stats; }
void OperatorPhones::OnCallEnd(std::function<void(const OperatorCallStats&)> fn) {
  impl_->on_end = std::move(fn);
}

Result<std::unique_ptr<OperatorPhones>> OperatorPhones::Create(
    OperatorPhonesConfig config, const std::string& ip, std::shared_ptr<MediaTicker> ticker) {
  if (config.count < 1 || config.count > 10000) {
    return Status::InvalidArgument("operators: expected 1..10000 phones");
  }
  if (config.password.empty()) return Status::InvalidArgument("operators: a password is needed");
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->ip = ip;
  impl->ticker = ticker ? std::move(ticker) : std::make_shared<MediaTicker>();
  // 1.2 s of speech, 0.4 s pause: enough on-time for energy checks, with a talk-like rhythm.
  impl->voice = std::make_shared<const Pcm>(Tone(impl->config.voice_hz, -15, 1200, 400, 8000));
  DZ_ASSIGN_OR_RETURN(impl->stack, SipStack::Open(ip, 0, "dozvon-operator-sim", 64));
  DZ_RETURN_IF_ERROR(impl->stack->ListenSessions(OpInvite, impl.get()));
  const OperatorPhonesConfig& cfg = impl->config;
  char reg_uri[128];
  re_snprintf(reg_uri, sizeof reg_uri, "sip:%s:%u", cfg.registrar_host.c_str(), cfg.registrar_port);
  for (int i = 1; i <= cfg.count; ++i) {
    Phone& p = impl->phones.emplace_back();
    p.owner = impl.get();
    p.user = cfg.user_prefix + std::to_string(i);
    char aor[256];
    re_snprintf(aor, sizeof aor, "sip:%s@%s:%u", p.user.c_str(), cfg.registrar_host.c_str(),
                cfg.registrar_port);
    int err = sipreg_register(&p.reg, impl->stack->sip(), reg_uri, aor, nullptr, aor,
                              static_cast<uint32_t>(cfg.expires_s), p.user.c_str(), nullptr, 0, 0,
                              PhoneAuth, &p, false, PhoneRegistered, &p, nullptr, nullptr);
    if (err) return Status::Internal("REGISTER " + p.user + ": " + std::strerror(err));
  }
  return std::unique_ptr<OperatorPhones>(new OperatorPhones(std::move(impl)));
}

}  // namespace dozvon
