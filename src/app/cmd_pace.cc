// `dozvon pace`: the pacer protocol over stdin/stdout, one JSON object per line each way,
// flushing after each line. The same Pacer code the engine runs.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "app/pace_json.h"
#include "core/pacing/pacer.h"

namespace dozvon {
namespace {

struct PaceArgs {
  std::string pacer = "predictive";
  double target = 0.03;
  std::string window = "30d";
  double max_lines_per_agent = 3.0;
  double power_ratio = 1.5;
  int min_obs = 30;
  double worst_hour_guard = 0.05;
  std::string log;
};

int RunPace(const PaceArgs& a) {
  PacerOptions o;
  o.target_abandon = a.target;
  o.max_lines_per_agent = a.max_lines_per_agent;
  o.power_ratio = a.power_ratio;
  o.min_observations = a.min_obs;
  o.worst_hour_guard = a.worst_hour_guard;
  if (a.window == "24h") {
    o.window = AbandonWindow::kRolling24h;
  } else if (a.window == "30d") {
    o.window = AbandonWindow::kRolling30d;
  } else if (a.window == "campaign") {
    o.window = AbandonWindow::kSinceStart;
  } else {
    std::fprintf(stderr, "dozvon pace: --window \"%s\": expected 24h, 30d or campaign\n",
                 a.window.c_str());
    return kExitBadInput;
  }
  auto pacer = MakePacer(a.pacer, o);
  if (!pacer.ok()) {
    std::fprintf(stderr, "dozvon pace: %s\n", pacer.status().message().c_str());
    return kExitBadInput;
  }
  std::ofstream log;
  if (!a.log.empty()) {
    log.open(a.log, std::ios::app);
    if (!log) {
      std::fprintf(stderr, "dozvon pace: %s: cannot open log\n", a.log.c_str());
      return kExitFailure;
    }
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  int64_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    nlohmann::json out;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    PacerSnapshot snap;
    PacerMemo memo;
    Status s = j.is_discarded() ? Status::InvalidArgument("not valid JSON")
                                : ParseSnapshot(j, &snap, &memo);
    if (!s.ok()) {
      out = {{"error", "line " + std::to_string(line_no) + ": " + s.message()}};
    } else {
      PacerDecision d = (*pacer)->Decide(snap, memo);
      out = {{"dial", d.dial}, {"memo", MemoToJson(memo)}};
      if (log) log << AuditRecord(snap, memo, d).dump() << '\n';
    }
    std::cout << out.dump() << '\n';
    std::cout.flush();
  }
  if (log) log.flush();
  return kExitOk;
}

}  // namespace

void RegisterPace(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<PaceArgs>();
  CLI::App* cmd =
      app.add_subcommand("pace", "Pacer protocol on stdin/stdout (JSON lines; see docs/pacing.md)");
  cmd->add_option("--pacer", args->pacer, "preview | progressive | power | predictive");
  cmd->add_option("--target", args->target, "Abandon-rate cap (default 0.03)");
  cmd->add_option("--window", args->window, "Abandon window: 24h | 30d | campaign");
  cmd->add_option("--max-lines-per-agent", args->max_lines_per_agent, "Default 3");
  cmd->add_option("--power-ratio", args->power_ratio, "Lines per idle operator for power");
  cmd->add_option("--min-obs", args->min_obs, "Answers and talks seen before predicting");
  cmd->add_option("--worst-hour-guard", args->worst_hour_guard,
                  "Hold back as a clock hour's abandon rate nears this (default 0.05)");
  cmd->add_option("--log", args->log, "Append an audit line per decision to this file");
  cmd->callback([args, exit_code] { *exit_code = RunPace(*args); });
}

}  // namespace dozvon
