// Registrar: where operators' SIP phones register, with digest auth (RFC 2617 MD5; each user's
// HA1 from a lookup the caller provides: from a password in config, or as stored). Keeps one
// binding per user (the phone's Contact), honours Expires, and reports every change, so the engine
// can pause an operator whose phone unregistered or whose registration lapsed. Thread-safety: runs
// on the libre loop thread that created it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

namespace dozvon {

struct Registration {
  std::string user;
  std::string contact;  // the phone's Contact URI, where calls to this operator go
  int expires_s = 0;
};

// HA1 = MD5(user:realm:password) in 32 lower-case hex digits: what digest auth checks a
// response against, and what the store keeps instead of a password.
std::string DigestHa1(const std::string& user, const std::string& realm,
                      const std::string& password);

class Registrar {
 public:
  // The user's HA1 (DigestHa1), or nullopt for a user who may not register.
  using Ha1Lookup = std::function<std::optional<std::string>(const std::string& user)>;
  // `registered` false: the phone unregistered, or its registration expired.
  using ChangeHandler = std::function<void(const Registration& r, bool registered)>;

  // Listens on UDP `ip`:`port` (0: ephemeral). libre must be initialised.
  static Result<std::unique_ptr<Registrar>> Create(const std::string& ip, uint16_t port,
                                                   std::string realm, Ha1Lookup lookup,
                                                   ChangeHandler on_change);
  ~Registrar();
  uint16_t port() const;
  std::optional<Registration> Find(const std::string& user) const;
  size_t size() const;

  struct Impl;

 private:
  explicit Registrar(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
