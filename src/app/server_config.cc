#include "app/server_config.h"

#include <arpa/inet.h>

#include <filesystem>

#include "app/campaign_files.h"
#include "core/campaign/toml_read.h"
#include "core/campaign/toml_text.h"

namespace dozvon {
namespace {

std::string Resolve(const std::string& base, const std::string& p) {
  if (p.empty() || p[0] == '/' || base.empty()) return p;
  return base + "/" + p;
}

Status ParseTrunk(const Ctx& ctx, const toml::table& t, NamedTrunk* out) {
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, t, "trunk",
                               {"name", "host", "port", "transport", "username", "password",
                                "caller_id", "max_calls", "cps", "register", "register_expires"}));
  TrunkConfig& c = out->config;
  for (const auto& [k, v] : t) {
    std::string key = "trunk." + std::string(k.str());
    if (k == "name") {
      DZ_ASSIGN_OR_RETURN(out->name, GetString(ctx, v, key));
    } else if (k == "host") {
      DZ_ASSIGN_OR_RETURN(c.host, GetString(ctx, v, key));
      in_addr a4;
      in6_addr a6;
      bool address = inet_pton(AF_INET, c.host.c_str(), &a4) == 1 ||
                     inet_pton(AF_INET6, c.host.c_str(), &a6) == 1;
      // A DNS name: letters, digits, dots and hyphens (RFC 1123), resolved by SIP's resolver.
      if (!address && (c.host.empty() || c.host.size() > 253 ||
                       c.host.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                           std::string::npos)) {
        return ctx.Error(&v, key, "\"" + c.host + "\": expected an IP address or a host name");
      }
    } else if (k == "port") {
      DZ_ASSIGN_OR_RETURN(int64_t p, GetInt(ctx, v, key, 1, 65535));
      c.port = static_cast<uint16_t>(p);
    } else if (k == "transport") {
      DZ_ASSIGN_OR_RETURN(std::string tr, GetString(ctx, v, key));
      if (tr == "tcp") {
        c.transport = SipTransport::kTcp;
      } else if (tr != "udp") {
        return ctx.Error(&v, key, "\"" + tr + "\": expected udp or tcp");
      }
    } else if (k == "register") {
      DZ_ASSIGN_OR_RETURN(c.register_trunk, GetBool(ctx, v, key));
    } else if (k == "register_expires") {
      DZ_ASSIGN_OR_RETURN(Duration d, GetDuration(ctx, v, key));
      if (d < std::chrono::seconds(60) || d > std::chrono::hours(24)) {
        return ctx.Error(&v, key, "must be between 60s and 24h");
      }
      c.register_expires_s =
          static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
    } else if (k == "username") {
      DZ_ASSIGN_OR_RETURN(c.username, GetString(ctx, v, key));
    } else if (k == "password") {
      DZ_ASSIGN_OR_RETURN(c.password, GetString(ctx, v, key));
    } else if (k == "caller_id") {
      DZ_ASSIGN_OR_RETURN(c.caller_id, GetString(ctx, v, key));
    } else if (k == "max_calls") {
      DZ_ASSIGN_OR_RETURN(int64_t m, GetInt(ctx, v, key, 0, 100000));
      c.max_calls = static_cast<int>(m);
    } else if (k == "cps") {
      DZ_ASSIGN_OR_RETURN(c.cps, GetDouble(ctx, v, key, 0, 10000));
    }
  }
  if (out->name.empty()) return ctx.Error(&t, "trunk.name", "required");
  if (c.register_trunk && c.username.empty()) {
    return ctx.Error(&t, "trunk.register", "needs trunk.username (and password)");
  }
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> ServerConfig::Parse(std::string_view text, std::string_view source,
                                         const std::string& base) {
  Ctx ctx(source);
  DZ_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, source));
  DZ_RETURN_IF_ERROR(
      CheckKeys(ctx, root, "", {"store", "engine", "trunk", "campaign", "registrar", "operators"}));
  ServerConfig c;
  c.source = std::string(source);
  if (const toml::node* n = root.get("store")) {
    const toml::table* t = n->as_table();
    if (!t) return ctx.Error(n, "store", "expected a table");
    DZ_RETURN_IF_ERROR(CheckKeys(ctx, *t, "store", {"path"}));
    if (const toml::node* p = t->get("path")) {
      DZ_ASSIGN_OR_RETURN(c.db, GetString(ctx, *p, "store.path"));
    }
  }
  if (const toml::node* n = root.get("engine")) {
    const toml::table* t = n->as_table();
    if (!t) return ctx.Error(n, "engine", "expected a table");
    DZ_RETURN_IF_ERROR(CheckKeys(ctx, *t, "engine",
                                 {"control", "local_ip", "tick", "grace", "recordings", "tts_cache",
                                  "dns_servers", "realtime_priority"}));
    for (const auto& [k, v] : *t) {
      std::string key = "engine." + std::string(k.str());
      if (k == "control") {
        DZ_ASSIGN_OR_RETURN(c.control, GetString(ctx, v, key));
      }
      if (k == "local_ip") {
        DZ_ASSIGN_OR_RETURN(c.local_ip, GetString(ctx, v, key));
      }
      if (k == "recordings") {
        DZ_ASSIGN_OR_RETURN(c.recordings, GetString(ctx, v, key));
      }
      if (k == "tts_cache") {
        DZ_ASSIGN_OR_RETURN(c.tts_cache, GetString(ctx, v, key));
      }
      if (k == "tick") {
        DZ_ASSIGN_OR_RETURN(c.tick, GetDuration(ctx, v, key));
        if (c.tick < std::chrono::milliseconds(20) || c.tick > std::chrono::seconds(5)) {
          return ctx.Error(&v, key, "must be between 20ms and 5s");
        }
      }
      if (k == "grace") {
        DZ_ASSIGN_OR_RETURN(c.grace, GetDuration(ctx, v, key));
      }
      if (k == "dns_servers") {
        DZ_ASSIGN_OR_RETURN(c.dns_servers, GetStrings(ctx, v, key));
      }
      if (k == "realtime_priority") {
        DZ_ASSIGN_OR_RETURN(int64_t p, GetInt(ctx, v, key, 0, 99));
        c.realtime_priority = static_cast<int>(p);
      }
    }
  }
  if (const toml::node* n = root.get("trunk")) {
    const toml::array* arr = n->as_array();
    if (!arr) return ctx.Error(n, "trunk", "expected [[trunk]] tables");
    for (const auto& e : *arr) {
      const toml::table* t = e.as_table();
      if (!t) return ctx.Error(&e, "trunk", "expected a table");
      NamedTrunk tr;
      DZ_RETURN_IF_ERROR(ParseTrunk(ctx, *t, &tr));
      if (c.FindTrunk(tr.name)) return ctx.Error(t, "trunk.name", "\"" + tr.name + "\" twice");
      c.trunks.push_back(std::move(tr));
    }
  }
  if (c.trunks.empty()) return ctx.Error(nullptr, "trunk", "at least one [[trunk]] is required");
  for (NamedTrunk& t : c.trunks) t.config.dns_servers = c.dns_servers;
  if (const toml::node* n = root.get("campaign")) {
    const toml::array* arr = n->as_array();
    if (!arr) return ctx.Error(n, "campaign", "expected [[campaign]] tables");
    for (const auto& e : *arr) {
      const toml::table* t = e.as_table();
      if (!t) return ctx.Error(&e, "campaign", "expected a table");
      DZ_RETURN_IF_ERROR(CheckKeys(ctx, *t, "campaign", {"file", "start"}));
      CampaignEntry ce;
      const toml::node* f = t->get("file");
      if (!f) return ctx.Error(t, "campaign.file", "required");
      DZ_ASSIGN_OR_RETURN(ce.file, GetString(ctx, *f, "campaign.file"));
      ce.file = Resolve(base, ce.file);
      if (const toml::node* s = t->get("start")) {
        DZ_ASSIGN_OR_RETURN(ce.start, GetBool(ctx, *s, "campaign.start"));
      }
      c.campaigns.push_back(std::move(ce));
    }
  }
  if (const toml::node* n = root.get("registrar")) {
    const toml::table* t = n->as_table();
    if (!t) return ctx.Error(n, "registrar", "expected a table");
    DZ_RETURN_IF_ERROR(CheckKeys(ctx, *t, "registrar", {"listen", "realm"}));
    c.registrar.enabled = true;
    if (const toml::node* l = t->get("listen")) {
      DZ_ASSIGN_OR_RETURN(std::string listen, GetString(ctx, *l, "registrar.listen"));
      auto colon = listen.rfind(':');
      in_addr a4;
      int port = -1;
      if (colon != std::string::npos) {
        c.registrar.ip = listen.substr(0, colon);
        try {
          port = std::stoi(listen.substr(colon + 1));
        } catch (const std::exception&) {
        }
      }
      if (port < 0 || port > 65535 || inet_pton(AF_INET, c.registrar.ip.c_str(), &a4) != 1) {
        return ctx.Error(l, "registrar.listen", "\"" + listen + "\": expected IP:PORT");
      }
      c.registrar.port = static_cast<uint16_t>(port);
    }
    if (const toml::node* r = t->get("realm")) {
      DZ_ASSIGN_OR_RETURN(c.registrar.realm, GetString(ctx, *r, "registrar.realm"));
    }
  }
  if (const toml::node* n = root.get("operators")) {
    const toml::array* arr = n->as_array();
    if (!arr) return ctx.Error(n, "operators", "expected [[operators]] tables");
    c.registrar.enabled = true;
    for (const auto& e : *arr) {
      const toml::table* t = e.as_table();
      if (!t) return ctx.Error(&e, "operators", "expected a table");
      DZ_RETURN_IF_ERROR(CheckKeys(ctx, *t, "operators", {"name", "password", "skills", "reach"}));
      OperatorEntry op;
      const toml::node* name = t->get("name");
      const toml::node* pass = t->get("password");
      if (!name) return ctx.Error(t, "operators.name", "required");
      DZ_ASSIGN_OR_RETURN(op.name, GetString(ctx, *name, "operators.name"));
      if (op.name.empty() || op.name.find_first_of(" \t@:;") != std::string::npos) {
        return ctx.Error(name, "operators.name", "\"" + op.name + "\": expected a SIP user name");
      }
      // Without one here, the phone's credential is the one `dozvon operator passwd` stored.
      if (pass) {
        DZ_ASSIGN_OR_RETURN(op.password, GetString(ctx, *pass, "operators.password"));
        if (op.password.empty()) {
          return ctx.Error(pass, "operators.password",
                           "must not be empty (leave it out to use the stored credential)");
        }
      }
      if (const toml::node* sk = t->get("skills")) {
        DZ_ASSIGN_OR_RETURN(op.skills, GetStrings(ctx, *sk, "operators.skills"));
      }
      if (const toml::node* r = t->get("reach")) {
        DZ_ASSIGN_OR_RETURN(std::string reach, GetString(ctx, *r, "operators.reach"));
        if (reach != "nailed" && reach != "per_call") {
          return ctx.Error(r, "operators.reach", "\"" + reach + "\": expected nailed or per_call");
        }
        op.per_call = reach == "per_call";
      }
      for (const OperatorEntry& seen : c.operators) {
        if (seen.name == op.name)
          return ctx.Error(name, "operators.name", "\"" + op.name + "\" twice");
      }
      c.operators.push_back(std::move(op));
    }
  }
  c.db = Resolve(base, c.db);
  c.control = Resolve(base, c.control);
  c.recordings = Resolve(base, c.recordings);
  c.tts_cache = Resolve(base, c.tts_cache);
  return c;
}

Result<ServerConfig> ServerConfig::Load(const std::string& path) {
  DZ_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  std::string base = std::filesystem::path(path).parent_path().string();
  return Parse(text, path, base);
}

const NamedTrunk* ServerConfig::FindTrunk(const std::string& name) const {
  if (name.empty()) return trunks.empty() ? nullptr : &trunks.front();
  for (const auto& t : trunks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace dozvon
