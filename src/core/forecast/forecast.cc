#include "core/forecast/forecast.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <random>

#include "core/pacing/pacer.h"
#include "core/pacing/stats_tracker.h"
#include "core/retry/retry_policy.h"
#include "core/schedule/eligibility.h"
#include "core/time/tz.h"

namespace dozvon {

Result<ForecastProfile> ForecastProfile::Parse(std::string_view text) {
  ForecastProfile p;
  const std::map<std::string, double ForecastProfile::*, std::less<>> keys = {
      {"answer_rate", &ForecastProfile::answer_rate},
      {"machine_rate", &ForecastProfile::machine_rate},
      {"busy_rate", &ForecastProfile::busy_rate},
      {"invalid_rate", &ForecastProfile::invalid_rate},
      {"ring_mean", &ForecastProfile::ring_mean},
      {"ring_cv", &ForecastProfile::ring_cv},
      {"talk_mean", &ForecastProfile::talk_mean},
      {"talk_cv", &ForecastProfile::talk_cv},
      {"wrap_mean", &ForecastProfile::wrap_mean},
      {"wrap_cv", &ForecastProfile::wrap_cv},
      {"break_every", &ForecastProfile::break_every},
      {"break_length", &ForecastProfile::break_length}};
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key(item.substr(0, eq));
    auto it = keys.find(key);
    if (eq == std::string_view::npos || it == keys.end()) {
      return Status::InvalidArgument("--profile: \"" + key + "\": unknown key");
    }
    std::string value(item.substr(eq + 1));
    char* stop = nullptr;
    double v = std::strtod(value.c_str(), &stop);
    if (value.empty() || *stop != '\0' || !std::isfinite(v) || v < 0) {
      return Status::InvalidArgument("--profile: " + key + "=\"" + value + "\": not a number >= 0");
    }
    p.*(it->second) = v;
  }
  double shares = p.answer_rate + p.machine_rate + p.busy_rate + p.invalid_rate;
  if (shares > 1.0) {
    return Status::InvalidArgument(
        "--profile: answer, machine, busy and invalid rates add up to more than 1");
  }
  if (p.talk_mean <= 0 || p.ring_mean <= 0) {
    return Status::InvalidArgument("--profile: talk_mean and ring_mean must be above 0");
  }
  return p;
}

double ForecastResult::days() const {
  return std::chrono::duration<double>(finished - started).count() / 86400.0;
}

namespace {

enum class AgentState { kIdle, kTalk, kWrap, kBreak };

struct Agent {
  AgentState state = AgentState::kIdle;
  double since = 0;
  double worked = 0;  // logged-in seconds since the last break
  double talk = 0, wrap = 0;
  size_t contact = 0;
};

enum class Ev { kAnswer, kMachine, kFail, kAbandonCheck, kTalkEnd, kWrapEnd, kBreakEnd };

struct Event {
  double t;
  int64_t seq;
  Ev type;
  int64_t call;  // call index, or agent index
  bool operator>(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

struct Call {
  size_t contact;
  double start;
  int64_t dial_id;
  Outcome outcome = Outcome::kNoAnswer;  // what it will be if nothing else happens
  double talk = 0, wrap = 0;
  bool waiting = false;
  double answered_at = 0;
};

// The forecast's figures by local calendar day in the contacts' zone (DST days are 23 or 25 h).
class DayBook {
 public:
  DayBook(const date::time_zone* zone, Instant t0) : zone_(zone), t0_(t0), first_(LocalDay(0)) {}

  // The day holding t (seconds after the start); days before it are filled in.
  ForecastDay& At(double t) {
    const size_t i = static_cast<size_t>(std::max<int64_t>(0, (LocalDay(t) - first_).count()));
    while (days_.size() <= i) {
      const date::local_days d = first_ + date::days(days_.size());
      ForecastDay day;
      day.date = date::format("%F", d);
      day.weekday = date::format("%a", date::weekday(d));
      days_.push_back(std::move(day));
    }
    return days_[i];
  }
  // `per_second` for every second of [from, to), each to the day it falls in.
  void Spread(double from, double to, double per_second) {
    while (from < to) {
      const double end = std::min(to, DayStart(LocalDay(from) + date::days(1)));
      At(from).logged_seconds += (end - from) * per_second;
      from = end;
    }
  }
  // Contacts still to finish at each day's end: `total` less those done or struck before it.
  std::vector<ForecastDay> Close(int64_t total, std::vector<double> finals) && {
    std::sort(finals.begin(), finals.end());
    for (size_t i = 0; i < days_.size(); ++i) {
      const double end = i + 1 < days_.size() ? DayStart(first_ + date::days(i + 1))
                                              : std::numeric_limits<double>::infinity();
      const auto done = std::lower_bound(finals.begin(), finals.end(), end) - finals.begin();
      days_[i].contacts_left = total - done;
    }
    return std::move(days_);
  }

 private:
  date::local_days LocalDay(double t) const {
    const Instant at = t0_ + Duration(static_cast<int64_t>(t * 1000));
    return date::floor<date::days>(zone_->to_local(at));
  }
  // Seconds after the start at which local day d begins (its first valid instant).
  double DayStart(date::local_days d) const {
    const auto sys = zone_->to_sys(date::local_seconds(d), date::choose::earliest);
    return std::chrono::duration<double>(sys - t0_).count();
  }
  const date::time_zone* zone_;
  Instant t0_;
  date::local_days first_;
  std::vector<ForecastDay> days_;
};

double LogNormal(std::mt19937_64& rng, double mean, double cv) {
  double s2 = std::log(1.0 + cv * cv);
  std::lognormal_distribution<double> d(std::log(mean) - s2 / 2.0, std::sqrt(s2));
  return d(rng);
}

}  // namespace

Result<ForecastResult> RunForecast(const CampaignConfig& config, const ForecastOptions& opt,
                                   const ForecastProfile& prof) {
  if (!config.start_at) return Status::InvalidArgument("forecast: the campaign has no start_at");
  if (opt.agents < 1) return Status::InvalidArgument("forecast: --agents must be at least 1");
  if (opt.contacts < 1) return Status::InvalidArgument("forecast: --contacts must be at least 1");
  const bool broadcast = config.mode == DialMode::kBroadcast;
  std::string pacer_name = opt.pacer;
  if (pacer_name.empty() && config.pacing.pacer.empty()) {
    pacer_name = config.mode == DialMode::kPreview     ? "progressive"  // operator-driven pace
                 : config.mode == DialMode::kBroadcast ? "predictive"
                                                       : "";
  }
  DZ_ASSIGN_OR_RETURN(std::unique_ptr<Pacer> pacer, MakeCampaignPacer(config, pacer_name));

  std::string zone_name =
      config.default_timezone.empty() ? "Europe/Moscow" : config.default_timezone;
  DZ_ASSIGN_OR_RETURN(const date::time_zone* zone, FindZone(zone_name));
  std::vector<const date::time_zone*> zones = {zone};

  std::vector<Contact> contacts(static_cast<size_t>(opt.contacts));
  for (size_t i = 0; i < contacts.size(); ++i) {
    contacts[i].id = static_cast<int64_t>(i + 1);
    contacts[i].zones = {zone_name};
  }
  std::vector<std::vector<PastAttempt>> history(contacts.size());
  std::vector<std::map<Outcome, int>> outcome_counts(contacts.size());
  EligibilityChecker checker(config, nullptr);
  RetryPolicy retry(config);
  std::mt19937_64 rng(opt.seed * 7919 + 1);
  std::uniform_real_distribution<double> u01(0, 1);

  const Instant t0 = *config.start_at;
  auto at = [&](double t) { return t0 + Duration(static_cast<int64_t>(t * 1000)); };
  const double ring_timeout = std::chrono::duration<double>(config.ring_timeout).count();
  const double connect_limit = std::chrono::duration<double>(config.pacing.connect_limit).count();
  const double horizon = opt.max_days * 86400.0;
  const double stop =
      config.stop_at ? std::chrono::duration<double>(*config.stop_at - t0).count() : horizon;

  // Contacts waiting for their time (by instant), and ready ones (fresh first, then oldest).
  using Due = std::pair<double, size_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> pending;
  std::deque<size_t> ready_new, ready_retry;
  auto schedule = [&](size_t i, double t) {
    Eligibility e = checker.Check(contacts[i], history[i], at(t));
    if (e.callable) {
      (contacts[i].attempts == 0 && config.new_first ? ready_new : ready_retry).push_back(i);
    } else if (e.next_at) {
      pending.push({std::chrono::duration<double>(*e.next_at - t0).count(), i});
    }
  };
  for (size_t i = 0; i < contacts.size(); ++i) schedule(i, 0);

  std::vector<Agent> agents(static_cast<size_t>(opt.agents));
  for (size_t a = 0; a < agents.size(); ++a) {
    // Stagger breaks so the team does not leave at once.
    agents[a].worked = prof.break_every > 0 ? prof.break_every * a / agents.size() : 0;
  }
  std::deque<size_t> idle;  // longest idle first
  for (size_t a = 0; a < agents.size(); ++a) idle.push_back(a);
  std::vector<Call> calls;
  std::vector<int64_t> ringing, waiting;  // call indexes
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  int64_t seq = 0;
  auto push = [&](double t, Ev type, int64_t id) { events.push({t, seq++, type, id}); };
  PacerStatsTracker stats(ring_timeout);
  PacerMemo memo;
  std::vector<PacerEvent> tick_events;
  ForecastResult res;
  DayBook book(zone, t0);
  std::vector<double> finals;  // when each contact was done or struck
  res.started = t0;
  res.finished = t0;
  res.zone = zone_name;
  int64_t active_calls = 0;

  auto finish_call = [&](int64_t ci, Outcome outcome, double t) {
    Call& c = calls[ci];
    Contact& ct = contacts[c.contact];
    --active_calls;
    ++res.by_outcome[outcome];
    history[c.contact].back().answered = outcome == Outcome::kAnswered;
    RetryInput in;
    in.outcome = outcome;
    in.attempts_made = ct.attempts;
    in.outcome_count = ++outcome_counts[c.contact][outcome];
    in.ended_at = at(t);
    RetryDecision d = retry.Decide(in, zones);
    ct.state = d.state;
    ct.state_reason = d.reason;
    ct.next_attempt_at = d.retry_at;
    if (d.state == ContactState::kDone || d.state == ContactState::kStruck) finals.push_back(t);
    if (d.state == ContactState::kScheduled) {
      std::optional<Instant> next =
          d.daypart
              ? checker.NextAllowedInDaypart(*d.retry_at, zones, history[c.contact], *d.daypart)
              : checker.Check(ct, history[c.contact], at(t)).next_at;
      ct.next_attempt_at = next;
      if (next) pending.push({std::chrono::duration<double>(*next - t0).count(), c.contact});
    }
    res.finished = std::max(res.finished, at(t));
  };
  auto connect = [&](size_t a, int64_t ci, double t) {
    Agent& ag = agents[a];
    Call& c = calls[ci];
    ag.state = AgentState::kTalk;
    ag.since = t;
    ag.talk = c.talk;
    ag.wrap = c.wrap;
    ag.contact = ci;
    ++res.connected;
    ++res.contacts_reached;
    ++book.At(t).connected;
    stats.OnConnect();
    push(t + c.talk, Ev::kTalkEnd, static_cast<int64_t>(a));
  };

  double t = 0;
  for (int64_t guard = 0; guard < 50'000'000; ++guard) {
    if (t >= stop || t >= horizon) break;
    const bool open = checker.window().IsOpen(at(t), zone);
    // Off shift with nothing in flight: jump to the next opening.
    if (!open && active_calls == 0 && events.empty()) {
      auto next = checker.window().NextOpen(at(t), zone);
      if (!next) break;
      double nt = std::chrono::duration<double>(*next - t0).count();
      if (nt <= t) nt = t + 1;
      t = nt;
      continue;
    }
    bool anything_left = !pending.empty() || !ready_new.empty() || !ready_retry.empty();
    if (!anything_left && active_calls == 0 && events.empty()) {
      res.finished_list = true;
      break;
    }
    // 1. Events up to now.
    while (!events.empty() && events.top().t <= t) {
      Event e = events.top();
      events.pop();
      switch (e.type) {
        case Ev::kFail: {
          ringing.erase(std::find(ringing.begin(), ringing.end(), e.call));
          tick_events.push_back({PacerEventType::kFail, e.t - calls[e.call].start});
          finish_call(e.call, calls[e.call].outcome, e.t);
          break;
        }
        case Ev::kMachine: {
          ringing.erase(std::find(ringing.begin(), ringing.end(), e.call));
          ++res.machines;
          tick_events.push_back({PacerEventType::kFail, e.t - calls[e.call].start});
          finish_call(e.call, Outcome::kMachine, e.t + 3);  // detection, then hang up
          break;
        }
        case Ev::kAnswer: {
          ringing.erase(std::find(ringing.begin(), ringing.end(), e.call));
          Call& c = calls[e.call];
          double ring = e.t - c.start;
          stats.OnAnswer(c.dial_id, ring);
          tick_events.push_back({PacerEventType::kAnswer, ring});
          ++res.live_answers;
          ++book.At(e.t).live_answers;
          c.answered_at = e.t;
          if (broadcast) {
            ++res.connected;
            ++res.contacts_reached;
            res.talk_seconds += c.talk;
            ForecastDay& day = book.At(e.t);
            ++day.connected;
            day.talk_seconds += c.talk;
            finish_call(e.call, Outcome::kAnswered, e.t + c.talk);
          } else if (!idle.empty()) {
            size_t a = idle.front();
            idle.pop_front();
            connect(a, e.call, e.t);
          } else {
            c.waiting = true;
            waiting.push_back(e.call);
            push(e.t + connect_limit, Ev::kAbandonCheck, e.call);
          }
          break;
        }
        case Ev::kAbandonCheck: {
          Call& c = calls[e.call];
          if (!c.waiting) break;
          c.waiting = false;
          waiting.erase(std::find(waiting.begin(), waiting.end(), e.call));
          ++res.abandoned;
          ++book.At(e.t).abandoned;
          stats.OnAbandon();
          tick_events.push_back({PacerEventType::kAbandon, 0});
          finish_call(e.call, Outcome::kAbandoned, e.t + 8);  // the abandon message
          break;
        }
        case Ev::kTalkEnd: {
          Agent& ag = agents[e.call];
          res.talk_seconds += ag.talk;
          book.At(e.t).talk_seconds += ag.talk;
          stats.OnTalkEnd(ag.talk);
          tick_events.push_back({PacerEventType::kTalkEnd, ag.talk});
          finish_call(ag.contact, Outcome::kAnswered, e.t);
          ag.state = AgentState::kWrap;
          ag.since = e.t;
          push(e.t + ag.wrap, Ev::kWrapEnd, e.call);
          break;
        }
        case Ev::kWrapEnd:
        case Ev::kBreakEnd: {
          Agent& ag = agents[e.call];
          if (e.type == Ev::kWrapEnd) {
            stats.OnWrapEnd(ag.wrap);
            tick_events.push_back({PacerEventType::kWrapEnd, ag.wrap});
          } else {
            ag.worked = 0;
          }
          ag.since = e.t;
          if (prof.break_every > 0 && ag.worked >= prof.break_every) {
            ag.state = AgentState::kBreak;
            push(e.t + prof.break_length, Ev::kBreakEnd, e.call);
          } else if (!waiting.empty()) {
            int64_t ci = waiting.front();
            waiting.erase(waiting.begin());
            calls[ci].waiting = false;
            connect(static_cast<size_t>(e.call), ci, e.t);
          } else {
            ag.state = AgentState::kIdle;
            idle.push_back(static_cast<size_t>(e.call));
          }
          break;
        }
      }
    }
    if (!open) {
      // Shift over: finish calls in flight, dial nothing.
      if (!events.empty()) t = std::max(t + 1, std::floor(events.top().t));
      continue;
    }
    // 2. Operators on shift accrue logged-in time; idle ones past their break interval leave.
    int on_shift = 0;
    for (size_t a = 0; a < agents.size(); ++a) {
      Agent& ag = agents[a];
      if (ag.state == AgentState::kBreak) continue;
      ++on_shift;
      ag.worked += 1;
      res.logged_seconds += 1;
      if (ag.state == AgentState::kIdle && prof.break_every > 0 && ag.worked >= prof.break_every) {
        idle.erase(std::find(idle.begin(), idle.end(), a));
        ag.state = AgentState::kBreak;
        ag.since = t;
        push(t + prof.break_length, Ev::kBreakEnd, static_cast<int64_t>(a));
      }
    }
    book.At(t).logged_seconds += on_shift;
    // 3. Contacts whose time has come.
    while (!pending.empty() && pending.top().first <= t) {
      size_t i = pending.top().second;
      pending.pop();
      (contacts[i].attempts == 0 && config.new_first ? ready_new : ready_retry).push_back(i);
    }
    // 4. The pacer decides; dial that many.
    int n;
    if (broadcast) {
      n = std::max<int64_t>(0, opt.agents - active_calls);
    } else {
      PacerSnapshot s;
      s.t = t;
      s.n_agents = on_shift;
      s.idle = static_cast<int>(idle.size());
      for (const Agent& ag : agents) {
        if (ag.state == AgentState::kIdle) s.idle_elapsed.push_back(t - ag.since);
        if (ag.state == AgentState::kTalk) s.talk_elapsed.push_back(t - ag.since);
        if (ag.state == AgentState::kWrap) s.wrap_elapsed.push_back(t - ag.since);
      }
      for (int64_t ci : ringing) s.ringing_elapsed.push_back(t - calls[ci].start);
      s.queued = static_cast<int>(waiting.size());
      for (int64_t ci : waiting) s.queued_elapsed.push_back(t - calls[ci].answered_at);
      s.connect_limit = connect_limit;
      s.no_answer_timeout = ring_timeout;
      stats.Fill(t, &s.stats);
      s.events = std::move(tick_events);
      tick_events.clear();
      n = pacer->Decide(s, memo).dial;
    }
    for (int k = 0; k < n; ++k) {
      std::deque<size_t>& q = !ready_new.empty() ? ready_new : ready_retry;
      if (q.empty()) break;
      size_t i = q.front();
      q.pop_front();
      Eligibility e = checker.Check(contacts[i], history[i], at(t));
      if (!e.callable) {
        if (e.next_at) pending.push({std::chrono::duration<double>(*e.next_at - t0).count(), i});
        --k;
        continue;
      }
      Contact& ct = contacts[i];
      ++ct.attempts;
      ct.state = ContactState::kInProgress;
      history[i].push_back({at(t), false});
      Call c;
      c.contact = i;
      c.start = t;
      c.dial_id = stats.OnDial(t);
      c.talk = LogNormal(rng, prof.talk_mean, prof.talk_cv);
      c.wrap = prof.wrap_mean > 0 ? LogNormal(rng, prof.wrap_mean, prof.wrap_cv) : 0;
      double u = u01(rng);
      double ring = std::min(LogNormal(rng, prof.ring_mean, prof.ring_cv), 0.95 * ring_timeout);
      int64_t ci = static_cast<int64_t>(calls.size());
      if (u < prof.invalid_rate) {
        c.outcome = Outcome::kInvalidNumber;
        push(t + 2, Ev::kFail, ci);
      } else if (u < prof.invalid_rate + prof.busy_rate) {
        c.outcome = Outcome::kBusy;
        push(t + 3, Ev::kFail, ci);
      } else if (u < prof.invalid_rate + prof.busy_rate + prof.machine_rate) {
        push(t + ring, Ev::kMachine, ci);
      } else if (u < prof.invalid_rate + prof.busy_rate + prof.machine_rate + prof.answer_rate) {
        push(t + ring, Ev::kAnswer, ci);
      } else {
        c.outcome = Outcome::kNoAnswer;
        push(t + ring_timeout, Ev::kFail, ci);
      }
      calls.push_back(c);
      ringing.push_back(ci);
      ++active_calls;
      ++res.dials;
      ++book.At(t).dials;
    }
    // 5. Next second; skip idle stretches when nothing can happen before the next due contact.
    double next_t = t + 1;
    if (active_calls == 0 && ready_new.empty() && ready_retry.empty() && !pending.empty() &&
        events.empty()) {
      double due = pending.top().first;
      auto until = checker.window().OpenUntil(at(t), zone);
      double close = until ? std::chrono::duration<double>(*until - t0).count() : next_t;
      double jump_to = std::min({due, stop, close});
      if (jump_to > next_t) {
        // Operators wait on shift for the next contact: that time counts as logged in.
        res.logged_seconds += (jump_to - next_t) * on_shift;
        book.Spread(next_t, jump_to, on_shift);
        for (Agent& ag : agents) {
          if (ag.state != AgentState::kBreak) ag.worked += jump_to - next_t;
        }
        next_t = jump_to;
      }
    }
    t = next_t;
  }
  for (const Contact& c : contacts) ++res.contacts_by_state[c.state];
  res.by_day = std::move(book).Close(opt.contacts, std::move(finals));
  if (!res.finished_list) {
    res.finished_list = res.contacts_by_state[ContactState::kNew] == 0 &&
                        res.contacts_by_state[ContactState::kScheduled] == 0 &&
                        res.contacts_by_state[ContactState::kInProgress] == 0;
  }
  return res;
}

}  // namespace dozvon
