// Pacers: how many new calls to launch this tick, as a pure function of the snapshot and the
// memo. One interface for every mode; the engine and `dozvon pace` call the same code.
//   preview     - never dials by itself: the operator asks for the next contact.
//   progressive - one line per idle operator (minus calls already ringing or waiting).
//   power       - a fixed number of lines per idle operator.
//   predictive  - ours; see predictive.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/campaign/campaign_config.h"
#include "core/pacing/snapshot.h"
#include "core/status.h"

namespace dozvon {

struct PacerOptions {
  double target_abandon = 0.03;
  AbandonWindow window = AbandonWindow::kRolling30d;
  double max_lines_per_agent = 3.0;
  double power_ratio = 1.5;
  int min_observations = 30;       // answers and talk ends seen before predicting
  double worst_hour_guard = 0.05;  // keep each clock hour under this
};

class Pacer {
 public:
  virtual ~Pacer() = default;
  virtual std::string_view name() const = 0;
  virtual PacerDecision Decide(const PacerSnapshot& s, PacerMemo& memo) const = 0;
};

// The progressive line count: idle operators minus lines already ringing or waiting.
int ProgressiveLines(const PacerSnapshot& s);

Result<std::unique_ptr<Pacer>> MakePacer(std::string_view name, const PacerOptions& options);

// A campaign's pacer with the options of its [pacing]: `name`, else pacing.pacer, else the one
// named like the campaign's mode.
Result<std::unique_ptr<Pacer>> MakeCampaignPacer(const CampaignConfig& config,
                                                 std::string_view name = "");

}  // namespace dozvon
