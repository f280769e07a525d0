// `dozvon campaign add`: validate a campaign file and store it (config and list membership).
#include <cstdio>
#include <filesystem>

#include "app/campaign_files.h"
#include "app/commands.h"
#include "app/system_clock.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

struct CampaignAddArgs {
  std::string db;
  std::string file;
};

int RunCampaignAdd(const CampaignAddArgs& a) {
  auto text = ReadTextFile(a.file);
  if (!text.ok()) {
    std::fprintf(stderr, "dozvon campaign add: %s\n", text.status().message().c_str());
    return kExitBadInput;
  }
  auto config = CampaignConfig::Parse(*text, a.file);
  if (!config.ok()) {
    std::fprintf(stderr, "dozvon campaign add: %s\n", config.status().message().c_str());
    return kExitBadInput;
  }
  auto dnc = LoadDnc(*config, "");
  if (!dnc.ok()) {
    std::fprintf(stderr, "dozvon campaign add: %s\n", dnc.status().message().c_str());
    return kExitBadInput;
  }
  auto store = SqliteStore::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon campaign add: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  CampaignRecord rec{0, config->name, *text, "draft", config->lists};
  SystemClock clock;
  auto id = (*store)->UpsertCampaign(rec, clock.Now());
  if (!id.ok()) {
    std::fprintf(stderr, "dozvon campaign add: %s\n", id.status().message().c_str());
    return id.status().code() == StatusCode::kNotFound ? kExitBadInput : kExitFailure;
  }
  std::printf("campaign \"%s\" stored (id %lld, mode %s, lists %zu, dnc entries %zu)\n",
              config->name.c_str(), static_cast<long long>(*id),
              std::string(ToString(config->mode)).c_str(), config->lists.size(), dnc->size());
  return kExitOk;
}

}  // namespace

void RegisterCampaign(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("campaign", "Manage campaigns");
  cmd->require_subcommand(1);
  auto args = std::make_shared<CampaignAddArgs>();
  CLI::App* add = cmd->add_subcommand("add", "Validate a campaign file and store it");
  add->add_option("--db", args->db, "SQLite database file")->required();
  add->add_option("file", args->file, "Campaign TOML file")->required();
  add->callback([args, exit_code] { *exit_code = RunCampaignAdd(*args); });
  RegisterCampaignControl(*cmd, exit_code);
}

}  // namespace dozvon
