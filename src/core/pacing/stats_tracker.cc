#include "core/pacing/stats_tracker.h"

#include <cmath>

namespace dozvon {

void PacerStatsTracker::Rolling::Add(double x) {
  q.push_back(x);
  s += x;
  s2 += x * x;
  if (q.size() > n) {
    double y = q.front();
    q.pop_front();
    s -= y;
    s2 -= y * y;
  }
}

double PacerStatsTracker::Rolling::Sd() const {
  size_t k = q.size();
  if (k < 2) return 0;
  double v = (s2 - s * s / k) / (k - 1);
  return v > 0 ? std::sqrt(v) : 0.0;
}

int64_t PacerStatsTracker::OnDial(double t) {
  ++dials_;
  pending_.emplace_back(t, false);
  return first_id_ + static_cast<int64_t>(pending_.size()) - 1;
}

void PacerStatsTracker::OnAnswer(int64_t id, double ring) {
  ++answered_;
  ring_.Add(ring);
  int64_t idx = id - first_id_;
  if (idx >= 0 && idx < static_cast<int64_t>(pending_.size())) pending_[idx].second = true;
}

void PacerStatsTracker::Fill(double t, PacerStats* out) {
  while (!pending_.empty() && pending_.front().first <= t - timeout_) {
    outcomes_.Add(pending_.front().second ? 1.0 : 0.0);
    pending_.pop_front();
    ++first_id_;
  }
  auto opt = [](const Rolling& r, std::optional<double>* mean, std::optional<double>* sd,
                int64_t* n) {
    *n = static_cast<int64_t>(r.q.size());
    if (r.q.empty()) return;
    *mean = r.Mean();
    if (r.q.size() >= 2) *sd = r.Sd();
  };
  *out = PacerStats();
  if (!outcomes_.q.empty()) out->answer_rate = outcomes_.Mean();
  out->n_outcomes = static_cast<int64_t>(outcomes_.q.size());
  opt(ring_, &out->mean_ring, &out->sd_ring, &out->n_ring);
  opt(talk_, &out->mean_talk, &out->sd_talk, &out->n_talk);
  opt(wrap_, &out->mean_wrap, &out->sd_wrap, &out->n_wrap);
  out->dials = dials_;
  out->answered = answered_;
  out->connected = connected_;
  out->abandoned = abandoned_;
}

}  // namespace dozvon
