// `dozvon serve` (the engine), `dozvon campaign start|pause|resume|stop|status` (through the
// engine's control socket) and `dozvon report` (a campaign's summary and attempts).
#include <nlohmann/json.hpp>

#include <cstdio>

#include "app/commands.h"
#include "app/control.h"
#include "app/engine.h"
#include "app/system_clock.h"
#include "core/campaign/durations.h"
#include "core/time/tz.h"
#include "import/csv_reader.h"
#include "store/sqlite/sqlite_store.h"
#include "telephony/event_loop.h"
#include "telephony/realtime.h"

namespace dozvon {
namespace {

struct ServeArgs {
  std::string config;
  std::string max_run;
  std::string progress = "5s";
  bool exit_when_done = false;
};

int RunServe(const ServeArgs& a) {
  auto cfg = ServerConfig::Load(a.config);
  if (!cfg.ok()) {
    std::fprintf(stderr, "dozvon serve: %s\n", cfg.status().message().c_str());
    return kExitBadInput;
  }
  EngineOptions opts;
  opts.exit_when_done = a.exit_when_done;
  if (!a.max_run.empty()) {
    auto d = ParseDuration(a.max_run);
    if (!d.ok()) {
      std::fprintf(stderr, "dozvon serve: --max-run: %s\n", d.status().message().c_str());
      return kExitBadInput;
    }
    opts.max_run = *d;
  }
  auto p = ParseDuration(a.progress);
  if (!p.ok()) {
    std::fprintf(stderr, "dozvon serve: --progress: %s\n", p.status().message().c_str());
    return kExitBadInput;
  }
  opts.progress_every = *p;
  // Before the loop and the RTP submitter start: each takes it up as it starts.
  if (Status rt = SetMediaPriority(cfg->realtime_priority); !rt.ok()) {
    std::fprintf(stderr, "dozvon serve: engine.realtime_priority: %s\n", rt.message().c_str());
    return kExitBadInput;
  }
  auto loop = EventLoop::Init();
  if (!loop.ok()) {
    std::fprintf(stderr, "dozvon serve: %s\n", loop.status().message().c_str());
    return kExitFailure;
  }
  static SystemClock clock;
  auto engine = Engine::Create(std::move(cfg).value(), &clock, opts);
  if (!engine.ok()) {
    std::fprintf(stderr, "dozvon serve: %s\n", engine.status().message().c_str());
    return engine.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
  }
  Status s = (*engine)->Run();
  engine->reset();
  if (!s.ok()) {
    std::fprintf(stderr, "dozvon serve: %s\n", s.message().c_str());
    return kExitFailure;
  }
  std::printf("dozvon serve: stopped\n");
  return kExitOk;
}

struct ControlArgs {
  std::string config;
  std::string name;
};

int RunControl(const std::string& verb, const ControlArgs& a) {
  auto cfg = ServerConfig::Load(a.config);
  if (!cfg.ok()) {
    std::fprintf(stderr, "dozvon campaign %s: %s\n", verb.c_str(), cfg.status().message().c_str());
    return kExitBadInput;
  }
  auto reply = ControlRequest(cfg->control, verb + (a.name.empty() ? "" : " " + a.name));
  if (reply.ok()) {
    std::printf("%s\n", reply->c_str());
    return reply->rfind("ok", 0) == 0 ? kExitOk : kExitBadInput;
  }
  if (verb == "status") {
    std::fprintf(stderr, "dozvon campaign status: %s\n", reply.status().message().c_str());
    return kExitFailure;
  }
  // No engine running: record the wish; `dozvon serve` acts on it when it starts.
  auto store = SqliteStore::Open(cfg->db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon campaign %s: %s\n", verb.c_str(),
                 store.status().message().c_str());
    return kExitFailure;
  }
  auto rec = (*store)->FindCampaign(a.name);
  if (!rec.ok() || !*rec) {
    std::fprintf(stderr, "dozvon campaign %s: no campaign \"%s\" in %s\n", verb.c_str(),
                 a.name.c_str(), cfg->db.c_str());
    return kExitBadInput;
  }
  std::string to = verb == "pause" ? "paused" : verb == "stop" ? "stopped" : "running";
  SystemClock clock;
  Status s = (*store)->SetCampaignState((*rec)->id, to, clock.Now());
  if (!s.ok()) {
    std::fprintf(stderr, "dozvon campaign %s: %s\n", verb.c_str(), s.message().c_str());
    return kExitFailure;
  }
  std::printf("ok %s %s (no engine running: saved; dozvon serve acts on it when it starts)\n",
              a.name.c_str(), to.c_str());
  return kExitOk;
}

struct ReportArgs {
  std::string db;
  std::string name;
  bool attempts = false;
};

std::string Pct(int64_t n, int64_t of) {
  if (of <= 0) return "-";
  char b[16];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * static_cast<double>(n) / static_cast<double>(of));
  return b;
}

int RunReport(const ReportArgs& a) {
  auto store = SqliteStore::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon report: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto rec = (*store)->FindCampaign(a.name);
  if (!rec.ok() || !*rec) {
    std::fprintf(stderr, "dozvon report: no campaign \"%s\"\n", a.name.c_str());
    return kExitBadInput;
  }
  const int64_t id = (*rec)->id;
  if (a.attempts) {
    auto rows = (*store)->AttemptsOfCampaign(id);
    if (!rows.ok()) {
      std::fprintf(stderr, "dozvon report: %s\n", rows.status().message().c_str());
      return kExitFailure;
    }
    std::printf(
        "attempt,contact,phone,attempt_no,created_at,dialed_at,answered_at,ended_at,"
        "outcome,sip_status,q850_cause,success,heard_to_end,heard_s,dtmf,vars,recording,"
        "hangup_by,reason,agent,connect_ms,disposition,callback_at\n");
    auto t = [](const std::optional<Instant>& i) { return i ? FormatUtc(*i) : std::string(); };
    for (const Attempt& r : *rows) {
      const CallDetails& d = r.details;
      nlohmann::json vars = d.vars;
      auto yes_no = [](const std::optional<bool>& b) { return b ? (*b ? "yes" : "no") : ""; };
      const std::string fields[] = {
          std::to_string(r.id),
          std::to_string(r.contact_id),
          r.phone_e164,
          std::to_string(r.attempt_no),
          FormatUtc(r.created_at),
          t(r.dialed_at),
          t(r.answered_at),
          t(r.ended_at),
          r.outcome ? std::string(ToString(*r.outcome)) : "open",
          r.sip_status ? std::to_string(*r.sip_status) : "",
          r.q850_cause ? std::to_string(*r.q850_cause) : "",
          yes_no(d.success),
          yes_no(d.heard_to_end),
          d.heard_ms ? std::to_string(*d.heard_ms / 1000.0).substr(0, 5) : "",
          d.dtmf,
          vars.dump(),
          d.recording,
          d.hangup_by,
          r.reason,
          d.agent,
          d.connect_ms ? std::to_string(*d.connect_ms) : "",
          d.disposition,
          t(d.callback_at)};
      std::string line;
      for (size_t i = 0; i < std::size(fields); ++i) {
        if (i) line += ',';
        AppendCsvField(&line, fields[i]);  // RFC 4180: reasons and variables carry , and "
      }
      std::printf("%s\n", line.c_str());
    }
    return kExitOk;
  }
  auto tot = (*store)->Totals(id);
  if (!tot.ok()) {
    std::fprintf(stderr, "dozvon report: %s\n", tot.status().message().c_str());
    return kExitFailure;
  }
  const CampaignTotals& t = *tot;
  auto get = [](const auto& m, auto k) {
    auto it = m.find(k);
    return it == m.end() ? int64_t{0} : it->second;
  };
  int64_t contacts = 0;
  for (const auto& [s, n] : t.contacts_by_state) contacts += n;
  int64_t answered = get(t.attempts_by_outcome, Outcome::kAnswered);
  std::printf("Campaign \"%s\" (%s)\n", a.name.c_str(), (*rec)->state.c_str());
  std::printf("  %-34s %8s %8s\n", "", "count", "share");
  auto row = [](const std::string& label, int64_t n, const std::string& share) {
    std::printf("  %-34s %8lld %8s\n", label.c_str(), static_cast<long long>(n), share.c_str());
  };
  row("contacts", contacts, "");
  for (ContactState s : {ContactState::kDone, ContactState::kStruck, ContactState::kScheduled,
                         ContactState::kNew, ContactState::kInProgress}) {
    row("  " + std::string(ToString(s)), get(t.contacts_by_state, s),
        Pct(get(t.contacts_by_state, s), contacts));
  }
  row("attempts", t.attempts, "");
  row("  answered", answered, Pct(answered, t.attempts));
  row("    heard to the end", t.heard_to_end, Pct(t.heard_to_end, answered));
  row("    success", t.successes, Pct(t.successes, answered));
  for (const auto& [kv, n] : t.var_counts) row("    " + kv, n, Pct(n, answered));
  for (const auto& [o, n] : t.attempts_by_outcome) {
    if (o != Outcome::kAnswered) row("  " + std::string(ToString(o)), n, Pct(n, t.attempts));
  }
  if (t.open_attempts) row("  open", t.open_attempts, Pct(t.open_attempts, t.attempts));
  for (const auto& [code, n] : t.failures_by_sip) {
    row("  SIP " + std::to_string(code) + " (not answered)", n, Pct(n, t.attempts));
  }
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto sa = std::make_shared<ServeArgs>();
  CLI::App* s = app.add_subcommand("serve", "Run the engine: dial running campaigns over SIP");
  s->add_option("--config", sa->config, "Server config (dozvon.toml)")->required();
  s->add_option("--max-run", sa->max_run, "Stop gracefully after this long (e.g. 60s)");
  s->add_option("--progress", sa->progress, "Progress line interval (default 5s; 0s: none)");
  s->add_flag("--exit-when-done", sa->exit_when_done,
              "Stop once every campaign started by this server has finished");
  s->callback([sa, exit_code] { *exit_code = RunServe(*sa); });

  auto ra = std::make_shared<ReportArgs>();
  CLI::App* r = app.add_subcommand("report", "A campaign's summary table, or its attempts as CSV");
  r->add_option("--db", ra->db, "SQLite database file")->required();
  r->add_option("campaign", ra->name, "Campaign name")->required();
  r->add_flag("--attempts", ra->attempts, "Every attempt with its result, as CSV");
  r->callback([ra, exit_code] { *exit_code = RunReport(*ra); });
}

void RegisterCampaignControl(CLI::App& campaign, int* exit_code) {
  for (const char* verb : {"start", "pause", "resume", "stop", "status"}) {
    auto ca = std::make_shared<ControlArgs>();
    std::string v = verb;
    CLI::App* c =
        campaign.add_subcommand(v, v == "status" ? "Campaign states in the running engine"
                                                 : v + " a campaign in the running engine");
    c->add_option("--config", ca->config, "Server config (dozvon.toml)")->required();
    if (v != "status") c->add_option("name", ca->name, "Campaign name")->required();
    c->callback([ca, v, exit_code] { *exit_code = RunControl(v, *ca); });
  }
}

}  // namespace dozvon
