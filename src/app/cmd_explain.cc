// `dozvon explain`: would a contact be called now, and if not, every reason and the next
// instant it could be; or, for a whole campaign, contacts counted by reason. This is how a
// supervisor answers "why is my campaign not dialing".
#include <cstdio>
#include <map>
#include <set>

#include "app/campaign_files.h"
#include "app/commands.h"
#include "app/system_clock.h"
#include "core/schedule/eligibility.h"
#include "core/time/tz.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

struct ExplainArgs {
  std::string db;
  std::string campaign;
  int64_t contact = 0;
  std::string at;
};

std::vector<PastAttempt> History(SqliteStore& store, int64_t contact_id, Status* error) {
  std::vector<PastAttempt> out;
  auto attempts = store.AttemptsOfContact(contact_id);
  if (!attempts.ok()) {
    *error = attempts.status();
    return out;
  }
  for (const Attempt& a : *attempts) {
    out.push_back({a.dialed_at.value_or(a.created_at), a.outcome == Outcome::kAnswered});
  }
  return out;
}

std::string Local(Instant t, const std::vector<const date::time_zone*>& zones) {
  if (zones.empty()) return FormatUtc(t);
  return FormatLocal(t, zones.front()) + " (" + std::string(zones.front()->name()) + ")";
}

int ExplainContact(SqliteStore& store, const CampaignConfig& config,
                   const EligibilityChecker& checker, int64_t id, Instant at) {
  auto contact = store.GetContact(id);
  if (!contact.ok()) {
    std::fprintf(stderr, "dozvon explain: %s\n", contact.status().message().c_str());
    return kExitFailure;
  }
  if (!contact->has_value()) {
    std::fprintf(stderr, "dozvon explain: contact %lld does not exist\n",
                 static_cast<long long>(id));
    return kExitBadInput;
  }
  const Contact& c = **contact;
  Status err;
  std::vector<PastAttempt> hist = History(store, id, &err);
  if (!err.ok()) {
    std::fprintf(stderr, "dozvon explain: %s\n", err.message().c_str());
    return kExitFailure;
  }
  auto zones = checker.ZonesOf(c);
  std::string zone_names;
  for (const auto& z : c.zones) zone_names += (zone_names.empty() ? "" : " ") + z;
  std::printf("contact %lld %s, zones: %s, state: %s, attempts: %d of %d\n",
              static_cast<long long>(c.id), c.phone_e164.c_str(),
              zone_names.empty() ? "(none)" : zone_names.c_str(),
              std::string(ToString(c.state)).c_str(), c.attempts, config.max_attempts);
  std::printf("at %s, campaign \"%s\"\n", Local(at, zones).c_str(), config.name.c_str());
  Eligibility e = checker.Check(c, hist, at);
  if (e.callable) {
    std::printf("would be called now: yes\n");
    return kExitOk;
  }
  std::printf("would be called now: no\n");
  for (const auto& [blocker, why] : e.reasons) {
    std::printf("  - %s: %s\n", std::string(ToString(blocker)).c_str(), why.c_str());
  }
  if (e.next_at) {
    std::printf("next possible: %s\n", Local(*e.next_at, zones).c_str());
  } else if (c.state == ContactState::kInProgress) {
    std::printf("next possible: decided when the call in progress ends\n");
  } else {
    std::printf("next possible: never\n");
  }
  return kExitOk;
}

int ExplainCampaign(SqliteStore& store, const CampaignConfig& config,
                    const EligibilityChecker& checker, Instant at) {
  std::map<std::string, int64_t> by_reason;
  int64_t total = 0, callable = 0;
  std::optional<Instant> soonest;
  for (const auto& list_name : config.lists) {
    auto list = store.FindList(list_name);
    if (!list.ok() || !list->has_value()) {
      std::fprintf(stderr, "dozvon explain: list \"%s\" does not exist\n", list_name.c_str());
      return kExitBadInput;
    }
    Status s = store.ForEachContact((*list)->id, [&](const Contact& c) -> Status {
      Status err;
      std::vector<PastAttempt> hist;
      if (c.attempts > 0) hist = History(store, c.id, &err);
      DZ_RETURN_IF_ERROR(err);
      ++total;
      Eligibility e = checker.Check(c, hist, at);
      if (e.callable) {
        ++callable;
        return Status::Ok();
      }
      std::set<Blocker> kinds;  // a contact counts once per kind, not once per zone
      for (const auto& [blocker, why] : e.reasons) kinds.insert(blocker);
      for (Blocker b : kinds) ++by_reason[std::string(ToString(b))];
      if (e.next_at && (!soonest || *e.next_at < *soonest)) soonest = e.next_at;
      return Status::Ok();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "dozvon explain: %s\n", s.message().c_str());
      return kExitFailure;
    }
  }
  std::printf("campaign \"%s\" at %s: %lld contacts, %lld callable now\n", config.name.c_str(),
              FormatUtc(at).c_str(), static_cast<long long>(total),
              static_cast<long long>(callable));
  if (!by_reason.empty()) {
    std::printf("not callable now, by reason (a contact can have several):\n");
    for (const auto& [reason, n] : by_reason) {
      std::printf("  %-22s %lld\n", reason.c_str(), static_cast<long long>(n));
    }
  }
  if (callable == 0) {
    std::printf("next contact becomes callable: %s\n",
                soonest ? FormatUtc(*soonest).c_str() : "never");
  }
  return kExitOk;
}

int RunExplain(const ExplainArgs& a) {
  auto store = SqliteStore::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon explain: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto rec = (*store)->FindCampaign(a.campaign);
  if (!rec.ok() || !rec->has_value()) {
    std::fprintf(stderr, "dozvon explain: campaign \"%s\" does not exist (dozvon campaign add)\n",
                 a.campaign.c_str());
    return kExitBadInput;
  }
  auto config = CampaignConfig::Parse((*rec)->config_toml, "campaign " + a.campaign);
  if (!config.ok()) {
    std::fprintf(stderr, "dozvon explain: %s\n", config.status().message().c_str());
    return kExitFailure;
  }
  auto dnc = LoadDnc(*config, "");
  if (!dnc.ok()) {
    std::fprintf(stderr, "dozvon explain: %s\n", dnc.status().message().c_str());
    return kExitFailure;
  }
  Instant at = SystemClock().Now();
  if (!a.at.empty()) {
    auto t = ParseIso8601(a.at);
    if (!t.ok()) {
      std::fprintf(stderr, "dozvon explain: --at %s\n", t.status().message().c_str());
      return kExitBadInput;
    }
    at = *t;
  }
  EligibilityChecker checker(*config, &*dnc);
  if (a.contact > 0) return ExplainContact(**store, *config, checker, a.contact, at);
  return ExplainCampaign(**store, *config, checker, at);
}

}  // namespace

void RegisterExplain(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Why a contact (or a campaign's contacts) would or would not be called now");
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--campaign", args->campaign, "Campaign name (stored by campaign add)")
      ->required();
  cmd->add_option("--contact", args->contact, "Contact id; without it, the whole campaign");
  cmd->add_option("--at", args->at, "Instant to ask about, ISO 8601 with offset (default now)");
  cmd->callback([args, exit_code] { *exit_code = RunExplain(*args); });
}

}  // namespace dozvon
