// `dozvon carrier-sim` and `dozvon dial`: the loopback carrier simulator, and a diagnostic
// that places calls through a trunk and prints each result as a JSON line.
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

#include "app/campaign_files.h"
#include "app/commands.h"
#include "core/campaign/durations.h"
#include "core/campaign/toml_text.h"
#include "sim/carrier_sim.h"
#include "telephony/event_loop.h"
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
  std::printf("carrier-sim listening on %s:%u\n", host.c_str(), (*sim)->port());
  std::fflush(stdout);
  (*loop)->Run();
  if (log) std::fclose(log);
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
                      {"audio_seconds", s.audio_seconds},
                      {"voice_seconds", s.voice_seconds}};
  sim->reset();
  std::printf("%s\n", j.dump().c_str());
  return kExitOk;
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
};

int RunDial(const DialArgs& a) {
  TrunkConfig trunk;
  if (!SplitHostPort(a.trunk, &trunk.host, &trunk.port)) {
    std::fprintf(stderr, "dozvon dial: --trunk \"%s\": expected IP:PORT\n", a.trunk.c_str());
    return kExitBadInput;
  }
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
  double prompt_seconds = 0;
  std::map<std::string, int64_t> outcomes;
  auto started = std::chrono::steady_clock::now();
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
      if (a.summary) {
        if (--pending == 0) EventLoop::Stop();
        return;
      }
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
      std::printf("%s\n", j.dump().c_str());
      std::fflush(stdout);
      if (--pending == 0) EventLoop::Stop();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "dozvon dial: %s\n", s.message().c_str());
      rc = kExitBadInput;
      if (--pending == 0) return rc;
    }
  }
  (*loop)->Run();
  if (a.summary) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    TrunkCounters tc = (*uac)->counters();
    nlohmann::json j = {{"calls", targets.size()},
                        {"answered", answered},
                        {"failed", failed},
                        {"outcomes", outcomes},
                        {"invites", tc.invites},
                        {"elapsed_s", secs},
                        {"late_frames", tc.late_frames},
                        {"prompt_seconds", prompt_seconds}};
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
  auto creds = *users;
  auto reg = Registrar::Create(
      host, port, a.realm,
      [creds](const std::string& user) -> std::optional<std::string> {
        auto it = creds.find(user);
        if (it == creds.end()) return std::nullopt;
        return it->second;
      },
      [](const Registration& r, bool registered) {
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
  s->callback([sim, exit_code] { *exit_code = RunCarrierSim(*sim); });

  auto dial = std::make_shared<DialArgs>();
  CLI::App* d = app.add_subcommand("dial", "Place test calls through a trunk; one JSON line each");
  d->add_option("--trunk", dial->trunk, "Trunk IP:PORT")->required();
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
  d->add_option("--voice", dial->voice, "espeak-ng voice for --say (default ru)");
  d->add_option("--tts-cache", dial->tts_cache, "Folder for synthesised prompts");
  d->callback([dial, exit_code] { *exit_code = RunDial(*dial); });
}

}  // namespace dozvon
