// CLI subcommands. Each Register* adds one subcommand to the app; the handler returns the
// process exit status. main() is the only caller.
#pragma once

#include <CLI/CLI.hpp>

namespace dozvon {

// Exit statuses shared by the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the command failed (store, I/O)
inline constexpr int kExitBadInput = 2;  // unusable input; nothing was changed

void RegisterImport(CLI::App& app, int* exit_code);
void RegisterContacts(CLI::App& app, int* exit_code);
void RegisterCampaign(CLI::App& app, int* exit_code);
void RegisterExplain(CLI::App& app, int* exit_code);
void RegisterSimulate(CLI::App& app, int* exit_code);
void RegisterPace(CLI::App& app, int* exit_code);
void RegisterTelephony(CLI::App& app, int* exit_code);
void RegisterServe(CLI::App& app, int* exit_code);
void RegisterAgent(CLI::App& app, int* exit_code);
void RegisterOperator(CLI::App& app, int* exit_code);
// Adds start|pause|resume|stop|status under `dozvon campaign`.
void RegisterCampaignControl(CLI::App& campaign, int* exit_code);

}  // namespace dozvon
