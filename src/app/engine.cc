#include "app/engine.h"
#include "app/engine_impl.h"

extern "C" {
#include <re.h>
}

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include "app/broadcast_call.h"
#include "app/campaign_files.h"
#include "app/control.h"
#include "app/worker.h"
#include "core/dialer/after_attempt.h"
#include "scenario/template.h"
#include "store/sqlite/sqlite_store.h"
#include "telephony/event_loop.h"
#include "tts/tts.h"

namespace dozvon {
namespace {

namespace fs = std::filesystem;

// Contact field names a scenario template may use: every column of the campaign's lists.
Result<std::set<std::string>> ListFields(Store& store, const std::vector<std::string>& lists) {
  std::set<std::string> out;
  for (const auto& name : lists) {
    DZ_ASSIGN_OR_RETURN(auto list, store.FindList(name));
    if (!list) continue;
    Status first_only = Status::Aborted("first contact read");
    Status s = store.ForEachContact(list->id, [&](const Contact& c) {
      for (const auto& [k, v] : c.fields) out.insert(k);
      return first_only;
    });
    if (!s.ok() && s.code() != StatusCode::kAborted) return s;
  }
  return out;
}

}  // namespace

namespace {
void TickTimer(void* arg) { static_cast<Engine::Impl*>(arg)->Tick(); }
void DrainTimer(void* arg) { static_cast<Engine::Impl*>(arg)->DrainTick(); }
}  // namespace

Result<int> RecoverInterrupted(Store& store, const Clock& clock) {
  DZ_ASSIGN_OR_RETURN(std::vector<Attempt> open, store.OpenAttempts());
  if (open.empty()) return 0;
  DZ_ASSIGN_OR_RETURN(std::vector<CampaignRecord> records, store.Campaigns());
  std::map<int64_t, std::pair<CampaignConfig, DncList>> configs;
  int closed = 0;
  for (const Attempt& a : open) {
    auto it = configs.find(a.campaign_id);
    if (it == configs.end()) {
      CampaignConfig cc = CampaignConfig::Defaults();
      for (const auto& rec : records) {
        if (rec.id != a.campaign_id) continue;
        auto parsed = CampaignConfig::Parse(rec.config_toml, rec.name);
        if (parsed.ok()) cc = std::move(parsed).value();
      }
      it = configs.emplace(a.campaign_id, std::make_pair(std::move(cc), DncList())).first;
    }
    const CampaignConfig& cc = it->second.first;
    EligibilityChecker checker(cc, &it->second.second);
    RetryPolicy policy(cc);
    DZ_ASSIGN_OR_RETURN(auto contact, store.GetContact(a.contact_id));
    if (!contact) continue;
    DZ_ASSIGN_OR_RETURN(auto attempts, store.AttemptsOfContact(a.contact_id));
    std::vector<PastAttempt> history = History(attempts);
    RetryInput in;
    in.outcome = Outcome::kInterrupted;
    in.attempts_made = contact->attempts;
    in.outcome_count = 1;
    for (const auto& p : attempts) in.outcome_count += p.outcome == Outcome::kInterrupted;
    in.ended_at = clock.Now();
    NextState next = AfterAttempt(checker, policy, *contact, history, in);
    AttemptResult r;
    r.outcome = Outcome::kInterrupted;
    r.ended_at = in.ended_at;
    r.reason = "the engine stopped while this attempt was open";
    r.contact.state = next.state;
    r.contact.next_attempt_at = next.next_at ? next.next_at : next.retry_at;
    r.contact.reason = next.reason;
    DZ_RETURN_IF_ERROR(store.CompleteAttempt(a.id, r));
    ++closed;
  }
  return closed;
}

Status Engine::Impl::LoadCampaigns() {
  const Instant now = clock->Now();
  // Numbers operators marked do-not-call apply to every campaign.
  DZ_ASSIGN_OR_RETURN(std::vector<std::string> system_dnc, worker_store->DncNumbers());
  for (const CampaignEntry& entry : cfg.campaigns) {
    DZ_ASSIGN_OR_RETURN(std::string text, ReadTextFile(entry.file));
    DZ_ASSIGN_OR_RETURN(CampaignConfig cc, CampaignConfig::Parse(text, entry.file));
    auto run = std::make_unique<CampaignRun>();
    run->dir = fs::path(entry.file).parent_path().string();
    DZ_ASSIGN_OR_RETURN(run->dnc, LoadDnc(cc, run->dir));
    for (const std::string& n : system_dnc) run->dnc.AddNumber(n);
    const bool operators = cc.with_operators();
    if (!operators && cc.broadcast.scenario.empty()) {
      return Status::InvalidArgument(entry.file + ": broadcast.scenario: required");
    }
    const std::string& trunk_name = operators ? cc.operators.trunk : cc.broadcast.trunk;
    const NamedTrunk* trunk = cfg.FindTrunk(trunk_name);
    if (!trunk) {
      return Status::InvalidArgument(entry.file + (operators ? ": operators" : ": broadcast") +
                                     ".trunk: no trunk named \"" + trunk_name + "\" in " +
                                     cfg.source);
    }
    run->trunk = static_cast<size_t>(trunk - cfg.trunks.data());
    CampaignRecord rec{0, cc.name, text, "draft", cc.lists};
    DZ_ASSIGN_OR_RETURN(run->id, worker_store->UpsertCampaign(rec, now));
    DZ_ASSIGN_OR_RETURN(auto stored, worker_store->FindCampaign(cc.name));
    run->state = stored ? stored->state : "draft";
    if (entry.start && run->state == "draft") {
      DZ_RETURN_IF_ERROR(worker_store->SetCampaignState(run->id, "running", now));
      run->state = "running";
    }
    run->started_here = run->state == "running";
    if (operators) {
      run->name = cc.name;
      run->config = std::move(cc);
      DZ_RETURN_IF_ERROR(LoadOperatorCampaign(*run, entry.file));
      run->checker = std::make_unique<EligibilityChecker>(run->config, &run->dnc);
      run->policy = std::make_unique<RetryPolicy>(run->config);
      campaigns.push_back(std::move(run));
      continue;
    }
    // The scenario is checked against the lists' real columns: a typo fails here, not mid-call.
    std::string sc_path = cc.broadcast.scenario[0] == '/' || run->dir.empty()
                              ? cc.broadcast.scenario
                              : run->dir + "/" + cc.broadcast.scenario;
    DZ_ASSIGN_OR_RETURN(std::string sc_text, ReadTextFile(sc_path));
    ScenarioEnv env;
    env.base_dir = fs::path(sc_path).parent_path().string();
    env.file_exists = [](const std::string& p) { return fs::exists(p); };
    DZ_ASSIGN_OR_RETURN(env.fields, ListFields(*worker_store, cc.lists));
    DZ_ASSIGN_OR_RETURN(run->scenario, ParseScenario(sc_text, sc_path, env));
    for (const Step& st : run->scenario.steps) {
      std::vector<TemplatePart> parts;
      if (st.kind == StepKind::kSay) {
        DZ_ASSIGN_OR_RETURN(parts, ParseTemplate(st.text));
      }
      run->templates.push_back(std::move(parts));
    }
    for (const Step& st : run->scenario.steps) {
      if (st.kind != StepKind::kTransfer) continue;
      bool staffed = false;
      for (const OperatorEntry& op : cfg.operators) {
        staffed = staffed || st.queue.empty() ||
                  std::find(op.skills.begin(), op.skills.end(), st.queue) != op.skills.end();
      }
      if (!cfg.registrar.enabled || !staffed) {
        // Not an error: the fallback is a valid plan (and the demo's), but say so at start.
        std::fprintf(stderr,
                     "dozvon serve: %s:%d: transfer to queue \"%s\": no operator in %s has that "
                     "skill; every caller gets the fallback\n",
                     sc_path.c_str(), st.line, st.queue.c_str(), cfg.source.c_str());
      }
    }
    for (const auto& rule_var : cc.broadcast.success.Vars()) {
      bool set_somewhere = false;
      for (const Step& st : run->scenario.steps) {
        for (const auto& [k, v] : st.vars) set_somewhere = set_somewhere || k == rule_var;
        set_somewhere = set_somewhere || (st.kind == StepKind::kGather && st.into == rule_var);
      }
      if (!set_somewhere) {
        return Status::InvalidArgument(entry.file + ": broadcast.success: no step of " + sc_path +
                                       " sets \"" + rule_var + "\"");
      }
    }
    run->name = cc.name;
    run->config = std::move(cc);
    run->checker = std::make_unique<EligibilityChecker>(run->config, &run->dnc);
    run->policy = std::make_unique<RetryPolicy>(run->config);
    campaigns.push_back(std::move(run));
  }
  return Status::Ok();
}

void Engine::Impl::Tick() {
  auto now = std::chrono::steady_clock::now();
  double dt = std::chrono::duration<double>(now - last_tick).count();
  last_tick = now;
  if (!stopping) {
    for (auto& t : trunks) {
      // Attempts are opened no faster than the trunk's CPS, so its own queue stays short and
      // an INVITE leaves within moments of the window check.
      double cps = t.cfg.config.cps > 0 ? t.cfg.config.cps : 1000;
      t.tokens = std::min(t.tokens + dt * cps, std::max(1.0, cps * 0.5));
      DialReady(t);
    }
    for (auto& c : campaigns) {
      CheckDone(*c);
      if (c->state == "running" && c->pacer) Pace(*c, dt);
      if (c->state == "running") Fetch(*c);
    }
    FlushAgentEvents();
    if (opts.max_run && now - started >= *opts.max_run) {
      std::printf("max run time reached: stopping\n");
      StartDrain();
    } else if (opts.exit_when_done && AllStartedFinished()) {
      StartDrain();
    }
  }
  if (opts.progress_every.count() > 0 && now - last_progress >= opts.progress_every) {
    last_progress = now;
    Progress();
  }
  tick_tmr.Start(static_cast<uint64_t>(cfg.tick.count()), TickTimer, this);
}

bool Engine::Impl::AllStartedFinished() const {
  bool any = false;
  for (const auto& c : campaigns) {
    if (!c->started_here) continue;
    any = true;
    if (c->state != "finished" && c->state != "stopped") return false;
  }
  return any;
}

void Engine::Impl::Fetch(CampaignRun& c) {
  if (c.fetching || std::chrono::steady_clock::now() < c.next_fetch) return;
  TrunkRun& t = trunks[c.trunk];
  int trunk_room = t.cfg.config.max_calls > 0
                       ? t.cfg.config.max_calls - t.pending - static_cast<int>(t.ready.size())
                       : 1000;
  int camp_room =
      c.config.max_lines > 0 ? c.config.max_lines - static_cast<int>(c.claimed.size()) : 1000;
  // Enough to keep the trunk busy for about two seconds.
  int want = std::min({trunk_room, camp_room,
                       static_cast<int>(t.cfg.config.cps > 0 ? t.cfg.config.cps * 2 + 1 : 100)});
  if (c.pacer) {
    // The pacer counted every claimed contact as a line in flight: fetch what it allowed.
    want = std::min(want, c.budget);
    c.budget = 0;
  } else {
    want -= static_cast<int>(t.ready.size());
  }
  if (want <= 0) return;
  c.fetching = true;
  const int64_t id = c.id;
  const Instant now = clock->Now();
  const bool new_first = c.config.new_first;
  std::set<int64_t> skip = c.claimed;
  using Due = std::vector<std::pair<Contact, std::vector<Attempt>>>;
  OnStore<Due>(
      [id, now, want, new_first, skip](Store& s) {
        Due out;
        auto due = s.DueContacts(id, now, want + static_cast<int>(skip.size()), new_first);
        if (!due.ok()) {
          std::fprintf(stderr, "dozvon serve: %s\n", due.status().message().c_str());
          return out;
        }
        for (Contact& ct : *due) {
          if (skip.count(ct.id) || static_cast<int>(out.size()) >= want) continue;
          auto attempts = s.AttemptsOfContact(ct.id);
          if (!attempts.ok()) continue;
          out.emplace_back(std::move(ct), std::move(attempts).value());
        }
        return out;
      },
      [this, &c, want](Due due) {
        if (static_cast<int>(due.size()) < want) {
          c.next_fetch = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
        }
        OnFetched(c, std::move(due));
      });
}

void Engine::Impl::OnFetched(CampaignRun& c,
                             std::vector<std::pair<Contact, std::vector<Attempt>>> due) {
  c.fetching = false;
  if (stopping || c.state != "running") return;
  const Instant now = clock->Now();
  for (auto& [contact, attempts] : due) {
    if (c.claimed.count(contact.id)) continue;
    std::vector<PastAttempt> history = History(attempts);
    Eligibility e = c.checker->Check(contact, history, now);
    if (!e.callable) {
      // Not now: move the contact to when it may be called, or end it, with the reason.
      std::string why;
      bool never = !e.next_at;
      bool struck = false;
      for (const auto& [b, text] : e.reasons) {
        why += (why.empty() ? "" : "; ") + text;
        struck = struck || b == Blocker::kDnc;
      }
      ContactState st = !never   ? ContactState::kScheduled
                        : struck ? ContactState::kStruck
                                 : ContactState::kDone;
      const int64_t cid = contact.id;
      std::optional<Instant> next = e.next_at;
      OnStore<Status>(
          [cid, st, next, why, now](Store& s) { return s.Reschedule(cid, st, next, why, now); },
          LogIfError);
      continue;
    }
    auto item = std::make_unique<Item>();
    item->camp = &c;
    item->contact = std::move(contact);
    item->history = std::move(history);
    for (const Attempt& a : attempts) {
      if (a.outcome) ++item->prior_outcomes[*a.outcome];
      if (a.details.success == false) ++item->prior_unsuccessful;
    }
    if (c.pacer || pool) item->past = std::move(attempts);  // for an operator's card
    c.claimed.insert(item->contact.id);
    Prepare(std::move(item));
  }
}

void Engine::Impl::Prepare(std::unique_ptr<Item> item) {
  // Render and synthesise every prompt for this contact on the prompt thread (cached by text),
  // so the callee hears the message the moment they answer.
  Item* raw = item.get();
  const int64_t cid = raw->contact.id;
  items[cid] = std::move(item);
  const CampaignRun* c = raw->camp;
  if (c->pacer) {  // operator calls: nothing to synthesise per contact
    TrunkRun& tr = trunks[c->trunk];
    tr.ready.push_back(cid);
    DialReady(tr);
    return;
  }
  Fields fields = raw->contact.fields;
  fields.emplace_back("phone", raw->contact.phone_e164);
  fields.emplace_back("external_id", raw->contact.external_id);
  Tts* t = tts.get();
  LoopPoster* p = poster.get();
  prep_worker->Post([this, c, t, p, cid, fields = std::move(fields)] {
    auto prompts = std::make_shared<PreparedPrompts>();
    std::string error;
    const Scenario& sc = c->scenario;
    for (size_t i = 0; i < sc.steps.size(); ++i) {
      std::shared_ptr<const Pcm> pcm;
      if (sc.steps[i].kind == StepKind::kSay) {
        TtsRequest req;
        req.text = RenderTemplate(c->templates[i], fields, Lang(sc.voice), sc.currency);
        req.voice = sc.voice;
        req.rate = sc.rate;
        auto r = t->Synthesize(req);
        if (r.ok())
          pcm = *r;
        else
          error = r.status().message();
      } else if (sc.steps[i].kind == StepKind::kPlay) {
        auto r = LoadPrompt(sc.steps[i].text);
        if (r.ok())
          pcm = *r;
        else
          error = r.status().message();
      }
      prompts->seconds.push_back(pcm ? static_cast<double>(pcm->size()) / 8000.0 : 0.0);
      prompts->by_step.push_back(std::move(pcm));
    }
    p->Post([this, cid, prompts, error] {
      auto it = items.find(cid);
      if (it == items.end()) return;
      Item* item = it->second.get();
      if (!error.empty()) {
        // Without its prompts the call would be silence: do not dial; try later.
        std::fprintf(stderr, "dozvon serve: contact %lld: prompt: %s\n",
                     static_cast<long long>(cid), error.c_str());
        Release(cid);
        return;
      }
      item->prompts = std::move(*prompts);
      TrunkRun& tr = trunks[item->camp->trunk];
      tr.ready.push_back(cid);
      DialReady(tr);
    });
  });
}

void Engine::Impl::DialReady(TrunkRun& t) {
  while (!stopping && !t.ready.empty() && t.tokens >= 1.0 &&
         (t.cfg.config.max_calls <= 0 || t.pending < t.cfg.config.max_calls)) {
    int64_t cid = t.ready.front();
    t.ready.pop_front();
    auto it = items.find(cid);
    if (it == items.end()) continue;
    t.tokens -= 1.0;
    Dial(it->second.get());
  }
}

void Engine::Impl::Dial(Item* item) {
  CampaignRun& c = *item->camp;
  const Instant now = clock->Now();
  // The last check, right before the attempt is counted: the window may have closed or a
  // DNC entry may have appeared while the prompts were prepared.
  Eligibility e = c.checker->Check(item->contact, item->history, now);
  if (!e.callable || c.state != "running") {
    Release(item->contact.id);
    return;
  }
  TrunkRun& t = trunks[c.trunk];
  ++t.pending;
  NewAttempt na{item->contact.id, c.id, item->contact.phone_e164, now, c.config.max_attempts};
  const int64_t cid = item->contact.id;
  OnStore<Result<Attempt>>(
      [na](Store& s) { return s.OpenAttempt(na); },
      [this, cid, &t](Result<Attempt> opened) {
        auto it = items.find(cid);
        if (it == items.end()) return;
        Item* item = it->second.get();
        if (!opened.ok()) {
          --t.pending;
          std::fprintf(stderr, "dozvon serve: %s\n", opened.status().message().c_str());
          Release(cid);
          return;
        }
        item->attempt = *opened;
        item->history.push_back({item->attempt.created_at, false});
        if (stopping) {
          // Counted but never dialled: close it at once.
          CallResult r;
          r.outcome = Outcome::kInterrupted;
          r.reason = "not dialled: the engine is stopping";
          Finish(item, r);
          return;
        }
        // The attempt is durable: now the INVITE may leave.
        CampaignRun& c = *item->camp;
        DialRequest req;
        req.to_e164 = item->contact.phone_e164;
        req.ring_timeout = c.config.ring_timeout;
        req.headers = {{"X-Dozvon-Attempt", std::to_string(item->attempt.id)}};
        std::string base = cfg.recordings + "/" + std::to_string(item->attempt.id);
        if (c.pacer) {
          if (c.config.operators.record_calls) req.record_path = base + ".wav";
          req.on_answer = [this, cid](CallLeg* leg) { OnCustomerAnswer(cid, leg); };
          item->dial_id = c.stats->OnDial(Elapsed());
          item->invited = std::chrono::steady_clock::now();
        } else {
          if (c.config.broadcast.record_calls) req.record_path = base + ".wav";
          item->call = std::make_unique<BroadcastCall>(c.scenario, std::move(item->prompts),
                                                       base + "-reply.wav");
          BroadcastCall* bc = item->call.get();
          if (pool) {
            bc->SetTransfer([this, cid](const std::string& queue, Duration wait) {
              OnTransfer(cid, queue, wait);
            });
          }
          req.on_answer = [this, cid, bc](CallLeg* leg) {
            auto found = items.find(cid);
            if (found != items.end()) {
              found->second->leg = leg;  // for a transfer's bridge
              found->second->answered = std::chrono::steady_clock::now();
            }
            bc->OnAnswer(leg);
          };
        }
        item->dialled = true;
        Status s = t.uac->Dial(req, [this, cid](const CallResult& r) {
          auto it2 = items.find(cid);
          if (it2 != items.end()) Finish(it2->second.get(), r);
        });
        if (!s.ok()) {
          CallResult r;
          r.outcome = Outcome::kFailed;
          r.reason = s.message();
          Finish(item, r);
        }
      });
}

AttemptResult Engine::Impl::ResultOf(const CallResult& r) const {
  AttemptResult res;
  res.outcome = r.outcome;
  res.dialed_at = r.invited_at;
  res.answered_at = r.answered_at;
  res.ended_at = clock->Now();
  if (r.sip_status) res.sip_status = r.sip_status;
  res.q850_cause = r.q850_cause;
  res.reason = r.reason;
  res.details.hangup_by = r.hangup_by == HangupBy::kUs     ? "us"
                          : r.hangup_by == HangupBy::kThem ? "them"
                                                           : "";
  res.details.recording = r.recording;
  return res;
}

void Engine::Impl::Finish(Item* item, const CallResult& r) {
  TrunkRun& t = trunks[item->camp->trunk];
  --t.pending;
  if (item->camp->pacer) {
    FinishOperatorCall(item, r);
    return;
  }
  if (item->call) item->call->OnEnded(r);
  StopWaiting(item);  // hung up holding for an operator
  item->leg = nullptr;
  CampaignRun& c = *item->camp;
  AttemptResult res = ResultOf(r);
  bool unsuccessful = false;
  std::string shortfall;
  if (r.answered_at && item->call) {  // answered (or answered, then cut at shutdown)
    const ScenarioResult& sr = item->call->result();
    CallDetails& d = res.details;
    d.heard_to_end = sr.heard_to_end;
    d.heard_ms = static_cast<int64_t>(sr.heard_seconds * 1000 + 0.5);
    d.message_ms = static_cast<int64_t>(sr.message_seconds * 1000 + 0.5);
    d.dtmf = sr.dtmf;
    d.vars = sr.vars;
    if (!sr.recording.empty()) d.recording = sr.recording;
    CallFacts facts{sr.heard_fraction(), sr.heard_to_end, sr.dtmf, sr.vars};
    if (r.outcome == Outcome::kAnswered) {  // a cut call retries by its own rule
      d.success = c.config.broadcast.success.Met(facts);
      if (!*d.success) {
        unsuccessful = true;
        shortfall = c.config.broadcast.success.Shortfall(facts);
      }
    }
    if (!sr.end_reason.empty()) res.reason += "; " + sr.end_reason;
  }
  if (!item->agent.empty()) {  // transferred to an operator, who now wraps up
    res.details.agent = item->agent;
    if (r.connect_s) {
      // What the caller experienced: from asking for an operator to hearing one.
      const double asked =
          std::chrono::duration<double>(item->transfer_asked - item->answered).count();
      res.details.connect_ms =
          std::max<int64_t>(0, static_cast<int64_t>((*r.connect_s - asked) * 1000 + 0.5));
    }
    StartWrapUp(item, res);
    FlushAgentEvents();
  }
  Complete(item, std::move(res), unsuccessful, shortfall);
}

void Engine::Impl::Complete(Item* item, AttemptResult res, bool unsuccessful,
                            const std::string& shortfall) {
  const Outcome outcome = res.outcome;
  CampaignRun& c = *item->camp;
  if (outcome == Outcome::kAnswered && !item->history.empty()) item->history.back().answered = true;
  Contact after = item->contact;
  after.attempts = item->attempt.attempt_no;
  RetryInput in;
  in.outcome = outcome;
  in.attempts_made = item->attempt.attempt_no;
  in.ended_at = res.ended_at;
  in.sip_status = res.sip_status;
  in.q850_cause = res.q850_cause;
  in.unsuccessful = unsuccessful;
  in.shortfall = shortfall;
  in.outcome_count = 1 + (unsuccessful ? item->prior_unsuccessful : item->prior_outcomes[outcome]);
  in.disposition = item->disposition;
  NextState next = AfterAttempt(*c.checker, *c.policy, after, item->history, in);
  res.contact.state = next.state;
  res.contact.next_attempt_at = next.next_at ? next.next_at : next.retry_at;
  res.contact.reason = next.reason;
  const int64_t aid = item->attempt.id;
  const int64_t cid = item->contact.id;
  OnStore<Status>([aid, res](Store& s) { return s.CompleteAttempt(aid, res); },
                  [this, cid](Status s) {
                    LogIfError(s);
                    Release(cid);
                  });
}

void Engine::Impl::Release(int64_t contact_id) {
  auto it = items.find(contact_id);
  if (it == items.end()) return;
  if (const std::string& op = it->second->preview_agent; !op.empty()) {
    // A previewed contact let go (skipped, not callable, or the call failed): the operator is
    // ready for the next one.
    AgentRun& a = *agents[op];
    if (a.preview == contact_id) {
      a.preview = 0;
      a.card.clear();
      pool->Unreserve(op);
    }
  }
  it->second->camp->claimed.erase(contact_id);
  items.erase(it);
}

void Engine::Impl::CheckDone(CampaignRun& c) {
  if (c.state != "running" || c.checking_done || !c.claimed.empty() || c.fetching) return;
  auto now = std::chrono::steady_clock::now();
  if (now - c.last_done_check < std::chrono::seconds(1)) return;
  c.last_done_check = now;
  c.checking_done = true;
  const int64_t id = c.id;
  const Instant t = clock->Now();
  OnStore<bool>(
      [id, t](Store& s) {
        auto totals = s.Totals(id);
        if (!totals.ok()) return false;
        auto& by = totals->contacts_by_state;
        bool open =
            by[ContactState::kNew] + by[ContactState::kScheduled] + by[ContactState::kInProgress] >
            0;
        if (open) return false;
        return s.SetCampaignState(id, "finished", t).ok() ? true : false;
      },
      [this, &c](bool finished) {
        c.checking_done = false;
        if (finished && c.state == "running") {
          c.state = "finished";
          std::printf("campaign \"%s\" finished: every contact is done or struck\n",
                      c.name.c_str());
          std::fflush(stdout);
        }
      });
}

std::string FormatProgress(const std::string& name, const std::string& state,
                           const CampaignTotals& t, int active,
                           const std::vector<std::string>& var_terms, bool broadcast) {
  auto get = [](const auto& m, auto k) {
    auto it = m.find(k);
    return it == m.end() ? int64_t{0} : it->second;
  };
  int64_t answered = get(t.attempts_by_outcome, Outcome::kAnswered);
  // "Heard to the end" is a broadcast measure; operator calls have no message to hear.
  std::string heard =
      broadcast ? ", heard to the end " + std::to_string(t.heard_to_end) : std::string();
  char line[512];
  std::snprintf(line, sizeof line,
                "[%s] %s: dialled %lld, in call %d, answered %lld%s, success %lld, contacts done "
                "%lld, struck %lld, waiting %lld",
                name.c_str(), state.c_str(), static_cast<long long>(t.attempts), active,
                static_cast<long long>(answered), heard.c_str(),
                static_cast<long long>(t.successes),
                static_cast<long long>(get(t.contacts_by_state, ContactState::kDone)),
                static_cast<long long>(get(t.contacts_by_state, ContactState::kStruck)),
                static_cast<long long>(get(t.contacts_by_state, ContactState::kNew) +
                                       get(t.contacts_by_state, ContactState::kScheduled)));
  std::string out = line;
  // The success rule's own variables, e.g. "confirmed=yes 27".
  for (const auto& term : var_terms)
    out += ", " + term + " " + std::to_string(get(t.var_counts, term));
  std::string failed;
  for (const auto& [o, n] : t.attempts_by_outcome) {
    if (o == Outcome::kAnswered) continue;
    failed += (failed.empty() ? "" : ", ") + std::string(ToString(o)) + " " + std::to_string(n);
  }
  if (!failed.empty()) out += "; not reached: " + failed;
  return out;
}

void Engine::Impl::Progress() {
  for (auto& c : campaigns) {
    if (!c->started_here && c->state != "running") continue;
    const int64_t id = c->id;
    std::string name = c->name, state = c->state;
    std::vector<std::string> terms = c->config.broadcast.success.VarTerms();
    int active = 0;
    for (const auto& [cid, item] : items) active += item->camp == c.get() && item->dialled;
    OnStore<Result<CampaignTotals>>(
        [id](Store& s) { return s.Totals(id); },
        [name, state, active, terms,
         extra = c->pacer ? OperatorProgress(*c) : std::string()](Result<CampaignTotals> t) {
          if (!t.ok()) return;
          std::string line = FormatProgress(name, state, *t, active, terms, extra.empty());
          if (!extra.empty()) line += "; " + extra;
          std::printf("%s\n", line.c_str());
          std::fflush(stdout);
        });
  }
}

std::string Engine::Impl::HandleControl(const std::string& line) {
  auto sp = line.find(' ');
  std::string verb = line.substr(0, sp);
  std::string name = sp == std::string::npos ? "" : line.substr(sp + 1);
  if (verb == "agent") {
    std::vector<std::string> words;
    std::string rest = name;
    // Words split on spaces; the last argument (a pause reason) may hold spaces.
    for (size_t i = 0; i < 3 && !rest.empty(); ++i) {
      auto at = rest.find(' ');
      if (i == 2 || at == std::string::npos) {
        words.push_back(rest);
        break;
      }
      words.push_back(rest.substr(0, at));
      rest = rest.substr(at + 1);
    }
    std::string reply = HandleAgent(words);
    FlushAgentEvents();
    return reply;
  }
  if (verb == "status") {
    std::string out;
    for (const auto& c : campaigns) {
      out += (out.empty() ? "" : "; ") + c->name + ": " + c->state + " (" +
             std::to_string(c->claimed.size()) + " in progress)";
      if (c->pacer) out += " " + OperatorProgress(*c);
    }
    return "ok " + (out.empty() ? std::string("no campaigns") : out);
  }
  CampaignRun* c = nullptr;
  for (auto& r : campaigns) {
    if (r->name == name) c = r.get();
  }
  if (!c) return "error: no campaign \"" + name + "\" in this server";
  std::string to;
  if (verb == "start") {
    if (c->state == "running") return "ok " + name + " is already running";
    to = "running";
  } else if (verb == "resume") {
    if (c->state != "paused") return "error: " + name + " is " + c->state + ", not paused";
    to = "running";
  } else if (verb == "pause") {
    if (c->state != "running") return "error: " + name + " is " + c->state + ", not running";
    to = "paused";
  } else if (verb == "stop") {
    to = "stopped";
  } else {
    return "error: unknown command \"" + verb + "\" (start, pause, resume, stop, status)";
  }
  // Pause and stop end dialling at once; calls already in progress finish normally.
  c->state = to;
  c->started_here = c->started_here || to == "running";
  const int64_t id = c->id;
  const Instant now = clock->Now();
  OnStore<Status>([id, to, now](Store& s) { return s.SetCampaignState(id, to, now); }, LogIfError);
  std::printf("campaign \"%s\": %s\n", name.c_str(), to.c_str());
  std::fflush(stdout);
  return "ok " + name + " " + to;
}

void Engine::Impl::StartDrain() {
  if (stopping) return;
  stopping = true;
  for (auto& t : trunks) {
    for (int64_t cid : t.ready) Release(cid);
    t.ready.clear();
  }
  // Contacts still being prepared have no attempt and are never dialled now; an attempt being
  // opened right now is closed as interrupted when the store answers.
  re_cancel();
}

void Engine::Impl::DrainTick() {
  bool calls = false;
  for (const auto& [cid, item] : items) calls = calls || item->dialled || item->attempt.id;
  if (!calls && store_ops == 0) {  // the grace timer bounds the wait
    re_cancel();
    return;
  }
  drain_tmr.Start(100, DrainTimer, this);
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  // Workers first: they finish queued writes; their answers to the loop are dropped.
  impl_->prep_worker.reset();
  impl_->store_worker.reset();
}

Result<std::unique_ptr<Engine>> Engine::Create(ServerConfig config, const Clock* clock,
                                               EngineOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->cfg = std::move(config);
  impl->clock = clock;
  impl->opts = options;
  Impl& e = *impl;
  DZ_ASSIGN_OR_RETURN(e.worker_store, SqliteStore::Open(e.cfg.db));
  // A previous run that died mid-call: close its open attempts before anything dials.
  DZ_ASSIGN_OR_RETURN(int recovered, RecoverInterrupted(*e.worker_store, *clock));
  if (recovered > 0) {
    std::printf("closed %d attempt(s) left open by a previous run as interrupted\n", recovered);
  }
  std::error_code ec;
  fs::create_directories(e.cfg.recordings, ec);
  if (ec) return Status::IoError(e.cfg.recordings + ": " + ec.message());
  DZ_ASSIGN_OR_RETURN(e.tts, Tts::Create(e.cfg.tts_cache));
  DZ_RETURN_IF_ERROR(e.LoadCampaigns());
  DZ_ASSIGN_OR_RETURN(e.poster, LoopPoster::Create());
  e.ticker = std::make_shared<MediaTicker>();
  for (const NamedTrunk& nt : e.cfg.trunks) {
    TrunkRun t;
    t.cfg = nt;
    DZ_ASSIGN_OR_RETURN(t.uac, SipUac::Create(nt.config, e.cfg.local_ip, e.ticker));
    e.trunks.push_back(std::move(t));
  }
  DZ_RETURN_IF_ERROR(e.SetUpOperators());
  DZ_ASSIGN_OR_RETURN(e.control,
                      ControlServer::Listen(e.cfg.control, [&e](const std::string& line) {
                        return e.HandleControl(line);
                      }));
  e.store_worker = std::make_unique<Worker>();
  e.prep_worker = std::make_unique<Worker>();
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::Run() {
  Impl& e = *impl_;
  e.started = e.last_tick = e.last_progress = std::chrono::steady_clock::now();
  for (const auto& c : e.campaigns) {
    std::string what = c->pacer ? "pacer " + std::string(c->pacer->name()) + ", skill \"" +
                                      c->config.operators.skill + "\""
                                : "scenario " + c->scenario.source;
    std::printf("campaign \"%s\": %s (%s, %s, trunk %s)\n", c->name.c_str(), c->state.c_str(),
                std::string(ToString(c->config.mode)).c_str(), what.c_str(),
                e.trunks[c->trunk].cfg.name.c_str());
  }
  std::printf("dozvon serve: control socket %s; SIP on %s:%u\n", e.cfg.control.c_str(),
              e.cfg.local_ip.c_str(), e.trunks.front().uac->local_port());
  if (e.registrar) {
    std::printf("dozvon serve: registrar for %zu operator(s) on %s:%u\n", e.agents.size(),
                e.cfg.registrar.ip.c_str(), e.registrar->port());
  }
  std::fflush(stdout);
  e.tick_tmr.Start(0, TickTimer, &e);
  EventLoop::Run();  // returns on SIGINT/SIGTERM or StartDrain
  if (!e.stopping) {
    std::printf("signal received: no new calls; waiting up to %llds for calls in progress\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::seconds>(e.cfg.grace).count()));
    std::fflush(stdout);
    e.StartDrain();
  }
  // Drain: calls in progress may finish within the grace period.
  e.drain_tmr.Start(100, DrainTimer, &e);
  SteadyTimer grace_tmr;
  grace_tmr.Start(
      static_cast<uint64_t>(e.cfg.grace.count()), [](void*) { re_cancel(); }, nullptr);
  EventLoop::Run();
  grace_tmr.Cancel();
  e.drain_tmr.Cancel();
  e.tick_tmr.Cancel();
  // Calls still up after the grace period: close their attempts now (the calls are cut when
  // the trunks go away).
  std::vector<Item*> left;
  for (auto& [cid, item] : e.items) {
    if (item->dialled) left.push_back(item.get());
  }
  for (Item* item : left) {
    CallResult r;
    r.outcome = Outcome::kInterrupted;
    r.reason = "cut: the engine stopped and the grace period ended";
    if (item->answered != std::chrono::steady_clock::time_point{}) {
      // Answered before the cut: keep when, and what the call did so far (keys, operator).
      r.answered_at = std::chrono::time_point_cast<Duration>(
          e.clock->Now() - (std::chrono::steady_clock::now() - item->answered));
    }
    e.Finish(item, r);
  }
  // Hang up what is left (BYE or CANCEL) before the loop runs again: no call may reach a
  // scenario whose attempt is already closed.
  for (auto& t : e.trunks) t.uac.reset();
  for (auto& [name, a] : e.agents) {
    a->line = nullptr;
    a->wrap_timer.Cancel();
  }
  e.phones.reset();
  e.registrar.reset();
  if (e.pool) e.pool->LogOutAll("server stopped");
  e.FlushAgentEvents();
  e.Progress();
  // Let the last store answers (progress, completions) arrive.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (e.store_ops > 0 && std::chrono::steady_clock::now() < until) {
    e.drain_tmr.Start(
        20, [](void*) { re_cancel(); }, nullptr);
    EventLoop::Run();
  }
  e.control.reset();
  return Status::Ok();
}

}  // namespace dozvon
