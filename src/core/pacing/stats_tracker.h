// PacerStatsTracker: the rolling estimates a pacer needs, kept from call events. The answer
// rate comes from resolved dial cohorts: a dial counts once it was launched at least
// no_answer_timeout ago (so its outcome is known), never from whichever calls ended first,
// which would overstate answers (answers end quickly, no-answers last the whole timeout).
// Used by the forecast simulator and the engine. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>

#include "core/pacing/snapshot.h"

namespace dozvon {

class PacerStatsTracker {
 public:
  explicit PacerStatsTracker(double no_answer_timeout) : timeout_(no_answer_timeout) {}

  // Returns the dial's id, to report its answer later.
  int64_t OnDial(double t);
  void OnAnswer(int64_t dial_id, double ring);  // a live person answered
  void OnAbandon() { ++abandoned_; }
  void OnConnect() { ++connected_; }
  void OnTalkEnd(double talk) { talk_.Add(talk); }
  void OnWrapEnd(double wrap) { wrap_.Add(wrap); }

  void Fill(double t, PacerStats* out);

 private:
  struct Rolling {
    explicit Rolling(size_t n) : n(n) {}
    void Add(double x);
    double Mean() const { return q.empty() ? 0 : s / q.size(); }
    double Sd() const;
    size_t n;
    std::deque<double> q;
    double s = 0, s2 = 0;
  };
  double timeout_;
  int64_t first_id_ = 0;                         // id of pending_.front()
  std::deque<std::pair<double, bool>> pending_;  // (launch time, answered) not yet resolved
  Rolling outcomes_{400}, ring_{200}, talk_{200}, wrap_{200};
  int64_t dials_ = 0, answered_ = 0, connected_ = 0, abandoned_ = 0;
};

}  // namespace dozvon
