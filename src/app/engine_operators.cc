// The engine's operator half: the registrar and operators' nailed-up legs, pacing operator
// campaigns with the core's pacer, routing answered customers to the longest-ready operator,
// the abandon message, wrap-up and dispositions, and the `agent ...` control commands.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/engine_impl.h"
#include "core/dialer/after_attempt.h"
#include "core/pacing/abandon_ledger.h"
#include "core/time/tz.h"

namespace dozvon {
namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

bool HasSkill(const OperatorEntry& op, const std::string& skill) {
  return skill.empty() || std::find(op.skills.begin(), op.skills.end(), skill) != op.skills.end();
}

// The abandon ledger of a campaign's earlier runs: live answers and abandons per hour, so a
// restart does not forget the window (times relative to this run's start, t = 0).
std::vector<HourBucket> PastHours(const std::vector<Attempt>& attempts, Instant now) {
  std::map<int64_t, HourBucket> by_hour;
  for (const Attempt& a : attempts) {
    if (!a.answered_at || !a.outcome) continue;
    if (*a.outcome != Outcome::kAnswered && *a.outcome != Outcome::kAbandoned) continue;
    double t = std::chrono::duration<double>(*a.answered_at - now).count();
    if (t < -31.0 * 86400) continue;
    auto hour = static_cast<int64_t>(std::floor(t / 3600.0));
    HourBucket& b = by_hour[hour];
    b.hour = hour;
    ++b.answered;
    b.abandoned += *a.outcome == Outcome::kAbandoned;
  }
  std::vector<HourBucket> out;
  for (auto& [h, b] : by_hour) out.push_back(b);
  return out;
}

}  // namespace

Status Engine::Impl::SetUpOperators() {
  if (!cfg.registrar.enabled) return Status::Ok();
  pool = std::make_unique<AgentPool>(clock);
  DZ_ASSIGN_OR_RETURN(loop_store, SqliteStore::Open(cfg.db));
  const std::string& realm = cfg.registrar.realm;
  std::map<std::string, std::string> ha1s;  // from config; the others are looked up as stored
  for (const OperatorEntry& op : cfg.operators) {
    DZ_RETURN_IF_ERROR(pool->Add(op.name, op.skills));
    auto run = std::make_unique<AgentRun>();
    run->name = op.name;
    run->per_call = op.per_call;
    agents[op.name] = std::move(run);
    if (!op.password.empty()) {
      ha1s[op.name] = DigestHa1(op.name, realm, op.password);
      continue;
    }
    if (!StoredHa1(op.name)) {
      std::fprintf(stderr,
                   "dozvon serve: operator %s has no password in %s and none stored for realm "
                   "\"%s\": their phone cannot register until `dozvon operator passwd %s`\n",
                   op.name.c_str(), cfg.source.c_str(), realm.c_str(), op.name.c_str());
    }
  }
  DZ_ASSIGN_OR_RETURN(
      registrar,
      Registrar::Create(
          cfg.registrar.ip, cfg.registrar.port, realm,
          [this, ha1s](const std::string& user) -> std::optional<std::string> {
            if (auto it = ha1s.find(user); it != ha1s.end()) return it->second;
            if (!agents.count(user)) return std::nullopt;  // not an operator of this server
            // Read at each REGISTER, so a password changed while the server runs holds at once.
            return StoredHa1(user);
          },
          [this](const Registration& r, bool registered) { OnRegistration(r.user, registered); }));
  DZ_ASSIGN_OR_RETURN(phones, SipUac::Create(TrunkConfig{}, cfg.local_ip, ticker));
  return Status::Ok();
}

std::optional<std::string> Engine::Impl::StoredHa1(const std::string& name) {
  auto stored = loop_store->FindOperatorCredential(name);
  if (!stored.ok()) {
    LogIfError(stored.status());
    return std::nullopt;
  }
  // An HA1 is bound to its realm: one stored for another realm cannot match.
  if (!stored->has_value() || (*stored)->realm != cfg.registrar.realm) return std::nullopt;
  return (*stored)->ha1;
}

Status Engine::Impl::LoadOperatorCampaign(CampaignRun& run, const std::string& file) {
  const CampaignConfig& cc = run.config;
  const std::string mode(ToString(cc.mode));
  if (cfg.operators.empty()) {
    return Status::InvalidArgument(file + ": mode: a " + mode +
                                   " campaign needs operators: add [[operators]] to " + cfg.source);
  }
  bool staffed = false;
  for (const OperatorEntry& op : cfg.operators)
    staffed = staffed || HasSkill(op, cc.operators.skill);
  if (!staffed) {
    return Status::InvalidArgument(file + ": operators.skill: no operator in " + cfg.source +
                                   " has the skill \"" + cc.operators.skill + "\"");
  }
  if (cc.mode != DialMode::kPreview) {
    // A customer no operator could take must hear who called and how to call back.
    if (!cc.operators.abandon_prompt.empty()) {
      std::string path = cc.operators.abandon_prompt[0] == '/' || run.dir.empty()
                             ? cc.operators.abandon_prompt
                             : run.dir + "/" + cc.operators.abandon_prompt;
      auto pcm = LoadPrompt(path);
      if (!pcm.ok()) {
        return Status::InvalidArgument(file +
                                       ": operators.abandon_prompt: " + pcm.status().message());
      }
      run.abandon_pcm = *pcm;
    } else if (!cc.operators.abandon_message.empty()) {
      TtsRequest req;
      req.text = cc.operators.abandon_message;
      req.voice = cc.operators.voice;
      auto pcm = tts->Synthesize(req);
      if (!pcm.ok()) {
        return Status::InvalidArgument(file +
                                       ": operators.abandon_message: " + pcm.status().message());
      }
      run.abandon_pcm = *pcm;
    } else {
      return Status::InvalidArgument(
          file + ": operators.abandon_message: required for " + mode +
          " campaigns (or operators.abandon_prompt): a customer no operator could take must "
          "hear who called and a number to call back");
    }
  }
  auto pacer = MakeCampaignPacer(cc);
  if (!pacer.ok())
    return Status::InvalidArgument(file + ": pacing.pacer: " + pacer.status().message());
  run.pacer = std::move(pacer).value();
  run.stats =
      std::make_unique<PacerStatsTracker>(std::chrono::duration<double>(cc.ring_timeout).count());
  DZ_ASSIGN_OR_RETURN(std::vector<Attempt> past, worker_store->AttemptsOfCampaign(run.id));
  run.memo.hours = PastHours(past, clock->Now());
  run.ledger.hours = run.memo.hours;
  return Status::Ok();
}

void Engine::Impl::Pace(CampaignRun& c, double tick_s) {
  // While a fetch is out its contacts are not claimed yet: deciding now would count them twice.
  if (!pool || c.fetching) return;
  PacerSnapshot s;
  s.t = Elapsed();
  pool->FillSnapshot(c.config.operators.skill, &s);
  const auto now = std::chrono::steady_clock::now();
  // Lines in flight: this campaign's, and those of every other operator campaign whose
  // customers the same operators would take (else each pacer dials for the same people).
  for (const auto& other : campaigns) {
    if (other.get() != &c &&
        (!other->pacer ||
         !pool->ShareOperators(c.config.operators.skill, other->config.operators.skill))) {
      continue;
    }
    for (int64_t cid : other->claimed) {
      auto it = items.find(cid);
      if (it == items.end()) continue;
      const Item& item = *it->second;
      if (item.answered != std::chrono::steady_clock::time_point{}) {
        if (item.waiting) s.queued_elapsed.push_back(Seconds(now - item.answered));
        continue;
      }
      if (!item.preview_agent.empty()) continue;  // its operator is reserved, not ready
      // Ringing, or about to: the pacer must count every line already asked for.
      s.ringing_elapsed.push_back(item.dial_id >= 0 ? Seconds(now - item.invited) : 0.0);
    }
  }
  // Broadcast callers holding for the same operators take the next free one too.
  for (int64_t cid : transfers) {
    auto it = items.find(cid);
    if (it == items.end() || !it->second->waiting) continue;
    if (pool->ShareOperators(c.config.operators.skill, it->second->transfer_queue))
      s.queued_elapsed.push_back(Seconds(now - it->second->transfer_asked));
  }
  s.queued = static_cast<int>(s.queued_elapsed.size());
  s.connect_limit = std::chrono::duration<double>(c.config.pacing.connect_limit).count();
  s.no_answer_timeout = std::chrono::duration<double>(c.config.ring_timeout).count();
  s.tick = std::max(tick_s, 0.02);
  c.stats->Fill(s.t, &s.stats);
  s.events = std::move(c.tick_events);
  c.tick_events.clear();
  AbandonLedger(c.ledger, c.config.pacing.abandon_window).Record(s);
  c.last_decision = c.pacer->Decide(s, c.memo);
  c.budget = c.last_decision.dial;
}

void Engine::Impl::OnCustomerAnswer(int64_t cid, CallLeg* leg) {
  auto it = items.find(cid);
  if (it == items.end()) {
    leg->Hangup();
    return;
  }
  Item* item = it->second.get();
  CampaignRun& c = *item->camp;
  item->leg = leg;
  item->answered = std::chrono::steady_clock::now();
  const double ring = Seconds(item->answered - item->invited);
  c.stats->OnAnswer(item->dial_id, ring);
  c.tick_events.push_back({PacerEventType::kAnswer, ring});
  ++c.live_answers;
  if (!item->preview_agent.empty()) {  // the operator who asked for this call is waiting
    ConnectCustomer(item, item->preview_agent);
    return;
  }
  if (auto agent = pool->Reserve(c.config.operators.skill)) {
    ConnectCustomer(item, *agent);
    return;
  }
  // Nobody free: the customer waits (silence) up to the connect limit, then hears the message.
  item->waiting = true;
  c.waiting.push_back(cid);
  item->deadline.Start(static_cast<uint64_t>(c.config.pacing.connect_limit.count()), [this, cid] {
    auto found = items.find(cid);
    if (found != items.end() && found->second->waiting) AbandonCustomer(found->second.get());
  });
}

void Engine::Impl::StopWaiting(Item* item) {
  if (!item->waiting) return;
  item->waiting = false;
  item->deadline.Cancel();
  std::deque<int64_t>& q = item->transfer_queue.empty() ? item->camp->waiting : transfers;
  q.erase(std::remove(q.begin(), q.end(), item->contact.id), q.end());
}

void Engine::Impl::ConnectCustomer(Item* item, const std::string& agent) {
  if (agents[agent]->RingsPerCustomer()) {
    RingOperator(item, agent);
    return;
  }
  StopWaiting(item);
  if (!BridgeToAgent(item, agent)) AbandonCustomer(item);
}

void Engine::Impl::RingOperator(Item* item, const std::string& agent) {
  StopWaiting(item);
  AgentRun& a = *agents[agent];
  const int64_t cid = item->contact.id;
  auto binding = registrar->Find(agent);
  if (!binding || a.ringing_for) {
    std::fprintf(stderr, "dozvon serve: operator %s: %s\n", agent.c_str(),
                 binding ? "already being called" : "the phone is not registered");
    pool->Unreserve(agent);
    NotConnected(item);
    return;
  }
  item->ringing_agent = agent;
  // A customer of an operator campaign still has only the connect limit from their answer:
  // past it they hear the abandon message, as with no operator at all, and the phone's late
  // answer is hung up. A transferred broadcast caller holds (ringback) while the phone rings.
  const auto limit = item->camp->config.pacing.connect_limit;
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - item->answered);
  if (!item->call)
    item->deadline.Start(static_cast<uint64_t>(std::max<int64_t>(0, (limit - waited).count())),
                         [this, cid] {
                           auto it = items.find(cid);
                           if (it == items.end() || it->second->ringing_agent.empty()) return;
                           Item* late = it->second.get();
                           late->abandon_why = "operator " + late->ringing_agent +
                                               "'s phone did not answer within the connect limit";
                           late->ringing_agent.clear();
                           AbandonCustomer(late);
                         });
  DialRequest req;
  req.to_uri = binding->contact;
  req.ring_timeout = std::chrono::seconds(10);
  req.headers = {{"X-Dozvon-Operator", agent},
                 {"X-Dozvon-Attempt", std::to_string(item->attempt.id)}};
  // This call's leg once answered: run.line may hold a newer call's by the time this one ends.
  auto this_leg = std::make_shared<CallLeg*>(nullptr);
  req.on_answer = [this, agent, this_leg](CallLeg* leg) {
    AgentRun& run = *agents[agent];
    *this_leg = leg;
    auto it = items.find(run.ringing_for);
    run.ringing_for = 0;
    Item* customer = it == items.end() ? nullptr : it->second.get();
    if (!customer || customer->ringing_agent != agent || !customer->leg) {
      // The customer hung up, or got the abandon message, while the phone rang.
      leg->Hangup();
      pool->Unreserve(agent);
      ServeWaiting();
      FlushAgentEvents();
      return;
    }
    customer->ringing_agent.clear();
    customer->deadline.Cancel();
    run.line = leg;
    if (!BridgeToAgent(customer, agent)) {  // unreserves the operator
      run.line = nullptr;
      leg->Hangup();
      NotConnected(customer);
    } else if (customer->call) {
      customer->call->TransferDone(true);
    }
    FlushAgentEvents();
  };
  a.ringing_for = cid;
  Status s = phones->Dial(req, [this, agent, this_leg](const CallResult& r) {
    AgentRun& run = *agents[agent];
    if (*this_leg && run.line == *this_leg) run.line = nullptr;
    if (!*this_leg && run.ringing_for) {
      // The phone did not answer: pause the operator rather than ring it for the next one.
      auto it = items.find(run.ringing_for);
      run.ringing_for = 0;
      pool->Unreserve(agent);
      LogIfError(pool->Pause(agent, "phone did not answer (" + r.reason + ")"));
      if (it != items.end() && it->second->ringing_agent == agent) {
        it->second->ringing_agent.clear();
        NotConnected(it->second.get());
      }
    } else if (*this_leg && run.customer && !run.line) {
      // The operator hung up on a bridged customer: end that call too.
      auto it = items.find(run.customer);
      if (it != items.end() && it->second->leg) it->second->leg->Hangup();
    }
    FlushAgentEvents();
  });
  if (!s.ok()) {
    a.ringing_for = 0;
    item->ringing_agent.clear();
    std::fprintf(stderr, "dozvon serve: operator %s: %s\n", agent.c_str(), s.message().c_str());
    pool->Unreserve(agent);
    NotConnected(item);
  }
}

void Engine::Impl::NotConnected(Item* item) {
  if (item->call) {  // a transferred broadcast caller: the scenario's fallback
    StopWaiting(item);
    item->call->TransferDone(false);
  } else {
    AbandonCustomer(item);
  }
}

bool Engine::Impl::BridgeToAgent(Item* item, const std::string& agent) {
  CampaignRun& c = *item->camp;
  AgentRun& a = *agents[agent];
  Status b = !item->leg ? Status::FailedPrecondition("the customer's call has ended")
             : a.line   ? item->leg->Bridge(a.line)
                        : Status::FailedPrecondition("operator " + agent + " has no line");
  if (!b.ok()) {
    std::fprintf(stderr, "dozvon serve: bridge to %s: %s\n", agent.c_str(), b.message().c_str());
    a.preview = 0;
    pool->Unreserve(agent);
    return false;
  }
  LogIfError(pool->Connect(agent, c.id, item->attempt.id));
  item->agent = agent;
  a.customer = item->contact.id;
  a.preview = 0;
  a.card = Card(*item);
  if (c.stats) c.stats->OnConnect();
  ++c.connected;
  // The operator's context: who this is, what happened before, and the script.
  std::printf("[%s] operator %s <- %s (attempt %lld): %s\n", c.name.c_str(), agent.c_str(),
              item->contact.phone_e164.c_str(), static_cast<long long>(item->attempt.id),
              a.card.c_str());
  std::fflush(stdout);
  return true;
}

void Engine::Impl::OnTransfer(int64_t cid, const std::string& queue, Duration wait) {
  auto it = items.find(cid);
  if (it == items.end() || !it->second->call) return;
  Item* item = it->second.get();
  item->transfer_queue = queue;
  item->transfer_asked = std::chrono::steady_clock::now();
  if (auto agent = pool->Reserve(queue)) {
    TransferTo(item, *agent);
    return;
  }
  // Nobody free: the caller holds (ringback) until an operator frees up or `wait` runs out.
  item->waiting = true;
  transfers.push_back(cid);
  item->deadline.Start(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()),
      [this, cid] {
        auto found = items.find(cid);
        if (found == items.end() || !found->second->waiting) return;
        StopWaiting(found->second.get());
        found->second->call->TransferDone(false);  // the scenario's fallback
      });
}

void Engine::Impl::TransferTo(Item* item, const std::string& agent) {
  if (agents[agent]->RingsPerCustomer()) {
    RingOperator(item, agent);  // TransferDone when the phone answers, or fails
    return;
  }
  StopWaiting(item);
  const bool bridged = BridgeToAgent(item, agent);
  item->call->TransferDone(bridged);
  FlushAgentEvents();
}

void Engine::Impl::CountAbandon(CampaignRun& c) {
  c.stats->OnAbandon();
  c.tick_events.push_back({PacerEventType::kAbandon, 0});
  ++c.abandoned;
}

void Engine::Impl::AbandonCustomer(Item* item) {
  CampaignRun& c = *item->camp;
  StopWaiting(item);
  item->deadline.Cancel();
  item->abandoned = true;
  CountAbandon(c);
  CallLeg* leg = item->leg;
  if (!leg) return;
  if (!c.abandon_pcm) {
    leg->Hangup();
    return;
  }
  leg->Play(c.abandon_pcm, [leg](double, bool) { leg->Hangup(); });
}

void Engine::Impl::ServeWaiting() {
  if (!pool) return;
  // Customers of operator campaigns first: each was dialled for an operator the pacer expected
  // to be free, and has only the connect limit (2 s) before it counts as abandoned. Broadcast
  // callers holding for a transfer wait longer by choice, and the pacers count them as queued.
  ServeCampaignWaiting();
  for (size_t i = 0; i < transfers.size();) {
    auto it = items.find(transfers[i]);
    if (it == items.end() || !it->second->waiting) {
      transfers.erase(transfers.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    auto agent = pool->Reserve(it->second->transfer_queue);
    if (!agent) {
      ++i;  // nobody for this queue; a caller behind may hold for another
      continue;
    }
    TransferTo(it->second.get(), *agent);  // removes it from `transfers`
  }
}

void Engine::Impl::ServeCampaignWaiting() {
  for (auto& c : campaigns) {
    while (!c->waiting.empty()) {
      const int64_t cid = c->waiting.front();
      auto it = items.find(cid);
      if (it == items.end() || !it->second->waiting) {
        c->waiting.pop_front();
        continue;
      }
      auto agent = pool->Reserve(c->config.operators.skill);
      if (!agent) break;
      ConnectCustomer(it->second.get(), *agent);
    }
  }
}

void Engine::Impl::FinishOperatorCall(Item* item, const CallResult& r) {
  CampaignRun& c = *item->camp;
  item->deadline.Cancel();
  item->leg = nullptr;
  AttemptResult res = ResultOf(r);
  const double limit = std::chrono::duration<double>(c.config.pacing.connect_limit).count();
  if (item->waiting || !item->ringing_agent.empty()) {
    // Hung up while waiting for an operator, or while a per-call operator's phone rang (its
    // answer is then hung up): an abandoned call all the same.
    const double waited = Seconds(std::chrono::steady_clock::now() - item->answered);
    StopWaiting(item);
    CountAbandon(c);
    res.outcome = Outcome::kAbandoned;
    const std::string how = item->ringing_agent.empty()
                                ? "waiting for an operator"
                                : "while operator " + item->ringing_agent + "'s phone rang";
    char why[160];
    std::snprintf(why, sizeof why, "the customer hung up after %.1f s %s", waited, how.c_str());
    res.reason = why;
    item->ringing_agent.clear();
  } else if (item->abandoned) {
    res.outcome = Outcome::kAbandoned;
    char why[128];
    std::snprintf(why, sizeof why, "no operator free within %.1f s: abandon message played", limit);
    res.reason = item->abandon_why.empty() ? why : item->abandon_why + ": abandon message played";
  } else if (!item->agent.empty()) {
    res.details.agent = item->agent;
    if (r.connect_s) {
      res.details.connect_ms = static_cast<int64_t>(*r.connect_s * 1000 + 0.5);
    } else {
      // Bridged, but gone before the operator's first frame: no connect time to measure.
      res.reason = "the customer hung up as operator " + item->agent + " was connected";
    }
    const double talk =
        r.talk_s ? *r.talk_s : Seconds(std::chrono::steady_clock::now() - item->answered);
    c.stats->OnTalkEnd(talk);
    c.tick_events.push_back({PacerEventType::kTalkEnd, talk});
    // Stored now with the default disposition; the operator's own code replaces it in wrap-up.
    const Disposition* d = c.config.FindDisposition(c.config.operators.default_disposition);
    item->disposition = d;
    res.details.disposition = d ? d->code : "";
    if (d && d->success) res.details.success = true;
    StartWrapUp(item, res);
  } else if (r.outcome == Outcome::kAnswered) {
    res.outcome = Outcome::kAbandoned;  // answered, then lost before any decision (stopping)
    res.reason = "answered while the engine was stopping; no operator connected";
  }
  if (item->answered == std::chrono::steady_clock::time_point{} && item->dial_id >= 0) {
    c.tick_events.push_back(
        {PacerEventType::kFail, Seconds(std::chrono::steady_clock::now() - item->invited)});
  }
  Complete(item, std::move(res), false, "");
  FlushAgentEvents();
}

void Engine::Impl::StartWrapUp(Item* item, const AttemptResult& res) {
  CampaignRun& c = *item->camp;
  AgentRun& a = *agents[item->agent];
  a.customer = 0;
  if (a.per_call && a.line) a.line->Hangup();  // the operator's call was for this customer
  LogIfError(pool->CallEnded(item->agent));
  AgentRun::WrapUp w;
  w.camp = &c;
  w.contact = item->contact;
  w.contact.attempts = item->attempt.attempt_no;
  w.history = item->history;
  if (!w.history.empty()) w.history.back().answered = true;
  w.attempt_id = item->attempt.id;
  w.attempt_no = item->attempt.attempt_no;
  w.ended_at = res.ended_at;
  w.scenario_success = !c.pacer && res.details.success.value_or(false);
  w.started = std::chrono::steady_clock::now();
  a.wrap = std::move(w);
  const std::string name = item->agent;
  a.wrap_timer.Start(static_cast<uint64_t>(c.config.operators.wrapup_timeout.count()),
                     [this, name] { EndWrapUp(*agents[name], nullptr, std::nullopt, true); });
}

void Engine::Impl::EndWrapUp(AgentRun& a, const Disposition* d, std::optional<Instant> callback_at,
                             bool timed_out) {
  if (!a.wrap) return;
  a.wrap_timer.Cancel();
  AgentRun::WrapUp w = std::move(*a.wrap);
  a.wrap.reset();
  CampaignRun& c = *w.camp;
  const double wrap_s = Seconds(std::chrono::steady_clock::now() - w.started);
  if (c.stats) {  // broadcast campaigns (transfers) have no pacer to teach
    c.stats->OnWrapEnd(wrap_s);
    c.tick_events.push_back({PacerEventType::kWrapEnd, wrap_s});
  }
  if (d) {
    RetryInput in;
    in.outcome = Outcome::kAnswered;
    in.attempts_made = w.attempt_no;
    in.ended_at = w.ended_at;
    in.disposition = d;
    if (d->callback) in.callback_at = callback_at;
    NextState next = AfterAttempt(*c.checker, *c.policy, w.contact, w.history, in);
    DispositionUpdate u;
    u.code = d->code;
    u.success = d->success || w.scenario_success;
    u.callback_at = in.callback_at;
    u.contact = {next.state, next.next_at ? next.next_at : next.retry_at, next.reason};
    u.add_dnc = d->dnc;
    u.at = clock->Now();
    if (d->dnc) {
      for (auto& other : campaigns) other->dnc.AddNumber(w.contact.phone_e164);
    }
    const int64_t aid = w.attempt_id;
    OnStore<Status>([aid, u](Store& s) { return s.SetDisposition(aid, u); }, LogIfError);
  }
  LogIfError(pool->WrapUpDone(a.name));
  if (timed_out) {
    // Broadcast transfers keep the scenario's result; operator campaigns stored the default.
    std::printf("operator %s: wrap-up timed out%s%s\n", a.name.c_str(),
                c.pacer ? ": disposition " : "",
                c.pacer ? c.config.operators.default_disposition.c_str() : "");
    std::fflush(stdout);
  }
  a.card.clear();
  auto view = pool->Find(a.name);
  if (view && view->state == AgentState::kLoggedOut && a.line) a.line->Hangup();
  ServeWaiting();
  FlushAgentEvents();
}

void Engine::Impl::PlaceLine(AgentRun& a) {
  const std::string name = a.name;
  auto binding = registrar->Find(name);
  Status s = Status::FailedPrecondition("operator " + name + ": the phone is not registered");
  if (binding) {
    DialRequest req;
    req.to_uri = binding->contact;
    req.ring_timeout = std::chrono::seconds(30);
    req.headers = {{"X-Dozvon-Operator", name}};
    req.on_answer = [this, name](CallLeg* leg) {
      AgentRun& run = *agents[name];
      run.line = leg;
      run.line_dialling = false;
      pool->SetLineUp(name, true);
      std::printf("operator %s: line up (%s)\n", name.c_str(),
                  std::string(ToString(pool->Find(name)->state)).c_str());
      std::fflush(stdout);
      ServeWaiting();
      FlushAgentEvents();
    };
    a.line_dialling = true;
    s = phones->Dial(req, [this, name](const CallResult& r) {
      AgentRun& run = *agents[name];
      run.line = nullptr;
      run.line_dialling = false;
      // A customer bridged into this line has lost the operator: end that call too.
      if (run.customer) {
        auto it = items.find(run.customer);
        if (it != items.end() && it->second->leg) it->second->leg->Hangup();
      }
      pool->SetLineUp(name, false);
      std::printf("operator %s: line ended (%s)\n", name.c_str(), r.reason.c_str());
      std::fflush(stdout);
      FlushAgentEvents();
    });
  }
  if (!s.ok()) {
    a.line_dialling = false;
    pool->SetLineUp(name, false);
    std::fprintf(stderr, "dozvon serve: %s\n", s.message().c_str());
  }
}

void Engine::Impl::OnRegistration(const std::string& user, bool registered) {
  if (!pool || !pool->Has(user)) return;
  pool->SetRegistered(user, registered);
  std::printf("operator %s: phone %s\n", user.c_str(), registered ? "registered" : "unregistered");
  std::fflush(stdout);
  FlushAgentEvents();
}

void Engine::Impl::FlushAgentEvents() {
  if (!pool) return;
  std::vector<AgentEvent> events = pool->TakeEvents();
  if (events.empty()) return;
  OnStore<Status>([events](Store& s) { return s.AddAgentEvents(events); }, LogIfError);
}

std::string Engine::Impl::Card(const Item& item) const {
  nlohmann::ordered_json j;
  j["campaign"] = item.camp->name;
  j["attempt"] = item.attempt.id;
  j["phone"] = item.contact.phone_e164;
  if (!item.contact.external_id.empty()) j["external_id"] = item.contact.external_id;
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [k, v] : item.contact.fields) fields[k] = v;
  j["fields"] = fields;
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const Attempt& a : item.past) {
    if (!a.outcome) continue;
    nlohmann::ordered_json h;
    h["at"] = FormatUtc(a.created_at);
    h["outcome"] = std::string(ToString(*a.outcome));
    if (!a.details.agent.empty()) h["operator"] = a.details.agent;
    if (!a.details.disposition.empty()) h["disposition"] = a.details.disposition;
    h["reason"] = a.reason;
    history.push_back(h);
  }
  j["history"] = history;
  if (item.call) {  // a broadcast caller transferred: what they did in the scenario
    const ScenarioResult& sr = item.call->result();
    nlohmann::ordered_json ivr;
    ivr["queue"] = item.transfer_queue;
    ivr["keys"] = sr.dtmf;
    ivr["heard_to_end"] = sr.heard_to_end;
    nlohmann::ordered_json vars = nlohmann::ordered_json::object();
    for (const auto& [k, v] : sr.vars) vars[k] = v;
    ivr["vars"] = vars;
    j["ivr"] = ivr;
  }
  if (!item.camp->config.operators.script.empty()) j["script"] = item.camp->config.operators.script;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Engine::Impl::OperatorProgress(const CampaignRun& c) const {
  PacerMemo memo = c.ledger;
  AbandonLedger ledger(memo, c.config.pacing.abandon_window);
  AbandonLedger::Totals w = ledger.Window(Elapsed());
  int ready = pool ? pool->ReadyCount(c.config.operators.skill) : 0;
  PacerSnapshot s;
  if (pool) pool->FillSnapshot(c.config.operators.skill, &s);
  const char* window = c.config.pacing.abandon_window == AbandonWindow::kRolling24h   ? "24h"
                       : c.config.pacing.abandon_window == AbandonWindow::kRolling30d ? "30d"
                                                                                      : "campaign";
  char line[400];
  std::snprintf(line, sizeof line,
                "operators ready %d of %d working, waiting %zu, connected %lld, abandoned %lld; "
                "abandon rate %.2f%% of %lld live answers (window %s, cap %.2f%%); pacer %s",
                ready, s.n_agents, c.waiting.size(), static_cast<long long>(c.connected),
                static_cast<long long>(c.abandoned), 100.0 * w.rate(),
                static_cast<long long>(w.answered), window,
                100.0 * c.config.pacing.max_abandon_rate, c.last_decision.mode.c_str());
  return line;
}

std::string Engine::Impl::AgentStatus() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const AgentView& v : pool->All()) {
    nlohmann::ordered_json j;
    j["name"] = v.name;
    j["state"] = std::string(ToString(v.state));
    if (!v.reason.empty()) j["reason"] = v.reason;
    j["since"] = FormatUtc(v.since);
    j["registered"] = v.registered;
    const AgentRun& a = *agents.at(v.name);
    // Per call, "line" means reachable: there is no leg between customers.
    j["reach"] = a.per_call ? "per_call" : "nailed";
    j["line"] = v.line_up;
    j["calls"] = v.calls;
    if (v.attempt_id) j["attempt"] = v.attempt_id;
    if (!a.card.empty()) j["card"] = nlohmann::ordered_json::parse(a.card, nullptr, false);
    out.push_back(j);
  }
  return out.dump();
}

std::string Engine::Impl::PreviewNext(AgentRun& a) {
  auto view = pool->Find(a.name);
  if (view->state != AgentState::kReady) {
    return "error: operator " + a.name + " is " + std::string(ToString(view->state)) +
           ": be ready to preview";
  }
  const Instant now = clock->Now();
  for (auto& c : campaigns) {
    if (c->config.mode != DialMode::kPreview || c->state != "running") continue;
    if (!std::count(view->skills.begin(), view->skills.end(), c->config.operators.skill) &&
        !c->config.operators.skill.empty()) {
      continue;
    }
    auto due = loop_store->DueContacts(c->id, now, static_cast<int>(c->claimed.size()) + 20,
                                       c->config.new_first);
    if (!due.ok()) return "error: " + due.status().message();
    for (Contact& ct : *due) {
      if (c->claimed.count(ct.id)) continue;
      auto attempts = loop_store->AttemptsOfContact(ct.id);
      if (!attempts.ok()) return "error: " + attempts.status().message();
      std::vector<PastAttempt> history = History(*attempts);
      if (!c->checker->Check(ct, history, now).callable) continue;  // the engine reschedules it
      auto item = std::make_unique<Item>();
      item->camp = c.get();
      item->contact = std::move(ct);
      item->history = std::move(history);
      for (const Attempt& p : *attempts) {
        if (p.outcome) ++item->prior_outcomes[*p.outcome];
      }
      item->past = std::move(attempts).value();
      item->preview_agent = a.name;
      const int64_t cid = item->contact.id;
      Status r = pool->ReserveFor(a.name);
      if (!r.ok()) return "error: " + r.message();
      a.preview = cid;
      a.card = Card(*item);
      c->claimed.insert(cid);
      items[cid] = std::move(item);
      return "ok " + a.card;
    }
  }
  return "error: no contact to preview for " + a.name + " now";
}

std::string Engine::Impl::HandleAgent(const std::vector<std::string>& words) {
  if (!pool) return "error: this server has no operators ([[operators]] in its config)";
  if (words.empty()) return "error: agent: expected a command";
  const std::string& verb = words[0];
  if (verb == "status" && words.size() == 1) return "ok " + AgentStatus();
  if (words.size() < 2) return "error: agent " + verb + ": expected an operator name";
  const std::string& name = words[1];
  const std::string arg = words.size() > 2 ? words[2] : "";
  auto found = agents.find(name);
  if (found == agents.end()) return "error: no operator \"" + name + "\"";
  AgentRun& a = *found->second;
  auto state = [&] { return std::string(ToString(pool->Find(name)->state)); };
  if (verb == "status") {
    std::string all = AgentStatus();
    auto arr = nlohmann::json::parse(all);
    for (const auto& j : arr) {
      if (j["name"] == name) return "ok " + j.dump();
    }
    return "error: no operator \"" + name + "\"";
  }
  if (verb == "login") {
    if (!arg.empty() && arg != "ready")
      return "error: agent login: \"" + arg + "\": expected ready";
    Status s = pool->Login(name, arg == "ready");
    if (!s.ok()) return "error: " + s.message();
    if (a.line || a.per_call) {
      // The leg survived, or there is none to keep: each customer will call the phone.
      pool->SetLineUp(name, true);
    } else if (!a.line_dialling) {
      PlaceLine(a);
    }
    ServeWaiting();
    return "ok " + name + " " + state() +
           (a.per_call ? " (called per customer)"
            : a.line   ? ""
                       : " (calling the phone)");
  }
  if (verb == "ready") {
    Status s = pool->Ready(name);
    if (!s.ok()) return "error: " + s.message();
    ServeWaiting();
    return "ok " + name + " " + state();
  }
  if (verb == "pause") {
    Status s = pool->Pause(name, arg);
    if (!s.ok()) return "error: " + s.message();
    return "ok " + name + " " + state() + (state() == "paused" ? "" : " (paused after this call)");
  }
  if (verb == "logout") {
    Status s = pool->Logout(name);
    if (!s.ok()) return "error: " + s.message();
    if (state() == "logged_out" && a.line) a.line->Hangup();
    return "ok " + name + " " + state() + (state() == "logged_out" ? "" : " (after this call)");
  }
  if (verb == "hangup") {
    auto it = items.find(a.customer);
    if (!a.customer || it == items.end() || !it->second->leg) {
      return "error: operator " + name + " has no customer on the line";
    }
    it->second->leg->Hangup();
    return "ok " + name + " hung up";
  }
  if (verb == "disposition") {
    if (!a.wrap) return "error: operator " + name + " is " + state() + ", not in wrap-up";
    std::string code = arg.substr(0, arg.find(' '));
    std::string when = arg.size() > code.size() ? arg.substr(code.size() + 1) : "";
    const CampaignRun& c = *a.wrap->camp;
    const Disposition* d = c.config.FindDisposition(code);
    if (!d) {
      std::string codes;
      for (const Disposition& x : c.config.dispositions)
        codes += (codes.empty() ? "" : ", ") + x.code;
      return "error: disposition \"" + code + "\": not in campaign " + c.name + " (" + codes + ")";
    }
    std::optional<Instant> at;
    if (!when.empty()) {
      if (!d->callback) return "error: disposition " + code + " takes no time (not a callback)";
      std::vector<const date::time_zone*> zones = c.checker->ZonesOf(a.wrap->contact);
      if (zones.empty()) return "error: the contact has no time zone for a local callback time";
      auto t = ParseLocalTime(when, zones.front(), clock->Now());
      if (!t.ok()) return "error: callback time " + t.status().message();
      at = *t;
    }
    EndWrapUp(a, d, at, false);
    return "ok " + name + " " + code + (at ? " at " + FormatUtc(*at) : "") + "; " + state();
  }
  if (verb == "preview") return PreviewNext(a);
  if (verb == "dial" || verb == "skip") {
    auto it = items.find(a.preview);
    if (!a.preview || it == items.end())
      return "error: operator " + name + " has no previewed contact";
    Item* item = it->second.get();
    if (item->dialled || item->attempt.id) return "error: already dialling";
    if (verb == "skip") {
      const int64_t cid = item->contact.id;
      const Instant later = clock->Now() + std::chrono::minutes(10);
      const std::string why = "skipped by operator " + name + " in preview";
      const Instant now = clock->Now();
      // The operator is free at once; the contact stays claimed until its new time is stored,
      // so the next preview cannot show it again.
      a.preview = 0;
      a.card.clear();
      item->preview_agent.clear();
      pool->Unreserve(name);
      OnStore<Status>(
          [cid, later, why, now](Store& s) {
            return s.Reschedule(cid, ContactState::kScheduled, later, why, now);
          },
          [this, cid](Status st) {
            LogIfError(st);
            Release(cid);
          });
      return "ok " + name + " skipped; " + state();
    }
    TrunkRun& t = trunks[item->camp->trunk];
    t.ready.push_back(item->contact.id);
    DialReady(t);
    return "ok " + name + " dialling " + item->contact.phone_e164;
  }
  return "error: agent: unknown command \"" + verb +
         "\" (login, ready, pause, logout, status, hangup, disposition, preview, dial, skip)";
}

}  // namespace dozvon
