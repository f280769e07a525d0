// Store ports: narrow, transactional, Status-returning interfaces over the database.
// The core never sees SQL; adapters (sqlite/, later postgres/) implement these.
//
// Thread-safety: a Store object belongs to one thread (the store thread in `dozvon serve`,
// the main thread in CLI commands). Open one per thread if more are needed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/agents/agent_pool.h"
#include "core/clock.h"
#include "core/model/attempt.h"
#include "core/model/contact.h"
#include "core/status.h"

namespace dozvon {

struct ListInfo {
  int64_t id = 0;
  std::string name;
  int64_t contacts = 0;
  Instant created_at{};
};

// A contact as the importer hands it to the store.
struct NewContact {
  std::string phone_e164;
  std::string country;
  std::vector<std::string> zones;
  ZoneSource zone_source = ZoneSource::kUnknown;
  Fields fields;
  std::string external_id;
  int priority = 0;
  int64_t source_line = 0;
  // Set by a caller that encoded the zones and fields itself (store/encoding.h) on its own
  // threads: the store then writes `zones_text` and `fields_json` and ignores the two above.
  bool encoded = false;
  std::string zones_text;
  std::string fields_json;
};

// One import: everything added lands in one transaction at Commit(), or nothing does.
// Destroying it without Commit() rolls back.
class ContactImport {
 public:
  virtual ~ContactImport() = default;
  virtual int64_t list_id() const = 0;
  virtual Status Add(const NewContact& contact) = 0;
  virtual Status Commit() = 0;
};

class ContactStore {
 public:
  virtual ~ContactStore() = default;
  virtual Result<std::optional<ListInfo>> FindList(std::string_view name) = 0;
  virtual Result<std::vector<ListInfo>> Lists() = 0;
  // Opens the import transaction; creates the list inside it if it does not exist yet.
  // `expected_rows` is a rough count of the rows to come (0 if unknown): a backend may pick a
  // bulk-load strategy for a large import.
  virtual Result<std::unique_ptr<ContactImport>> BeginImport(std::string_view list_name,
                                                             Instant now,
                                                             int64_t expected_rows) = 0;
  // Every stored E.164 number of one list (list_id set) or of the whole system, for dedupe.
  virtual Status ForEachPhone(std::optional<int64_t> list_id,
                              const std::function<void(std::string_view)>& fn) = 0;
  // Contacts of a list in id order. `fn` returning an error stops the walk with that error.
  virtual Status ForEachContact(int64_t list_id,
                                const std::function<Status(const Contact&)>& fn) = 0;
  virtual Result<std::optional<Contact>> GetContact(int64_t id) = 0;
};

struct CampaignRecord {
  int64_t id = 0;
  std::string name;
  std::string config_toml;  // the campaign file as loaded, for audit and restart
  std::string state;        // draft | running | paused | stopped | finished
  std::vector<std::string> lists;
};

// A campaign's totals, for progress lines and the summary table.
struct CampaignTotals {
  std::map<ContactState, int64_t> contacts_by_state;
  std::map<Outcome, int64_t> attempts_by_outcome;
  int64_t attempts = 0, open_attempts = 0;
  int64_t heard_to_end = 0, successes = 0;
  std::map<std::string, int64_t> var_counts;  // "confirmed=yes" -> attempts
  std::map<int, int64_t> failures_by_sip;     // SIP status of unanswered attempts
};

class CampaignStore {
 public:
  virtual ~CampaignStore() = default;
  // Creates or replaces the campaign's config and list membership; keeps its id and state.
  virtual Result<int64_t> UpsertCampaign(const CampaignRecord& campaign, Instant now) = 0;
  virtual Result<std::optional<CampaignRecord>> FindCampaign(std::string_view name) = 0;
  virtual Status SetCampaignState(int64_t campaign_id, std::string_view state, Instant now) = 0;
  virtual Result<std::vector<CampaignRecord>> Campaigns() = 0;
  virtual Result<CampaignTotals> Totals(int64_t campaign_id) = 0;
};

// What is known when an attempt is opened, before the INVITE leaves.
struct NewAttempt {
  int64_t contact_id = 0;
  int64_t campaign_id = 0;
  std::string phone_e164;
  Instant created_at{};
  // When > 0, the database refuses the attempt if the contact already has this many: a last
  // guard under the core's own check.
  int max_attempts = 0;
};

// The contact's next state, decided by the core's retry policy from the outcome.
struct ContactUpdate {
  ContactState state = ContactState::kScheduled;
  std::optional<Instant> next_attempt_at;
  std::string reason;  // for the supervisor: "busy; retry in 3 min"
};

struct AttemptResult {
  Outcome outcome = Outcome::kFailed;
  std::optional<Instant> dialed_at;
  std::optional<Instant> answered_at;
  Instant ended_at{};
  std::optional<int> sip_status;
  std::optional<int> q850_cause;
  std::string reason;
  CallDetails details;
  ContactUpdate contact;
};

class AttemptStore {
 public:
  virtual ~AttemptStore() = default;
  // Durably (synchronous=FULL) records the attempt, numbers it, bumps the contact's attempt
  // counter and marks the contact in progress, all in one transaction. Fails if the contact
  // already has an open attempt, so one contact is never dialled twice at once.
  virtual Result<Attempt> OpenAttempt(const NewAttempt& attempt) = 0;
  // Completes the attempt and moves its contact to `result.contact`, in one transaction.
  virtual Status CompleteAttempt(int64_t attempt_id, const AttemptResult& result) = 0;
  virtual Result<std::vector<Attempt>> AttemptsOfContact(int64_t contact_id) = 0;
  virtual Result<std::vector<Attempt>> OpenAttempts() = 0;
  virtual Result<std::vector<Attempt>> AttemptsOfCampaign(int64_t campaign_id) = 0;

  // Contacts of the campaign's lists that may be due at `now`: new or scheduled, with
  // next_attempt_at unset or passed. Order: never-called first when `new_first`, then higher
  // priority, then earlier due time. The eligibility check in the core has the last word.
  virtual Result<std::vector<Contact>> DueContacts(int64_t campaign_id, Instant now, int limit,
                                                   bool new_first) = 0;
  // Moves a contact that may not be called now: to a later time (`next`), or done / struck.
  // A contact with an open attempt is left alone.
  virtual Status Reschedule(int64_t contact_id, ContactState state, std::optional<Instant> next,
                            std::string_view reason, Instant now) = 0;
};

// An operator's wrap-up of one attempt, and where it moves the contact.
struct DispositionUpdate {
  std::string code;
  std::optional<bool> success;  // the disposition's success flag
  std::optional<Instant> callback_at;
  ContactUpdate contact;
  bool add_dnc = false;  // also put the attempt's number on the do-not-call list
  Instant at{};
};

class AgentStore {
 public:
  virtual ~AgentStore() = default;
  virtual Status AddAgentEvents(const std::vector<AgentEvent>& events) = 0;
  // One operator's events ("" = everyone's), oldest first.
  virtual Result<std::vector<AgentEvent>> AgentEvents(std::string_view agent) = 0;
  // Records the disposition on a completed attempt and moves its contact, in one transaction.
  // The contact is left alone if a newer attempt of it is open.
  virtual Status SetDisposition(int64_t attempt_id, const DispositionUpdate& update) = 0;
  // The system-wide do-not-call numbers operators added.
  virtual Result<std::vector<std::string>> DncNumbers() = 0;
};

// An operator's SIP digest credential: HA1 = MD5(name:realm:password), never the password.
struct OperatorCredential {
  std::string name;
  std::string realm;
  std::string ha1;  // 32 lower-case hex digits
  Instant updated_at{};
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // Adds or replaces the operator's credential.
  virtual Status SetOperatorCredential(const OperatorCredential& c) = 0;
  // NotFound when there was none.
  virtual Status RemoveOperatorCredential(std::string_view name) = 0;
  virtual Result<std::optional<OperatorCredential>> FindOperatorCredential(
      std::string_view name) = 0;
  // Every stored credential, by name.
  virtual Result<std::vector<OperatorCredential>> OperatorCredentials() = 0;
};

// The whole store of one database.
class Store : public ContactStore,
              public CampaignStore,
              public AttemptStore,
              public AgentStore,
              public CredentialStore {};

}  // namespace dozvon
