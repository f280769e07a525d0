// Engine: `dozvon serve`. Runs broadcast campaigns on the libre loop: asks the store for due
// contacts, lets the core decide (eligibility, then the retry policy after each call), prepares
// each contact's prompts on a prompt thread, commits the attempt on the store thread BEFORE its
// INVITE leaves, runs the scenario on the answered call, and stores the result.
// Thread-safety: everything but the two workers runs on the loop thread.
#pragma once

#include <memory>
#include <string>

#include "app/server_config.h"
#include "core/clock.h"
#include "core/status.h"

namespace dozvon {

struct EngineOptions {
  Duration progress_every = std::chrono::seconds(5);  // 0: no progress lines
  std::optional<Duration> max_run;                    // stop (gracefully) after this long
  bool exit_when_done = false;  // stop once every campaign started here has finished
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Create(ServerConfig config, const Clock* clock,
                                                EngineOptions options);
  ~Engine();
  // Runs until SIGINT/SIGTERM, max_run, or (exit_when_done) every campaign finishing; then
  // stops dialling, lets calls finish within the grace period, and closes the rest.
  Status Run();

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Closes attempts left open by a previous run as `interrupted`, moving each contact on by its
// campaign's retry rules (so it is not redialled before its retry time). Returns how many.
class Store;
Result<int> RecoverInterrupted(Store& store, const Clock& clock);

}  // namespace dozvon
