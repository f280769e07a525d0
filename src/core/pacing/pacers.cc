#include <algorithm>
#include <cmath>

#include "core/pacing/abandon_ledger.h"
#include "core/pacing/pacer.h"
#include "core/pacing/predictive.h"

namespace dozvon {

int ProgressiveLines(const PacerSnapshot& s) {
  if (s.n_agents <= 0) return 0;
  return std::max(0, s.idle - static_cast<int>(s.ringing_elapsed.size()) - s.queued);
}

namespace {

class PreviewPacer final : public Pacer {
 public:
  std::string_view name() const override { return "preview"; }
  PacerDecision Decide(const PacerSnapshot&, PacerMemo&) const override {
    return {0, 0, 0, "preview"};  // the operator's "dial" starts each call
  }
};

class ProgressivePacer final : public Pacer {
 public:
  std::string_view name() const override { return "progressive"; }
  PacerDecision Decide(const PacerSnapshot& s, PacerMemo&) const override {
    return {ProgressiveLines(s), 0, 0, "progressive"};
  }
};

class PowerPacer final : public Pacer {
 public:
  explicit PowerPacer(PacerOptions o) : o_(o) {}
  std::string_view name() const override { return "power"; }
  PacerDecision Decide(const PacerSnapshot& s, PacerMemo& memo) const override {
    if (s.n_agents <= 0) return {0, 0, 0, "no operators"};
    int in_flight = static_cast<int>(s.ringing_elapsed.size()) + s.queued;
    int goal = static_cast<int>(std::lround(o_.power_ratio * s.idle));
    int room = static_cast<int>(o_.max_lines_per_agent * s.n_agents) - in_flight;
    return {std::clamp(goal - in_flight, 0, std::max(room, 0)), 0, 0, "power"};
  }

 private:
  PacerOptions o_;
};

}  // namespace

Result<std::unique_ptr<Pacer>> MakePacer(std::string_view name, const PacerOptions& o) {
  if (name == "preview") return std::unique_ptr<Pacer>(new PreviewPacer());
  if (name == "progressive") return std::unique_ptr<Pacer>(new ProgressivePacer());
  if (name == "power") return std::unique_ptr<Pacer>(new PowerPacer(o));
  if (name == "predictive") return std::unique_ptr<Pacer>(new PredictivePacer(o));
  return Status::InvalidArgument("pacer \"" + std::string(name) +
                                 "\": expected preview, progressive, power or predictive");
}

Result<std::unique_ptr<Pacer>> MakeCampaignPacer(const CampaignConfig& config,
                                                 std::string_view name) {
  std::string pacer(name.empty() ? config.pacing.pacer : name);
  if (pacer.empty()) pacer = ToString(config.mode);
  PacerOptions o;
  o.target_abandon = config.pacing.max_abandon_rate;
  o.window = config.pacing.abandon_window;
  o.max_lines_per_agent = config.pacing.max_lines_per_agent;
  o.power_ratio = config.pacing.power_ratio;
  return MakePacer(pacer, o);
}

}  // namespace dozvon
