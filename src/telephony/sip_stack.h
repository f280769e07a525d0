// SipStack: one libre SIP stack on a UDP address, and optionally its session socket, owned
// once here (RAII) for every SIP endpoint we run: the dialer, the carrier simulator and the
// registrar. Closing it ends every session still on it.
// Thread-safety: create, use and destroy on the libre loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

struct dnsc;
struct sip;
struct sip_msg;
struct sipsess_sock;

namespace dozvon {

struct SipStackOptions {
  bool tcp = false;  // also listen on TCP (same port as UDP when the port is given)
  // A resolver for SIP URIs with host names (RFC 3263: NAPTR, SRV, then A). Servers as
  // "IP:PORT"; empty: the system's (/etc/resolv.conf).
  bool dns = false;
  std::vector<std::string> dns_servers;
};

class SipStack {
 public:
  // Binds UDP `ip`:`port` (0: ephemeral). `hash_size` sizes libre's transaction tables.
  static Result<std::unique_ptr<SipStack>> Open(const std::string& ip, uint16_t port,
                                                const char* software, uint32_t hash_size,
                                                const SipStackOptions& options = {});
  ~SipStack();

  // Accepts and places INVITE sessions; `on_invite` may be null for a caller-only endpoint.
  Status ListenSessions(void (*on_invite)(const struct sip_msg*, void*), void* arg);

  struct sip* sip() const {
    return sip_;
  }
  struct sipsess_sock* sessions() const {
    return sock_;
  }
  uint16_t port() const { return port_; }

 private:
  SipStack() = default;
  struct dnsc* dnsc_ = nullptr;
  struct sip* sip_ = nullptr;
  struct sipsess_sock* sock_ = nullptr;
  uint16_t port_ = 0;
  uint32_t hash_size_ = 32;
};

}  // namespace dozvon
