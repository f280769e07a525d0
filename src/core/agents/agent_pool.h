// AgentPool: the operators' states, owned by the server. Every change is a stored event (for
// time sheets), and the routing rule lives here: a customer goes to the operator who has been
// ready longest among those with the campaign's skill.
//
//   logged out -> (Login) paused "logging in" -> (LineUp) ready or paused "not ready"
//   ready -> (Reserve) reserved -> (Connect) on call -> (CallEnded) wrap-up -> (Disposed) ready
//   ready | reserved -> (Pause) paused; paused -> (Ready) ready; any -> (Logout) logged out
//
// An operator is only ever ready with a registered phone and a live nailed-up leg: losing
// either (heartbeat) pauses them at once, or after the call in progress. Pause and logout asked
// for during a call take effect when its wrap-up ends. Pure: times from the injected clock.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/pacing/snapshot.h"
#include "core/status.h"

namespace dozvon {

enum class AgentState { kLoggedOut, kReady, kReserved, kOnCall, kWrapUp, kPaused };
std::string_view ToString(AgentState s);

struct AgentEvent {
  std::string agent;
  AgentState from = AgentState::kLoggedOut;
  AgentState to = AgentState::kLoggedOut;
  std::string reason;  // paused: why; on call: "attempt 42"
  Instant at{};
  int64_t campaign_id = 0;  // on call / wrap-up: the campaign of the call
  int64_t attempt_id = 0;
};

struct AgentView {
  std::string name;
  std::vector<std::string> skills;
  AgentState state = AgentState::kLoggedOut;
  std::string reason;
  Instant since{};  // in this state since
  bool registered = false;
  bool line_up = false;
  int64_t campaign_id = 0, attempt_id = 0;
  int64_t calls = 0;  // customers connected since login
};

class AgentPool {
 public:
  explicit AgentPool(const Clock* clock) : clock_(clock) {}

  Status Add(const std::string& name, std::vector<std::string> skills);
  bool Has(std::string_view name) const { return agents_.count(std::string(name)) > 0; }

  // Heartbeats, from the registrar and the nailed-up leg.
  void SetRegistered(const std::string& name, bool registered);
  // The nailed-up leg answered (up) or ended (down).
  void SetLineUp(const std::string& name, bool up);

  // Needs a registered phone. The app then calls the phone; LineUp makes the operator ready
  // when `ready` was asked for, else paused "not ready".
  Status Login(const std::string& name, bool ready);
  Status Ready(const std::string& name);
  Status Pause(const std::string& name, const std::string& reason);
  Status Logout(const std::string& name);
  // The server is stopping: everyone logged out now, whatever their state, so time sheets close.
  void LogOutAll(const std::string& reason);

  // Routing: the longest-ready operator with `skill` ("" = any), now reserved for one customer.
  std::optional<std::string> Reserve(const std::string& skill);
  // Preview: this operator, ready, reserved for the contact they are looking at.
  Status ReserveFor(const std::string& name);
  // A reservation given back (the customer hung up before the bridge): ready again.
  void Unreserve(const std::string& name);
  // Reserved -> on call with this campaign's attempt.
  Status Connect(const std::string& name, int64_t campaign_id, int64_t attempt_id);
  // On call -> wrap-up (the customer or the operator hung up).
  Status CallEnded(const std::string& name);
  // Wrap-up done: ready, or the pause / logout asked for meanwhile.
  Status WrapUpDone(const std::string& name);

  std::optional<AgentView> Find(std::string_view name) const;
  std::vector<AgentView> All() const;

  // The pacer's view of the operators with `skill`: logged in (not paused), idle, talking and
  // wrapping up, with seconds in the state.
  void FillSnapshot(const std::string& skill, PacerSnapshot* s) const;
  // Ready operators with the skill (routing would succeed).
  int ReadyCount(const std::string& skill) const;
  // Whether some working operator could take customers of both skills: campaigns that share
  // operators must count each other's lines in flight, or both dial for the same people.
  bool ShareOperators(const std::string& skill_a, const std::string& skill_b) const;

  // State changes since the last call, oldest first, for the store.
  std::vector<AgentEvent> TakeEvents();

 private:
  struct Agent {
    AgentView v;
    bool ready_on_line = false;             // Login(ready=true): ready once the leg is up
    Instant ready_since{};                  // for longest-ready routing; kept across an unreserve
    std::optional<std::string> after_call;  // "pause: reason" or "logout", on wrap-up end
  };
  Agent* Get(const std::string& name);
  Status Unknown(const std::string& name) const;
  void Move(Agent& a, AgentState to, std::string reason);
  static bool HasSkill(const Agent& a, const std::string& skill);
  static bool InCall(const Agent& a) {
    return a.v.state == AgentState::kOnCall || a.v.state == AgentState::kWrapUp;
  }

  const Clock* clock_;
  std::map<std::string, Agent> agents_;
  std::vector<AgentEvent> events_;
};

}  // namespace dozvon
