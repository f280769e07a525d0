// Engine internals shared by engine.cc (campaigns, broadcast calls) and engine_operators.cc
// (operators, pacing, bridging). Not part of any interface: only these two files include it.
#pragma once

extern "C" {
#include <re.h>
}

#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/broadcast_call.h"
#include "app/control.h"
#include "app/engine.h"
#include "app/worker.h"
#include "core/agents/agent_pool.h"
#include "core/compliance/dnc.h"
#include "core/pacing/pacer.h"
#include "core/pacing/stats_tracker.h"
#include "core/retry/retry_policy.h"
#include "core/schedule/eligibility.h"
#include "scenario/scenario.h"
#include "scenario/template.h"
#include "store/sqlite/sqlite_store.h"
#include "telephony/event_loop.h"
#include "telephony/registrar.h"
#include "telephony/sip_uac.h"
#include "tts/tts.h"

namespace dozvon {

// The answer to a store write nobody waits for: a failure is logged, the engine goes on.
inline void LogIfError(Status s) {
  if (!s.ok()) std::fprintf(stderr, "dozvon serve: %s\n", s.message().c_str());
}

inline std::string Lang(const std::string& voice) { return voice.substr(0, voice.find('-')); }

inline std::vector<PastAttempt> History(const std::vector<Attempt>& attempts) {
  std::vector<PastAttempt> out;
  for (const auto& a : attempts) out.push_back({a.created_at, a.answered_at.has_value()});
  return out;
}

// One campaign the engine runs.
struct CampaignRun {
  int64_t id = 0;
  std::string name;
  std::string state;  // as stored: draft | running | paused | stopped | finished
  std::string dir;
  CampaignConfig config;
  DncList dnc;
  std::unique_ptr<EligibilityChecker> checker;
  std::unique_ptr<RetryPolicy> policy;
  Scenario scenario;
  std::vector<std::vector<TemplatePart>> templates;  // per step (say steps)
  size_t trunk = 0;
  std::set<int64_t> claimed;  // contacts somewhere between fetch and stored result
  bool fetching = false;
  // After a fetch that found fewer due contacts than it could take, wait before asking again.
  std::chrono::steady_clock::time_point next_fetch{};
  bool checking_done = false;
  std::chrono::steady_clock::time_point last_done_check{};
  bool started_here = false;

  // Operator campaigns: the pacer and what it learns, the abandon message, and the answered
  // customers waiting for an operator (contact ids, oldest first).
  std::unique_ptr<Pacer> pacer;
  PacerMemo memo;
  PacerMemo ledger;  // abandon accounting for supervisors, whichever pacer runs
  std::unique_ptr<PacerStatsTracker> stats;
  std::vector<PacerEvent> tick_events;  // since the last decision
  PacerDecision last_decision;
  int budget = 0;  // dials the last decision allowed
  std::shared_ptr<const Pcm> abandon_pcm;
  std::deque<int64_t> waiting;
  int64_t live_answers = 0, connected = 0, abandoned = 0;  // since this server started
};

// One contact on its way through prepare -> open attempt -> call -> result.
struct Item {
  CampaignRun* camp = nullptr;
  Contact contact;
  std::vector<PastAttempt> history;
  std::map<Outcome, int> prior_outcomes;  // earlier attempts by outcome (a rule's `max`)
  int prior_unsuccessful = 0;             // earlier answers that missed the success rule
  PreparedPrompts prompts;
  Attempt attempt;
  std::unique_ptr<BroadcastCall> call;
  bool dialled = false;

  // Operator campaigns.
  std::vector<Attempt> past;  // earlier attempts, for the operator's card
  int64_t dial_id = -1;       // the pacer's statistics
  std::chrono::steady_clock::time_point invited{}, answered{};
  CallLeg* leg = nullptr;                    // the customer's answered leg, until the call ends
  std::string agent;                         // the operator it was bridged to
  bool waiting = false;                      // answered, no operator yet
  bool abandoned = false;                    // given the abandon message
  std::string preview_agent;                 // preview: the operator who asked for this contact
  std::string ringing_agent;                 // the per-call operator whose phone rings for it
  std::string abandon_why;                   // why it was abandoned, when not "no operator free"
  const Disposition* disposition = nullptr;  // stored with the call (the default one)
  LoopTimer deadline;                        // connect_limit after the answer (transfer: wait)
  // Broadcast calls handed to an operator by a transfer step: the queue (operators' skill)
  // and when the caller asked, for the connect time the caller experiences.
  std::string transfer_queue;
  std::chrono::steady_clock::time_point transfer_asked{};
};

// An operator's runtime around the pool's state: the nailed-up leg to their phone, the
// customer bridged into it, and the wrap-up a disposition completes.
struct AgentRun {
  std::string name;
  CallLeg* line = nullptr;  // while the nailed-up leg is up (per call: while a call is up)
  bool line_dialling = false;
  bool per_call = false;    // reached by a call per customer, not a nailed-up leg
  int64_t ringing_for = 0;  // per call: the contact whose call rings the phone now
  // A customer for this operator needs their phone rung first (per call, none up yet).
  bool RingsPerCustomer() const { return per_call && !line; }
  int64_t customer = 0;  // contact id of the bridged customer
  struct WrapUp {
    CampaignRun* camp = nullptr;
    Contact contact;  // as after the attempt
    std::vector<PastAttempt> history;
    int64_t attempt_id = 0;
    int attempt_no = 0;
    Instant ended_at{};
    std::chrono::steady_clock::time_point started{};
    // A broadcast transfer whose scenario met the campaign's success rule stays a success
    // whatever the operator's code says; the code can still add one.
    bool scenario_success = false;
  };
  std::optional<WrapUp> wrap;
  LoopTimer wrap_timer;
  std::string card;     // the customer's card (JSON) while on call and in wrap-up
  int64_t preview = 0;  // preview: contact id reserved for this operator
};

struct TrunkRun {
  NamedTrunk cfg;
  std::unique_ptr<SipUac> uac;
  std::deque<int64_t> ready;  // contact ids whose prompts are ready, waiting for a dial slot
  double tokens = 0;          // CPS budget
  int pending = 0;            // attempts being opened or calls in progress
};

struct Engine::Impl {
  ServerConfig cfg;
  const Clock* clock = nullptr;
  EngineOptions opts;
  std::unique_ptr<Worker> store_worker;
  // Used on the loop thread at start-up, then only from store_worker.
  std::unique_ptr<SqliteStore> worker_store;
  std::unique_ptr<Worker> prep_worker;
  std::unique_ptr<Tts> tts;
  std::unique_ptr<LoopPoster> poster;
  std::unique_ptr<ControlServer> control;
  std::vector<std::unique_ptr<CampaignRun>> campaigns;
  std::vector<TrunkRun> trunks;
  std::map<int64_t, std::unique_ptr<Item>> items;  // by contact id
  SteadyTimer tick_tmr;
  SteadyTimer drain_tmr;
  std::chrono::steady_clock::time_point started, last_tick, last_progress;
  bool stopping = false;
  int store_ops = 0;  // store jobs whose answer has not come back

  // Operators (when the server config has any).
  std::shared_ptr<MediaTicker> ticker;  // one media tick for customers and operators
  std::unique_ptr<AgentPool> pool;
  std::unique_ptr<Registrar> registrar;
  std::unique_ptr<SipUac> phones;  // calls to operators' phones (nailed-up legs)
  std::map<std::string, std::unique_ptr<AgentRun>> agents;
  std::deque<int64_t> transfers;  // broadcast callers holding for an operator, oldest first
  // Reads on the loop thread that an operator waits for (preview cards).
  std::unique_ptr<SqliteStore> loop_store;

  // Seconds since the engine started (the pacer's clock).
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }

  ~Impl() {
    tick_tmr.Cancel();
    drain_tmr.Cancel();
  }

  // Runs `job` on the store thread, then `then` with its result on the loop.
  template <typename T>
  void OnStore(std::function<T(Store&)> job, std::function<void(T)> then) {
    ++store_ops;
    Store* s = worker_store.get();
    LoopPoster* p = poster.get();
    store_worker->Post([this, s, p, job = std::move(job), then = std::move(then)]() mutable {
      auto result = std::make_shared<T>(job(*s));
      p->Post([this, result, then = std::move(then)] {
        --store_ops;
        then(std::move(*result));
      });
    });
  }

  Status LoadCampaigns();
  void Tick();
  void Fetch(CampaignRun& c);
  void OnFetched(CampaignRun& c, std::vector<std::pair<Contact, std::vector<Attempt>>> due);
  void Prepare(std::unique_ptr<Item> item);
  void DialReady(TrunkRun& t);
  void Dial(Item* item);
  void Finish(Item* item, const CallResult& r);
  // The attempt's row as the call left it: times, SIP status, cause, who hung up.
  AttemptResult ResultOf(const CallResult& r) const;
  void Complete(Item* item, AttemptResult result, bool unsuccessful, const std::string& shortfall);
  void Release(int64_t contact_id);
  void CheckDone(CampaignRun& c);
  void Progress();
  std::string HandleControl(const std::string& line);
  bool AllStartedFinished() const;
  void StartDrain();
  void DrainTick();

  // Operators (engine_operators.cc).
  Status SetUpOperators();
  Status LoadOperatorCampaign(CampaignRun& run, const std::string& file);
  void Pace(CampaignRun& c, double tick_s);
  void OnCustomerAnswer(int64_t cid, CallLeg* leg);
  void ConnectCustomer(Item* item, const std::string& agent);
  // Per-call operators: rings the phone for this customer, who waits (within the connect
  // limit) and is bridged when it answers.
  void RingOperator(Item* item, const std::string& agent);
  // A customer the operator could not be reached for: the abandon message, or for a
  // transferred broadcast caller the scenario's fallback.
  void NotConnected(Item* item);
  bool BridgeToAgent(Item* item, const std::string& agent);
  void OnTransfer(int64_t cid, const std::string& queue, Duration wait);
  void TransferTo(Item* item, const std::string& agent);
  void StopWaiting(Item* item);
  void StartWrapUp(Item* item, const AttemptResult& res);
  void AbandonCustomer(Item* item);
  // An answered customer lost for want of an operator: the pacer's statistics and the count.
  void CountAbandon(CampaignRun& c);
  // The stored HA1 of an operator for the registrar's realm, if any (read from the store).
  std::optional<std::string> StoredHa1(const std::string& name);
  void ServeWaiting();
  void ServeCampaignWaiting();
  void FinishOperatorCall(Item* item, const CallResult& r);
  void EndWrapUp(AgentRun& a, const Disposition* d, std::optional<Instant> callback_at,
                 bool timed_out);
  void PlaceLine(AgentRun& a);
  void OnRegistration(const std::string& user, bool registered);
  std::string HandleAgent(const std::vector<std::string>& words);
  std::string AgentStatus() const;
  std::string Card(const Item& item) const;
  std::string PreviewNext(AgentRun& a);
  void FlushAgentEvents();
  std::string OperatorProgress(const CampaignRun& c) const;
};

}  // namespace dozvon
