// `dozvon operator passwd|remove|list --config dozvon.toml`: operators' SIP credentials in the
// store, for [[operators]] entries that give no password in the config. The password is read
// from standard input (never an argument, which `ps` would show) and stored as its HA1 for the
// registrar's realm. The running server reads it at the phone's next REGISTER.
#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "app/server_config.h"
#include "app/system_clock.h"
#include "core/time/tz.h"
#include "store/sqlite/sqlite_store.h"
#include "telephony/registrar.h"

namespace dozvon {
namespace {

struct OperatorArgs {
  std::string config;
  std::string name;
};

int Fail(const std::string& verb, const std::string& message, int code) {
  std::fprintf(stderr, "dozvon operator %s: %s\n", verb.c_str(), message.c_str());
  return code;
}

int RunOperator(const std::string& verb, const OperatorArgs& a) {
  auto cfg = ServerConfig::Load(a.config);
  if (!cfg.ok()) return Fail(verb, cfg.status().message(), kExitBadInput);
  const OperatorEntry* entry = nullptr;
  for (const OperatorEntry& op : cfg->operators) {
    if (op.name == a.name) entry = &op;
  }
  if (verb == "passwd") {
    if (!entry) return Fail(verb, "no operator \"" + a.name + "\" in " + a.config, kExitBadInput);
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) {
      return Fail(verb, "expected the new password on standard input (one line, not empty)",
                  kExitBadInput);
    }
    auto store = SqliteStore::Open(cfg->db);
    if (!store.ok()) return Fail(verb, store.status().message(), kExitFailure);
    const std::string& realm = cfg->registrar.realm;
    SystemClock clock;
    Status s = (*store)->SetOperatorCredential(
        {a.name, realm, DigestHa1(a.name, realm, password), clock.Now()});
    if (!s.ok()) return Fail(verb, s.message(), kExitFailure);
    std::printf("operator %s: password stored for realm \"%s\"%s\n", a.name.c_str(), realm.c_str(),
                entry->password.empty() ? "" : " (the config's password still wins: remove it)");
    return kExitOk;
  }
  auto store = SqliteStore::Open(cfg->db);
  if (!store.ok()) return Fail(verb, store.status().message(), kExitFailure);
  if (verb == "remove") {
    Status s = (*store)->RemoveOperatorCredential(a.name);
    if (!s.ok()) {
      return Fail(verb, s.message(),
                  s.code() == StatusCode::kNotFound ? kExitBadInput : kExitFailure);
    }
    std::printf("operator %s: stored password removed\n", a.name.c_str());
    return kExitOk;
  }
  // list: every configured operator and where their phone's credential comes from.
  auto stored = (*store)->OperatorCredentials();
  if (!stored.ok()) return Fail(verb, stored.status().message(), kExitFailure);
  std::printf("name,credential,realm,updated_at\n");
  for (const OperatorEntry& op : cfg->operators) {
    const OperatorCredential* c = nullptr;
    for (const OperatorCredential& x : *stored) {
      if (x.name == op.name) c = &x;
    }
    const char* source = !op.password.empty()               ? "config"
                         : !c                               ? "none"
                         : c->realm != cfg->registrar.realm ? "stored for another realm"
                                                            : "stored";
    std::printf("%s,%s,%s,%s\n", op.name.c_str(), source,
                !op.password.empty() ? cfg->registrar.realm.c_str()
                : c                  ? c->realm.c_str()
                                     : "",
                c && op.password.empty() ? FormatUtc(c->updated_at).c_str() : "");
  }
  return kExitOk;
}

}  // namespace

void RegisterOperator(CLI::App& app, int* exit_code) {
  CLI::App* op = app.add_subcommand(
      "operator", "Operators' SIP passwords in the store (for [[operators]] without one)");
  op->require_subcommand(1);
  struct Verb {
    const char* name;
    const char* help;
    bool needs_name;
  };
  for (const Verb& v :
       {Verb{"passwd", "Store NAME's new password, read from standard input", true},
        Verb{"remove", "Remove NAME's stored password", true},
        Verb{"list", "Each operator and where their credential comes from", false}}) {
    auto args = std::make_shared<OperatorArgs>();
    CLI::App* c = op->add_subcommand(v.name, v.help);
    c->add_option("--config", args->config, "Server config (dozvon.toml)")->required();
    if (v.needs_name) c->add_option("name", args->name, "Operator name")->required();
    const std::string verb = v.name;
    c->callback([args, verb, exit_code] { *exit_code = RunOperator(verb, *args); });
  }
}

}  // namespace dozvon
