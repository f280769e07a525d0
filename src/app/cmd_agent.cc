// `dozvon agent login|ready|pause|logout|status|hangup|disposition|preview|dial|skip`: an
// operator's actions, sent to the running engine's control socket (the engine owns operator
// state). `dozvon agent events` reads the stored state changes (time sheets) from the database.
#include <cstdio>

#include "app/commands.h"
#include "app/control.h"
#include "app/server_config.h"
#include "core/time/tz.h"
#include "import/csv_reader.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

struct AgentArgs {
  std::string config;
  std::string name;
  bool ready = false;
  std::string reason;
  std::string code;
  std::string at;
};

int RunAgent(const std::string& verb, const AgentArgs& a) {
  auto cfg = ServerConfig::Load(a.config);
  if (!cfg.ok()) {
    std::fprintf(stderr, "dozvon agent %s: %s\n", verb.c_str(), cfg.status().message().c_str());
    return kExitBadInput;
  }
  std::string line = "agent " + verb;
  if (!a.name.empty()) line += " " + a.name;
  if (verb == "login" && a.ready) line += " ready";
  if (verb == "pause" && !a.reason.empty()) line += " " + a.reason;
  if (verb == "disposition") line += " " + a.code + (a.at.empty() ? "" : " " + a.at);
  if (line.find('\n') != std::string::npos) {
    std::fprintf(stderr, "dozvon agent %s: arguments must not hold line breaks\n", verb.c_str());
    return kExitBadInput;
  }
  auto reply = ControlRequest(cfg->control, line);
  if (!reply.ok()) {
    std::fprintf(stderr, "dozvon agent %s: %s (is dozvon serve running?)\n", verb.c_str(),
                 reply.status().message().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", reply->c_str());
  return reply->rfind("ok", 0) == 0 ? kExitOk : kExitBadInput;
}

struct EventsArgs {
  std::string db;
  std::string name;
};

int RunEvents(const EventsArgs& a) {
  auto store = SqliteStore::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon agent events: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto events = (*store)->AgentEvents(a.name);
  if (!events.ok()) {
    std::fprintf(stderr, "dozvon agent events: %s\n", events.status().message().c_str());
    return kExitFailure;
  }
  std::printf("at,operator,from,to,reason,campaign_id,attempt_id\n");
  for (const AgentEvent& e : *events) {
    std::string row, at = FormatUtc(e.at);
    for (std::string_view f : {std::string_view(at), std::string_view(e.agent), ToString(e.from),
                               ToString(e.to), std::string_view(e.reason)}) {
      AppendCsvField(&row, f);
      row += ',';
    }
    row += std::to_string(e.campaign_id) + "," + std::to_string(e.attempt_id);
    std::printf("%s\n", row.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterAgent(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("agent", "Operators: log in, ready, pause, wrap up");
  cmd->require_subcommand(1);
  struct Verb {
    const char* name;
    const char* help;
  };
  for (Verb v : {Verb{"login", "Log in: the engine calls the operator's registered phone"},
                 Verb{"ready", "Ready for customers"},
                 Verb{"pause", "Pause (after the current call, if on one)"},
                 Verb{"logout", "Log out (after the current call, if on one)"},
                 Verb{"status", "Operators' states and the current customer's card (JSON)"},
                 Verb{"hangup", "End the operator's current customer call"},
                 Verb{"disposition", "End wrap-up with a disposition code"},
                 Verb{"preview", "Preview campaigns: reserve the next contact and show its card"},
                 Verb{"dial", "Preview: dial the previewed contact"},
                 Verb{"skip", "Preview: skip the previewed contact (back in 10 minutes)"}}) {
    auto args = std::make_shared<AgentArgs>();
    std::string verb = v.name;
    CLI::App* c = cmd->add_subcommand(verb, v.help);
    c->add_option("--config", args->config, "Server config (dozvon.toml)")->required();
    auto* name = c->add_option("name", args->name, "Operator name");
    if (verb != "status") name->required();
    if (verb == "login") c->add_flag("--ready", args->ready, "Ready as soon as the line is up");
    if (verb == "pause") c->add_option("--reason", args->reason, "Why (lunch, training, ...)");
    if (verb == "disposition") {
      c->add_option("code", args->code, "Disposition code from the campaign")->required();
      c->add_option("--at", args->at,
                    "Callback time in the contact's zone: HH:MM or YYYY-MM-DD HH:MM");
    }
    c->callback([args, verb, exit_code] { *exit_code = RunAgent(verb, *args); });
  }
  auto ev = std::make_shared<EventsArgs>();
  CLI::App* e = cmd->add_subcommand("events", "Operators' state changes as CSV (time sheets)");
  e->add_option("--db", ev->db, "SQLite database file")->required();
  e->add_option("name", ev->name, "One operator (default: everyone)");
  e->callback([ev, exit_code] { *exit_code = RunEvents(*ev); });
}

}  // namespace dozvon
