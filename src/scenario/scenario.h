// Scenario: what a broadcast call does once answered, loaded from a TOML file (docs/scenarios.md):
// play a file, say a personalised TTS phrase, gather keys, branch on them, record the reply,
// transfer to an operator queue, set result variables, hang up. Everything that can be wrong is
// found at load time with the file's line: an unknown step, a missing prompt file, an unknown
// contact field in a template, a jump to a missing step, or a step nothing leads to.
// Pure: files are checked through the injected `file_exists`.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace dozvon {

enum class StepKind { kPlay, kSay, kGather, kBranch, kRecord, kTransfer, kSet, kHangup };
std::string_view ToString(StepKind k);

struct Step {
  std::string id;  // "" when unnamed; shown as "#N" in messages
  int line = 0;
  StepKind kind = StepKind::kHangup;
  std::string text;       // play: file path (resolved); say: the template
  bool message = false;   // counts toward "heard to the end"
  bool barge_in = false;  // a key press stops this prompt
  // gather
  int max_digits = 1;
  Duration timeout = std::chrono::seconds(5);
  char terminator = 0;
  std::string into = "digits";  // variable that receives the keys
  // branch: on a variable's value
  std::string on;
  std::vector<std::pair<std::string, size_t>> cases;  // value -> step index
  // record
  Duration max_length = std::chrono::seconds(30);
  Duration silence = std::chrono::seconds(3);
  // transfer: operators with skill `queue`; the caller holds (ringback) up to `wait` for one
  std::string queue;
  Duration wait = std::chrono::seconds(30);
  // set
  std::vector<std::pair<std::string, std::string>> vars;
  // Where to go next (branch: when no case matches; transfer: when nobody is free). nullopt:
  // the next step in file order; a value past the end: hang up.
  std::optional<size_t> next;
};

struct Scenario {
  std::string source;
  std::string voice = "ru";  // espeak-ng voice for say steps
  int rate = 150;            // words per minute
  std::string currency;      // for {field:money}; "" = by voice (RUB for ru, USD otherwise)
  std::vector<Step> steps;
  std::vector<size_t> message_steps;  // indices of steps with message = true (or the first prompt)
};

struct ScenarioEnv {
  std::string base_dir;  // play paths are relative to the scenario file's folder
  std::function<bool(const std::string&)> file_exists;
  // Contact fields templates may use; nullopt skips the check (no list known yet).
  std::optional<std::set<std::string>> fields;
};

Result<Scenario> ParseScenario(std::string_view text, std::string_view source,
                               const ScenarioEnv& env);

// Fields every contact has besides its custom columns.
const std::set<std::string>& BuiltinTemplateFields();

}  // namespace dozvon
