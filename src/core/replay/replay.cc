#include "core/replay/replay.h"

#include <queue>

#include "core/dialer/after_attempt.h"
#include "core/retry/retry_policy.h"
#include "core/schedule/eligibility.h"

namespace dozvon {

Replay::Replay(const CampaignConfig& config, const DncList* dnc, ReplayOptions options)
    : config_(config), dnc_(dnc), options_(options) {}

namespace {

struct Pending {
  Instant at;
  size_t idx;
  bool operator>(const Pending& o) const { return at != o.at ? at > o.at : idx > o.idx; }
};

struct Active {
  Instant end;
  size_t idx;
  int64_t attempt_id;
  Instant started;
  ScriptedOutcome what;
  bool operator>(const Active& o) const { return end != o.end ? end > o.end : idx > o.idx; }
};

}  // namespace

Result<ReplaySummary> Replay::Run(std::vector<Contact>& contacts, const OutcomeScript& script,
                                  const std::function<void(const ReplayAttempt&)>& on_attempt) {
  std::optional<Instant> start = options_.start ? options_.start : config_.start_at;
  if (!start) return Status::InvalidArgument("replay: the campaign has no start_at");
  Instant stop = options_.stop     ? *options_.stop
                 : config_.stop_at ? *config_.stop_at
                                   : *start + date::days(366);
  if (options_.lines < 1) return Status::InvalidArgument("replay: --lines must be at least 1");

  EligibilityChecker checker(config_, dnc_);
  RetryPolicy retry(config_);
  std::vector<std::vector<PastAttempt>> history(contacts.size());
  std::vector<std::vector<const date::time_zone*>> zones(contacts.size());
  std::vector<std::map<Outcome, int>> outcome_counts(contacts.size());
  for (size_t i = 0; i < contacts.size(); ++i) zones[i] = checker.ZonesOf(contacts[i]);

  // Ready contacts in dialing order: fresh first (new_first), then priority, then due time.
  auto ready_after = [&](const Pending& a, const Pending& b) {
    const Contact& ca = contacts[a.idx];
    const Contact& cb = contacts[b.idx];
    int ta = config_.new_first && ca.attempts > 0;
    int tb = config_.new_first && cb.attempts > 0;
    if (ta != tb) return ta > tb;
    if (ca.priority != cb.priority) return ca.priority < cb.priority;
    if (a.at != b.at) return a.at > b.at;
    return a.idx > b.idx;
  };
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending;
  std::priority_queue<Pending, std::vector<Pending>, decltype(ready_after)> ready(ready_after);
  std::priority_queue<Active, std::vector<Active>, std::greater<>> active;

  Instant now = *start;
  ReplaySummary summary;
  summary.started = now;
  summary.finished = now;

  auto schedule = [&](size_t i, Instant t) {
    Eligibility e = checker.Check(contacts[i], history[i], t);
    if (e.callable) {
      ready.push({t, i});
    } else if (e.next_at) {
      pending.push({*e.next_at, i});
    }
  };
  for (size_t i = 0; i < contacts.size(); ++i) schedule(i, now);

  int64_t next_attempt_id = 1;
  const int64_t max_steps =
      static_cast<int64_t>(contacts.size()) * (config_.max_attempts + 2) * 8 + 1000;
  for (int64_t step = 0; step < max_steps; ++step) {
    // 1. Calls that have ended by now: the retry policy decides what comes next.
    while (!active.empty() && active.top().end <= now) {
      Active a = active.top();
      active.pop();
      Contact& c = contacts[a.idx];
      bool answered = a.what.outcome == Outcome::kAnswered;
      history[a.idx].back().answered = answered;
      RetryInput in;
      in.outcome = a.what.outcome;
      in.attempts_made = c.attempts;
      in.outcome_count = ++outcome_counts[a.idx][a.what.outcome];
      in.ended_at = a.end;
      NextState next = AfterAttempt(checker, retry, c, history[a.idx], in);
      c.state = next.state;
      c.state_reason = next.reason;
      c.next_attempt_at = next.daypart ? next.next_at : next.retry_at;
      if (answered) ++c.answered;
      ReplayAttempt row;
      row.attempt_id = a.attempt_id;
      row.contact_id = c.id;
      row.phone = c.phone_e164;
      row.attempt_no = c.attempts;
      row.started = a.started;
      row.zone = zones[a.idx].front();
      for (const auto* z : zones[a.idx])
        row.zones += (row.zones.empty() ? "" : " ") + std::string(z->name());
      row.outcome = a.what.outcome;
      row.contact_state = next.state;
      row.reason = next.reason;
      row.next_attempt = next.next_at;
      if (next.state == ContactState::kScheduled && next.next_at) {
        pending.push({*next.next_at, a.idx});
      }
      ++summary.attempts;
      ++summary.by_outcome[row.outcome];
      summary.finished = std::max(summary.finished, a.end);
      on_attempt(row);
    }
    // No new calls from the stop time on; calls in progress still finish and are reported.
    const bool dialing = now < stop;
    // 2. Contacts whose time has come join the ready queue.
    while (dialing && !pending.empty() && pending.top().at <= now) {
      ready.push(pending.top());
      pending.pop();
    }
    // 3. Dial while lines are free. Re-check: the window or a cap may have closed meanwhile.
    while (dialing && static_cast<int>(active.size()) < options_.lines && !ready.empty()) {
      size_t i = ready.top().idx;
      ready.pop();
      Eligibility e = checker.Check(contacts[i], history[i], now);
      if (!e.callable) {
        if (e.next_at) pending.push({*e.next_at, i});
        continue;
      }
      Contact& c = contacts[i];
      ++c.attempts;
      c.state = ContactState::kInProgress;
      c.last_attempt_at = now;
      history[i].push_back({now, false});
      ScriptedOutcome what;
      auto it = script.find({c.phone_e164, c.attempts});
      if (it != script.end()) {
        what = it->second;
      } else {
        what.outcome = Outcome::kNoAnswer;
        what.ring = config_.ring_timeout;
      }
      Duration length = std::max<Duration>(what.ring + what.talk, std::chrono::seconds(1));
      active.push({now + length, i, next_attempt_id++, now, what});
    }
    // 4. Advance the virtual clock to the next thing that can happen.
    std::optional<Instant> next;
    if (!active.empty()) next = active.top().end;
    bool lines_free = static_cast<int>(active.size()) < options_.lines;
    if (dialing && lines_free && !pending.empty()) {
      Instant due = std::min(pending.top().at, stop);
      if (!next || due < *next) next = due;
    }
    if (!next) break;  // nothing in flight and nothing will ever become callable
    now = std::max(now, *next);
  }
  summary.stopped_early = !pending.empty() || !ready.empty();
  for (const Contact& c : contacts) ++summary.contacts_by_state[c.state];
  return summary;
}

}  // namespace dozvon
