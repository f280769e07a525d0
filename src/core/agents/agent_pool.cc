#include "core/agents/agent_pool.h"

#include <algorithm>

namespace dozvon {

std::string_view ToString(AgentState s) {
  switch (s) {
    case AgentState::kLoggedOut:
      return "logged_out";
    case AgentState::kReady:
      return "ready";
    case AgentState::kReserved:
      return "reserved";
    case AgentState::kOnCall:
      return "on_call";
    case AgentState::kWrapUp:
      return "wrap_up";
    case AgentState::kPaused:
      return "paused";
  }
  return "logged_out";
}

namespace {
constexpr const char* kLoggingIn = "logging in";
constexpr const char* kUnregistered = "phone unregistered";
constexpr const char* kLineDown = "operator's line dropped";
}  // namespace

Status AgentPool::Add(const std::string& name, std::vector<std::string> skills) {
  if (name.empty()) return Status::InvalidArgument("operator name: must not be empty");
  if (agents_.count(name)) return Status::InvalidArgument("operator \"" + name + "\": twice");
  Agent a;
  a.v.name = name;
  a.v.skills = std::move(skills);
  a.v.since = clock_->Now();
  agents_.emplace(name, std::move(a));
  return Status::Ok();
}

AgentPool::Agent* AgentPool::Get(const std::string& name) {
  auto it = agents_.find(name);
  return it == agents_.end() ? nullptr : &it->second;
}

Status AgentPool::Unknown(const std::string& name) const {
  return Status::NotFound("no operator \"" + name + "\"");
}

bool AgentPool::HasSkill(const Agent& a, const std::string& skill) {
  return skill.empty() ||
         std::find(a.v.skills.begin(), a.v.skills.end(), skill) != a.v.skills.end();
}

void AgentPool::Move(Agent& a, AgentState to, std::string reason) {
  AgentEvent e;
  e.agent = a.v.name;
  e.from = a.v.state;
  e.to = to;
  e.reason = reason;
  e.at = clock_->Now();
  if (to == AgentState::kOnCall || to == AgentState::kWrapUp) {
    e.campaign_id = a.v.campaign_id;
    e.attempt_id = a.v.attempt_id;
  }
  events_.push_back(e);
  if (to == AgentState::kReady && a.v.state != AgentState::kReserved) a.ready_since = e.at;
  a.v.state = to;
  a.v.reason = std::move(reason);
  a.v.since = e.at;
  if (to != AgentState::kOnCall && to != AgentState::kWrapUp) {
    a.v.campaign_id = a.v.attempt_id = 0;
  }
  if (to == AgentState::kLoggedOut) {
    a.ready_on_line = false;
    a.after_call.reset();
  }
}

void AgentPool::SetRegistered(const std::string& name, bool registered) {
  Agent* a = Get(name);
  if (!a || a->v.registered == registered) return;
  a->v.registered = registered;
  if (registered) return;
  if (a->v.state == AgentState::kReady || a->v.state == AgentState::kPaused) {
    Move(*a, AgentState::kPaused, kUnregistered);
  } else if (a->v.state == AgentState::kReserved || InCall(*a)) {
    a->after_call = std::string(kUnregistered);
  }
}

void AgentPool::SetLineUp(const std::string& name, bool up) {
  Agent* a = Get(name);
  if (!a || a->v.state == AgentState::kLoggedOut) {
    if (a) a->v.line_up = false;
    return;
  }
  a->v.line_up = up;
  if (up) {
    if (a->v.state == AgentState::kPaused && a->v.reason == kLoggingIn) {
      if (a->ready_on_line && a->v.registered) {
        Move(*a, AgentState::kReady, "");
      } else {
        Move(*a, AgentState::kPaused, "not ready");
      }
      a->ready_on_line = false;
    }
    return;
  }
  if (a->v.state == AgentState::kReady || a->v.state == AgentState::kPaused) {
    Move(*a, AgentState::kPaused, kLineDown);
  } else {
    a->after_call = std::string(kLineDown);
  }
}

Status AgentPool::Login(const std::string& name, bool ready) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (!a->v.registered) {
    return Status::FailedPrecondition("operator \"" + name +
                                      "\": the phone is not registered; register it first");
  }
  const bool relogin = a->v.state == AgentState::kPaused && !a->v.line_up;
  if (a->v.state != AgentState::kLoggedOut && !relogin) {
    return Status::FailedPrecondition("operator \"" + name + "\" is already logged in (" +
                                      std::string(ToString(a->v.state)) + ")");
  }
  a->ready_on_line = ready;
  a->v.calls = relogin ? a->v.calls : 0;
  Move(*a, AgentState::kPaused, kLoggingIn);
  return Status::Ok();
}

Status AgentPool::Ready(const std::string& name) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  switch (a->v.state) {
    case AgentState::kLoggedOut:
      return Status::FailedPrecondition("operator \"" + name + "\" is not logged in");
    case AgentState::kReady:
      return Status::Ok();
    case AgentState::kReserved:
    case AgentState::kOnCall:
      a->after_call.reset();  // a pause asked for during the call is withdrawn
      return Status::Ok();
    case AgentState::kWrapUp:
      a->after_call.reset();
      return Status::FailedPrecondition("operator \"" + name +
                                        "\" is in wrap-up: give a disposition first");
    case AgentState::kPaused:
      break;
  }
  if (a->v.reason == kLoggingIn) {
    a->ready_on_line = true;  // ready as soon as the line is up
    return Status::Ok();
  }
  if (!a->v.registered) {
    return Status::FailedPrecondition("operator \"" + name + "\": the phone is not registered");
  }
  if (!a->v.line_up) {
    return Status::FailedPrecondition("operator \"" + name +
                                      "\": the line to the phone is down; log in again");
  }
  Move(*a, AgentState::kReady, "");
  return Status::Ok();
}

Status AgentPool::Pause(const std::string& name, const std::string& reason) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (a->v.state == AgentState::kLoggedOut) {
    return Status::FailedPrecondition("operator \"" + name + "\" is not logged in");
  }
  std::string why = reason.empty() ? "paused" : reason;
  if (a->v.state == AgentState::kReserved || InCall(*a)) {
    a->after_call = why;  // after this call's wrap-up
    return Status::Ok();
  }
  if (a->v.state == AgentState::kPaused && a->v.reason == kLoggingIn) {
    a->ready_on_line = false;
    return Status::Ok();
  }
  Move(*a, AgentState::kPaused, why);
  return Status::Ok();
}

Status AgentPool::Logout(const std::string& name) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (a->v.state == AgentState::kLoggedOut) return Status::Ok();
  if (a->v.state == AgentState::kReserved || InCall(*a)) {
    a->after_call = "logout";
    return Status::Ok();
  }
  Move(*a, AgentState::kLoggedOut, "");
  return Status::Ok();
}

void AgentPool::LogOutAll(const std::string& reason) {
  for (auto& [name, a] : agents_) {
    a.after_call.reset();
    a.ready_on_line = false;
    if (a.v.state != AgentState::kLoggedOut) Move(a, AgentState::kLoggedOut, reason);
  }
}

std::optional<std::string> AgentPool::Reserve(const std::string& skill) {
  Agent* best = nullptr;
  for (auto& [name, a] : agents_) {
    if (a.v.state != AgentState::kReady || !a.v.registered || !a.v.line_up) continue;
    if (!HasSkill(a, skill)) continue;
    if (!best || a.ready_since < best->ready_since) best = &a;
  }
  if (!best) return std::nullopt;
  Move(*best, AgentState::kReserved, "");
  return best->v.name;
}

Status AgentPool::ReserveFor(const std::string& name) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (a->v.state != AgentState::kReady || !a->v.registered || !a->v.line_up) {
    return Status::FailedPrecondition("operator \"" + name + "\" is " +
                                      std::string(ToString(a->v.state)) + ", not ready");
  }
  Move(*a, AgentState::kReserved, "preview");
  return Status::Ok();
}

void AgentPool::Unreserve(const std::string& name) {
  Agent* a = Get(name);
  if (!a || a->v.state != AgentState::kReserved) return;
  if (a->after_call || !a->v.registered || !a->v.line_up) {
    std::string why = a->after_call.value_or(!a->v.registered ? kUnregistered : kLineDown);
    a->after_call.reset();
    if (why == "logout") {
      Move(*a, AgentState::kLoggedOut, "");
    } else {
      Move(*a, AgentState::kPaused, why);
    }
    return;
  }
  Move(*a, AgentState::kReady, "");  // keeps its place in the longest-ready order
}

Status AgentPool::Connect(const std::string& name, int64_t campaign_id, int64_t attempt_id) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (a->v.state != AgentState::kReserved) {
    return Status::FailedPrecondition("operator \"" + name + "\" is " +
                                      std::string(ToString(a->v.state)) + ", not reserved");
  }
  a->v.campaign_id = campaign_id;
  a->v.attempt_id = attempt_id;
  ++a->v.calls;
  Move(*a, AgentState::kOnCall, "attempt " + std::to_string(attempt_id));
  return Status::Ok();
}

Status AgentPool::CallEnded(const std::string& name) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (a->v.state != AgentState::kOnCall) {
    return Status::FailedPrecondition("operator \"" + name + "\" is not on a call");
  }
  Move(*a, AgentState::kWrapUp, "attempt " + std::to_string(a->v.attempt_id));
  return Status::Ok();
}

Status AgentPool::WrapUpDone(const std::string& name) {
  Agent* a = Get(name);
  if (!a) return Unknown(name);
  if (a->v.state != AgentState::kWrapUp) {
    return Status::FailedPrecondition("operator \"" + name + "\" is not in wrap-up");
  }
  std::optional<std::string> next = std::move(a->after_call);
  a->after_call.reset();
  if (next && *next == "logout") {
    Move(*a, AgentState::kLoggedOut, "");
  } else if (next) {
    Move(*a, AgentState::kPaused, *next);
  } else if (!a->v.registered) {
    Move(*a, AgentState::kPaused, kUnregistered);
  } else if (!a->v.line_up) {
    Move(*a, AgentState::kPaused, kLineDown);
  } else {
    Move(*a, AgentState::kReady, "");
  }
  return Status::Ok();
}

std::optional<AgentView> AgentPool::Find(std::string_view name) const {
  auto it = agents_.find(std::string(name));
  if (it == agents_.end()) return std::nullopt;
  return it->second.v;
}

std::vector<AgentView> AgentPool::All() const {
  std::vector<AgentView> out;
  for (const auto& [name, a] : agents_) out.push_back(a.v);
  return out;
}

void AgentPool::FillSnapshot(const std::string& skill, PacerSnapshot* s) const {
  const Instant now = clock_->Now();
  auto secs = [&](Instant since) { return std::chrono::duration<double>(now - since).count(); };
  s->n_agents = 0;
  s->idle = 0;
  s->idle_elapsed.clear();
  s->talk_elapsed.clear();
  s->wrap_elapsed.clear();
  for (const auto& [name, a] : agents_) {
    if (!HasSkill(a, skill)) continue;
    switch (a.v.state) {
      case AgentState::kReady:
        if (!a.v.line_up) continue;
        ++s->idle;
        s->idle_elapsed.push_back(secs(a.v.since));
        break;
      case AgentState::kReserved:
      case AgentState::kOnCall:
        s->talk_elapsed.push_back(secs(a.v.since));
        break;
      case AgentState::kWrapUp:
        s->wrap_elapsed.push_back(secs(a.v.since));
        break;
      default:
        continue;
    }
    ++s->n_agents;
  }
}

int AgentPool::ReadyCount(const std::string& skill) const {
  int n = 0;
  for (const auto& [name, a] : agents_) {
    n += a.v.state == AgentState::kReady && a.v.registered && a.v.line_up && HasSkill(a, skill);
  }
  return n;
}

bool AgentPool::ShareOperators(const std::string& skill_a, const std::string& skill_b) const {
  for (const auto& [name, a] : agents_) {
    const bool working = a.v.state != AgentState::kLoggedOut && a.v.state != AgentState::kPaused;
    if (working && HasSkill(a, skill_a) && HasSkill(a, skill_b)) return true;
  }
  return false;
}

std::vector<AgentEvent> AgentPool::TakeEvents() {
  std::vector<AgentEvent> out;
  out.swap(events_);
  return out;
}

}  // namespace dozvon
