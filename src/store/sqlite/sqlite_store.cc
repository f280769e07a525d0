#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "store/encoding.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"

namespace dozvon {
namespace {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

int64_t Ms(Instant t) { return t.time_since_epoch().count(); }
Instant FromMs(int64_t ms) { return Instant(Duration(ms)); }
std::optional<int64_t> Ms(const std::optional<Instant>& t) {
  if (!t) return std::nullopt;
  return Ms(*t);
}
std::optional<Instant> OptInstant(const Statement& s, int col) {
  auto v = s.OptInt(col);
  if (!v) return std::nullopt;
  return FromMs(*v);
}

// For SELECTs from `contacts`: a zone set is looked up by its key, one B-tree step.
constexpr std::string_view kContactColumns =
    "id, list_id, phone_e164, country, "
    "(SELECT zones FROM zone_sets WHERE zone_sets.id = contacts.zone_set), zone_source, fields, "
    "external_id, priority, state, next_attempt_at, attempts, answered, last_attempt_at, "
    "state_reason, source_line";

Contact ReadContact(const Statement& s) {
  Contact c;
  c.id = s.Int(0);
  c.list_id = s.Int(1);
  c.phone_e164 = s.Text(2);
  c.country = s.Text(3);
  c.zones = SplitZones(s.Text(4));
  c.zone_source = ZoneSourceFromString(s.Text(5)).value_or(ZoneSource::kUnknown);
  c.fields = FieldsFromJson(s.Text(6));
  c.external_id = s.Text(7);
  c.priority = static_cast<int>(s.Int(8));
  c.state = ContactStateFromString(s.Text(9)).value_or(ContactState::kNew);
  c.next_attempt_at = OptInstant(s, 10);
  c.attempts = static_cast<int>(s.Int(11));
  c.answered = static_cast<int>(s.Int(12));
  c.last_attempt_at = OptInstant(s, 13);
  c.state_reason = s.Text(14);
  c.source_line = s.Int(15);
  return c;
}

constexpr std::string_view kAttemptColumns =
    "id, contact_id, campaign_id, attempt_no, phone_e164, created_at, dialed_at, answered_at, "
    "ended_at, outcome, sip_status, q850_cause, reason, success, heard_to_end, heard_ms, "
    "message_ms, dtmf, vars, recording, hangup_by, agent, connect_ms, disposition, callback_at";

std::string VarsToJson(const std::map<std::string, std::string>& vars) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : vars) j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<int64_t> OptBool(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return *b ? 1 : 0;
}

Attempt ReadAttempt(const Statement& s) {
  Attempt a;
  a.id = s.Int(0);
  a.contact_id = s.Int(1);
  a.campaign_id = s.Int(2);
  a.attempt_no = static_cast<int>(s.Int(3));
  a.phone_e164 = s.Text(4);
  a.created_at = FromMs(s.Int(5));
  a.dialed_at = OptInstant(s, 6);
  a.answered_at = OptInstant(s, 7);
  a.ended_at = OptInstant(s, 8);
  if (!s.IsNull(9)) a.outcome = OutcomeFromString(s.Text(9));
  if (auto v = s.OptInt(10)) a.sip_status = static_cast<int>(*v);
  if (auto v = s.OptInt(11)) a.q850_cause = static_cast<int>(*v);
  a.reason = s.Text(12);
  CallDetails& d = a.details;
  if (auto v = s.OptInt(13)) d.success = *v != 0;
  if (auto v = s.OptInt(14)) d.heard_to_end = *v != 0;
  d.heard_ms = s.OptInt(15);
  d.message_ms = s.OptInt(16);
  d.dtmf = s.Text(17);
  for (const auto& [k, v] : FieldsFromJson(s.Text(18))) d.vars[k] = v;
  d.recording = s.Text(19);
  d.hangup_by = s.Text(20);
  d.agent = s.Text(21);
  d.connect_ms = s.OptInt(22);
  d.disposition = s.Text(23);
  d.callback_at = OptInstant(s, 24);
  return a;
}

// Every remaining row of `s`, each through `read`.
template <typename Read>
auto ReadAll(Statement& s, Read read) -> Result<std::vector<decltype(read(s))>> {
  std::vector<decltype(read(s))> out;
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(read(s));
  }
  return out;
}

// Settings for a bulk import's transaction, restored after it (commit or rollback):
// - While nobody else has the database open, a rollback journal instead of WAL. In WAL every
//   page of a large import is written twice (to the log, then by the checkpoint into the
//   file); a rollback journal holds only the few pages that existed before, so the new rows
//   are written once. SQLite refuses the switch at once while another connection (a running
//   engine) has the file open; the import then stays in WAL.
// - No foreign-key checks: every row refers to the list and the zone sets this import found
//   or added in its own transaction, and two parent look-ups a row were a tenth of the
//   insert's cost.
class BulkLoadSettings {
 public:
  explicit BulkLoadSettings(Db* db) : db_(db) {
    {
      auto q = db->Prepare("PRAGMA journal_mode=DELETE");
      if (q.ok()) {
        auto row = q->Step();
        rollback_journal_ = row.ok() && *row && q->Text(0) == "delete";
      }
    }  // finalised before the next pragma
    (void)db->Exec("PRAGMA foreign_keys=OFF");
  }
  // After the import's transaction. A failed switch back leaves rollback mode, which the next
  // SqliteStore::Open turns back to WAL.
  ~BulkLoadSettings() {
    if (rollback_journal_) (void)db_->Exec("PRAGMA journal_mode=WAL");
    (void)db_->Exec("PRAGMA foreign_keys=ON");
  }
  BulkLoadSettings(const BulkLoadSettings&) = delete;
  BulkLoadSettings& operator=(const BulkLoadSettings&) = delete;

 private:
  Db* db_;
  bool rollback_journal_ = false;
};

class SqliteContactImport final : public ContactImport {
 public:
  SqliteContactImport(Db* db, std::unique_ptr<BulkLoadSettings> bulk,
                      std::unique_ptr<Transaction> txn, Statement insert, Statement find_zones,
                      Statement insert_zones, std::vector<std::string> deferred, int64_t list_id,
                      Instant now, int64_t expected_rows)
      : db_(db),
        bulk_(std::move(bulk)),
        txn_(std::move(txn)),
        insert_(std::move(insert)),
        find_zones_(std::move(find_zones)),
        insert_zones_(std::move(insert_zones)),
        deferred_(std::move(deferred)),
        list_id_(list_id),
        now_ms_(Ms(now)) {
    if (bulk_) new_phones_.reserve(static_cast<size_t>(expected_rows));
  }

  int64_t list_id() const override { return list_id_; }

  Status Add(const NewContact& c) override {
    if (!txn_) return Status::FailedPrecondition("import already committed");
    // Text is bound in place from `c` and two reused buffers, all alive until Run() returns:
    // copying and allocating six strings per row showed on a million-row import's profile.
    const std::string* zones = &c.zones_text;
    const std::string* fields = &c.fields_json;
    if (!c.encoded) {
      zones_.clear();
      AppendZones(&zones_, c.zones);
      fields_.clear();
      AppendFieldsJson(&fields_, c.fields);
      zones = &zones_;
      fields = &fields_;
    }
    DZ_ASSIGN_OR_RETURN(std::optional<int64_t> zone_set, ZoneSet(*zones));
    insert_.Bind(1, list_id_).BindUnowned(2, c.phone_e164).BindUnowned(3, c.country);
    if (zone_set) {
      insert_.Bind(4, *zone_set);
    } else {
      insert_.BindNull(4);
    }
    insert_.BindUnowned(5, ToString(c.zone_source))
        .BindUnowned(6, *fields)
        .BindUnowned(7, c.external_id)
        .Bind(8, c.priority)
        .Bind(9, c.source_line)
        .Bind(10, now_ms_);
    DZ_RETURN_IF_ERROR(insert_.Run());
    if (bulk_) new_phones_.emplace_back(c.phone_e164, db_->LastInsertRowId());
    return Status::Ok();
  }

  Status Commit() override {
    if (!txn_) return Status::FailedPrecondition("import already committed");
    insert_ = Statement();
    find_zones_ = Statement();
    insert_zones_ = Statement();
    {
      // The numbers sort on another core while SQLite builds the indexes on this one.
      std::jthread sort;
      if (bulk_) sort = std::jthread([this] { std::sort(new_phones_.begin(), new_phones_.end()); });
      for (const std::string& sql : deferred_) {
        if (Status s = db_->Exec(sql); !s.ok()) return s.WithContext("re-creating " + sql);
      }
    }
    if (bulk_) DZ_RETURN_IF_ERROR(AppendPhones().WithContext("filing the numbers"));
    DZ_RETURN_IF_ERROR(txn_->Commit());
    txn_.reset();
    bulk_.reset();
    return Status::Ok();
  }

 private:
  // The zone_sets row of `zones` (added if new); none for no zones. A list holds a handful of
  // distinct sets, and neighbouring rows usually share one.
  Result<std::optional<int64_t>> ZoneSet(const std::string& zones) {
    if (zones.empty()) return std::optional<int64_t>();
    if (zones == last_zones_) return std::optional<int64_t>(last_zone_set_);
    auto it = zone_sets_.find(zones);
    if (it == zone_sets_.end()) {
      find_zones_.BindUnowned(1, zones);
      DZ_ASSIGN_OR_RETURN(bool found, find_zones_.Step());
      int64_t id = found ? find_zones_.Int(0) : 0;
      find_zones_.Reset();
      if (!found) {
        insert_zones_.BindUnowned(1, zones);
        DZ_RETURN_IF_ERROR(insert_zones_.Run());
        id = db_->LastInsertRowId();
      }
      it = zone_sets_.emplace(zones, id).first;
    }
    last_zones_ = zones;
    last_zone_set_ = it->second;
    return std::optional<int64_t>(last_zone_set_);
  }

  // A bulk load's sorted numbers into contact_phones. In the table's own order each row lands
  // at the end of its B-tree instead of at a random leaf; many rows a statement spare most of
  // a statement's per-row overhead.
  Status AppendPhones() {
    constexpr size_t kRowsPerInsert = 128;
    auto prepare = [this](size_t rows) {
      std::string sql = "INSERT INTO contact_phones(phone_e164, contact_id) VALUES (?, ?)";
      for (size_t i = 1; i < rows; ++i) sql += ", (?, ?)";
      return db_->Prepare(sql);
    };
    DZ_ASSIGN_OR_RETURN(Statement full, prepare(kRowsPerInsert));
    for (size_t at = 0; at < new_phones_.size();) {
      const size_t rows = std::min(kRowsPerInsert, new_phones_.size() - at);
      Statement tail;
      if (rows < kRowsPerInsert) {
        DZ_ASSIGN_OR_RETURN(tail, prepare(rows));
      }
      Statement& add = rows < kRowsPerInsert ? tail : full;
      for (size_t i = 0; i < rows; ++i, ++at) {
        const int column = static_cast<int>(2 * i + 1);
        add.BindUnowned(column, new_phones_[at].first).Bind(column + 1, new_phones_[at].second);
      }
      DZ_RETURN_IF_ERROR(add.Run());
    }
    new_phones_ = {};
    return Status::Ok();
  }

  Db* db_;
  std::unique_ptr<BulkLoadSettings> bulk_;  // outlives txn_: restored after it
  std::unique_ptr<Transaction> txn_;
  Statement insert_;
  Statement find_zones_, insert_zones_;
  std::vector<std::string> deferred_;  // what DeferForBulkLoad dropped, re-created at Commit()
  std::vector<std::pair<std::string, int64_t>> new_phones_;  // a bulk load's (number, id)
  std::string zones_, fields_;                               // Add()'s encoding buffers
  std::unordered_map<std::string, int64_t> zone_sets_;
  std::string last_zones_;
  int64_t last_zone_set_ = 0;
  int64_t list_id_;
  int64_t now_ms_;
};

// An import at least this large, and larger than the table, loads without the contacts
// indexes and builds them once at the end: sorting a million keys once beats a B-tree descent
// per row (docs/benchmarks.md). Its numbers go to contact_phones the same way, sorted once.
// Below it the rebuild of existing rows is not worth it.
constexpr int64_t kBulkLoadRows = 50'000;

// The trigger that files each new contact's number in contact_phones; a bulk load appends
// those rows itself, sorted, at commit.
constexpr std::string_view kPhoneTrigger = "contacts_phone_added";

// Drops what a bulk load does without (the indexes on `contacts` and kPhoneTrigger) and
// returns the SQL that re-creates them. Inside the import transaction, so a rollback restores
// them; readers on other connections keep their snapshot.
Result<std::vector<std::string>> DeferForBulkLoad(Db* db) {
  std::vector<std::pair<std::string, std::string>> dropped;  // DROP statement, CREATE statement
  {
    DZ_ASSIGN_OR_RETURN(
        Statement q,
        db->Prepare("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'contacts' AND "
                    "sql IS NOT NULL AND (type = 'index' OR (type = 'trigger' AND name = ?1))"));
    q.BindUnowned(1, kPhoneTrigger);
    for (;;) {
      DZ_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      std::string drop =
          (q.Text(0) == "index" ? "DROP INDEX \"" : "DROP TRIGGER \"") + q.Text(1) + "\"";
      dropped.emplace_back(std::move(drop), q.Text(2));
    }
  }
  std::vector<std::string> recreate;
  for (auto& [drop, create] : dropped) {
    DZ_RETURN_IF_ERROR(db->Exec(drop));
    recreate.push_back(std::move(create));
  }
  return recreate;
}

}  // namespace

struct SqliteStore::Impl {
  std::unique_ptr<Db> db;
  int version = 0;
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

int SqliteStore::schema_version() const { return impl_->version; }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  DZ_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(path));
  // WAL lets readers (reports, `dozvon contacts`) run beside the engine's writer.
  // synchronous=FULL makes every commit durable: an attempt row exists before its INVITE.
  DZ_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  DZ_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  DZ_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-65536"));  // 64 MiB: large imports
  DZ_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store=MEMORY"));

  auto impl = std::make_unique<Impl>();
  {
    DZ_ASSIGN_OR_RETURN(Statement v, db->Prepare("PRAGMA user_version"));
    DZ_ASSIGN_OR_RETURN(bool row, v.Step());
    impl->version = row ? static_cast<int>(v.Int(0)) : 0;
  }
  const auto& migrations = sqlite::Migrations();
  if (impl->version > static_cast<int>(migrations.size())) {
    return Status::FailedPrecondition(path + ": schema version " + std::to_string(impl->version) +
                                      " is newer than this dozvon understands (" +
                                      std::to_string(migrations.size()) + ")");
  }
  // Foreign keys stay off while migrations run, so one can rebuild a referenced table the
  // way SQLite documents; each migration checks them before it commits.
  for (size_t i = impl->version; i < migrations.size(); ++i) {
    DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db.get()));
    Status s = db->Exec(migrations[i]);
    if (!s.ok()) return s.WithContext("migration " + std::to_string(i + 1));
    {
      DZ_ASSIGN_OR_RETURN(Statement fk, db->Prepare("PRAGMA foreign_key_check"));
      DZ_ASSIGN_OR_RETURN(bool broken, fk.Step());
      if (broken) {
        return Status::FailedPrecondition(path + ": migration " + std::to_string(i + 1) +
                                          " leaves a dangling reference in table " + fk.Text(0));
      }
    }
    DZ_RETURN_IF_ERROR(db->Exec("PRAGMA user_version=" + std::to_string(i + 1)));
    DZ_RETURN_IF_ERROR(txn->Commit());
    impl->version = static_cast<int>(i + 1);
  }
  DZ_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  impl->db = std::move(db);
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

Result<std::optional<ListInfo>> SqliteStore::FindList(std::string_view name) {
  DZ_ASSIGN_OR_RETURN(Statement s,
                      impl_->db->Prepare("SELECT l.id, l.name, l.created_at, "
                                         "(SELECT count(*) FROM contacts c WHERE c.list_id = l.id) "
                                         "FROM lists l WHERE l.name = ?"));
  s.Bind(1, name);
  DZ_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ListInfo>();
  return std::optional<ListInfo>(ListInfo{s.Int(0), s.Text(1), s.Int(3), FromMs(s.Int(2))});
}

Result<std::vector<ListInfo>> SqliteStore::Lists() {
  DZ_ASSIGN_OR_RETURN(Statement s,
                      impl_->db->Prepare("SELECT l.id, l.name, l.created_at, "
                                         "(SELECT count(*) FROM contacts c WHERE c.list_id = l.id) "
                                         "FROM lists l ORDER BY l.name"));
  std::vector<ListInfo> out;
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ListInfo{s.Int(0), s.Text(1), s.Int(3), FromMs(s.Int(2))});
  }
  return out;
}

Result<std::unique_ptr<ContactImport>> SqliteStore::BeginImport(std::string_view list_name,
                                                                Instant now,
                                                                int64_t expected_rows) {
  Db* db = impl_->db.get();
  bool bulk = false;
  if (expected_rows >= kBulkLoadRows) {
    // max(id) is read from the end of the rowid tree; it is never below the row count.
    DZ_ASSIGN_OR_RETURN(Statement size, db->Prepare("SELECT coalesce(max(id), 0) FROM contacts"));
    DZ_ASSIGN_OR_RETURN(bool row, size.Step());
    bulk = (row ? size.Int(0) : 0) < expected_rows;
  }  // finalised: DROP INDEX and the journal switch fail while a statement is reading
  std::unique_ptr<BulkLoadSettings> settings;
  if (bulk) settings = std::make_unique<BulkLoadSettings>(db);
  DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DZ_ASSIGN_OR_RETURN(Statement find, db->Prepare("SELECT id FROM lists WHERE name = ?"));
  find.Bind(1, list_name);
  DZ_ASSIGN_OR_RETURN(bool found, find.Step());
  int64_t list_id;
  if (found) {
    list_id = find.Int(0);
    find.Reset();  // no statement may be reading when the indexes are dropped below
  } else {
    DZ_ASSIGN_OR_RETURN(Statement ins,
                        db->Prepare("INSERT INTO lists(name, created_at) VALUES (?, ?)"));
    ins.Bind(1, list_name).Bind(2, Ms(now));
    DZ_RETURN_IF_ERROR(ins.Run());
    list_id = db->LastInsertRowId();
  }
  std::vector<std::string> deferred;
  if (bulk) {
    DZ_ASSIGN_OR_RETURN(deferred, DeferForBulkLoad(db));
  }
  DZ_ASSIGN_OR_RETURN(
      Statement insert,
      db->Prepare("INSERT INTO contacts(list_id, phone_e164, country, zone_set, zone_source, "
                  "fields, external_id, priority, source_line, created_at, updated_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"));
  DZ_ASSIGN_OR_RETURN(Statement find_zones,
                      db->Prepare("SELECT id FROM zone_sets WHERE zones = ?1"));
  DZ_ASSIGN_OR_RETURN(Statement insert_zones,
                      db->Prepare("INSERT INTO zone_sets(zones) VALUES (?1)"));
  return std::unique_ptr<ContactImport>(new SqliteContactImport(
      db, std::move(settings), std::move(txn), std::move(insert), std::move(find_zones),
      std::move(insert_zones), std::move(deferred), list_id, now, expected_rows));
}

Status SqliteStore::ForEachPhone(std::optional<int64_t> list_id,
                                 const std::function<void(std::string_view)>& fn) {
  DZ_ASSIGN_OR_RETURN(
      Statement s, impl_->db->Prepare(list_id ? "SELECT phone_e164 FROM contacts WHERE list_id = ?"
                                              : "SELECT phone_e164 FROM contact_phones"));
  if (list_id) s.Bind(1, *list_id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    fn(s.Text(0));
  }
  return Status::Ok();
}

Status SqliteStore::ForEachContact(int64_t list_id,
                                   const std::function<Status(const Contact&)>& fn) {
  DZ_ASSIGN_OR_RETURN(Statement s,
                      impl_->db->Prepare("SELECT " + std::string(kContactColumns) +
                                         " FROM contacts WHERE list_id = ? ORDER BY id"));
  s.Bind(1, list_id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    DZ_RETURN_IF_ERROR(fn(ReadContact(s)));
  }
  return Status::Ok();
}

Result<std::optional<Contact>> SqliteStore::GetContact(int64_t id) {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT " + std::string(kContactColumns) +
                                                      " FROM contacts WHERE id = ?"));
  s.Bind(1, id);
  DZ_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Contact>();
  return std::optional<Contact>(ReadContact(s));
}

Result<int64_t> SqliteStore::UpsertCampaign(const CampaignRecord& c, Instant now) {
  Db* db = impl_->db.get();
  DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DZ_ASSIGN_OR_RETURN(Statement up,
                      db->Prepare("INSERT INTO campaigns(name, config, created_at, updated_at) "
                                  "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(name) DO UPDATE SET "
                                  "config = excluded.config, updated_at = excluded.updated_at"));
  up.Bind(1, c.name).Bind(2, c.config_toml).Bind(3, Ms(now));
  DZ_RETURN_IF_ERROR(up.Run());
  DZ_ASSIGN_OR_RETURN(Statement id_q, db->Prepare("SELECT id FROM campaigns WHERE name = ?"));
  id_q.Bind(1, c.name);
  DZ_ASSIGN_OR_RETURN(bool row, id_q.Step());
  if (!row) return Status::Internal("campaign vanished during upsert");
  int64_t id = id_q.Int(0);
  DZ_ASSIGN_OR_RETURN(Statement del,
                      db->Prepare("DELETE FROM campaign_lists WHERE campaign_id = ?"));
  del.Bind(1, id);
  DZ_RETURN_IF_ERROR(del.Run());
  DZ_ASSIGN_OR_RETURN(Statement link,
                      db->Prepare("INSERT INTO campaign_lists(campaign_id, list_id) "
                                  "SELECT ?1, id FROM lists WHERE name = ?2"));
  for (const auto& list : c.lists) {
    link.Bind(1, id).Bind(2, list);
    DZ_RETURN_IF_ERROR(link.Run());
    if (db->Changes() == 0) {
      return Status::NotFound("campaign \"" + c.name + "\": list \"" + list + "\" does not exist");
    }
  }
  DZ_RETURN_IF_ERROR(txn->Commit());
  return id;
}

Result<std::optional<CampaignRecord>> SqliteStore::FindCampaign(std::string_view name) {
  Db* db = impl_->db.get();
  DZ_ASSIGN_OR_RETURN(Statement s,
                      db->Prepare("SELECT id, name, config, state FROM campaigns WHERE name = ?"));
  s.Bind(1, name);
  DZ_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<CampaignRecord>();
  CampaignRecord c{s.Int(0), s.Text(1), s.Text(2), s.Text(3), {}};
  DZ_ASSIGN_OR_RETURN(Statement l, db->Prepare("SELECT l.name FROM campaign_lists cl JOIN lists l "
                                               "ON l.id = cl.list_id WHERE cl.campaign_id = ? "
                                               "ORDER BY l.name"));
  l.Bind(1, c.id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool more, l.Step());
    if (!more) break;
    c.lists.push_back(l.Text(0));
  }
  return std::optional<CampaignRecord>(std::move(c));
}

Status SqliteStore::SetCampaignState(int64_t campaign_id, std::string_view state, Instant now) {
  DZ_ASSIGN_OR_RETURN(
      Statement s,
      impl_->db->Prepare("UPDATE campaigns SET state = ?, updated_at = ? WHERE id = ?"));
  s.Bind(1, state).Bind(2, Ms(now)).Bind(3, campaign_id);
  Status st = s.Run();
  if (!st.ok()) return st.WithContext("campaign state \"" + std::string(state) + "\"");
  if (impl_->db->Changes() == 0) {
    return Status::NotFound("campaign " + std::to_string(campaign_id));
  }
  return Status::Ok();
}

Result<Attempt> SqliteStore::OpenAttempt(const NewAttempt& a) {
  Db* db = impl_->db.get();
  DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DZ_ASSIGN_OR_RETURN(Statement bump,
                      db->Prepare("UPDATE contacts SET attempts = attempts + 1, state = "
                                  "'in_progress', last_attempt_at = ?2, updated_at = ?2 "
                                  "WHERE id = ?1 AND state <> 'in_progress' AND (?3 <= 0 OR "
                                  "attempts < ?3) RETURNING attempts"));
  bump.Bind(1, a.contact_id).Bind(2, Ms(a.created_at)).Bind(3, a.max_attempts);
  DZ_ASSIGN_OR_RETURN(bool row, bump.Step());
  if (!row) {
    return Status::FailedPrecondition("contact " + std::to_string(a.contact_id) +
                                      " does not exist, already has an open attempt, or has "
                                      "used its attempts");
  }
  int attempt_no = static_cast<int>(bump.Int(0));
  bump.Reset();
  DZ_ASSIGN_OR_RETURN(Statement ins,
                      db->Prepare("INSERT INTO attempts(contact_id, campaign_id, attempt_no, "
                                  "phone_e164, created_at) VALUES (?, ?, ?, ?, ?)"));
  ins.Bind(1, a.contact_id).Bind(2, a.campaign_id).Bind(3, attempt_no).Bind(4, a.phone_e164);
  ins.Bind(5, Ms(a.created_at));
  DZ_RETURN_IF_ERROR(ins.Run());
  Attempt out;
  out.id = db->LastInsertRowId();
  out.contact_id = a.contact_id;
  out.campaign_id = a.campaign_id;
  out.attempt_no = attempt_no;
  out.phone_e164 = a.phone_e164;
  out.created_at = a.created_at;
  DZ_RETURN_IF_ERROR(txn->Commit());
  return out;
}

Status SqliteStore::CompleteAttempt(int64_t attempt_id, const AttemptResult& r) {
  Db* db = impl_->db.get();
  DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DZ_ASSIGN_OR_RETURN(
      Statement s, db->Prepare("UPDATE attempts SET outcome = ?2, dialed_at = ?3, "
                               "answered_at = ?4, ended_at = ?5, sip_status = ?6, "
                               "q850_cause = ?7, reason = ?8, success = ?9, heard_to_end = ?10, "
                               "heard_ms = ?11, message_ms = ?12, dtmf = ?13, vars = ?14, "
                               "recording = ?15, hangup_by = ?16, agent = ?17, connect_ms = ?18, "
                               "disposition = ?19, callback_at = ?20 "
                               "WHERE id = ?1 AND outcome IS NULL"));
  s.Bind(1, attempt_id).Bind(2, ToString(r.outcome)).Bind(3, Ms(r.dialed_at));
  s.Bind(4, Ms(r.answered_at)).Bind(5, Ms(r.ended_at)).Bind(6, r.sip_status);
  s.Bind(7, r.q850_cause).Bind(8, r.reason);
  const CallDetails& d = r.details;
  s.Bind(9, OptBool(d.success)).Bind(10, OptBool(d.heard_to_end)).Bind(11, d.heard_ms);
  s.Bind(12, d.message_ms).Bind(13, d.dtmf).Bind(14, VarsToJson(d.vars));
  s.Bind(15, d.recording).Bind(16, d.hangup_by).Bind(17, d.agent).Bind(18, d.connect_ms);
  s.Bind(19, d.disposition).Bind(20, Ms(d.callback_at));
  DZ_RETURN_IF_ERROR(s.Run());
  if (db->Changes() == 0) {
    return Status::FailedPrecondition("attempt " + std::to_string(attempt_id) +
                                      " does not exist or is already complete");
  }
  DZ_ASSIGN_OR_RETURN(Statement c,
                      db->Prepare("UPDATE contacts SET state = ?2, next_attempt_at = ?3, "
                                  "state_reason = ?4, answered = answered + ?5, updated_at = ?6 "
                                  "WHERE id = (SELECT contact_id FROM attempts WHERE id = ?1)"));
  c.Bind(1, attempt_id).Bind(2, ToString(r.contact.state)).Bind(3, Ms(r.contact.next_attempt_at));
  c.Bind(4, r.contact.reason).Bind(5, r.outcome == Outcome::kAnswered ? 1 : 0);
  c.Bind(6, Ms(r.ended_at));
  DZ_RETURN_IF_ERROR(c.Run());
  return txn->Commit();
}

Result<std::vector<Attempt>> SqliteStore::AttemptsOfContact(int64_t contact_id) {
  DZ_ASSIGN_OR_RETURN(
      Statement s, impl_->db->Prepare("SELECT " + std::string(kAttemptColumns) +
                                      " FROM attempts WHERE contact_id = ? ORDER BY attempt_no"));
  s.Bind(1, contact_id);
  return ReadAll(s, ReadAttempt);
}

Result<std::vector<Attempt>> SqliteStore::AttemptsOfCampaign(int64_t campaign_id) {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT " + std::string(kAttemptColumns) +
                                                      " FROM attempts WHERE campaign_id = ? "
                                                      "ORDER BY id"));
  s.Bind(1, campaign_id);
  return ReadAll(s, ReadAttempt);
}

Result<std::vector<Contact>> SqliteStore::DueContacts(int64_t campaign_id, Instant now, int limit,
                                                      bool new_first) {
  // One SELECT over every list and both states sorted all due rows for each call: 0.4 s for a
  // list of a million, on the thread whose commits let INVITEs leave. Instead each (list,
  // state) is read in contacts_due(list_id, state, priority, COALESCE(next_attempt_at, 0))
  // order - one index seek per priority present, then at most `limit` rows - and the streams
  // are merged here.
  Db* db = impl_->db.get();
  std::vector<Contact> out;
  if (limit <= 0) return out;
  DZ_ASSIGN_OR_RETURN(Statement lists,
                      db->Prepare("SELECT list_id FROM campaign_lists WHERE campaign_id = ?1"));
  lists.Bind(1, campaign_id);
  DZ_ASSIGN_OR_RETURN(std::vector<int64_t> list_ids,
                      ReadAll(lists, [](const Statement& r) { return r.Int(0); }));
  DZ_ASSIGN_OR_RETURN(Statement top, db->Prepare("SELECT max(priority) FROM contacts WHERE "
                                                 "list_id = ?1 AND state = ?2"));
  DZ_ASSIGN_OR_RETURN(Statement below,
                      db->Prepare("SELECT max(priority) FROM contacts WHERE list_id = ?1 AND "
                                  "state = ?2 AND priority < ?3"));
  DZ_ASSIGN_OR_RETURN(
      Statement rows,
      db->Prepare("SELECT " + std::string(kContactColumns) +
                  " FROM contacts WHERE list_id = ?1 AND state = ?2 AND priority = ?3 AND "
                  "COALESCE(next_attempt_at, 0) <= ?4 ORDER BY COALESCE(next_attempt_at, 0), id "
                  "LIMIT ?5"));
  // The highest priority of (list, state) under `ceiling` (none: any), or none left.
  auto next_priority = [&](int64_t list, std::string_view state,
                           std::optional<int64_t> ceiling) -> Result<std::optional<int64_t>> {
    Statement& q = ceiling ? below : top;
    q.Bind(1, list).Bind(2, state);
    if (ceiling) q.Bind(3, *ceiling);
    DZ_ASSIGN_OR_RETURN(bool row, q.Step());
    std::optional<int64_t> p = row ? q.OptInt(0) : std::nullopt;
    q.Reset();
    return p;
  };
  for (int64_t list : list_ids) {
    for (std::string_view state : {std::string_view("new"), std::string_view("scheduled")}) {
      // This stream's first `limit` rows in order: nothing after them can make the cut.
      int taken = 0;
      DZ_ASSIGN_OR_RETURN(std::optional<int64_t> p, next_priority(list, state, std::nullopt));
      while (p && taken < limit) {
        rows.Bind(1, list).Bind(2, state).Bind(3, *p).Bind(4, Ms(now)).Bind(5, limit - taken);
        for (;;) {
          DZ_ASSIGN_OR_RETURN(bool row, rows.Step());
          if (!row) break;
          out.push_back(ReadContact(rows));
          ++taken;
        }
        rows.Reset();
        DZ_ASSIGN_OR_RETURN(p, next_priority(list, state, p));
      }
    }
  }
  auto key = [new_first](const Contact& c) {
    const int64_t due = c.next_attempt_at ? Ms(*c.next_attempt_at) : 0;
    return std::make_tuple(new_first && c.attempts > 0, -c.priority, due, c.id);
  };
  std::sort(out.begin(), out.end(),
            [&](const Contact& a, const Contact& b) { return key(a) < key(b); });
  if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
  return out;
}

Status SqliteStore::Reschedule(int64_t contact_id, ContactState state, std::optional<Instant> next,
                               std::string_view reason, Instant now) {
  DZ_ASSIGN_OR_RETURN(
      Statement s,
      impl_->db->Prepare("UPDATE contacts SET state = CASE WHEN ?2 = 'scheduled' AND state = "
                         "'new' THEN 'new' ELSE ?2 END, next_attempt_at = ?3, state_reason = ?4, "
                         "updated_at = ?5 WHERE id = ?1 AND state <> 'in_progress'"));
  s.Bind(1, contact_id).Bind(2, ToString(state)).Bind(3, Ms(next)).Bind(4, reason).Bind(5, Ms(now));
  return s.Run();
}

Result<std::vector<CampaignRecord>> SqliteStore::Campaigns() {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT name FROM campaigns ORDER BY id"));
  DZ_ASSIGN_OR_RETURN(std::vector<std::string> names,
                      ReadAll(s, [](const Statement& row) { return row.Text(0); }));
  std::vector<CampaignRecord> out;
  for (const auto& n : names) {
    DZ_ASSIGN_OR_RETURN(auto c, FindCampaign(n));
    if (c) out.push_back(std::move(*c));
  }
  return out;
}

Result<CampaignTotals> SqliteStore::Totals(int64_t campaign_id) {
  Db* db = impl_->db.get();
  CampaignTotals t;
  DZ_ASSIGN_OR_RETURN(Statement c,
                      db->Prepare("SELECT state, COUNT(*) FROM contacts WHERE list_id IN (SELECT "
                                  "list_id FROM campaign_lists WHERE campaign_id = ?) GROUP BY "
                                  "state"));
  c.Bind(1, campaign_id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, c.Step());
    if (!row) break;
    if (auto st = ContactStateFromString(c.Text(0))) t.contacts_by_state[*st] = c.Int(1);
  }
  DZ_ASSIGN_OR_RETURN(
      Statement a,
      db->Prepare(
          "SELECT outcome, COUNT(*), SUM(COALESCE(heard_to_end, 0)), "
          "SUM(COALESCE(success, 0)) FROM attempts WHERE campaign_id = ? GROUP BY outcome"));
  a.Bind(1, campaign_id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, a.Step());
    if (!row) break;
    t.attempts += a.Int(1);
    if (a.IsNull(0)) {
      t.open_attempts += a.Int(1);
    } else if (auto o = OutcomeFromString(a.Text(0))) {
      t.attempts_by_outcome[*o] = a.Int(1);
    }
    t.heard_to_end += a.Int(2);
    t.successes += a.Int(3);
  }
  DZ_ASSIGN_OR_RETURN(
      Statement v, db->Prepare("SELECT j.key || '=' || j.value, COUNT(*) FROM attempts, "
                               "json_each(attempts.vars) AS j WHERE campaign_id = ? GROUP BY 1"));
  v.Bind(1, campaign_id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, v.Step());
    if (!row) break;
    t.var_counts[v.Text(0)] = v.Int(1);
  }
  DZ_ASSIGN_OR_RETURN(Statement f,
                      db->Prepare("SELECT sip_status, COUNT(*) FROM attempts WHERE campaign_id = ? "
                                  "AND answered_at IS NULL AND sip_status IS NOT NULL GROUP BY 1"));
  f.Bind(1, campaign_id);
  for (;;) {
    DZ_ASSIGN_OR_RETURN(bool row, f.Step());
    if (!row) break;
    t.failures_by_sip[static_cast<int>(f.Int(0))] = f.Int(1);
  }
  return t;
}

Result<std::vector<Attempt>> SqliteStore::OpenAttempts() {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT " + std::string(kAttemptColumns) +
                                                      " FROM attempts WHERE outcome IS NULL "
                                                      "ORDER BY id"));
  return ReadAll(s, ReadAttempt);
}

Status SqliteStore::AddAgentEvents(const std::vector<AgentEvent>& events) {
  if (events.empty()) return Status::Ok();
  Db* db = impl_->db.get();
  DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DZ_ASSIGN_OR_RETURN(Statement s,
                      db->Prepare("INSERT INTO agent_events (agent, at, from_state, to_state, "
                                  "reason, campaign_id, attempt_id) VALUES (?1, ?2, ?3, ?4, ?5, "
                                  "NULLIF(?6, 0), NULLIF(?7, 0))"));
  for (const AgentEvent& e : events) {
    s.Reset();
    s.Bind(1, e.agent).Bind(2, Ms(e.at)).Bind(3, ToString(e.from)).Bind(4, ToString(e.to));
    s.Bind(5, e.reason).Bind(6, e.campaign_id).Bind(7, e.attempt_id);
    DZ_RETURN_IF_ERROR(s.Run());
  }
  return txn->Commit();
}

Result<std::vector<AgentEvent>> SqliteStore::AgentEvents(std::string_view agent) {
  DZ_ASSIGN_OR_RETURN(Statement s,
                      impl_->db->Prepare("SELECT agent, at, from_state, to_state, reason, "
                                         "IFNULL(campaign_id, 0), IFNULL(attempt_id, 0) FROM "
                                         "agent_events WHERE ?1 = '' OR agent = ?1 ORDER BY id"));
  s.Bind(1, agent);
  auto state = [](const std::string& text) {
    for (auto st : {AgentState::kLoggedOut, AgentState::kReady, AgentState::kReserved,
                    AgentState::kOnCall, AgentState::kWrapUp, AgentState::kPaused}) {
      if (ToString(st) == text) return st;
    }
    return AgentState::kLoggedOut;
  };
  return ReadAll(s, [&](const Statement& r) {
    AgentEvent e;
    e.agent = r.Text(0);
    e.at = FromMs(r.Int(1));
    e.from = state(r.Text(2));
    e.to = state(r.Text(3));
    e.reason = r.Text(4);
    e.campaign_id = r.Int(5);
    e.attempt_id = r.Int(6);
    return e;
  });
}

Status SqliteStore::SetDisposition(int64_t attempt_id, const DispositionUpdate& u) {
  Db* db = impl_->db.get();
  DZ_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db));
  DZ_ASSIGN_OR_RETURN(Statement a,
                      db->Prepare("UPDATE attempts SET disposition = ?2, callback_at = ?3, "
                                  "success = IFNULL(?4, success) WHERE id = ?1 AND outcome IS "
                                  "NOT NULL"));
  a.Bind(1, attempt_id).Bind(2, u.code).Bind(3, Ms(u.callback_at)).Bind(4, OptBool(u.success));
  DZ_RETURN_IF_ERROR(a.Run());
  if (db->Changes() == 0) {
    return Status::FailedPrecondition("attempt " + std::to_string(attempt_id) +
                                      " does not exist or is still open");
  }
  DZ_ASSIGN_OR_RETURN(Statement c,
                      db->Prepare("UPDATE contacts SET state = ?2, next_attempt_at = ?3, "
                                  "state_reason = ?4, updated_at = ?5 WHERE id = (SELECT "
                                  "contact_id FROM attempts WHERE id = ?1) AND state <> "
                                  "'in_progress'"));
  c.Bind(1, attempt_id).Bind(2, ToString(u.contact.state)).Bind(3, Ms(u.contact.next_attempt_at));
  c.Bind(4, u.contact.reason).Bind(5, Ms(u.at));
  DZ_RETURN_IF_ERROR(c.Run());
  if (u.add_dnc) {
    DZ_ASSIGN_OR_RETURN(Statement d,
                        db->Prepare("INSERT OR IGNORE INTO dnc_numbers (phone_e164, reason, "
                                    "added_at) SELECT phone_e164, 'disposition ' || ?2, ?3 FROM "
                                    "attempts WHERE id = ?1"));
    d.Bind(1, attempt_id).Bind(2, u.code).Bind(3, Ms(u.at));
    DZ_RETURN_IF_ERROR(d.Run());
  }
  return txn->Commit();
}

Result<std::vector<std::string>> SqliteStore::DncNumbers() {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT phone_e164 FROM dnc_numbers "
                                                      "ORDER BY phone_e164"));
  return ReadAll(s, [](const Statement& r) { return r.Text(0); });
}

Status SqliteStore::SetOperatorCredential(const OperatorCredential& c) {
  const bool hex =
      c.ha1.size() == 32 && c.ha1.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (c.name.empty()) return Status::InvalidArgument("operator credential: empty name");
  if (c.realm.empty()) return Status::InvalidArgument("operator credential: empty realm");
  if (!hex) return Status::InvalidArgument("operator credential: ha1 is not 32 hex digits");
  DZ_ASSIGN_OR_RETURN(
      Statement s, impl_->db->Prepare("INSERT OR REPLACE INTO operator_credentials (name, realm, "
                                      "ha1, updated_at) VALUES (?1, ?2, ?3, ?4)"));
  s.Bind(1, c.name).Bind(2, c.realm).Bind(3, c.ha1).Bind(4, Ms(c.updated_at));
  return s.Run();
}

Status SqliteStore::RemoveOperatorCredential(std::string_view name) {
  DZ_ASSIGN_OR_RETURN(Statement s,
                      impl_->db->Prepare("DELETE FROM operator_credentials WHERE name = ?1"));
  s.Bind(1, name);
  DZ_RETURN_IF_ERROR(s.Run());
  if (impl_->db->Changes() == 0) {
    return Status::NotFound("operator \"" + std::string(name) + "\" has no stored credential");
  }
  return Status::Ok();
}

namespace {
OperatorCredential ReadCredential(const Statement& r) {
  return {r.Text(0), r.Text(1), r.Text(2), FromMs(r.Int(3))};
}
}  // namespace

Result<std::optional<OperatorCredential>> SqliteStore::FindOperatorCredential(
    std::string_view name) {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT name, realm, ha1, updated_at FROM "
                                                      "operator_credentials WHERE name = ?1"));
  s.Bind(1, name);
  DZ_ASSIGN_OR_RETURN(std::vector<OperatorCredential> rows, ReadAll(s, ReadCredential));
  if (rows.empty()) return std::optional<OperatorCredential>();
  return std::optional<OperatorCredential>(std::move(rows.front()));
}

Result<std::vector<OperatorCredential>> SqliteStore::OperatorCredentials() {
  DZ_ASSIGN_OR_RETURN(Statement s, impl_->db->Prepare("SELECT name, realm, ha1, updated_at FROM "
                                                      "operator_credentials ORDER BY name"));
  return ReadAll(s, ReadCredential);
}

}  // namespace dozvon
