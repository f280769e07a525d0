#include "core/agents/agent_pool.h"

#include <gtest/gtest.h>

#include "core/test_util.h"

namespace dozvon {
namespace {

class AgentPoolTest : public ::testing::Test {
 protected:
  AgentPoolTest() : clock(testing::Utc("2026-11-24T09:00:00Z")), pool(&clock) {
    EXPECT_TRUE(pool.Add("ann", {"sales"}).ok());
    EXPECT_TRUE(pool.Add("bob", {"sales", "collections"}).ok());
    EXPECT_TRUE(pool.Add("cid", {"collections"}).ok());
  }
  // Registered, logged in, line up, ready.
  void Up(const std::string& name) {
    pool.SetRegistered(name, true);
    ASSERT_TRUE(pool.Login(name, true).ok());
    pool.SetLineUp(name, true);
    ASSERT_EQ(pool.Find(name)->state, AgentState::kReady) << name;
  }
  AgentState State(const std::string& name) { return pool.Find(name)->state; }

  FakeClock clock;
  AgentPool pool;
};

TEST_F(AgentPoolTest, LoginNeedsARegisteredPhoneAndReadyWaitsForTheLine) {
  Status s = pool.Login("ann", true);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("not registered"), std::string::npos) << s.message();
  pool.SetRegistered("ann", true);
  ASSERT_TRUE(pool.Login("ann", true).ok());
  EXPECT_EQ(State("ann"), AgentState::kPaused);
  EXPECT_EQ(pool.Find("ann")->reason, "logging in");
  EXPECT_FALSE(pool.Reserve("sales")) << "never routed before the nailed-up leg is up";
  pool.SetLineUp("ann", true);
  EXPECT_EQ(State("ann"), AgentState::kReady);
  EXPECT_EQ(pool.Login("ann", true).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pool.Login("nobody", true).code(), StatusCode::kNotFound);
}

TEST_F(AgentPoolTest, LoginWithoutReadyStaysPausedUntilAsked) {
  pool.SetRegistered("ann", true);
  ASSERT_TRUE(pool.Login("ann", false).ok());
  pool.SetLineUp("ann", true);
  EXPECT_EQ(State("ann"), AgentState::kPaused);
  EXPECT_EQ(pool.Find("ann")->reason, "not ready");
  ASSERT_TRUE(pool.Ready("ann").ok());
  EXPECT_EQ(State("ann"), AgentState::kReady);
}

TEST_F(AgentPoolTest, RoutesToTheLongestReadyOperatorWithTheSkill) {
  Up("ann");
  clock.Advance(std::chrono::seconds(5));
  Up("bob");
  clock.Advance(std::chrono::seconds(5));
  Up("cid");
  EXPECT_EQ(pool.Reserve("collections"), "bob");  // longest-ready with the skill
  EXPECT_EQ(pool.Reserve("collections"), "cid");
  EXPECT_FALSE(pool.Reserve("collections"));
  EXPECT_EQ(pool.Reserve(""), "ann");
  // Bob's customer hung up before the bridge: he is first again, ahead of cid.
  pool.Unreserve("bob");
  pool.Unreserve("cid");
  EXPECT_EQ(pool.Reserve("collections"), "bob");
}

TEST_F(AgentPoolTest, PreviewReservesTheOperatorWhoIsLookingAtTheCard) {
  Up("ann");
  Up("bob");
  ASSERT_TRUE(pool.ReserveFor("bob").ok());
  EXPECT_EQ(State("bob"), AgentState::kReserved);
  EXPECT_EQ(pool.ReserveFor("bob").code(), StatusCode::kFailedPrecondition) << "already reserved";
  EXPECT_EQ(pool.Reserve("sales"), "ann") << "a previewing operator is not routed to";
  pool.Unreserve("bob");
  EXPECT_EQ(State("bob"), AgentState::kReady);
  ASSERT_TRUE(pool.Pause("bob", "lunch").ok());
  EXPECT_FALSE(pool.ReserveFor("bob").ok());
  EXPECT_FALSE(pool.ReserveFor("nobody").ok());
}

TEST_F(AgentPoolTest, CampaignsShareOperatorsOnlyThroughSomeoneWorkingWithBothSkills) {
  EXPECT_FALSE(pool.ShareOperators("sales", "collections")) << "bob is logged out";
  Up("bob");
  EXPECT_TRUE(pool.ShareOperators("sales", "collections"));
  EXPECT_TRUE(pool.ShareOperators("", "collections"));
  ASSERT_TRUE(pool.Pause("bob", "lunch").ok());
  Up("ann");
  Up("cid");
  EXPECT_FALSE(pool.ShareOperators("sales", "collections")) << "ann and cid have one each";
  EXPECT_TRUE(pool.ShareOperators("sales", ""));
}

TEST_F(AgentPoolTest, StoppingTheServerLogsEveryoneOutWithTheReason) {
  Up("ann");
  Up("bob");
  ASSERT_EQ(pool.Reserve("collections"), "bob");
  ASSERT_TRUE(pool.Connect("bob", 1, 7).ok());
  pool.TakeEvents();
  pool.LogOutAll("server stopped");
  EXPECT_EQ(State("ann"), AgentState::kLoggedOut);
  EXPECT_EQ(State("bob"), AgentState::kLoggedOut);
  EXPECT_EQ(State("cid"), AgentState::kLoggedOut);
  std::vector<AgentEvent> ev = pool.TakeEvents();
  ASSERT_EQ(ev.size(), 2u) << "cid was never logged in";
  for (const AgentEvent& e : ev) {
    EXPECT_EQ(e.to, AgentState::kLoggedOut);
    EXPECT_EQ(e.reason, "server stopped");
  }
}

TEST_F(AgentPoolTest, CallCycleAndPauseAskedDuringTheCall) {
  Up("ann");
  ASSERT_EQ(pool.Reserve("sales"), "ann");
  ASSERT_TRUE(pool.Connect("ann", 7, 42).ok());
  EXPECT_EQ(pool.Find("ann")->attempt_id, 42);
  ASSERT_TRUE(pool.Pause("ann", "lunch").ok());
  EXPECT_EQ(State("ann"), AgentState::kOnCall) << "a pause never cuts a call";
  ASSERT_TRUE(pool.CallEnded("ann").ok());
  EXPECT_EQ(State("ann"), AgentState::kWrapUp);
  EXPECT_EQ(pool.Ready("ann").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(pool.Pause("ann", "lunch").ok());
  ASSERT_TRUE(pool.WrapUpDone("ann").ok());
  EXPECT_EQ(State("ann"), AgentState::kPaused);
  EXPECT_EQ(pool.Find("ann")->reason, "lunch");
  ASSERT_TRUE(pool.Ready("ann").ok());
  EXPECT_EQ(State("ann"), AgentState::kReady);
  EXPECT_EQ(pool.Find("ann")->calls, 1);
}

TEST_F(AgentPoolTest, UnregisteredPhoneOrDroppedLineNeverGetsACustomer) {
  Up("ann");
  Up("bob");
  pool.SetRegistered("ann", false);
  EXPECT_EQ(State("ann"), AgentState::kPaused);
  EXPECT_EQ(pool.Find("ann")->reason, "phone unregistered");
  pool.SetLineUp("bob", false);
  EXPECT_EQ(State("bob"), AgentState::kPaused);
  EXPECT_FALSE(pool.Reserve("sales"));
  // Ready is refused until the phone and the line are back.
  EXPECT_EQ(pool.Ready("ann").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(pool.Ready("bob").code(), StatusCode::kFailedPrecondition);
  // Bob logs in again: a new nailed-up leg.
  ASSERT_TRUE(pool.Login("bob", true).ok());
  pool.SetLineUp("bob", true);
  EXPECT_EQ(pool.Reserve("sales"), "bob");
}

TEST_F(AgentPoolTest, PhoneLostDuringACallPausesAfterWrapUp) {
  Up("ann");
  ASSERT_EQ(pool.Reserve("sales"), "ann");
  ASSERT_TRUE(pool.Connect("ann", 1, 1).ok());
  pool.SetRegistered("ann", false);
  EXPECT_EQ(State("ann"), AgentState::kOnCall);
  ASSERT_TRUE(pool.CallEnded("ann").ok());
  ASSERT_TRUE(pool.WrapUpDone("ann").ok());
  EXPECT_EQ(State("ann"), AgentState::kPaused);
  EXPECT_FALSE(pool.Reserve("sales"));
}

TEST_F(AgentPoolTest, LogoutDuringACallWaitsForTheWrapUp) {
  Up("ann");
  ASSERT_EQ(pool.Reserve(""), "ann");
  ASSERT_TRUE(pool.Connect("ann", 1, 5).ok());
  ASSERT_TRUE(pool.Logout("ann").ok());
  ASSERT_TRUE(pool.CallEnded("ann").ok());
  ASSERT_TRUE(pool.WrapUpDone("ann").ok());
  EXPECT_EQ(State("ann"), AgentState::kLoggedOut);
}

TEST_F(AgentPoolTest, EveryChangeIsAnEventWithItsTime) {
  pool.SetRegistered("ann", true);
  ASSERT_TRUE(pool.Login("ann", false).ok());
  clock.Advance(std::chrono::seconds(2));
  pool.SetLineUp("ann", true);
  ASSERT_TRUE(pool.Ready("ann").ok());
  ASSERT_EQ(pool.Reserve(""), "ann");
  ASSERT_TRUE(pool.Connect("ann", 3, 9).ok());
  auto ev = pool.TakeEvents();
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0].from, AgentState::kLoggedOut);
  EXPECT_EQ(ev[0].to, AgentState::kPaused);
  EXPECT_EQ(ev[1].reason, "not ready");
  EXPECT_EQ(ev[1].at, testing::Utc("2026-11-24T09:00:02Z"));
  EXPECT_EQ(ev[2].to, AgentState::kReady);
  EXPECT_EQ(ev[3].to, AgentState::kReserved);
  EXPECT_EQ(ev[4].to, AgentState::kOnCall);
  EXPECT_EQ(ev[4].campaign_id, 3);
  EXPECT_EQ(ev[4].attempt_id, 9);
  EXPECT_TRUE(pool.TakeEvents().empty());
}

TEST_F(AgentPoolTest, SnapshotCountsOnlyWorkingOperatorsWithTheSkill) {
  Up("ann");
  Up("bob");
  Up("cid");
  ASSERT_TRUE(pool.Pause("cid", "break").ok());
  clock.Advance(std::chrono::seconds(3));
  ASSERT_EQ(pool.Reserve("sales"), "ann");
  ASSERT_TRUE(pool.Connect("ann", 1, 1).ok());
  clock.Advance(std::chrono::seconds(4));
  PacerSnapshot s;
  pool.FillSnapshot("sales", &s);
  EXPECT_EQ(s.n_agents, 2);
  EXPECT_EQ(s.idle, 1);
  ASSERT_EQ(s.idle_elapsed.size(), 1u);
  EXPECT_DOUBLE_EQ(s.idle_elapsed[0], 7.0);
  ASSERT_EQ(s.talk_elapsed.size(), 1u);
  EXPECT_DOUBLE_EQ(s.talk_elapsed[0], 4.0);
  pool.FillSnapshot("collections", &s);
  EXPECT_EQ(s.n_agents, 1) << "paused cid does not count";
  EXPECT_EQ(pool.ReadyCount("collections"), 1);
}

}  // namespace
}  // namespace dozvon
