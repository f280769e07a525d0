#include "scenario/scenario.h"

#include <map>

#include "core/campaign/toml_read.h"
#include "core/campaign/toml_text.h"
#include "scenario/template.h"

namespace dozvon {
namespace {

constexpr std::array<std::pair<std::string_view, StepKind>, 8> kActions = {{
    {"play", StepKind::kPlay},
    {"say", StepKind::kSay},
    {"gather", StepKind::kGather},
    {"branch", StepKind::kBranch},
    {"record", StepKind::kRecord},
    {"transfer", StepKind::kTransfer},
    {"set", StepKind::kSet},
    {"hangup", StepKind::kHangup},
}};

std::string StepName(const Step& s, size_t i) {
  return s.id.empty() ? "step #" + std::to_string(i + 1) : "step \"" + s.id + "\"";
}

// Raw jump targets by name, resolved once every id is known.
struct Jumps {
  const toml::node* next = nullptr;
  std::vector<std::pair<std::string, const toml::node*>> cases;
};

bool IsVarName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string_view ToString(StepKind k) {
  for (const auto& [name, kind] : kActions) {
    if (kind == k) return name;
  }
  return "?";
}

const std::set<std::string>& BuiltinTemplateFields() {
  static const std::set<std::string> kFields = {"phone", "external_id"};
  return kFields;
}

Result<Scenario> ParseScenario(std::string_view text, std::string_view source,
                               const ScenarioEnv& env) {
  Ctx ctx(source);
  DZ_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, source));
  Scenario sc;
  sc.source = std::string(source);
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, root, "", {"voice", "rate", "currency", "step"}));
  if (const toml::node* v = root.get("voice")) {
    DZ_ASSIGN_OR_RETURN(sc.voice, GetString(ctx, *v, "voice"));
  }
  if (const toml::node* v = root.get("rate")) {
    DZ_ASSIGN_OR_RETURN(int64_t r, GetInt(ctx, *v, "rate", 80, 450));
    sc.rate = static_cast<int>(r);
  }
  if (const toml::node* v = root.get("currency")) {
    DZ_ASSIGN_OR_RETURN(sc.currency, GetString(ctx, *v, "currency"));
    if (sc.currency != "RUB" && sc.currency != "USD" && sc.currency != "EUR") {
      return ctx.Error(v, "currency", "expected RUB, USD or EUR");
    }
  }
  const toml::node* steps_node = root.get("step");
  const toml::array* steps = steps_node ? steps_node->as_array() : nullptr;
  if (!steps || steps->empty()) {
    return ctx.Error(steps_node, "step", "a scenario needs at least one [[step]]");
  }

  std::vector<Jumps> jumps;
  std::map<std::string, size_t> ids;
  for (size_t i = 0; i < steps->size(); ++i) {
    const toml::table* t = (*steps)[i].as_table();
    if (!t) return ctx.Error(&(*steps)[i], "step", "expected a [[step]] table");
    Step st;
    st.line = static_cast<int>(t->source().begin.line);
    Jumps j;
    // Exactly one action key names the step's kind.
    const toml::node* action = nullptr;
    for (const auto& [name, kind] : kActions) {
      if (const toml::node* n = t->get(name)) {
        if (action) {
          return ctx.Error(n, "step." + std::string(name),
                           "a step does exactly one thing; this one also has \"" +
                               std::string(ToString(st.kind)) + "\"");
        }
        action = n;
        st.kind = kind;
      }
    }
    for (const auto& [k, v] : *t) {
      bool known = k == "id" || k == "next" || k == "message" || k == "barge_in" || k == "cases" ||
                   k == "default";
      for (const auto& [name, kind] : kActions) known = known || k == name;
      if (!known) {
        return ctx.Error(&v, "step." + std::string(k.str()),
                         "unknown step key (steps: play, say, gather, branch, record, "
                         "transfer, set, hangup; options: id, next, message, barge_in, cases, "
                         "default)");
      }
    }
    if (!action) {
      return ctx.Error(t, "step",
                       "no action: expected one of play, say, gather, branch, record, "
                       "transfer, set, hangup");
    }
    const std::string key = "step." + std::string(ToString(st.kind));
    if (const toml::node* n = t->get("id")) {
      DZ_ASSIGN_OR_RETURN(st.id, GetString(ctx, *n, "step.id"));
      if (!IsVarName(st.id)) return ctx.Error(n, "step.id", "use letters, digits and _");
      if (!ids.emplace(st.id, i).second) {
        return ctx.Error(n, "step.id", "\"" + st.id + "\" is used by an earlier step");
      }
    }
    if (const toml::node* n = t->get("message")) {
      DZ_ASSIGN_OR_RETURN(st.message, GetBool(ctx, *n, "step.message"));
    }
    if (const toml::node* n = t->get("barge_in")) {
      DZ_ASSIGN_OR_RETURN(st.barge_in, GetBool(ctx, *n, "step.barge_in"));
    }
    if ((st.message || st.barge_in) && st.kind != StepKind::kPlay && st.kind != StepKind::kSay) {
      return ctx.Error(t, "step", "message and barge_in apply to play and say steps only");
    }
    if ((t->get("cases") || t->get("default")) && st.kind != StepKind::kBranch) {
      return ctx.Error(t->get("cases") ? t->get("cases") : t->get("default"), "step",
                       "cases and default belong to a branch step");
    }
    j.next = t->get("next");

    switch (st.kind) {
      case StepKind::kPlay: {
        DZ_ASSIGN_OR_RETURN(std::string p, GetString(ctx, *action, key));
        st.text = (p.empty() || p[0] == '/' || env.base_dir.empty()) ? p : env.base_dir + "/" + p;
        if (env.file_exists && !env.file_exists(st.text)) {
          return ctx.Error(action, key, "prompt file \"" + st.text + "\" not found");
        }
        break;
      }
      case StepKind::kSay: {
        DZ_ASSIGN_OR_RETURN(st.text, GetString(ctx, *action, key));
        auto parts = ParseTemplate(st.text);
        if (!parts.ok()) return ctx.Error(action, key, parts.status().message());
        if (env.fields) {
          for (const auto& p : *parts) {
            if (p.is_field && !env.fields->count(p.text) &&
                !BuiltinTemplateFields().count(p.text)) {
              std::string known;
              for (const auto& f : *env.fields) known += (known.empty() ? "" : ", ") + f;
              return ctx.Error(action, key,
                               "unknown field {" + p.text + "} (the list has: " + known + ")");
            }
          }
        }
        break;
      }
      case StepKind::kGather: {
        const toml::table* g = action->as_table();
        if (!g) return ctx.Error(action, key, "expected { max_digits = 1, timeout = \"5s\" }");
        DZ_RETURN_IF_ERROR(
            CheckKeys(ctx, *g, key, {"max_digits", "timeout", "terminator", "into"}));
        if (const toml::node* n = g->get("max_digits")) {
          DZ_ASSIGN_OR_RETURN(int64_t m, GetInt(ctx, *n, key + ".max_digits", 1, 32));
          st.max_digits = static_cast<int>(m);
        }
        if (const toml::node* n = g->get("timeout")) {
          DZ_ASSIGN_OR_RETURN(st.timeout, GetDuration(ctx, *n, key + ".timeout"));
          if (st.timeout < std::chrono::seconds(1) || st.timeout > std::chrono::seconds(60)) {
            return ctx.Error(n, key + ".timeout", "must be between 1s and 60s");
          }
        }
        if (const toml::node* n = g->get("terminator")) {
          DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, *n, key + ".terminator"));
          if (s.size() != 1 ||
              std::string_view("0123456789*#").find(s[0]) == std::string_view::npos) {
            return ctx.Error(n, key + ".terminator", "expected one key: 0-9, * or #");
          }
          st.terminator = s[0];
        }
        if (const toml::node* n = g->get("into")) {
          DZ_ASSIGN_OR_RETURN(st.into, GetString(ctx, *n, key + ".into"));
          if (!IsVarName(st.into)) return ctx.Error(n, key + ".into", "use letters, digits and _");
        }
        break;
      }
      case StepKind::kBranch: {
        DZ_ASSIGN_OR_RETURN(st.on, GetString(ctx, *action, key));
        if (!IsVarName(st.on)) return ctx.Error(action, key, "expected a variable name");
        const toml::node* cases = t->get("cases");
        const toml::table* ct = cases ? cases->as_table() : nullptr;
        if (!ct || ct->empty()) {
          return ctx.Error(cases ? cases : t, "step.cases",
                           "a branch needs cases = { \"1\" = \"step_id\", ... }");
        }
        for (const auto& [value, target] : *ct) {
          j.cases.emplace_back(std::string(value.str()), &target);
        }
        if (const toml::node* d = t->get("default")) {
          if (j.next) return ctx.Error(d, "step.default", "use default or next, not both");
          j.next = d;
        }
        break;
      }
      case StepKind::kRecord: {
        const toml::table* r = action->as_table();
        if (!r) return ctx.Error(action, key, "expected { max = \"30s\", silence = \"3s\" }");
        DZ_RETURN_IF_ERROR(CheckKeys(ctx, *r, key, {"max", "silence"}));
        if (const toml::node* n = r->get("max")) {
          DZ_ASSIGN_OR_RETURN(st.max_length, GetDuration(ctx, *n, key + ".max"));
          if (st.max_length < std::chrono::seconds(1) || st.max_length > std::chrono::minutes(10)) {
            return ctx.Error(n, key + ".max", "must be between 1s and 10m");
          }
        }
        if (const toml::node* n = r->get("silence")) {
          DZ_ASSIGN_OR_RETURN(st.silence, GetDuration(ctx, *n, key + ".silence"));
          if (st.silence < std::chrono::milliseconds(500)) {
            return ctx.Error(n, key + ".silence", "must be at least 500ms");
          }
        }
        break;
      }
      case StepKind::kTransfer: {
        const toml::table* tr = action->as_table();
        if (!tr)
          return ctx.Error(action, key, "expected { queue = \"name\", fallback = \"step\" }");
        DZ_RETURN_IF_ERROR(CheckKeys(ctx, *tr, key, {"queue", "fallback", "wait"}));
        const toml::node* q = tr->get("queue");
        if (!q) return ctx.Error(action, key + ".queue", "required");
        DZ_ASSIGN_OR_RETURN(st.queue, GetString(ctx, *q, key + ".queue"));
        if (const toml::node* w = tr->get("wait")) {
          DZ_ASSIGN_OR_RETURN(st.wait, GetDuration(ctx, *w, key + ".wait"));
          if (st.wait < std::chrono::seconds(1) || st.wait > std::chrono::minutes(10)) {
            return ctx.Error(w, key + ".wait", "must be between 1s and 10m");
          }
        }
        const toml::node* fb = tr->get("fallback");
        if (!fb) {
          return ctx.Error(action, key + ".fallback",
                           "required: the step to run when no operator is free");
        }
        if (j.next) return ctx.Error(j.next, "step.next", "a transfer continues at its fallback");
        j.next = fb;
        break;
      }
      case StepKind::kSet: {
        const toml::table* s = action->as_table();
        if (!s || s->empty()) return ctx.Error(action, key, "expected { name = \"value\" }");
        for (const auto& [name, value] : *s) {
          std::string n(name.str());
          if (!IsVarName(n)) return ctx.Error(&value, key + "." + n, "use letters, digits and _");
          DZ_ASSIGN_OR_RETURN(std::string v, GetString(ctx, value, key + "." + n));
          st.vars.emplace_back(n, v);
        }
        break;
      }
      case StepKind::kHangup: {
        DZ_ASSIGN_OR_RETURN(bool b, GetBool(ctx, *action, key));
        if (!b) return ctx.Error(action, key, "write hangup = true");
        if (j.next) return ctx.Error(j.next, "step.next", "nothing runs after a hangup");
        break;
      }
    }
    sc.steps.push_back(std::move(st));
    jumps.push_back(std::move(j));
  }

  // Resolve jumps by id.
  auto resolve = [&](const toml::node* n, const std::string& key) -> Result<size_t> {
    DZ_ASSIGN_OR_RETURN(std::string target, GetString(ctx, *n, key));
    if (target == "hangup") return sc.steps.size();  // past the end: hang up
    auto it = ids.find(target);
    if (it == ids.end()) return ctx.Error(n, key, "no step has id \"" + target + "\"");
    return it->second;
  };
  for (size_t i = 0; i < sc.steps.size(); ++i) {
    Step& st = sc.steps[i];
    if (jumps[i].next) {
      DZ_ASSIGN_OR_RETURN(size_t to, resolve(jumps[i].next, "step.next"));
      st.next = to;
    }
    for (const auto& [value, node] : jumps[i].cases) {
      DZ_ASSIGN_OR_RETURN(size_t to, resolve(node, "step.cases." + value));
      st.cases.emplace_back(value, to);
    }
  }

  // Every step must be reachable from the first: a step nothing leads to is a mistake (a typo
  // in a jump, or a branch case pointing elsewhere).
  std::vector<bool> seen(sc.steps.size(), false);
  std::vector<size_t> stack{0};
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    if (i >= sc.steps.size() || seen[i]) continue;
    seen[i] = true;
    const Step& st = sc.steps[i];
    if (st.kind == StepKind::kHangup) continue;
    stack.push_back(st.next.value_or(i + 1));
    for (const auto& c : st.cases) stack.push_back(c.second);
  }
  for (size_t i = 0; i < sc.steps.size(); ++i) {
    if (!seen[i]) {
      return Status::InvalidArgument(sc.source + ":" + std::to_string(sc.steps[i].line) + ": " +
                                     StepName(sc.steps[i], i) +
                                     ": unreachable (no step or branch leads here)");
    }
  }

  for (size_t i = 0; i < sc.steps.size(); ++i) {
    if (sc.steps[i].message) sc.message_steps.push_back(i);
  }
  if (sc.message_steps.empty()) {
    for (size_t i = 0; i < sc.steps.size(); ++i) {
      if (sc.steps[i].kind == StepKind::kPlay || sc.steps[i].kind == StepKind::kSay) {
        sc.message_steps.push_back(i);
        break;
      }
    }
  }
  return sc;
}

}  // namespace dozvon
