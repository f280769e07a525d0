#include "core/pacing/abandon_ledger.h"

#include <algorithm>
#include <cmath>

namespace dozvon {

int64_t AbandonLedger::WindowHours() const {
  switch (window_) {
    case AbandonWindow::kRolling24h:
      return 24;
    case AbandonWindow::kRolling30d:
      return 30 * 24;
    case AbandonWindow::kSinceStart:
      return INT64_MAX / 2;
  }
  return 30 * 24;
}

void AbandonLedger::Record(const PacerSnapshot& s) {
  int64_t h = HourOf(s.t);
  for (const PacerEvent& e : s.events) {
    if (e.type != PacerEventType::kAnswer && e.type != PacerEventType::kAbandon) continue;
    if (memo_.hours.empty() || memo_.hours.back().hour != h) memo_.hours.push_back({h, 0, 0});
    if (e.type == PacerEventType::kAnswer) {
      ++memo_.hours.back().answered;
    } else {
      ++memo_.hours.back().abandoned;
    }
  }
  int64_t oldest = h - WindowHours() + 1;
  size_t drop = 0;
  while (drop < memo_.hours.size() && memo_.hours[drop].hour < oldest) ++drop;
  if (drop) memo_.hours.erase(memo_.hours.begin(), memo_.hours.begin() + drop);
}

AbandonLedger::Totals AbandonLedger::Window(double t) const {
  Totals out;
  int64_t oldest = HourOf(t) - WindowHours() + 1;
  for (const HourBucket& b : memo_.hours) {
    if (b.hour < oldest) continue;
    out.answered += b.answered;
    out.abandoned += b.abandoned;
  }
  return out;
}

AbandonLedger::Totals AbandonLedger::Hour(double t) const {
  Totals out;
  if (!memo_.hours.empty() && memo_.hours.back().hour == HourOf(t)) {
    out.answered = memo_.hours.back().answered;
    out.abandoned = memo_.hours.back().abandoned;
  }
  return out;
}

double AbandonLedger::AnswersPerHour(double t) const {
  const int64_t now = HourOf(t);
  int64_t sum = 0, hours = 0;
  for (auto it = memo_.hours.rbegin(); it != memo_.hours.rend() && hours < 3; ++it) {
    if (it->hour >= now || it->hour < now - 3) continue;
    sum += it->answered;
    ++hours;
  }
  if (hours > 0) return static_cast<double>(sum) / hours;
  double into = std::max(std::fmod(t, 3600.0) / 3600.0, 0.1);
  return Hour(t).answered / into;
}

}  // namespace dozvon
