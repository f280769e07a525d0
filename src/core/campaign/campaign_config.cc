#include "core/campaign/campaign_config.h"

#include <toml++/toml.h>

#include <set>

#include "core/campaign/toml_read.h"
#include "core/campaign/toml_text.h"
#include "core/time/tz.h"

namespace dozvon {
namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

Result<int> DayIndex(const Ctx& ctx, const toml::node& n, std::string_view key,
                     std::string_view name) {
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (name == kDayNames[i]) return static_cast<int>(i);
  }
  return ctx.Error(&n, key, "\"" + std::string(name) + "\": expected mon, tue, ... sun");
}

Status ParseWindow(const Ctx& ctx, const toml::table& t, WindowConfig* w) {
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, t, "window",
                               {"weekdays", "weekends", "holidays", "avoid", "weekend_days", "mon",
                                "tue", "wed", "thu", "fri", "sat", "sun"}));
  for (const auto& [k, v] : t) {
    std::string key = "window." + std::string(k.str());
    if (k == "weekdays") {
      DZ_ASSIGN_OR_RETURN(w->weekdays, GetRanges(ctx, v, key));
    } else if (k == "weekends") {
      DZ_ASSIGN_OR_RETURN(w->weekends, GetRanges(ctx, v, key));
    } else if (k == "avoid") {
      DZ_ASSIGN_OR_RETURN(w->avoid, GetRanges(ctx, v, key));
    } else if (k == "holidays") {
      DZ_ASSIGN_OR_RETURN(std::vector<std::string> days, GetStrings(ctx, v, key));
      for (const auto& d : days) {
        auto t0 = ParseIso8601(d + "T00:00:00Z");
        if (!t0.ok()) return ctx.Error(&v, key, "\"" + d + "\": expected YYYY-MM-DD");
        w->holidays.push_back(std::chrono::floor<date::days>(*t0));
      }
      std::sort(w->holidays.begin(), w->holidays.end());
    } else if (k == "weekend_days") {
      DZ_ASSIGN_OR_RETURN(std::vector<std::string> days, GetStrings(ctx, v, key));
      w->weekend_days.clear();
      for (const auto& d : days) {
        DZ_ASSIGN_OR_RETURN(int idx, DayIndex(ctx, v, key, d));
        w->weekend_days.push_back(idx);
      }
    } else {
      DZ_ASSIGN_OR_RETURN(int idx, DayIndex(ctx, v, key, k.str()));
      DZ_ASSIGN_OR_RETURN(std::vector<TimeRange> r, GetRanges(ctx, v, key));
      w->by_day[idx] = std::move(r);
    }
  }
  return Status::Ok();
}

Status ParseCaps(const Ctx& ctx, const toml::table& t, CapsConfig* c) {
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, t, "caps", {"per_day", "per_week", "per_month", "counts"}));
  for (const auto& [k, v] : t) {
    std::string key = "caps." + std::string(k.str());
    if (k == "per_day") {
      DZ_ASSIGN_OR_RETURN(c->per_day, GetInt(ctx, v, key, 0, 1000));
    } else if (k == "per_week") {
      DZ_ASSIGN_OR_RETURN(c->per_week, GetInt(ctx, v, key, 0, 1000));
    } else if (k == "per_month") {
      DZ_ASSIGN_OR_RETURN(c->per_month, GetInt(ctx, v, key, 0, 10000));
    } else if (k == "counts") {
      DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, v, key));
      if (s == "attempts") {
        c->counts = CapCounts::kAttempts;
      } else if (s == "answered") {
        c->counts = CapCounts::kAnswered;
      } else {
        return ctx.Error(&v, key, "\"" + s + "\": expected attempts or answered");
      }
    }
  }
  return Status::Ok();
}

Result<RetryRule> ParseRule(const Ctx& ctx, const toml::node& v, const std::string& key) {
  RetryRule r;
  if (auto s = v.value<std::string>()) {
    if (*s == "strike") {
      r.action = RetryAction::kStrike;
    } else if (*s == "done") {
      r.action = RetryAction::kDone;
    } else if (*s == "next_daypart") {
      r.action = RetryAction::kNextDaypart;
    } else {
      auto d = ParseDuration(*s);
      if (!d.ok()) {
        return ctx.Error(&v, key,
                         "\"" + *s +
                             "\": expected strike, done, next_daypart, a "
                             "duration or { after = ... }");
      }
      r.action = RetryAction::kAfter;
      r.after = *d;
    }
    return r;
  }
  const toml::table* t = v.as_table();
  if (!t) return ctx.Error(&v, key, "expected a string or a table");
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, *t, key, {"after", "max"}));
  const toml::node* after = t->get("after");
  if (!after) return ctx.Error(&v, key, "missing \"after\"");
  DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, *after, key + ".after"));
  if (s == "next_daypart") {
    r.action = RetryAction::kNextDaypart;
  } else {
    auto d = ParseDuration(s);
    if (!d.ok()) return ctx.Error(after, key + ".after", d.status().message());
    r.action = RetryAction::kAfter;
    r.after = *d;
  }
  if (const toml::node* m = t->get("max")) {
    DZ_ASSIGN_OR_RETURN(r.max, GetInt(ctx, *m, key + ".max", 0, 100));
  }
  return r;
}

Status ParseRetry(const Ctx& ctx, const toml::table& t, RetryConfig* rc) {
  for (const auto& [k, v] : t) {
    std::string key = "retry." + std::string(k.str());
    if (k == "dayparts") {
      const toml::table* dp = v.as_table();
      if (!dp) return ctx.Error(&v, key, "expected a table of name = \"HH:MM-HH:MM\"");
      rc->dayparts.clear();
      for (const auto& [name, range] : *dp) {
        DZ_ASSIGN_OR_RETURN(std::string s,
                            GetString(ctx, range, key + "." + std::string(name.str())));
        auto r = ParseTimeRange(s);
        if (!r.ok())
          return ctx.Error(&range, key + "." + std::string(name.str()), r.status().message());
        rc->dayparts.push_back({std::string(name.str()), *r});
      }
      std::sort(rc->dayparts.begin(), rc->dayparts.end(), [](const Daypart& a, const Daypart& b) {
        return a.range.start_min < b.range.start_min;
      });
      if (rc->dayparts.size() < 2) return ctx.Error(&v, key, "needs at least two dayparts");
      continue;
    }
    if (k == "daypart_min_gap") {
      DZ_ASSIGN_OR_RETURN(rc->daypart_min_gap, GetDuration(ctx, v, key));
      continue;
    }
    if (k == "unsuccessful") {
      DZ_ASSIGN_OR_RETURN(rc->unsuccessful, ParseRule(ctx, v, key));
      continue;
    }
    auto outcome = OutcomeFromString(k.str());
    if (!outcome) {
      return ctx.Error(&v, key,
                       "unknown key (outcomes: answered, busy, no_answer, "
                       "invalid_number, rejected, congestion, abandoned, machine, "
                       "failed, interrupted; or unsuccessful)");
    }
    DZ_ASSIGN_OR_RETURN(rc->rules[*outcome], ParseRule(ctx, v, key));
  }
  return Status::Ok();
}

Status ParseDnc(const Ctx& ctx, const toml::table& t, DncConfig* d) {
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, t, "dnc", {"numbers", "prefixes", "files"}));
  for (const auto& [k, v] : t) {
    std::string key = "dnc." + std::string(k.str());
    DZ_ASSIGN_OR_RETURN(std::vector<std::string> items, GetStrings(ctx, v, key));
    if (k != "files") {
      for (const auto& s : items) {
        bool ok = s.size() >= 2 && s[0] == '+' &&
                  s.find_first_not_of("0123456789", 1) == std::string::npos;
        if (!ok) return ctx.Error(&v, key, "\"" + s + "\": expected E.164 digits like +7800");
      }
    }
    (k == "numbers" ? d->numbers : k == "prefixes" ? d->prefixes : d->files) = std::move(items);
  }
  return Status::Ok();
}

Status ParsePacing(const Ctx& ctx, const toml::table& t, PacingConfig* p) {
  DZ_RETURN_IF_ERROR(CheckKeys(ctx, t, "pacing",
                               {"pacer", "max_abandon_rate", "abandon_window", "connect_limit",
                                "max_lines_per_agent", "power_ratio"}));
  for (const auto& [k, v] : t) {
    std::string key = "pacing." + std::string(k.str());
    if (k == "pacer") {
      DZ_ASSIGN_OR_RETURN(p->pacer, GetString(ctx, v, key));
    } else if (k == "max_abandon_rate") {
      DZ_ASSIGN_OR_RETURN(p->max_abandon_rate, GetDouble(ctx, v, key, 0.0, 0.5));
    } else if (k == "abandon_window") {
      DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, v, key));
      if (s == "24h") {
        p->abandon_window = AbandonWindow::kRolling24h;
      } else if (s == "30d") {
        p->abandon_window = AbandonWindow::kRolling30d;
      } else if (s == "campaign") {
        p->abandon_window = AbandonWindow::kSinceStart;
      } else {
        return ctx.Error(&v, key, "\"" + s + "\": expected 24h, 30d or campaign");
      }
    } else if (k == "connect_limit") {
      DZ_ASSIGN_OR_RETURN(p->connect_limit, GetDuration(ctx, v, key));
    } else if (k == "max_lines_per_agent") {
      DZ_ASSIGN_OR_RETURN(p->max_lines_per_agent, GetDouble(ctx, v, key, 1.0, 20.0));
    } else if (k == "power_ratio") {
      DZ_ASSIGN_OR_RETURN(p->power_ratio, GetDouble(ctx, v, key, 1.0, 20.0));
    }
  }
  return Status::Ok();
}

Status ParseBroadcast(const Ctx& ctx, const toml::table& t, BroadcastConfig* b) {
  DZ_RETURN_IF_ERROR(
      CheckKeys(ctx, t, "broadcast", {"scenario", "trunk", "success", "record_calls"}));
  for (const auto& [k, v] : t) {
    std::string key = "broadcast." + std::string(k.str());
    if (k == "scenario") {
      DZ_ASSIGN_OR_RETURN(b->scenario, GetString(ctx, v, key));
    } else if (k == "trunk") {
      DZ_ASSIGN_OR_RETURN(b->trunk, GetString(ctx, v, key));
    } else if (k == "success") {
      DZ_ASSIGN_OR_RETURN(std::string s, GetString(ctx, v, key));
      auto rule = SuccessRule::Parse(s);
      if (!rule.ok()) return ctx.Error(&v, key, rule.status().message());
      b->success = std::move(rule).value();
    } else if (k == "record_calls") {
      DZ_ASSIGN_OR_RETURN(b->record_calls, GetBool(ctx, v, key));
    }
  }
  return Status::Ok();
}

Status ParseOperators(const Ctx& ctx, const toml::table& t, OperatorsConfig* o) {
  DZ_RETURN_IF_ERROR(
      CheckKeys(ctx, t, "operators",
                {"trunk", "skill", "abandon_message", "abandon_prompt", "voice", "wrapup_timeout",
                 "default_disposition", "script", "record_calls"}));
  for (const auto& [k, v] : t) {
    std::string key = "operators." + std::string(k.str());
    if (k == "trunk") {
      DZ_ASSIGN_OR_RETURN(o->trunk, GetString(ctx, v, key));
    } else if (k == "skill") {
      DZ_ASSIGN_OR_RETURN(o->skill, GetString(ctx, v, key));
    } else if (k == "abandon_message") {
      DZ_ASSIGN_OR_RETURN(o->abandon_message, GetString(ctx, v, key));
    } else if (k == "abandon_prompt") {
      DZ_ASSIGN_OR_RETURN(o->abandon_prompt, GetString(ctx, v, key));
    } else if (k == "voice") {
      DZ_ASSIGN_OR_RETURN(o->voice, GetString(ctx, v, key));
    } else if (k == "wrapup_timeout") {
      DZ_ASSIGN_OR_RETURN(o->wrapup_timeout, GetDuration(ctx, v, key));
      if (o->wrapup_timeout <= Duration::zero() || o->wrapup_timeout > std::chrono::hours(1)) {
        return ctx.Error(&v, key, "must be between 1ms and 1h");
      }
    } else if (k == "default_disposition") {
      DZ_ASSIGN_OR_RETURN(o->default_disposition, GetString(ctx, v, key));
    } else if (k == "script") {
      DZ_ASSIGN_OR_RETURN(o->script, GetString(ctx, v, key));
    } else if (k == "record_calls") {
      DZ_ASSIGN_OR_RETURN(o->record_calls, GetBool(ctx, v, key));
    }
  }
  return Status::Ok();
}

Status ParseDispositions(const Ctx& ctx, const toml::node& n, std::vector<Disposition>* out) {
  const toml::array* arr = n.as_array();
  if (!arr || arr->empty())
    return ctx.Error(&n, "dispositions", "expected [[dispositions]] tables");
  out->clear();
  for (const toml::node& item : *arr) {
    const toml::table* t = item.as_table();
    if (!t) return ctx.Error(&item, "dispositions", "expected a table");
    DZ_RETURN_IF_ERROR(CheckKeys(
        ctx, *t, "dispositions",
        {"code", "label", "success", "contact_made", "callback", "dnc", "final", "retry_after"}));
    Disposition d;
    for (const auto& [k, v] : *t) {
      std::string key = "dispositions." + std::string(k.str());
      if (k == "code") {
        DZ_ASSIGN_OR_RETURN(d.code, GetString(ctx, v, key));
        if (d.code.empty() || d.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
                                  std::string::npos) {
          return ctx.Error(&v, key, "\"" + d.code + "\": expected lower-case letters, digits, _");
        }
        for (const Disposition& seen : *out) {
          if (seen.code == d.code) return ctx.Error(&v, key, "\"" + d.code + "\": used twice");
        }
      } else if (k == "label") {
        DZ_ASSIGN_OR_RETURN(d.label, GetString(ctx, v, key));
      } else if (k == "success") {
        DZ_ASSIGN_OR_RETURN(d.success, GetBool(ctx, v, key));
      } else if (k == "contact_made") {
        DZ_ASSIGN_OR_RETURN(d.contact_made, GetBool(ctx, v, key));
      } else if (k == "callback") {
        DZ_ASSIGN_OR_RETURN(d.callback, GetBool(ctx, v, key));
      } else if (k == "dnc") {
        DZ_ASSIGN_OR_RETURN(d.dnc, GetBool(ctx, v, key));
      } else if (k == "final") {
        DZ_ASSIGN_OR_RETURN(d.final, GetBool(ctx, v, key));
      } else if (k == "retry_after") {
        DZ_ASSIGN_OR_RETURN(Duration after, GetDuration(ctx, v, key));
        if (after <= Duration::zero()) return ctx.Error(&v, key, "must be positive");
        d.retry_after = after;
      }
    }
    if (d.code.empty()) return ctx.Error(t, "dispositions.code", "required");
    int kinds = (d.callback ? 1 : 0) + (d.final || d.dnc ? 1 : 0) + (d.retry_after ? 1 : 0);
    if (kinds > 1) {
      return ctx.Error(t, "dispositions." + d.code,
                       "callback, final/dnc and retry_after exclude each other");
    }
    if (d.label.empty()) d.label = d.code;
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

std::vector<Disposition> DefaultDispositions() {
  auto make = [](std::string code, std::string label) {
    Disposition d;
    d.code = std::move(code);
    d.label = std::move(label);
    return d;
  };
  Disposition sale = make("success", "Success"), done = make("completed", "Completed");
  sale.success = sale.contact_made = sale.final = true;
  done.contact_made = done.final = true;
  Disposition no = make("not_interested", "Not interested");
  no.contact_made = no.final = true;
  Disposition cb = make("callback", "Call back");
  cb.contact_made = cb.callback = true;
  Disposition dnc = make("dnc", "Do not call");
  dnc.contact_made = dnc.dnc = dnc.final = true;
  Disposition again = make("call_again", "No decision maker: call again");
  again.retry_after = std::chrono::hours(2);
  return {sale, done, no, cb, dnc, again};
}

std::map<Outcome, RetryRule> DefaultRules() {
  return {
      {Outcome::kAnswered, {RetryAction::kDone, {}, 0}},
      {Outcome::kBusy, {RetryAction::kAfter, 15min, 0}},
      {Outcome::kNoAnswer, {RetryAction::kNextDaypart, {}, 0}},
      {Outcome::kInvalidNumber, {RetryAction::kStrike, {}, 0}},
      {Outcome::kRejected, {RetryAction::kAfter, 24h, 0}},
      {Outcome::kCongestion, {RetryAction::kAfter, 5min, 0}},
      {Outcome::kAbandoned, {RetryAction::kAfter, 4h, 0}},
      {Outcome::kMachine, {RetryAction::kNextDaypart, {}, 0}},
      {Outcome::kFailed, {RetryAction::kAfter, 30min, 0}},
      {Outcome::kInterrupted, {RetryAction::kAfter, 10min, 0}},
  };
}

std::vector<Daypart> DefaultDayparts() {
  return {{"morning", {9 * 60, 12 * 60}},
          {"afternoon", {12 * 60, 17 * 60}},
          {"evening", {17 * 60, 21 * 60}}};
}

}  // namespace

std::string_view ToString(DialMode m) {
  switch (m) {
    case DialMode::kBroadcast:
      return "broadcast";
    case DialMode::kPreview:
      return "preview";
    case DialMode::kProgressive:
      return "progressive";
    case DialMode::kPower:
      return "power";
    case DialMode::kPredictive:
      return "predictive";
  }
  return "broadcast";
}

CampaignConfig CampaignConfig::Defaults() {
  CampaignConfig c;
  c.retry.rules = DefaultRules();
  c.retry.dayparts = DefaultDayparts();
  c.dispositions = DefaultDispositions();
  return c;
}

const RetryRule& CampaignConfig::RuleFor(Outcome o) const {
  static const RetryRule kDone{RetryAction::kDone, {}, 0};
  auto it = retry.rules.find(o);
  return it == retry.rules.end() ? kDone : it->second;
}

const Disposition* CampaignConfig::FindDisposition(std::string_view code) const {
  for (const Disposition& d : dispositions) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

Result<CampaignConfig> CampaignConfig::Parse(std::string_view text, std::string_view source) {
  Ctx ctx(source);
  DZ_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, source));
  CampaignConfig c = Defaults();
  DZ_RETURN_IF_ERROR(
      CheckKeys(ctx, root, "",
                {"name", "mode", "lists", "start_at", "stop_at", "max_attempts", "ring_timeout",
                 "default_timezone", "new_first", "max_lines", "priority", "window", "caps",
                 "retry", "dnc", "pacing", "broadcast", "operators", "dispositions"}));
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (k == "name") {
      DZ_ASSIGN_OR_RETURN(c.name, GetString(ctx, v, key));
      if (c.name.empty()) return ctx.Error(&v, key, "must not be empty");
    } else if (k == "mode") {
      DZ_ASSIGN_OR_RETURN(std::string m, GetString(ctx, v, key));
      bool found = false;
      for (auto mode : {DialMode::kBroadcast, DialMode::kPreview, DialMode::kProgressive,
                        DialMode::kPower, DialMode::kPredictive}) {
        if (ToString(mode) == m) {
          c.mode = mode;
          found = true;
        }
      }
      if (!found) {
        return ctx.Error(&v, key,
                         "\"" + m +
                             "\": expected broadcast, preview, progressive, "
                             "power or predictive");
      }
    } else if (k == "lists") {
      DZ_ASSIGN_OR_RETURN(c.lists, GetStrings(ctx, v, key));
    } else if (k == "start_at") {
      DZ_ASSIGN_OR_RETURN(c.start_at, GetInstant(ctx, v, key));
    } else if (k == "stop_at") {
      DZ_ASSIGN_OR_RETURN(c.stop_at, GetInstant(ctx, v, key));
    } else if (k == "max_attempts") {
      DZ_ASSIGN_OR_RETURN(c.max_attempts, GetInt(ctx, v, key, 1, 100));
    } else if (k == "ring_timeout") {
      DZ_ASSIGN_OR_RETURN(c.ring_timeout, GetDuration(ctx, v, key));
      if (c.ring_timeout < 5s || c.ring_timeout > 180s) {
        return ctx.Error(&v, key, "must be between 5s and 180s");
      }
    } else if (k == "default_timezone") {
      DZ_ASSIGN_OR_RETURN(c.default_timezone, GetString(ctx, v, key));
      auto z = FindZone(c.default_timezone);
      if (!z.ok()) return ctx.Error(&v, key, z.status().message());
    } else if (k == "new_first") {
      DZ_ASSIGN_OR_RETURN(c.new_first, GetBool(ctx, v, key));
    } else if (k == "max_lines") {
      DZ_ASSIGN_OR_RETURN(c.max_lines, GetInt(ctx, v, key, 0, 100000));
    } else if (k == "priority") {
      DZ_ASSIGN_OR_RETURN(c.priority, GetInt(ctx, v, key, -1000, 1000));
    } else if (k == "dispositions") {
      DZ_RETURN_IF_ERROR(ParseDispositions(ctx, v, &c.dispositions));
    } else if (k == "window" || k == "caps" || k == "retry" || k == "dnc" || k == "pacing" ||
               k == "broadcast" || k == "operators") {
      const toml::table* t = v.as_table();
      if (!t) return ctx.Error(&v, key, "expected a table");
      if (k == "window") DZ_RETURN_IF_ERROR(ParseWindow(ctx, *t, &c.window));
      if (k == "caps") DZ_RETURN_IF_ERROR(ParseCaps(ctx, *t, &c.caps));
      if (k == "retry") DZ_RETURN_IF_ERROR(ParseRetry(ctx, *t, &c.retry));
      if (k == "dnc") DZ_RETURN_IF_ERROR(ParseDnc(ctx, *t, &c.dnc));
      if (k == "pacing") DZ_RETURN_IF_ERROR(ParsePacing(ctx, *t, &c.pacing));
      if (k == "broadcast") DZ_RETURN_IF_ERROR(ParseBroadcast(ctx, *t, &c.broadcast));
      if (k == "operators") DZ_RETURN_IF_ERROR(ParseOperators(ctx, *t, &c.operators));
    }
  }
  if (c.with_operators()) {
    const toml::node* ops = root.get("operators");
    if (!c.FindDisposition(c.operators.default_disposition)) {
      return ctx.Error(ops, "operators.default_disposition",
                       "\"" + c.operators.default_disposition + "\": no such disposition");
    }
  }
  if (c.name.empty()) return Status::InvalidArgument(std::string(source) + ": name: required");
  if (c.start_at && c.stop_at && *c.stop_at <= *c.start_at) {
    return ctx.Error(root.get("stop_at"), "stop_at", "must be after start_at");
  }
  return c;
}

}  // namespace dozvon
