#include "sim/carrier_sim.h"

#include "core/campaign/toml_text.h"
#include "telephony/audio.h"
#include "telephony/event_loop.h"
#include "telephony/media_session.h"
#include "telephony/sip_stack.h"

#include <cstdint>

extern "C" {
#include <re.h>
}

#include <toml++/toml.h>

#include <cmath>
#include <cstring>
#include <list>
#include <random>

namespace dozvon {
namespace {

std::string PlString(const struct pl& p) { return std::string(p.p ? p.p : "", p.l); }

Result<SimBehaviour> BehaviourFromName(const std::string& name) {
  SimBehaviour b;
  if (name == "answer") return b;
  if (name == "no_answer") {
    b.kind = SimBehaviour::Kind::kNoAnswer;
    return b;
  }
  b.kind = SimBehaviour::Kind::kReject;
  if (name == "busy") {
    b.code = 486;
  } else if (name == "invalid") {
    b.code = 404;
  } else if (name == "rejected") {
    b.code = 603;
  } else if (name == "congestion") {
    b.code = 503;
    b.q850 = 34;
  } else {
    return Status::InvalidArgument("\"" + name +
                                   "\": expected answer, no_answer, busy, invalid, "
                                   "rejected, congestion or { code = N }");
  }
  return b;
}

double LogNormal(std::mt19937_64& rng, double mean, double cv) {
  if (mean <= 0) return 0;
  double s2 = std::log(1.0 + cv * cv);
  std::lognormal_distribution<double> d(std::log(mean) - s2 / 2.0, std::sqrt(s2));
  return d(rng);
}

}  // namespace

Result<CarrierProfile> CarrierProfile::Parse(std::string_view text, std::string_view source) {
  CarrierProfile p;
  DZ_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, source));
  auto err = [&](const toml::node& n, const std::string& key, const std::string& why) {
    return Status::InvalidArgument(std::string(source) + ":" +
                                   std::to_string(n.source().begin.line) + ": " + key + ": " + why);
  };
  auto number = [&](const toml::node& n, const std::string& key, double* out) -> Status {
    auto v = n.value<double>();
    if (!v || *v < 0) return err(n, key, "expected a number >= 0");
    *out = *v;
    return Status::Ok();
  };
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (key == "seed") {
      auto s = v.value<int64_t>();
      if (!s) return err(v, key, "expected an integer");
      p.seed = static_cast<uint64_t>(*s);
    } else if (key == "keys") {
      const toml::table* t = v.as_table();
      if (!t) return err(v, key, "expected a table of \"KEY\" = share and at = seconds");
      for (const auto& [k2, v2] : *t) {
        std::string n(k2.str());
        std::string sub = "keys." + n;
        if (n == "at") {
          DZ_RETURN_IF_ERROR(number(v2, sub, &p.keys_at));
        } else if (n.size() == 1 &&
                   std::string_view("0123456789*#").find(n[0]) != std::string_view::npos) {
          DZ_RETURN_IF_ERROR(number(v2, sub, &p.keys[n[0]]));
        } else {
          return err(v2, sub, "expected a key 0-9 * # or at");
        }
      }
    } else if (key == "shares" || key == "ring" || key == "talk" || key == "auth") {
      const toml::table* t = v.as_table();
      if (!t) return err(v, key, "expected a table");
      for (const auto& [k2, v2] : *t) {
        std::string sub = key + "." + std::string(k2.str());
        std::string_view n = k2.str();
        if (key == "shares") {
          double* slot = n == "answer"       ? &p.answer
                         : n == "busy"       ? &p.busy
                         : n == "no_answer"  ? &p.no_answer
                         : n == "invalid"    ? &p.invalid
                         : n == "rejected"   ? &p.rejected
                         : n == "congestion" ? &p.congestion
                                             : nullptr;
          if (!slot) return err(v2, sub, "unknown key");
          DZ_RETURN_IF_ERROR(number(v2, sub, slot));
        } else if (key == "ring" || key == "talk") {
          bool ring = key == "ring";
          double* slot = n == "mean"                    ? (ring ? &p.ring_mean : &p.talk_mean)
                         : n == "cv"                    ? (ring ? &p.ring_cv : &p.talk_cv)
                         : (!ring && n == "stay_share") ? &p.stay_share
                         : (!ring && n == "voice_hz")   ? &p.voice_hz
                                                        : nullptr;
          if (!slot) return err(v2, sub, "unknown key");
          DZ_RETURN_IF_ERROR(number(v2, sub, slot));
        } else {
          auto s = v2.value<std::string>();
          if (!s) return err(v2, sub, "expected a string");
          if (n == "username") {
            p.auth_user = *s;
          } else if (n == "password") {
            p.auth_password = *s;
          } else if (n == "realm") {
            p.auth_realm = *s;
          } else {
            return err(v2, sub, "unknown key");
          }
        }
      }
    } else if (key == "numbers") {
      const toml::table* t = v.as_table();
      if (!t) return err(v, key, "expected a table");
      for (const auto& [num, rule] : *t) {
        std::string sub = "numbers.\"" + std::string(num.str()) + "\"";
        SimBehaviour b;
        if (auto s = rule.value<std::string>()) {
          auto r = BehaviourFromName(*s);
          if (!r.ok()) return err(rule, sub, r.status().message());
          b = *r;
        } else if (const toml::table* rt = rule.as_table()) {
          if (auto beh = rt->get("behaviour")) {
            auto s = beh->value<std::string>();
            if (!s) return err(*beh, sub + ".behaviour", "expected a string");
            auto r = BehaviourFromName(*s);
            if (!r.ok()) return err(*beh, sub + ".behaviour", r.status().message());
            b = *r;
          }
          for (const auto& [rk, rv] : *rt) {
            std::string_view n = rk.str();
            if (n == "behaviour") continue;
            if (n == "early") {
              auto str = rv.value<std::string>();
              if (!str ||
                  (*str != "ringback" && *str != "busy" && *str != "congestion" && *str != "sit")) {
                return err(rv, sub + ".early", "expected ringback, busy, congestion or sit");
              }
              b.early = *str;
              if (*str != "ringback") b.kind = SimBehaviour::Kind::kNoAnswer;
              continue;
            }
            if (n == "dtmf" || n == "dtmf_mode") {
              auto str = rv.value<std::string>();
              if (!str) return err(rv, sub + "." + std::string(n), "expected a string");
              if (n == "dtmf") {
                if (str->find_first_not_of("0123456789*#ABCD") != std::string::npos) {
                  return err(rv, sub + ".dtmf", "expected DTMF keys 0-9 * # A-D");
                }
                b.dtmf = *str;
              } else if (*str == "inband" || *str == "rfc4733") {
                b.dtmf_in_band = *str == "inband";
              } else {
                return err(rv, sub + ".dtmf_mode", "expected rfc4733 or inband");
              }
              continue;
            }
            double x = 0;
            DZ_RETURN_IF_ERROR(number(rv, sub + "." + std::string(n), &x));
            if (n == "code") {
              if (x < 300 || x > 699) return err(rv, sub + ".code", "expected 300..699");
              b.kind = SimBehaviour::Kind::kReject;
              b.code = static_cast<int>(x);
            } else if (n == "q850") {
              b.q850 = static_cast<int>(x);
            } else if (n == "ring") {
              b.ring_s = x;
            } else if (n == "talk") {
              b.talk_s = x;
            } else if (n == "dtmf_at") {
              b.dtmf_at = x;
            } else if (n == "reinvite_at") {
              b.reinvite_at = x;
            } else {
              return err(rv, sub + "." + std::string(n), "unknown key");
            }
          }
        } else {
          return err(rule, sub, "expected a behaviour name or a table");
        }
        p.numbers[std::string(num.str())] = b;
      }
    } else {
      return err(v, key, "unknown key");
    }
  }
  if (p.voice_hz != 0 && (p.voice_hz < 200 || p.voice_hz > 3400)) {
    return Status::InvalidArgument(std::string(source) + ": talk.voice_hz: expected 200..3400");
  }
  double total = p.answer + p.busy + p.no_answer + p.invalid + p.rejected + p.congestion;
  if (total <= 0) return Status::InvalidArgument(std::string(source) + ": shares add up to 0");
  return p;
}

SimBehaviour CarrierProfile::Decide(const std::string& number, int call_no) const {
  SimBehaviour b;
  // A number is invalid for good (decided by the number alone); everything else is drawn
  // afresh for each call to it.
  std::mt19937_64 per_number(std::hash<std::string>{}(number) ^ (seed * 0x9E3779B97F4A7C15ULL));
  std::mt19937_64 rng(std::hash<std::string>{}(number) ^ (seed * 0x9E3779B97F4A7C15ULL) ^
                      (static_cast<uint64_t>(call_no + 1) * 0xD1B54A32D192ED03ULL));
  double ring = LogNormal(rng, ring_mean, ring_cv);
  double talk = LogNormal(rng, talk_mean, talk_cv);
  bool stays = std::uniform_real_distribution<double>(0, 1)(rng) < stay_share;
  auto it = numbers.find(number);
  if (it != numbers.end()) {
    b = it->second;
  } else {
    double total = answer + busy + no_answer + invalid + rejected + congestion;
    if (std::uniform_real_distribution<double>(0, total)(per_number) < invalid) {
      b = *BehaviourFromName("invalid");
    } else {
      double u = std::uniform_real_distribution<double>(0, total - invalid)(rng);
      const char* name = (u -= answer) < 0      ? "answer"
                         : (u -= busy) < 0      ? "busy"
                         : (u -= no_answer) < 0 ? "no_answer"
                         : (u -= rejected) < 0  ? "rejected"
                                                : "congestion";
      b = *BehaviourFromName(name);
    }
  }
  if (!b.ring_s) b.ring_s = b.kind == SimBehaviour::Kind::kReject ? std::min(ring, 1.0) : ring;
  if (!b.talk_s && b.kind == SimBehaviour::Kind::kAnswer && !stays) b.talk_s = talk;
  if (b.kind == SimBehaviour::Kind::kAnswer && b.dtmf.empty() && !keys.empty() &&
      it == numbers.end()) {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    for (const auto& [key, share] : keys) {
      if ((u -= share) < 0) {
        b.dtmf = std::string(1, key);
        b.dtmf_at = LogNormal(rng, keys_at, 0.3);
        break;
      }
    }
  }
  return b;
}

struct SimCall {
  CarrierSim::Impl* sim = nullptr;
  std::list<std::unique_ptr<SimCall>>::iterator self;  // in Impl::calls, to erase it directly
  struct sipsess* sess = nullptr;
  std::unique_ptr<MediaSession> media;
  SteadyTimer ring_tmr;
  SteadyTimer talk_tmr;
  SteadyTimer free_tmr;
  SteadyTimer dtmf_tmr;
  SteadyTimer reinvite_tmr;
  SimBehaviour behaviour;
  std::string number, attempt;
  bool answered = false, closed = false;
  std::string sdp;
};

struct CarrierSim::Impl {
  std::unique_ptr<SipStack> stack;  // first: destroyed last, after the calls on it
  CarrierProfile profile;
  std::list<std::unique_ptr<SimCall>> calls;
  std::shared_ptr<MediaTicker> ticker = std::make_shared<MediaTicker>();
  CarrierStats stats;
  std::string ip;
  uint8_t ha1[16] = {};
  uint64_t nonce_seq = 0;
  std::function<void(const std::string&, const std::string&)> on_answered;
  std::function<void(const CarrierSim::CallEnd&)> on_call_end;
  std::map<std::string, int> calls_to;  // calls per number so far
  std::shared_ptr<const Pcm> voice;     // what answered callees say, when profile.voice_hz
  struct sip_lsnr* lsnr = nullptr;      // requests outside sessions: REGISTER
  std::map<std::string, std::shared_ptr<const Pcm>> early_tones;  // by SimBehaviour::early
  std::shared_ptr<const Pcm> EarlyTone(const std::string& kind);
  ~Impl();
  void Release(SimCall* c);
};

namespace {

void FreeCall(void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  c->sim->Release(c);
}

void CloseLater(SimCall* c) {
  if (c->closed) return;
  c->closed = true;
  c->ring_tmr.Cancel();
  c->talk_tmr.Cancel();
  c->dtmf_tmr.Cancel();
  c->reinvite_tmr.Cancel();
  if (c->media) {
    c->media->Stop();
    c->sim->stats.audio_seconds += c->media->stats().seconds_received;
    c->sim->stats.voice_seconds += c->media->stats().seconds_with_voice;
    if (c->answered && c->sim->on_call_end) {
      c->sim->on_call_end({c->number, c->attempt, c->media->stats().seconds_received,
                           c->media->stats().seconds_with_voice});
    }
  }
  c->free_tmr.Start(0, FreeCall, c);
}

void SimClose(int err, const struct sip_msg* msg, void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  (void)err;
  if (c->answered) {
    ++c->sim->stats.hangups_by_caller;
  } else if (msg && msg->req && pl_strcmp(&msg->met, "CANCEL") == 0) {
    ++c->sim->stats.cancelled;
  } else {
    ++c->sim->stats.cancelled;  // the caller gave up before an answer
  }
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
  CloseLater(c);
}

void SimEstablished(const struct sip_msg* msg, void* arg) {
  (void)msg;
  (void)arg;
}

int SimOffer(struct mbuf** descp, const struct sip_msg* msg, void* arg) {
  (void)descp;
  (void)msg;
  (void)arg;
  return 0;
}

int SimAnswer(const struct sip_msg* msg, void* arg) {
  (void)msg;
  (void)arg;
  return 0;
}

void CalleeHangsUp(void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  ++c->sim->stats.hangups_by_callee;
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));  // BYE
  CloseLater(c);
}

void SendReinvite(void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  if (!c->sess) return;
  struct mbuf* desc = mbuf_alloc(c->sdp.size() + 1);
  mbuf_write_mem(desc, reinterpret_cast<const uint8_t*>(c->sdp.data()), c->sdp.size());
  mbuf_set_pos(desc, 0);
  sipsess_modify(c->sess, desc);
  mem_deref(desc);
}

void PressKeys(void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  if (c->media) c->media->SendDtmf(c->behaviour.dtmf, c->behaviour.dtmf_in_band);
}

void AnswerNow(void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  struct mbuf* desc = mbuf_alloc(512);
  mbuf_write_str(desc, c->sdp.c_str());
  mbuf_set_pos(desc, 0);
  int err = sipsess_answer(c->sess, 200, "OK", desc, nullptr);
  mem_deref(desc);
  if (err) {
    c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
    CloseLater(c);
    return;
  }
  c->answered = true;
  ++c->sim->stats.answered;
  if (c->sim->on_answered) c->sim->on_answered(c->number, c->attempt);
  c->media->Start();
  c->media->StopPrompt();  // an early-media tone ends at answer
  c->media->on_prompt_end = nullptr;
  if (c->sim->voice) {
    c->media->Play(c->sim->voice);
    c->media->on_prompt_end = [c] { c->media->Play(c->sim->voice); };
  }
  if (c->behaviour.reinvite_at) {
    c->reinvite_tmr.Start(static_cast<uint64_t>(*c->behaviour.reinvite_at * 1000), SendReinvite, c);
  }
  if (!c->behaviour.dtmf.empty()) {
    c->dtmf_tmr.Start(static_cast<uint64_t>(c->behaviour.dtmf_at * 1000), PressKeys, c);
  }
  if (c->behaviour.talk_s) {
    c->talk_tmr.Start(static_cast<uint64_t>(*c->behaviour.talk_s * 1000), CalleeHangsUp, c);
  }
}

const char* ReasonPhrase(int code) {
  switch (code) {
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 480:
      return "Temporarily Unavailable";
    case 483:
      return "Too Many Hops";
    case 484:
      return "Address Incomplete";
    case 485:
      return "Ambiguous";
    case 486:
      return "Busy Here";
    case 500:
      return "Server Internal Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    case 604:
      return "Does Not Exist Anywhere";
    default:
      return "Rejected";
  }
}

void RejectNow(void* arg) {
  auto* c = static_cast<SimCall*>(arg);
  ++c->sim->stats.rejected;
  const uint16_t code = static_cast<uint16_t>(c->behaviour.code);
  // libre answers 486 itself for an unanswered session it frees, so a failed reject would
  // silently turn into "busy": the reason phrase must be set.
  if (code == 401 || code == 407) {
    // A real trunk always sends the challenge with a 401/407.
    sipsess_reject(c->sess, code, ReasonPhrase(code),
                   "%s: Digest realm=\"%s\", nonce=\"%016llx\"\r\nContent-Length: 0\r\n\r\n",
                   code == 401 ? "WWW-Authenticate" : "Proxy-Authenticate",
                   c->sim->profile.auth_realm.c_str(),
                   static_cast<unsigned long long>(++c->sim->nonce_seq * 0x9E3779B97F4A7C15ULL));
  } else if (c->behaviour.q850) {
    sipsess_reject(c->sess, code, ReasonPhrase(code),
                   "Reason: Q.850;cause=%d\r\nContent-Length: 0\r\n\r\n", *c->behaviour.q850);
  } else {
    sipsess_reject(c->sess, code, ReasonPhrase(code), nullptr);
  }
  c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
  CloseLater(c);
}

bool Authorized(CarrierSim::Impl* sim, const struct sip_msg* msg) {
  const struct sip_hdr* h = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
  if (!h) return false;
  struct httpauth_digest_resp resp;
  if (httpauth_digest_response_decode(&resp, &h->val)) return false;
  if (pl_strcmp(&resp.username, sim->profile.auth_user.c_str()) != 0) return false;
  return httpauth_digest_response_auth(&resp, &msg->met, sim->ha1) == 0;
}

void Challenge(CarrierSim::Impl* sim, const struct sip_msg* msg) {
  ++sim->stats.challenged;
  sip_replyf(sim->stack->sip(), msg, 401, "Unauthorized",
             "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%016llx\"\r\n"
             "Content-Length: 0\r\n\r\n",
             sim->profile.auth_realm.c_str(),
             static_cast<unsigned long long>(++sim->nonce_seq * 0x2545F4914F6CDD1DULL));
}

// A trunk that takes registrations: with [auth] the REGISTER must carry valid credentials.
bool SimRequest(const struct sip_msg* msg, void* arg) {
  auto* sim = static_cast<CarrierSim::Impl*>(arg);
  if (pl_strcmp(&msg->met, "REGISTER") != 0) return false;  // libre answers the rest
  if (!msg->callid.l || !msg->to.auri.l || !msg->cseq.num) {
    ++sim->stats.malformed;
    sip_reply(sim->stack->sip(), msg, 400, "Bad Request");
    return true;
  }
  if (!sim->profile.auth_user.empty() && !Authorized(sim, msg)) {
    Challenge(sim, msg);
    return true;
  }
  ++sim->stats.registers;
  uint32_t expires = msg->expires.l ? pl_u32(&msg->expires) : 3600;
  sip_replyf(sim->stack->sip(), msg, 200, "OK", "Expires: %u\r\nContent-Length: 0\r\n\r\n",
             expires);
  return true;
}

void SimConnect(const struct sip_msg* msg, void* arg) {
  auto* sim = static_cast<CarrierSim::Impl*>(arg);
  ++sim->stats.invites;
  if (msg->tp == SIP_TRANSP_TCP) ++sim->stats.tcp_invites;
  // libre parses leniently: check what a UAS needs before accepting (TELEPHONY.md).
  if (!msg->callid.l || !msg->from.auri.l || !msg->to.auri.l || !msg->cseq.num ||
      !msg->uri.user.l) {
    ++sim->stats.malformed;
    sip_reply(sim->stack->sip(), msg, 400, "Bad Request");
    return;
  }
  if (!sim->profile.auth_user.empty() && !Authorized(sim, msg)) {
    Challenge(sim, msg);
    return;
  }
  auto call = std::make_unique<SimCall>();
  SimCall* c = call.get();
  c->sim = sim;
  c->number = PlString(msg->uri.user);
  if (const struct sip_hdr* h = sip_msg_xhdr(msg, "X-Dozvon-Attempt"))
    c->attempt = PlString(h->val);
  c->behaviour = sim->profile.Decide(c->number, sim->calls_to[c->number]++);
  auto media = MediaSession::Create(sim->ticker.get(), sim->ip);
  if (!media.ok()) {
    sip_reply(sim->stack->sip(), msg, 500, "Server Internal Error");
    return;
  }
  c->media = std::move(media).value();
  c->media->DetectInBandDtmf(false);  // a callee that presses keys, never one that listens
  std::string offer(reinterpret_cast<const char*>(mbuf_buf(msg->mb)), mbuf_get_left(msg->mb));
  auto answer = c->media->AnswerTo(offer);
  if (!answer.ok()) {
    ++sim->stats.not_acceptable;
    sip_reply(sim->stack->sip(), msg, 488, "Not Acceptable Here");
    return;
  }
  c->sdp = *answer;
  const bool early = !c->behaviour.early.empty();
  struct mbuf* early_sdp = nullptr;
  if (early) {
    early_sdp = mbuf_alloc(c->sdp.size() + 1);
    mbuf_write_str(early_sdp, c->sdp.c_str());
    mbuf_set_pos(early_sdp, 0);
  }
  int err = sipsess_accept(&c->sess, sim->stack->sessions(), msg, early ? 183 : 180,
                           early ? "Session Progress" : "Ringing", "sim", "application/sdp",
                           early_sdp, nullptr, nullptr, false, SimOffer, SimAnswer, SimEstablished,
                           nullptr, nullptr, SimClose, c, nullptr);
  mem_deref(early_sdp);
  if (!err && early) {
    // The tone, looped, until answer or CANCEL.
    auto tone = sim->EarlyTone(c->behaviour.early);
    c->media->Start();
    c->media->Play(tone);
    c->media->on_prompt_end = [c, tone] { c->media->Play(tone); };
  }
  if (err) {
    sip_reply(sim->stack->sip(), msg, 500, "Server Internal Error");
    return;
  }
  uint64_t ring_ms = static_cast<uint64_t>(c->behaviour.ring_s.value_or(0) * 1000);
  if (c->behaviour.kind == SimBehaviour::Kind::kAnswer) {
    c->ring_tmr.Start(ring_ms, AnswerNow, c);
  } else if (c->behaviour.kind == SimBehaviour::Kind::kReject) {
    c->ring_tmr.Start(ring_ms, RejectNow, c);
  }  // kNoAnswer: ring until the caller cancels
  sim->calls.push_back(std::move(call));
  c->self = std::prev(sim->calls.end());
}

}  // namespace

CarrierSim::Impl::~Impl() {
  lsnr = static_cast<struct sip_lsnr*>(mem_deref(lsnr));
  for (auto& c : calls) {
    c->ring_tmr.Cancel();
    c->talk_tmr.Cancel();
    c->free_tmr.Cancel();
    c->dtmf_tmr.Cancel();
    c->reinvite_tmr.Cancel();
    c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
    c->media.reset();
  }
}

std::shared_ptr<const Pcm> CarrierSim::Impl::EarlyTone(const std::string& kind) {
  auto& slot = early_tones[kind];
  if (slot) return slot;
  Pcm pcm;
  if (kind == "busy") {
    pcm = Tone(425, -12, 350, 350, 7000);  // Russia's busy cadence
  } else if (kind == "congestion") {
    pcm = Tone(425, -12, 175, 175, 7000);
  } else if (kind == "ringback") {
    pcm = Tone(425, -12, 1000, 4000, 10000);
  } else {  // sit: 914, 1371, 1777 Hz, 330 ms each, then a second of silence
    for (int hz : {914, 1371, 1777}) {
      Pcm t = Tone(hz, -12, 330, 0, 330);
      pcm.insert(pcm.end(), t.begin(), t.end());
    }
    pcm.resize(pcm.size() + 8000, 0);
  }
  slot = std::make_shared<const Pcm>(std::move(pcm));
  return slot;
}

void CarrierSim::Impl::Release(SimCall* c) {
  c->media.reset();
  calls.erase(c->self);
}

CarrierSim::CarrierSim(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CarrierSim::~CarrierSim() = default;
void CarrierSim::OnAnswered(std::function<void(const std::string&, const std::string&)> fn) {
  impl_->on_answered = std::move(fn);
}

void CarrierSim::OnCallEnd(std::function<void(const CallEnd&)> fn) {
  impl_->on_call_end = std::move(fn);
}

uint16_t CarrierSim::port() const { return impl_->stack->port(); }
const CarrierStats& CarrierSim::stats() const { return impl_->stats; }
std::shared_ptr<MediaTicker> CarrierSim::ticker() const { return impl_->ticker; }

Result<std::unique_ptr<CarrierSim>> CarrierSim::Create(CarrierProfile profile,
                                                       const std::string& ip, uint16_t port) {
  auto impl = std::make_unique<Impl>();
  impl->profile = std::move(profile);
  impl->ip = ip;
  if (!impl->profile.auth_user.empty()) {
    std::string a1 = impl->profile.auth_user + ":" + impl->profile.auth_realm + ":" +
                     impl->profile.auth_password;
    md5(reinterpret_cast<const uint8_t*>(a1.data()), a1.size(), impl->ha1);
  }
  if (impl->profile.voice_hz > 0) {
    // 0.9 s of speech, 0.3 s pause, looped while the call lasts.
    impl->voice = std::make_shared<const Pcm>(
        Tone(static_cast<int>(impl->profile.voice_hz), -15, 900, 300, 7200));
  }
  SipStackOptions options;
  options.tcp = true;  // a trunk may use either; one port for both
  DZ_ASSIGN_OR_RETURN(impl->stack, SipStack::Open(ip, port, "dozvon-carrier-sim", 256, options));
  DZ_RETURN_IF_ERROR(impl->stack->ListenSessions(SimConnect, impl.get()));
  int err = sip_listen(&impl->lsnr, impl->stack->sip(), true, SimRequest, impl.get());
  if (err) return Status::Internal(std::string("sip_listen: ") + std::strerror(err));
  return std::unique_ptr<CarrierSim>(new CarrierSim(std::move(impl)));
}

}  // namespace dozvon
