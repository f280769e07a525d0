// SipStack: one libre SIP stack on a UDP address, and optionally its session socket, owned
// once here (RAII) for every SIP endpoint we run: the dialer, the carrier simulator and the
// registrar. Closing it ends every session still on it.
// Thread-safety: create, use and destroy on the libre loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

struct sip;
struct sip_msg;
struct sipsess_sock;

namespace dozvon {

class SipStack {
 public:
  // Binds UDP `ip`:`port` (0: ephemeral). `hash_size` sizes libre's transaction tables.
  static Result<std::unique_ptr<SipStack>> Open(const std::string& ip, uint16_t port,
                                                const char* software, uint32_t hash_size);
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
  struct sip* sip_ = nullptr;
  struct sipsess_sock* sock_ = nullptr;
  uint16_t port_ = 0;
  uint32_t hash_size_ = 32;
};

}  // namespace dozvon
