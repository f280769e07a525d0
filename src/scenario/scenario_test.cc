#include "scenario/scenario.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "scenario/interpreter.h"
#include "scenario/template.h"

namespace dozvon {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ScenarioEnv Env(std::set<std::string> fields = {"first_name", "amount", "due_date"}) {
  ScenarioEnv env;
  env.base_dir = "/prompts";
  env.file_exists = [](const std::string& p) { return p == "/prompts/hello.wav"; };
  env.fields = std::move(fields);
  return env;
}

Scenario Demo() {
  auto sc = ParseScenario(ReadFile(DOZVON_SOURCE_DIR "/examples/demo/reminder.scenario.toml"),
                          "reminder.scenario.toml", Env());
  EXPECT_TRUE(sc.ok()) << sc.status().message();
  return *sc;
}

TEST(Scenario, DemoLoads) {
  Scenario sc = Demo();
  EXPECT_EQ(sc.voice, "ru");
  ASSERT_EQ(sc.steps.size(), 11u);
  EXPECT_EQ(sc.steps[0].kind, StepKind::kSay);
  EXPECT_EQ(sc.message_steps, std::vector<size_t>{0});
  EXPECT_EQ(sc.steps[3].kind, StepKind::kBranch);
  EXPECT_EQ(sc.steps[3].cases.size(), 2u);
}

struct BadCase {
  std::string name, text, error;
};

class ScenarioBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioBad, NamesLineAndReason) {
  auto sc = ParseScenario(GetParam().text, "s.toml", Env());
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ScenarioBad,
    ::testing::Values(
        BadCase{"unknown_step", "[[step]]\nsay = \"hi\"\n\n[[step]]\ndance = true\n",
                "s.toml:5: step.dance: unknown step key (steps: play, say, gather, branch, "
                "record, transfer, set, hangup; options: id, next, message, barge_in, cases, "
                "default)"},
        BadCase{"missing_prompt", "[[step]]\nplay = \"nope.wav\"\n",
                "s.toml:2: step.play: prompt file \"/prompts/nope.wav\" not found"},
        BadCase{"unknown_field", "[[step]]\nsay = \"Hello {frist_name}\"\n",
                "s.toml:2: step.say: unknown field {frist_name} (the list has: amount, "
                "due_date, first_name)"},
        BadCase{"unreachable",
                "[[step]]\nsay = \"a\"\nnext = \"end\"\n\n[[step]]\nid = \"lost\"\nsay = "
                "\"b\"\n\n[[step]]\nid = \"end\"\nhangup = true\n",
                "s.toml:5: step \"lost\": unreachable (no step or branch leads here)"},
        BadCase{"unknown_target",
                "[[step]]\ngather = {}\n[[step]]\nbranch = \"digits\"\ncases = { \"1\" = "
                "\"yes\" }\n",
                "s.toml:5: step.cases.1: no step has id \"yes\""},
        BadCase{"two_actions", "[[step]]\nsay = \"a\"\nhangup = true\n",
                "s.toml:3: step.hangup: a step does exactly one thing; this one also has "
                "\"say\""},
        BadCase{"no_steps", "voice = \"ru\"\n",
                "s.toml: step: a scenario needs at least one [[step]]"},
        BadCase{"bad_format", "[[step]]\nsay = \"{amount:euros}\"\n",
                "s.toml:2: step.say: {amount:euros}: unknown format \"euros\" (money, date, "
                "number, digits)"},
        BadCase{"transfer_without_fallback", "[[step]]\ntransfer = { queue = \"q\" }\n",
                "s.toml:2: step.transfer.fallback: required: the step to run when no "
                "operator is free"},
        BadCase{"transfer_wait_too_long",
                "[[step]]\nid = \"a\"\ntransfer = { queue = \"q\", fallback = \"a\", wait = "
                "\"1h\" }\n",
                "s.toml:3: step.transfer.wait: must be between 1s and 10m"}),
    [](const auto& info) { return info.param.name; });

TEST(Template, DatesAndMoneyReadNaturally) {
  EXPECT_EQ(SpeakValue("2026-12-01", "", "ru", ""),
            "первого декабря две тысячи двадцать шестого года");
  EXPECT_EQ(SpeakValue("23.02.2027", "", "ru", ""),
            "двадцать третьего февраля две тысячи двадцать седьмого года");
  EXPECT_EQ(SpeakValue("2026-03-31", "", "en", ""), "March thirty-first, 2026");
  EXPECT_EQ(SpeakValue("1500", "money", "ru", ""), "1500 рублей");
  EXPECT_EQ(SpeakValue("21", "money", "ru", "RUB"), "21 рубль");
  EXPECT_EQ(SpeakValue("1 502,01", "money", "ru", "RUB"), "1502 рубля одна копейка");
  EXPECT_EQ(SpeakValue("11.5", "money", "ru", "RUB"), "11 рублей пятьдесят копеек");
  EXPECT_EQ(SpeakValue("1,500.25", "money", "en", ""), "1500 dollars and 25 cents");
  EXPECT_EQ(SpeakValue("1", "money", "en", "EUR"), "1 euro");
  EXPECT_EQ(SpeakValue("28 500", "", "ru", ""), "28500");
  EXPECT_EQ(SpeakValue("4471", "digits", "ru", ""), "4 4 7 1");
  EXPECT_EQ(SpeakValue("Ирина", "", "ru", ""), "Ирина");
}

TEST(Template, RendersFieldsAndBraces) {
  auto parts = ParseTemplate("Здравствуйте, {first_name}! {{скобки}} {amount:money}");
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  Fields f{{"first_name", "Ирина"}, {"amount", "28500"}};
  EXPECT_EQ(RenderTemplate(*parts, f, "ru", ""), "Здравствуйте, Ирина! {скобки} 28500 рублей");
  EXPECT_FALSE(ParseTemplate("{oops").ok());
  EXPECT_FALSE(ParseTemplate("a } b").ok());
}

// Runs the demo scenario with a 10 s message and 4 s question.
struct Walk {
  Scenario sc = Demo();
  ScenarioRun run{sc, {10, 4, 0, 0, 0, 2, 0, 0, 3, 2, 0}};
};

TEST(ScenarioRun, PressOneConfirms) {
  Walk w;
  ScenarioCommand c = w.run.Start();
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kPlay);
  EXPECT_EQ(c.step, 0u);
  c = w.run.PlayDone(10, true);
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kPlay);
  EXPECT_TRUE(c.barge_in);
  c = w.run.PlayDone(4, true);
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kWaitDigits);
  std::optional<ScenarioCommand> next;
  EXPECT_FALSE(w.run.Digit('1', &next));
  ASSERT_TRUE(next);
  ASSERT_EQ(next->kind, ScenarioCommand::Kind::kPlay);  // "thank you"
  EXPECT_EQ(next->step, 5u);
  c = w.run.PlayDone(2, true);
  EXPECT_EQ(c.kind, ScenarioCommand::Kind::kHangup);
  const ScenarioResult& r = w.run.result();
  EXPECT_EQ(r.vars.at("confirmed"), "yes");
  EXPECT_EQ(r.vars.at("choice"), "1");
  EXPECT_EQ(r.dtmf, "1");
  EXPECT_TRUE(r.heard_to_end);
  EXPECT_DOUBLE_EQ(r.heard_fraction(), 1.0);
  EXPECT_TRUE(w.run.finished());
}

TEST(ScenarioRun, BargeInDuringTheQuestionAndOperatorFallback) {
  Walk w;
  w.run.Start();
  w.run.PlayDone(10, true);
  std::optional<ScenarioCommand> next;
  EXPECT_TRUE(w.run.Digit('2', &next));  // cuts the question short
  EXPECT_FALSE(next);
  ScenarioCommand c = w.run.PlayDone(1.2, false);
  // The key pressed during the question feeds the gather: straight to the transfer.
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kTransfer);
  EXPECT_EQ(c.queue, "collections");
  c = w.run.Transferred(false);
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kPlay);
  EXPECT_EQ(w.sc.steps[c.step].id, "no_operator");
  EXPECT_EQ(w.run.result().vars.at("wants_operator"), "yes");
  EXPECT_EQ(w.run.result().vars.at("transfer"), "no_operator");
  EXPECT_EQ(w.run.PlayDone(3, true).kind, ScenarioCommand::Kind::kHangup);
}

TEST(ScenarioRun, AnOperatorTakesTheTransferAndTheScenarioLetsGo) {
  Walk w;
  w.run.Start();
  w.run.PlayDone(10, true);
  std::optional<ScenarioCommand> next;
  w.run.Digit('2', &next);
  ScenarioCommand c = w.run.PlayDone(1.2, false);
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kTransfer);
  EXPECT_EQ(c.timeout, std::chrono::seconds(30)) << "the default hold before the fallback";
  c = w.run.Transferred(true);
  EXPECT_EQ(c.kind, ScenarioCommand::Kind::kHandedOff);
  EXPECT_TRUE(w.run.finished());
  EXPECT_EQ(w.run.result().transferred_to, "collections");
  EXPECT_EQ(w.run.result().end_reason, "transferred to queue collections");
  EXPECT_EQ(w.run.result().vars.count("transfer"), 0u);
}

TEST(ScenarioRun, ACutCallSaysItWasCutNotHungUp) {
  Walk w;
  w.run.Start();
  w.run.Cut(3.0);
  EXPECT_TRUE(w.run.finished());
  EXPECT_EQ(w.run.result().end_reason, "cut during step message");
  EXPECT_DOUBLE_EQ(w.run.result().heard_seconds, 3.0);
  EXPECT_FALSE(w.run.result().heard_to_end);
}

TEST(ScenarioRun, KeysDuringTheMessageWaitForTheGather) {
  Walk w;
  w.run.Start();
  std::optional<ScenarioCommand> next;
  EXPECT_FALSE(w.run.Digit('1', &next));  // the message has no barge-in: it keeps playing
  ScenarioCommand c = w.run.PlayDone(10, true);
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kPlay);  // the question still plays
  c = w.run.PlayDone(4, true);
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kPlay);  // the gather took the early "1"
  EXPECT_EQ(w.run.result().vars.at("confirmed"), "yes");
  EXPECT_EQ(w.run.result().dtmf, "1");
}

TEST(ScenarioRun, SilenceTimesOutToGoodbye) {
  Walk w;
  w.run.Start();
  w.run.PlayDone(10, true);
  w.run.PlayDone(4, true);
  ScenarioCommand c = w.run.GatherTimeout();
  ASSERT_EQ(c.kind, ScenarioCommand::Kind::kPlay);
  EXPECT_EQ(w.sc.steps[c.step].id, "bye");
  EXPECT_EQ(w.run.result().vars.at("choice"), "");
  EXPECT_EQ(w.run.result().vars.count("confirmed"), 0u);
}

TEST(ScenarioRun, EarlyHangupKeepsTheSecondsHeard) {
  Walk w;
  w.run.Start();
  w.run.FarEndHungUp(4.0);  // 4 s of the 10 s message played when the far end left
  const ScenarioResult& r = w.run.result();
  EXPECT_FALSE(r.heard_to_end);
  EXPECT_DOUBLE_EQ(r.heard_fraction(), 0.4);
  EXPECT_TRUE(w.run.finished());
  EXPECT_EQ(r.end_reason, "hung up during step message");
}

TEST(ScenarioRun, AnEndlessLoopIsBounded) {
  auto sc = ParseScenario(R"([[step]]
id = "again"
set = { a = "b" }
next = "again"
)",
                          "loop.toml", Env());
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  ScenarioRun run(*sc, {});
  ScenarioCommand c = run.Start();
  EXPECT_EQ(c.kind, ScenarioCommand::Kind::kHangup);
  EXPECT_EQ(c.reason, "step limit (200) reached");
}

}  // namespace
}  // namespace dozvon
