// `dozvon carrier-sim` and `dozvon dial`: the loopback carrier simulator, and a diagnostic
// that places calls through a trunk and prints each result as a JSON line.
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

#include "app/campaign_files.h"
#include "app/commands.h"
#include "core/campaign/durations.h"
#include "core/campaign/toml_text.h"
#include "sim/carrier_sim.h"
#include "sim/operator_phones.h"
#include "telephony/event_loop.h"
#include "telephony/realtime.h"
#include "telephony/registrar.h"
#include "telephony/sip_uac.h"
#include "tts/tts.h"

namespace dozvon {
namespace {

bool SplitHostPort(const std::string& s, std::string* host, uint16_t* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  *host = s.substr(0, colon);
  int p = std::atoi(s.c_str() + colon + 1);
  if (p < 0 || p > 65535 || host->empty()) return false;
  *port = static_cast<uint16_t>(p);
  return true;
}

struct SimArgs {
  std::string listen = "127.0.0.1:0";
  std::string profile;
  std::string answered_log;
  // Operators' phones (--operators N).
  int operators = 0;
  std::string registrar;
  std::string operator_prefix = "op";
  std::string operator_password;
  std::string operators_log;
  std::string calls_log;
};

int RunCarrierSim(const SimArgs& a) {
  CarrierProfile profile;
  if (!a.profile.empty()) {
    auto text = ReadTextFile(a.profile);
    if (!text.ok()) {
      std::fprintf(stderr, "dozvon carrier-sim: %s\n", text.status().message().c_str());
      return kExitBadInput;
    }
    auto p = CarrierProfile::Parse(*text, a.profile);
    if (!p.ok()) {
      std::fprintf(stderr, "dozvon carrier-sim: %s\n", p.status().message().c_str());
      return kExitBadInput;
    }
    profile = std::move(p).value();
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(a.listen, &host, &port)) {
    std::fprintf(stderr, "dozvon carrier-sim: --listen \"%s\": expected IP:PORT\n",
                 a.listen.c_str());
    return kExitBadInput;
  }
  auto loop = EventLoop::Init();
  if (!loop.ok()) {
    std::fprintf(stderr, "dozvon carrier-sim: %s\n", loop.status().message().c_str());
    return kExitFailure;
  }
  auto sim = CarrierSim::Create(std::move(profile), host, port);
  if (!sim.ok()) {
    std::fprintf(stderr, "dozvon carrier-sim: %s\n", sim.status().message().c_str());
    return kExitFailure;
  }
  std::FILE* log = nullptr;
  if (!a.answered_log.empty()) {
    log = std::fopen(a.answered_log.c_str(), "a");
    if (!log) {
      std::fprintf(stderr, "dozvon carrier-sim: --answered-log %s: %s\n", a.answered_log.c_str(),
                   std::strerror(errno));
      return kExitBadInput;
    }
    // One line per answered call, flushed at once: it must survive a killed dialer.
    (*sim)->OnAnswered([log](const std::string& number, const std::string& attempt) {
      std::fprintf(log, "%s,%s\n", number.c_str(), attempt.c_str());
      std::fflush(log);
    });
  }
  std::FILE* calls_log = nullptr;
  if (!a.calls_log.empty()) {
    calls_log = std::fopen(a.calls_log.c_str(), "a");
    if (!calls_log) {
      std::fprintf(stderr, "dozvon carrier-sim: --calls-log %s: %s\n", a.calls_log.c_str(),
                   std::strerror(errno));
      return kExitBadInput;
    }
    (*sim)->OnCallEnd([calls_log](const CarrierSim::CallEnd& c) {
      nlohmann::json j = {{"number", c.number},
                          {"attempt", c.attempt},
                          {"heard_s", c.heard_s},
                          {"heard_voice_s", c.heard_voice_s}};
      std::fprintf(calls_log, "%s\n", j.dump().c_str());
      std::fflush(calls_log);
    });
  }
  std::unique_ptr<OperatorPhones> phones;
  std::FILE* op_log = nullptr;
  if (a.operators > 0) {
    OperatorPhonesConfig oc;
    oc.count = a.operators;
    oc.user_prefix = a.operator_prefix;
    oc.password = a.operator_password;
    if (!SplitHostPort(a.registrar, &oc.registrar_host, &oc.registrar_port)) {
      std::fprintf(stderr, "dozvon carrier-sim: --registrar \"%s\": expected IP:PORT\n",
                   a.registrar.c_str());
      return kExitBadInput;
    }
    auto p = OperatorPhones::Create(oc, host, (*sim)->ticker());
    if (!p.ok()) {
      std::fprintf(stderr, "dozvon carrier-sim: %s\n", p.status().message().c_str());
      return kExitBadInput;
    }
    phones = std::move(p).value();
    if (!a.operators_log.empty()) {
      op_log = std::fopen(a.operators_log.c_str(), "a");
      if (!op_log) {
        std::fprintf(stderr, "dozvon carrier-sim: --operators-log %s: %s\n",
                     a.operators_log.c_str(), std::strerror(errno));
        return kExitBadInput;
      }
      phones->OnCallEnd([op_log](const OperatorCallStats& c) {
        nlohmann::json j = {{"operator", c.user},
                            {"seconds", c.seconds},
                            {"heard_s", c.heard_s},
                            {"heard_voice_s", c.heard_voice_s}};
        std::fprintf(op_log, "%s\n", j.dump().c_str());
        std::fflush(op_log);
      });
    }
  }
  std::printf("carrier-sim listening on %s:%u\n", host.c_str(), (*sim)->port());
  std::fflush(stdout);
  (*loop)->Run();
  (*sim)->OnAnswered(nullptr);
  (*sim)->OnCallEnd(nullptr);
  if (phones) phones->OnCallEnd(nullptr);
  if (log) std::fclose(log);
  if (op_log) std::fclose(op_log);
  if (calls_log) std::fclose(calls_log);
  const CarrierStats& s = (*sim)->stats();
  nlohmann::json j = {{"invites", s.invites},
                      {"challenged", s.challenged},
                      {"answered", s.answered},
                      {"rejected", s.rejected},
                      {"cancelled", s.cancelled},
                      {"hangups_by_callee", s.hangups_by_callee},
                      {"hangups_by_caller", s.hangups_by_caller},
                      {"malformed", s.malformed},
                      {"not_acceptable", s.not_acceptable},
                      {"tcp_invites", s.tcp_invites},
                      {"registers", s.registers},
                      {"audio_seconds", s.audio_seconds},
                      {"voice_seconds", s.voice_seconds}};
  if (phones) {
    OperatorPhonesStats os = phones->stats();
    j["operators"] = {{"registered", os.registered},
                      {"calls", os.calls},
                      {"answered", os.answered},
                      {"heard_voice_s", os.heard_voice_s}};
    phones.reset();
  }
  sim->reset();
  std::printf("%s\n", j.dump().c_str());
  return kExitOk;
}

// One call's result as a JSON line (dial, bridge).
nlohmann::json CallResultJson(const std::string& to, const CallResult& r) {
  nlohmann::json j = {{"to", to},
                      {"outcome", ToString(r.outcome)},
                      {"sip_status", r.sip_status},
                      {"reason", r.reason},
                      {"cancelled_on_timeout", r.cancelled_on_timeout},
                      {"hangup_by", r.hangup_by == HangupBy::kUs     ? "us"
                                    : r.hangup_by == HangupBy::kThem ? "them"
                                                                     : ""}};
  j["q850_cause"] = r.q850_cause ? nlohmann::json(*r.q850_cause) : nlohmann::json(nullptr);
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  j["post_dial_delay_s"] = opt(r.post_dial_delay_s);
  j["ring_s"] = opt(r.ring_s);
  j["answer_s"] = opt(r.answer_s);
  j["talk_s"] = opt(r.talk_s);
  j["prompt_seconds_played"] = r.prompt_seconds_played;
  j["prompt_finished"] = r.prompt_finished;
  j["dtmf"] = r.dtmf;
  j["seconds_received"] = r.seconds_received;
  j["seconds_with_voice"] = r.seconds_with_voice;
  j["recording"] = r.recording;
  j["reinvites"] = r.reinvites;
  j["early_tone"] = r.early_tone;
  if (r.connect_s) j["connect_s"] = *r.connect_s;
  if (r.connect_s || r.bridge_voice_heard_s > 0 || r.bridge_voice_passed_s > 0) {
    j["bridge_voice_heard_s"] = r.bridge_voice_heard_s;
    j["bridge_voice_passed_s"] = r.bridge_voice_passed_s;
  }
  return j;
}

struct DialArgs {
  std::string trunk;
  std::vector<std::string> to;
  std::string ring_timeout = "30s";
  std::string hold = "1s";
  std::string user, password;
  std::string prompt;
  std::string record;
  std::string say;
  int count = 0;
  double cps = 0;
  int max_calls = 0;
  bool summary = false;
  std::string voice = "ru";
  std::string tts_cache = "/tmp/dozvon-tts-cache";
  std::string transport = "udp";
  std::vector<std::string> dns;
  bool register_trunk = false;
  int realtime_priority = 0;
};

int RunDial(const DialArgs& a) {
  TrunkConfig trunk;
  // HOST:PORT, or a DNS name alone (its SRV records give the port).
  if (!SplitHostPort(a.trunk, &trunk.host, &trunk.port)) {
    trunk.host = a.trunk;
    trunk.port = 0;
    if (a.trunk.empty() || a.trunk.find_first_of(":/ ") != std::string::npos) {
      std::fprintf(stderr, "dozvon dial: --trunk \"%s\": expected IP:PORT or a host name\n",
                   a.trunk.c_str());
      return kExitBadInput;
    }
  }
  if (a.transport == "tcp") {
    trunk.transport = SipTransport::kTcp;
  } else if (a.transport != "udp") {
    std::fprintf(stderr, "dozvon dial: --transport \"%s\": expected udp or tcp\n",
                 a.transport.c_str());
    return kExitBadInput;
  }
  trunk.dns_servers = a.dns;
  trunk.register_trunk = a.register_trunk;
  trunk.username = a.user;
  trunk.password = a.password;
  trunk.cps = a.cps;
  trunk.max_calls = a.max_calls;
  // --count N: N calls to consecutive numbers from the first --to (load tests).
  std::vector<std::string> targets = a.to;
  if (a.count > 0) {
    if (a.to.size() != 1 || a.to[0].size() < 4) {
      std::fprintf(stderr, "dozvon dial: --count needs exactly one --to as the first number\n");
      return kExitBadInput;
    }
    targets.clear();
    long long first = std::atoll(a.to[0].c_str() + 1);
    for (int i = 0; i < a.count; ++i) targets.push_back("+" + std::to_string(first + i));
  }
  auto ring = ParseDuration(a.ring_timeout);
  auto hold = ParseDuration(a.hold);
  if (!ring.ok() || !hold.ok()) {
    std::fprintf(stderr, "dozvon dial: %s\n",
                 (!ring.ok() ? ring.status() : hold.status()).message().c_str());
    return kExitBadInput;
  }
  std::string prompt = a.prompt;
  if (!a.say.empty()) {
    if (!prompt.empty()) {
      std::fprintf(stderr, "dozvon dial: give --prompt or --say, not both\n");
      return kExitBadInput;
    }
    auto tts = Tts::Create(a.tts_cache);
    if (!tts.ok()) {
      std::fprintf(stderr, "dozvon dial: %s\n", tts.status().message().c_str());
      return kExitFailure;
    }
    TtsRequest tr{a.say, a.voice, 160};
    auto pcm = (*tts)->Synthesize(tr);
    if (!pcm.ok()) {
      std::fprintf(stderr, "dozvon dial: %s\n", pcm.status().message().c_str());
      return kExitBadInput;
    }
    prompt = (*tts)->CachePath(tr);
  }
  if (Status rt = SetMediaPriority(a.realtime_priority); !rt.ok()) {
    std::fprintf(stderr, "dozvon dial: --realtime-priority: %s\n", rt.message().c_str());
    return kExitBadInput;
  }
  auto loop = EventLoop::Init();
  if (!loop.ok()) {
    std::fprintf(stderr, "dozvon dial: %s\n", loop.status().message().c_str());
    return kExitFailure;
  }
  auto uac = SipUac::Create(trunk);
  if (!uac.ok()) {
    std::fprintf(stderr, "dozvon dial: %s\n", uac.status().message().c_str());
    return kExitFailure;
  }
  size_t pending = targets.size();
  int rc = kExitOk;
  int64_t answered = 0, failed = 0;
  double prompt_seconds = 0, received_seconds = 0;
  std::map<std::string, int64_t> outcomes;
  std::optional<Instant> first_invite, last_invite;  // the rate INVITEs actually left at
  auto started = std::chrono::steady_clock::now();
  auto start_calls = [&] {
    for (const auto& to : targets) {
      DialRequest req;
      req.to_e164 = to;
      req.ring_timeout = *ring;
      req.hold = *hold;
      req.prompt_path = prompt;
      if (to.compare(0, 4, "sip:") == 0) {
        req.to_uri = to;
        req.to_e164.clear();
      }
      if (!a.record.empty() && req.to_uri.empty()) {
        req.record_path = a.record + "/" + to.substr(1) + ".wav";
      }
      Status s = (*uac)->Dial(req, [&, to](const CallResult& r) {
        ++outcomes[std::string(ToString(r.outcome))];
        if (r.outcome == Outcome::kAnswered) ++answered;
        if (r.outcome == Outcome::kFailed || r.outcome == Outcome::kCongestion) ++failed;
        prompt_seconds += r.prompt_seconds_played;
        received_seconds += r.seconds_received;
        if (r.invited_at) {
          if (!first_invite || *r.invited_at < *first_invite) first_invite = r.invited_at;
          if (!last_invite || *r.invited_at > *last_invite) last_invite = r.invited_at;
        }
        if (a.summary) {
          if (--pending == 0) EventLoop::Stop();
          return;
        }
        nlohmann::json j = CallResultJson(to, r);
        std::printf("%s\n", j.dump().c_str());
        std::fflush(stdout);
        if (--pending == 0) EventLoop::Stop();
      });
      if (!s.ok()) {
        std::fprintf(stderr, "dozvon dial: %s\n", s.message().c_str());
        rc = kExitBadInput;
        if (--pending == 0) EventLoop::Stop();
      }
    }
  };
  // With --register, calls wait (at most 5 s) for the trunk to accept the registration.
  LoopTimer wait_timer;
  const auto wait_until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::function<void()> wait_registered = [&] {
    if ((*uac)->counters().registered) {
      start_calls();
    } else if (std::chrono::steady_clock::now() > wait_until) {
      std::fprintf(stderr, "dozvon dial: the trunk did not accept our REGISTER within 5 s\n");
      rc = kExitFailure;
      EventLoop::Stop();
    } else {
      wait_timer.Start(50, wait_registered);
    }
  };
  wait_timer.Start(0, a.register_trunk ? wait_registered : std::function<void()>(start_calls));
  (*loop)->Run();
  if (a.summary) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    TrunkCounters tc = (*uac)->counters();
    nlohmann::json send_delay;  // null when no datagram had a due time
    if (tc.rtp.send_delay_max_us != std::numeric_limits<int64_t>::min()) {
      send_delay = tc.rtp.send_delay_max_us / 1000.0;
    }
    nlohmann::json j = {{"calls", targets.size()},
                        {"answered", answered},
                        {"failed", failed},
                        {"outcomes", outcomes},
                        {"invites", tc.invites},
                        {"elapsed_s", secs},
                        // A frame never sent is later than any: skipped ones count too.
                        {"late_frames", tc.rtp.late_sends + tc.tick.frames_skipped},
                        {"prompt_seconds", prompt_seconds},
                        {"received_seconds", received_seconds},
                        {"rtp",
                         {{"io", ToString(tc.rtp_backend)},
                          {"sent", tc.rtp.sent},
                          {"send_errors", tc.rtp.send_errors},
                          {"received", tc.rtp.received},
                          {"receive_dropped", tc.rtp.receive_dropped},
                          {"submit_delay_max_ms", tc.rtp.submit_delay_max_us / 1000.0},
                          {"submit_longest",
                           {{"wake_ms", tc.rtp.submit_longest.wake_us / 1000.0},
                            {"submit_ms", tc.rtp.submit_longest.submit_us / 1000.0},
                            {"cpu_ms", tc.rtp.submit_longest.cpu_us / 1000.0},
                            {"runqueue_wait_ms", tc.rtp.submit_longest.runqueue_wait_us / 1000.0},
                            {"sends", tc.rtp.submit_longest.sends}}},
                          {"send_delay_max_ms", send_delay}}},
                        {"tick",
                         {{"ticks", tc.tick.ticks},
                          {"gap_max_ms", tc.tick.gap_max_us / 1000.0},
                          {"gaps_over_15ms", tc.tick.gaps_over_15ms},
                          {"longest",
                           {{"poll_ms", tc.tick.longest.poll_us / 1000.0},
                            {"sessions_ms", tc.tick.longest.sessions_us / 1000.0},
                            {"flush_ms", tc.tick.longest.flush_us / 1000.0},
                            {"cpu_ms", tc.tick.longest.cpu_us / 1000.0},
                            {"runqueue_wait_ms", tc.tick.longest.runqueue_wait_us / 1000.0},
                            {"minor_faults", tc.tick.longest.minor_faults},
                            {"major_faults", tc.tick.longest.major_faults},
                            {"preempted", tc.tick.longest.preempted},
                            {"blocked", tc.tick.longest.blocked}}},
                          {"work_max_ms", tc.tick.work_max_us / 1000.0},
                          {"frames_skipped", tc.tick.frames_skipped}}}};
    if (first_invite && last_invite && *last_invite > *first_invite) {
      const double span = std::chrono::duration<double>(*last_invite - *first_invite).count();
      j["invite_rate"] = std::round(static_cast<double>(tc.invites - 1) / span * 10) / 10;
    }
    std::printf("%s\n", j.dump().c_str());
  }
  uac->reset();
  return rc;
}

struct RegistrarArgs {
  std::string listen = "127.0.0.1:0";
  std::string users;
  std::string realm = "dozvon";
};

// Operators' credentials: a TOML file with [users] "1001" = "password".
Result<std::map<std::string, std::string>> LoadUsers(const std::string& path) {
  DZ_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  DZ_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, path));
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : root) {
    const toml::table* users = v.as_table();
    if (k != "users" || !users) {
      return Status::InvalidArgument(path + ":" + std::to_string(v.source().begin.line) + ": " +
                                     std::string(k.str()) + ": expected only a [users] table");
    }
    for (const auto& [user, pass] : *users) {
      auto p = pass.value<std::string>();
      if (!p || p->empty()) {
        return Status::InvalidArgument(path + ":" + std::to_string(pass.source().begin.line) +
                                       ": users." + std::string(user.str()) +
                                       ": expected a password string");
      }
      out[std::string(user.str())] = *p;
    }
  }
  return out;
}

// The registrar's HA1 lookup over the passwords loaded by LoadUsers.
Registrar::Ha1Lookup LookupIn(std::map<std::string, std::string> creds, std::string realm) {
  return [creds = std::move(creds),
          realm = std::move(realm)](const std::string& user) -> std::optional<std::string> {
    auto it = creds.find(user);
    if (it == creds.end()) return std::nullopt;
    return DigestHa1(user, realm, it->second);
  };
}

int RunRegistrar(const RegistrarArgs& a) {
  auto users = LoadUsers(a.users);
  if (!users.ok()) {
    std::fprintf(stderr, "dozvon registrar: %s\n", users.status().message().c_str());
    return kExitBadInput;
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(a.listen, &host, &port)) {
    std::fprintf(stderr, "dozvon registrar: --listen \"%s\": expected IP:PORT\n", a.listen.c_str());
    return kExitBadInput;
  }
  auto loop = EventLoop::Init();
  if (!loop.ok()) {
    std::fprintf(stderr, "dozvon registrar: %s\n", loop.status().message().c_str());
    return kExitFailure;
  }
  auto reg = Registrar::Create(
      host, port, a.realm, LookupIn(*users, a.realm), [](const Registration& r, bool registered) {
        nlohmann::json j = {{"event", registered ? "registered" : "unregistered"},
                            {"user", r.user},
                            {"contact", r.contact},
                            {"expires", r.expires_s}};
        std::printf("%s\n",
                    j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        std::fflush(stdout);
      });
  if (!reg.ok()) {
    std::fprintf(stderr, "dozvon registrar: %s\n", reg.status().message().c_str());
    return kExitFailure;
  }
  std::printf("registrar listening on %s:%u\n", host.c_str(), (*reg)->port());
  std::fflush(stdout);
  (*loop)->Run();
  reg->reset();
  return kExitOk;
}

struct BridgeArgs {
  std::string trunk;
  std::vector<std::string> to;
  std::string users;
  std::string operator_user;
  std::string listen = "127.0.0.1:0";
  std::string realm = "dozvon";
  std::string hold = "3s";
  std::string wait = "15s";
  std::string record;
};

// `dozvon bridge`: the operator path end to end, for tests and diagnosis. Runs a registrar,
// waits for the operator's phone to register, calls it once and keeps that leg up (nailed-up),
// then calls each customer in turn through the trunk and bridges the answered ones into the
// operator's leg for --hold. One JSON line per customer, then one for the operator's leg.
int RunBridge(const BridgeArgs& a) {
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "dozvon bridge: %s\n", m.c_str());
    return kExitBadInput;
  };
  TrunkConfig trunk;
  if (!SplitHostPort(a.trunk, &trunk.host, &trunk.port)) {
    return fail("--trunk \"" + a.trunk + "\": expected IP:PORT");
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(a.listen, &host, &port)) {
    return fail("--registrar-listen \"" + a.listen + "\": expected IP:PORT");
  }
  auto hold = ParseDuration(a.hold);
  if (!hold.ok()) return fail("--hold: " + hold.status().message());
  auto wait = ParseDuration(a.wait);
  if (!wait.ok()) return fail("--wait: " + wait.status().message());
  auto users = LoadUsers(a.users);
  if (!users.ok()) return fail(users.status().message());
  if (!users->count(a.operator_user)) {
    return fail("--operator " + a.operator_user + ": not in " + a.users);
  }
  auto loop = EventLoop::Init();
  if (!loop.ok()) return fail(loop.status().message());
  auto reg = Registrar::Create(host, port, a.realm, LookupIn(*users, a.realm), nullptr);
  if (!reg.ok()) return fail(reg.status().message());
  auto ticker = std::make_shared<MediaTicker>();
  auto customers = SipUac::Create(trunk, host, ticker);
  if (!customers.ok()) return fail(customers.status().message());
  auto operators = SipUac::Create(TrunkConfig{}, host, ticker);
  if (!operators.ok()) return fail(operators.status().message());

  int rc = kExitOk;
  CallLeg* op_leg = nullptr;
  size_t next = 0;
  LoopTimer timer;
  const auto started = std::chrono::steady_clock::now();
  std::function<void()> dial_next;
  auto finish = [&](int code) {
    if (code != kExitOk) rc = code;
    if (op_leg) {
      op_leg->Hangup();  // its done callback stops the loop
    } else {
      EventLoop::Stop();
    }
  };
  dial_next = [&] {
    if (next >= a.to.size() || !op_leg) {
      finish(kExitOk);
      return;
    }
    std::string to = a.to[next++];
    DialRequest req;
    req.to_e164 = to;
    if (!a.record.empty()) req.record_path = a.record + "/" + to.substr(1) + ".wav";
    req.on_answer = [&](CallLeg* leg) {
      Status b = op_leg ? leg->Bridge(op_leg) : Status::FailedPrecondition("no operator leg");
      if (!b.ok()) std::fprintf(stderr, "dozvon bridge: %s\n", b.message().c_str());
      timer.Start(static_cast<uint64_t>(hold->count()), [leg] { leg->Hangup(); });
    };
    Status s = (*customers)->Dial(req, [&, to](const CallResult& r) {
      timer.Cancel();
      nlohmann::json j = CallResultJson(to, r);
      j["role"] = "customer";
      std::printf("%s\n", j.dump().c_str());
      std::fflush(stdout);
      dial_next();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "dozvon bridge: %s\n", s.message().c_str());
      rc = kExitBadInput;
      dial_next();
    }
  };
  // Poll the registrar until the operator's phone is there (bounded by --wait).
  std::function<void()> wait_for_operator = [&] {
    auto binding = (*reg)->Find(a.operator_user);
    if (!binding) {
      if (std::chrono::steady_clock::now() - started > *wait) {
        std::fprintf(stderr, "dozvon bridge: operator %s did not register within %s\n",
                     a.operator_user.c_str(), a.wait.c_str());
        rc = kExitFailure;
        EventLoop::Stop();
        return;
      }
      timer.Start(100, wait_for_operator);
      return;
    }
    DialRequest op;
    op.to_uri = binding->contact;
    op.ring_timeout = std::chrono::seconds(20);
    op.on_answer = [&](CallLeg* leg) {
      op_leg = leg;
      dial_next();
    };
    Status s = (*operators)->Dial(op, [&, contact = binding->contact](const CallResult& r) {
      bool was_up = op_leg != nullptr;
      op_leg = nullptr;
      nlohmann::json j = CallResultJson(contact, r);
      j["role"] = "operator";
      std::printf("%s\n", j.dump().c_str());
      std::fflush(stdout);
      // The operator's leg ending before the customers are done is a failure.
      if (!was_up || next < a.to.size()) rc = kExitFailure;
      EventLoop::Stop();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "dozvon bridge: %s\n", s.message().c_str());
      rc = kExitFailure;
      EventLoop::Stop();
    }
  };
  std::printf("registrar listening on %s:%u\n", host.c_str(), (*reg)->port());
  std::fflush(stdout);
  timer.Start(0, wait_for_operator);
  (*loop)->Run();
  timer.Cancel();
  customers->reset();
  operators->reset();
  reg->reset();
  return rc;
}

}  // namespace

void RegisterTelephony(CLI::App& app, int* exit_code) {
  auto ra = std::make_shared<RegistrarArgs>();
  CLI::App* r =
      app.add_subcommand("registrar", "SIP registrar for operators' phones (digest auth)");
  r->add_option("--listen", ra->listen, "IP:PORT to listen on (port 0: ephemeral)");
  r->add_option("--users", ra->users, "TOML with [users] \"name\" = \"password\"")->required();
  r->add_option("--realm", ra->realm, "Digest realm (default dozvon)");
  r->callback([ra, exit_code] { *exit_code = RunRegistrar(*ra); });

  auto sim = std::make_shared<SimArgs>();
  CLI::App* s = app.add_subcommand("carrier-sim", "Loopback SIP carrier simulator (UAS)");
  s->add_option("--listen", sim->listen, "IP:PORT to listen on (port 0: ephemeral)");
  s->add_option("--profile", sim->profile, "Profile TOML: shares, ring/talk times, rules, auth");
  s->add_option("--answered-log", sim->answered_log,
                "Append NUMBER,ATTEMPT for every answered call (ATTEMPT from X-Dozvon-Attempt)");
  s->add_option("--calls-log", sim->calls_log,
                "Append one JSON line per answered call when it ends: what the callee heard");
  s->add_option("--operators", sim->operators,
                "Also act as N operators' phones: register PREFIX1..PREFIXN and auto-answer");
  s->add_option("--registrar", sim->registrar, "Registrar IP:PORT for --operators");
  s->add_option("--operator-prefix", sim->operator_prefix, "Operators' user names (default op)");
  s->add_option("--operator-password", sim->operator_password, "Operators' digest password");
  s->add_option("--operators-log", sim->operators_log,
                "Append one JSON line per operator call: seconds and speech heard");
  s->callback([sim, exit_code] { *exit_code = RunCarrierSim(*sim); });

  auto br = std::make_shared<BridgeArgs>();
  CLI::App* b = app.add_subcommand(
      "bridge", "Call an operator's registered phone once, then bridge each customer into it");
  b->add_option("--trunk", br->trunk, "Trunk IP:PORT for the customers")->required();
  b->add_option("--to", br->to, "Customers' E.164 numbers, called in turn")->required();
  b->add_option("--users", br->users, "TOML with [users] \"name\" = \"password\"")->required();
  b->add_option("--operator", br->operator_user, "The operator's user name")->required();
  b->add_option("--registrar-listen", br->listen, "IP:PORT for the registrar (port 0: ephemeral)");
  b->add_option("--realm", br->realm, "Digest realm (default dozvon)");
  b->add_option("--hold", br->hold, "How long each customer stays bridged (default 3s)");
  b->add_option("--wait", br->wait, "How long to wait for the operator to register (15s)");
  b->add_option("--record", br->record, "Folder for stereo WAVs of each customer's call");
  b->callback([br, exit_code] { *exit_code = RunBridge(*br); });

  auto dial = std::make_shared<DialArgs>();
  CLI::App* d = app.add_subcommand("dial", "Place test calls through a trunk; one JSON line each");
  d->add_option("--trunk", dial->trunk, "Trunk IP:PORT, HOST:PORT, or HOST (DNS SRV)")->required();
  d->add_option("--transport", dial->transport, "udp (default) or tcp");
  d->add_option("--dns", dial->dns, "DNS server IP:PORT for host names (default: resolv.conf)");
  d->add_flag("--register", dial->register_trunk,
              "Register to the trunk with --user/--password first (waits up to 5 s)");
  d->add_option("--to", dial->to, "E.164 numbers (through the trunk) or sip: URIs to call")
      ->required();
  d->add_option("--ring-timeout", dial->ring_timeout, "Ring time before CANCEL (default 30s)");
  d->add_option("--hold", dial->hold,
                "Hang up this long after answer, or after the prompt (default 1s)");
  d->add_option("--user", dial->user, "Digest auth user name");
  d->add_option("--password", dial->password, "Digest auth password");
  d->add_option("--prompt", dial->prompt, "Sound file to play on answer (any WAV rate)");
  d->add_option("--record", dial->record, "Folder for stereo WAV recordings (NUMBER.wav)");
  d->add_option("--say", dial->say, "Text to speak on answer (espeak-ng)");
  d->add_option("--count", dial->count, "Load test: N calls to consecutive numbers from --to");
  d->add_option("--cps", dial->cps, "Trunk limit: INVITEs per second, evenly spaced");
  d->add_option("--max-calls", dial->max_calls, "Trunk limit: concurrent calls");
  d->add_flag("--summary", dial->summary, "Print one summary line instead of a line per call");
  d->add_option("--realtime-priority", dial->realtime_priority,
                "SCHED_RR priority 1-99 for the media threads (default 0: normal)");
  d->add_option("--voice", dial->voice, "espeak-ng voice for --say (default ru)");
  d->add_option("--tts-cache", dial->tts_cache, "Folder for synthesised prompts");
  d->callback([dial, exit_code] { *exit_code = RunDial(*dial); });
}

}  // namespace dozvon
