// `dozvon simulate`: run the real core on a virtual clock, with no telephony.
// Replay mode (--outcomes): scripted outcomes per phone and attempt; writes every attempt with
// its local time, outcome, next time and reason.
// Forecast mode (--agents): N synthetic contacts, stochastic outcomes from --profile, the
// campaign's pacer and operators with breaks; prints the plan's key figures.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "app/campaign_files.h"
#include "app/commands.h"
#include "app/system_clock.h"
#include "core/forecast/forecast.h"
#include "core/replay/replay.h"
#include "core/time/tz.h"
#include "import/csv_reader.h"
#include "import/importer.h"
#include "import/phone.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

struct SimulateArgs {
  std::string campaign;
  std::string contacts;
  std::string outcomes;
  std::string out = "attempts.csv";
  std::string country = "RU";
  int lines = 10;
  int agents = 0;
  std::string profile;
  uint64_t seed = 1;
  std::string pacer;
};

Result<double> ParseSeconds(const std::string& s, const std::string& where) {
  if (s.empty()) return 0.0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || v < 0 || v > 86400) {
    return Status::InvalidArgument(where + ": \"" + s + "\": expected seconds (0-86400)");
  }
  return v;
}

// phone,attempt,outcome,ring_s,talk_s
Result<OutcomeScript> LoadOutcomes(const std::string& path, const std::string& region) {
  DZ_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  CsvRecord rec;
  DZ_ASSIGN_OR_RETURN(bool has_header, reader->Next(&rec));
  if (!has_header) return Status::InvalidArgument(path + ": empty file");
  std::map<std::string, int> col;
  for (size_t i = 0; i < rec.fields.size(); ++i) col[rec.fields[i]] = static_cast<int>(i);
  for (const char* need : {"phone", "attempt", "outcome"}) {
    if (!col.count(need)) {
      return Status::InvalidArgument(path + ":1: missing column \"" + std::string(need) + "\"");
    }
  }
  auto get = [&](const CsvRecord& r, const char* name) -> std::string {
    auto it = col.find(name);
    if (it == col.end() || it->second >= static_cast<int>(r.fields.size())) return "";
    return r.fields[it->second];
  };
  PhoneNormalizer phones;
  OutcomeScript script;
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
    if (!more) break;
    std::string where = path + ":" + std::to_string(rec.line);
    auto phone = phones.Normalize(get(rec, "phone"), region);
    if (!phone.ok()) return Status::InvalidArgument(where + ": " + phone.status().message());
    int attempt = std::atoi(get(rec, "attempt").c_str());
    if (attempt < 1) {
      return Status::InvalidArgument(where + ": attempt \"" + get(rec, "attempt") +
                                     "\": expected 1 or more");
    }
    auto outcome = OutcomeFromString(get(rec, "outcome"));
    if (!outcome) {
      return Status::InvalidArgument(where + ": outcome \"" + get(rec, "outcome") +
                                     "\": unknown (answered, busy, no_answer, ...)");
    }
    DZ_ASSIGN_OR_RETURN(double ring, ParseSeconds(get(rec, "ring_s"), where + ": ring_s"));
    DZ_ASSIGN_OR_RETURN(double talk, ParseSeconds(get(rec, "talk_s"), where + ": talk_s"));
    script[{phone->e164, attempt}] = {*outcome, Duration(static_cast<int64_t>(ring * 1000)),
                                      Duration(static_cast<int64_t>(talk * 1000))};
  }
  return script;
}

int Fail(const Status& s, int code) {
  std::fprintf(stderr, "dozvon simulate: %s\n", s.message().c_str());
  return code;
}

int RunReplay(const SimulateArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  auto config = LoadCampaignFile(a.campaign);
  if (!config.ok()) return Fail(config.status(), kExitBadInput);
  auto dnc = LoadDnc(*config, "");
  if (!dnc.ok()) return Fail(dnc.status(), kExitBadInput);
  auto script = LoadOutcomes(a.outcomes, a.country);
  if (!script.ok()) return Fail(script.status(), kExitBadInput);

  // Contacts go through the real importer into an in-memory database.
  auto store = SqliteStore::Open(":memory:");
  if (!store.ok()) return Fail(store.status(), kExitFailure);
  ImportOptions io;
  io.list = "replay";
  io.default_region = a.country;
  io.rejects_path = a.contacts + ".rejects.csv";
  auto imported = ImportCsv(**store, a.contacts, io, SystemClock().Now());
  if (!imported.ok()) return Fail(imported.status(), kExitBadInput);
  std::vector<Contact> contacts;
  contacts.reserve(imported->imported);
  Status s = (*store)->ForEachContact(imported->list_id, [&](const Contact& c) {
    contacts.push_back(c);
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s, kExitFailure);

  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(Status::IoError(a.out + ": cannot write"), kExitFailure);
  out << "attempt_id,contact_id,phone,attempt_no,started_utc,local_time,zone,outcome,"
         "next_attempt_utc,contact_state,reason\n";
  std::string line;
  ReplayOptions opt;
  opt.lines = a.lines;
  Replay replay(*config, &*dnc, opt);
  auto summary = replay.Run(contacts, *script, [&](const ReplayAttempt& r) {
    line.clear();
    line += std::to_string(r.attempt_id) + "," + std::to_string(r.contact_id) + "," + r.phone +
            "," + std::to_string(r.attempt_no) + "," + FormatUtc(r.started) + "," +
            FormatLocal(r.started, r.zone) + ",";
    AppendCsvField(&line, r.zones);
    line += ",";
    line += ToString(r.outcome);
    line += ",";
    line += r.next_attempt ? FormatUtc(*r.next_attempt) : "";
    line += ",";
    line += ToString(r.contact_state);
    line += ",";
    AppendCsvField(&line, r.reason);
    line += '\n';
    out << line;
  });
  if (!summary.ok()) return Fail(summary.status(), kExitBadInput);
  out.close();
  if (!out) return Fail(Status::IoError(a.out + ": write failed"), kExitFailure);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("contacts %lld (rejected %lld), attempts %lld, virtual time %s .. %s%s\n",
              static_cast<long long>(contacts.size()),
              static_cast<long long>(imported->rejected + imported->duplicates),
              static_cast<long long>(summary->attempts), FormatUtc(summary->started).c_str(),
              FormatUtc(summary->finished).c_str(),
              summary->stopped_early ? " (stopped: campaign end reached)" : "");
  std::printf("outcomes:");
  for (const auto& [o, n] : summary->by_outcome) {
    std::printf(" %s %lld", std::string(ToString(o)).c_str(), static_cast<long long>(n));
  }
  std::printf("\ncontacts:");
  for (const auto& [st, n] : summary->contacts_by_state) {
    std::printf(" %s %lld", std::string(ToString(st)).c_str(), static_cast<long long>(n));
  }
  std::printf("\nwrote %s in %.2f s\n", a.out.c_str(), secs);
  return kExitOk;
}

int RunForecastCmd(const SimulateArgs& a) {
  auto config = LoadCampaignFile(a.campaign);
  if (!config.ok()) return Fail(config.status(), kExitBadInput);
  ForecastOptions o;
  char* end = nullptr;
  o.contacts = std::strtoll(a.contacts.c_str(), &end, 10);
  if (a.contacts.empty() || *end != '\0' || o.contacts < 1 || o.contacts > 10'000'000) {
    return Fail(Status::InvalidArgument("--contacts \"" + a.contacts +
                                        "\": expected a number of contacts (1..10000000) "
                                        "without --outcomes"),
                kExitBadInput);
  }
  o.agents = a.agents;
  o.seed = a.seed;
  o.pacer = a.pacer;
  auto profile = ForecastProfile::Parse(a.profile);
  if (!profile.ok()) return Fail(profile.status(), kExitBadInput);
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunForecast(*config, o, *profile);
  if (!r.ok()) return Fail(r.status(), kExitBadInput);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bool broadcast = config->mode == DialMode::kBroadcast;
  std::printf("forecast for \"%s\" (%s): %lld contacts, %d %s, seed %llu\n", config->name.c_str(),
              std::string(ToString(config->mode)).c_str(), static_cast<long long>(o.contacts),
              o.agents, broadcast ? "lines" : "operators", static_cast<unsigned long long>(o.seed));
  std::printf("  contacts' time zone         %s\n", r->zone.c_str());
  std::printf("  days to finish the list     %.1f%s\n", r->days(),
              r->finished_list ? "" : " (not finished: stop_at or 90 days reached)");
  std::printf("  contacts reached            %lld (%.1f%%)\n",
              static_cast<long long>(r->contacts_reached),
              100.0 * r->contacts_reached / o.contacts);
  std::printf("  dials                       %lld\n", static_cast<long long>(r->dials));
  std::printf("  %s occupancy     %.1f%%\n", broadcast ? "line     " : "operator ",
              100 * r->occupancy());
  if (!broadcast) {
    std::printf("  abandon rate                %.2f%% (%lld of %lld live answers)\n",
                100 * r->abandon_rate(), static_cast<long long>(r->abandoned),
                static_cast<long long>(r->live_answers));
    std::printf("  calls per operator-hour     %.1f\n", r->calls_per_operator_hour());
  }
  std::printf("  outcomes:");
  for (const auto& [out, n] : r->by_outcome) {
    std::printf(" %s %lld", std::string(ToString(out)).c_str(), static_cast<long long>(n));
  }
  std::printf("\n  contacts:");
  for (const auto& [st, n] : r->contacts_by_state) {
    std::printf(" %s %lld", std::string(ToString(st)).c_str(), static_cast<long long>(n));
  }
  std::printf("\n");
  // The plan by day: when the list is worked through, and how little is left for the tail.
  const std::string label = "by day (" + r->zone + ")";
  const int w = static_cast<int>(std::max<size_t>(label.size(), 14));
  std::printf("  %-*s    dials  answers  %s  abandon  occupancy  %s  contacts left\n", w,
              label.c_str(), broadcast ? "  heard" : "reached", broadcast ? "line-h" : "oper-h");
  for (const ForecastDay& d : r->by_day) {
    char occ[16] = "-", ab[16] = "-";
    if (d.logged_seconds > 0) std::snprintf(occ, sizeof occ, "%.1f%%", 100 * d.occupancy());
    if (!broadcast && d.live_answers > 0)
      std::snprintf(ab, sizeof ab, "%.2f%%", 100 * d.abandon_rate());
    const std::string day = d.date + " " + d.weekday;
    std::printf("  %-*s %8lld %8lld %8lld %8s %10s %7.1f %14lld\n", w, day.c_str(),
                static_cast<long long>(d.dials), static_cast<long long>(d.live_answers),
                static_cast<long long>(d.connected), ab, occ, d.logged_seconds / 3600.0,
                static_cast<long long>(d.contacts_left));
  }
  std::printf("  (simulated in %.1f s)\n", secs);
  return kExitOk;
}

}  // namespace

void RegisterSimulate(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd =
      app.add_subcommand("simulate", "Run a campaign's rules on a virtual clock (no telephony)");
  cmd->add_option("--campaign", args->campaign, "Campaign TOML file")->required();
  cmd->add_option("--contacts", args->contacts,
                  "Contacts CSV (replay), or a number of contacts (forecast)")
      ->required();
  cmd->add_option("--outcomes", args->outcomes,
                  "Replay: scripted outcomes CSV phone,attempt,outcome,ring_s,talk_s");
  cmd->add_option("--agents", args->agents, "Forecast: operators (lines for broadcast)");
  cmd->add_option("--profile", args->profile,
                  "Forecast: answer_rate=0.3,machine_rate=0.05,busy_rate=0.08,invalid_rate=0.03,"
                  "talk_mean=90,wrap_mean=15,ring_mean=10,break_every=7200,break_length=900");
  cmd->add_option("--seed", args->seed, "Forecast: random seed (default 1)");
  cmd->add_option("--pacer", args->pacer, "Forecast: pacer (default by the campaign's mode)");
  cmd->add_option("--lines", args->lines, "Calls in progress at once (default 10)");
  cmd->add_option("--out", args->out, "Attempts CSV to write (default attempts.csv)");
  cmd->add_option("--country", args->country, "Default region for numbers (default RU)");
  cmd->callback([args, exit_code] {
    if (!args->outcomes.empty()) {
      *exit_code = RunReplay(*args);
    } else if (args->agents > 0) {
      *exit_code = RunForecastCmd(*args);
    } else {
      std::fprintf(stderr,
                   "dozvon simulate: give --outcomes FILE (replay) or --agents N "
                   "(forecast)\n");
      *exit_code = kExitBadInput;
    }
  });
}

}  // namespace dozvon
