// SqliteStore: the embedded default Store. One database file in WAL mode with
// synchronous=FULL, so a committed attempt survives a crash or power loss before its INVITE
// leaves. Migrations are applied at open.
// Thread-safety: one SqliteStore per thread; SQLite's own locking arbitrates between processes.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace dozvon {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database at `path`.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  int schema_version() const;

  // ContactStore
  Result<std::optional<ListInfo>> FindList(std::string_view name) override;
  Result<std::vector<ListInfo>> Lists() override;
  Result<std::unique_ptr<ContactImport>> BeginImport(std::string_view list_name, Instant now,
                                                     int64_t expected_rows) override;
  Status ForEachPhone(std::optional<int64_t> list_id,
                      const std::function<void(std::string_view)>& fn) override;
  Status ForEachContact(int64_t list_id, const std::function<Status(const Contact&)>& fn) override;
  Result<std::optional<Contact>> GetContact(int64_t id) override;

  // CampaignStore
  Result<int64_t> UpsertCampaign(const CampaignRecord& campaign, Instant now) override;
  Result<std::optional<CampaignRecord>> FindCampaign(std::string_view name) override;
  Status SetCampaignState(int64_t campaign_id, std::string_view state, Instant now) override;
  Result<std::vector<CampaignRecord>> Campaigns() override;
  Result<CampaignTotals> Totals(int64_t campaign_id) override;

  // AttemptStore
  Result<Attempt> OpenAttempt(const NewAttempt& attempt) override;
  Status CompleteAttempt(int64_t attempt_id, const AttemptResult& result) override;
  Result<std::vector<Attempt>> AttemptsOfContact(int64_t contact_id) override;
  Result<std::vector<Attempt>> OpenAttempts() override;
  Result<std::vector<Attempt>> AttemptsOfCampaign(int64_t campaign_id) override;
  Result<std::vector<Contact>> DueContacts(int64_t campaign_id, Instant now, int limit,
                                           bool new_first) override;
  Status Reschedule(int64_t contact_id, ContactState state, std::optional<Instant> next,
                    std::string_view reason, Instant now) override;

  // AgentStore
  Status AddAgentEvents(const std::vector<AgentEvent>& events) override;
  Result<std::vector<AgentEvent>> AgentEvents(std::string_view agent) override;
  Status SetDisposition(int64_t attempt_id, const DispositionUpdate& update) override;
  Result<std::vector<std::string>> DncNumbers() override;
  Status SetOperatorCredential(const OperatorCredential& c) override;
  Status RemoveOperatorCredential(std::string_view name) override;
  Result<std::optional<OperatorCredential>> FindOperatorCredential(std::string_view name) override;
  Result<std::vector<OperatorCredential>> OperatorCredentials() override;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dozvon
