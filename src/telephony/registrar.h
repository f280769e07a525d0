// Registrar: where operators' SIP phones register, with digest auth (RFC 2617 MD5; passwords
// from a lookup the caller provides: config or store). Keeps one binding per user (the phone's
// Contact), honours Expires, and reports every change, so the engine can pause an operator
// whose phone unregistered or whose registration lapsed.
// Thread-safety: runs on the libre loop thread that created it.
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

class Registrar {
 public:
  using PasswordLookup = std::function<std::optional<std::string>(const std::string& user)>;
  // `registered` false: the phone unregistered, or its registration expired.
  using ChangeHandler = std::function<void(const Registration& r, bool registered)>;

  // Listens on UDP `ip`:`port` (0: ephemeral). libre must be initialised.
  static Result<std::unique_ptr<Registrar>> Create(const std::string& ip, uint16_t port,
                                                   std::string realm, PasswordLookup lookup,
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
