// The engine's control socket: a Unix stream socket where `dozvon campaign start|pause|resume|
// stop|status` send one line and read one line back ("ok ..." or "error: ..."). The server side
// runs on the libre loop without blocking it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/status.h"

namespace dozvon {

class ControlServer {
 public:
  using Handler = std::function<std::string(const std::string& line)>;
  // Replaces a stale socket file left by a dead server; refuses when a live one answers.
  static Result<std::unique_ptr<ControlServer>> Listen(const std::string& path, Handler handler);
  ~ControlServer();

  struct Client;
  void OnAccept();
  void OnClient(int fd);

 private:
  ControlServer() = default;
  std::string path_;
  Handler handler_;
  int fd_ = -1;
  std::map<int, std::unique_ptr<Client>> clients_;
};

// Client side: sends `line`, returns the reply. Unavailable when no server listens.
Result<std::string> ControlRequest(const std::string& path, const std::string& line);

}  // namespace dozvon
