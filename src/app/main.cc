// dozvon: the single binary. Subcommands are registered here; this is the only place that
// knows every module.
#include <cstdio>
#include <exception>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Dozvon: outbound contact-center dialer"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dozvon 0.1.0");
  int exit_code = dozvon::kExitOk;
  dozvon::RegisterImport(app, &exit_code);
  dozvon::RegisterContacts(app, &exit_code);
  dozvon::RegisterCampaign(app, &exit_code);
  dozvon::RegisterExplain(app, &exit_code);
  dozvon::RegisterSimulate(app, &exit_code);
  dozvon::RegisterPace(app, &exit_code);
  dozvon::RegisterTelephony(app, &exit_code);
  dozvon::RegisterServe(app, &exit_code);
  dozvon::RegisterAgent(app, &exit_code);
  dozvon::RegisterOperator(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : dozvon::kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dozvon: %s\n", e.what());
    return dozvon::kExitFailure;
  }
  return exit_code;
}
