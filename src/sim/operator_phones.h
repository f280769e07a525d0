// OperatorPhones: N simulated operators' SIP phones for tests and the demo. Each registers to
// a registrar with digest auth (user PREFIX1..PREFIXn, one password), refreshes its binding,
// auto-answers every call after a short delay, "speaks" a tone in talk-like bursts, and counts
// what it hears. All phones share one SIP socket; the Contact's user tells them apart.
// Thread-safety: runs on the libre loop thread that created it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace dozvon {

class MediaTicker;

struct OperatorPhonesConfig {
  int count = 1;
  std::string registrar_host = "127.0.0.1";
  uint16_t registrar_port = 5060;
  std::string user_prefix = "op";
  std::string password;
  int expires_s = 60;
  double answer_after_s = 0.2;
  int voice_hz = 1000;  // what an operator "says": distinct from the customers' tone
};

struct OperatorCallStats {
  std::string user;
  double seconds = 0;        // answered to hang-up
  double heard_voice_s = 0;  // speech-level audio received
  double heard_s = 0;        // all audio received
};

struct OperatorPhonesStats {
  int registered = 0;  // phones whose registration the registrar accepted
  int64_t calls = 0, answered = 0, malformed = 0;
  double heard_voice_s = 0;
};

class OperatorPhones {
 public:
  // Binds UDP `ip`:0 and starts registering every phone. libre must be initialised.
  static Result<std::unique_ptr<OperatorPhones>> Create(OperatorPhonesConfig config,
                                                        const std::string& ip,
                                                        std::shared_ptr<MediaTicker> ticker);
  ~OperatorPhones();
  OperatorPhonesStats stats() const;
  // Called when a phone's call ends.
  void OnCallEnd(std::function<void(const OperatorCallStats&)> fn);

  struct Impl;

 private:
  explicit OperatorPhones(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
