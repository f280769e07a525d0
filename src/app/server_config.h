// The server's configuration file (dozvon.toml): the store, the engine, trunks, and the
// campaigns it runs. Documented in docs/serve.md. Paths are relative to the file's folder.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "telephony/sip_uac.h"

namespace dozvon {

struct NamedTrunk {
  std::string name;
  TrunkConfig config;
};

struct CampaignEntry {
  std::string file;    // campaign TOML, resolved
  bool start = false;  // set running when the server starts (only from draft)
};

// An operator: SIP credentials for the phone that registers to our registrar, and skills
// (a campaign's [operators] skill picks who takes its calls).
struct OperatorEntry {
  std::string name;
  std::string password;  // "": the credential stored by `dozvon operator passwd`
  // How a customer reaches them: false, a nailed-up leg called once at login (customers are
  // bridged into it); true, a call to their phone per customer (`reach = "per_call"`).
  bool per_call = false;
  std::vector<std::string> skills;
};

// Where operators' phones register. Off unless [registrar] or [[operators]] is given.
struct RegistrarConfig {
  bool enabled = false;
  std::string ip = "127.0.0.1";
  uint16_t port = 5070;  // 0: ephemeral (printed at start)
  std::string realm = "dozvon";
};

struct ServerConfig {
  std::string source;
  std::string db = "dozvon.db";
  std::string control = "dozvon.sock";  // Unix socket for `dozvon campaign start|pause|...`
  std::string local_ip = "127.0.0.1";   // where SIP and RTP bind
  Duration tick = std::chrono::milliseconds(200);
  Duration grace = std::chrono::seconds(30);  // on SIGTERM: calls in progress may finish
  std::string recordings = "recordings";
  std::string tts_cache = "tts-cache";
  std::vector<std::string> dns_servers;  // for trunks given by name; empty: /etc/resolv.conf
  int realtime_priority = 0;  // SCHED_RR priority of the media threads; 0: normal scheduling
  std::vector<NamedTrunk> trunks;
  std::vector<CampaignEntry> campaigns;
  RegistrarConfig registrar;
  std::vector<OperatorEntry> operators;

  static Result<ServerConfig> Parse(std::string_view text, std::string_view source,
                                    const std::string& base_dir);
  static Result<ServerConfig> Load(const std::string& path);
  const NamedTrunk* FindTrunk(const std::string& name) const;  // "" = the first
};

}  // namespace dozvon
