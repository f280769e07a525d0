#include "store/sqlite/migrations.h"

namespace dozvon::sqlite {

// Times are INTEGER milliseconds since the Unix epoch, UTC.
const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: lists, contacts, campaigns, attempts.
      R"sql(
CREATE TABLE lists (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

CREATE TABLE contacts (
  id               INTEGER PRIMARY KEY,
  list_id          INTEGER NOT NULL REFERENCES lists(id),
  phone_e164       TEXT NOT NULL,
  country          TEXT NOT NULL DEFAULT '',
  zones            TEXT NOT NULL DEFAULT '',   -- space-separated IANA names; several = ambiguous
  zone_source      TEXT NOT NULL DEFAULT 'unknown'
                   CHECK (zone_source IN ('column', 'prefix', 'unknown')),
  fields           TEXT NOT NULL DEFAULT '{}', -- JSON object, columns in file order
  external_id      TEXT NOT NULL DEFAULT '',
  priority         INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL DEFAULT 'new'
                   CHECK (state IN ('new', 'scheduled', 'in_progress', 'done', 'struck')),
  next_attempt_at  INTEGER,                    -- NULL: as soon as a window allows
  attempts         INTEGER NOT NULL DEFAULT 0,
  answered         INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  state_reason     TEXT NOT NULL DEFAULT '',
  source_line      INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX contacts_by_phone ON contacts(phone_e164);
CREATE INDEX contacts_due ON contacts(list_id, state, next_attempt_at);

CREATE TABLE campaigns (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  config      TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'draft'
              CHECK (state IN ('draft', 'running', 'paused', 'stopped', 'finished')),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE campaign_lists (
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
  list_id      INTEGER NOT NULL REFERENCES lists(id),
  PRIMARY KEY (campaign_id, list_id)
);

CREATE TABLE attempts (
  id           INTEGER PRIMARY KEY,
  contact_id   INTEGER NOT NULL REFERENCES contacts(id),
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
  attempt_no   INTEGER NOT NULL,
  phone_e164   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  dialed_at    INTEGER,
  answered_at  INTEGER,
  ended_at     INTEGER,
  outcome      TEXT,          -- NULL while the attempt is open
  sip_status   INTEGER,
  q850_cause   INTEGER,
  reason       TEXT NOT NULL DEFAULT '',
  UNIQUE (contact_id, attempt_no)
);
CREATE INDEX attempts_by_contact ON attempts(contact_id, created_at);
CREATE INDEX attempts_by_campaign ON attempts(campaign_id, created_at);
-- At most one open attempt per contact: the database itself forbids a double dial.
CREATE UNIQUE INDEX attempts_one_open ON attempts(contact_id) WHERE outcome IS NULL;
)sql",
      // 2: what a broadcast call produced, per attempt.
      R"sql(
ALTER TABLE attempts ADD COLUMN success INTEGER;       -- 1/0: the campaign's success rule
ALTER TABLE attempts ADD COLUMN heard_to_end INTEGER;  -- 1/0: the message played to its end
ALTER TABLE attempts ADD COLUMN heard_ms INTEGER;      -- of the message, played before hang-up
ALTER TABLE attempts ADD COLUMN message_ms INTEGER;    -- the message's length
ALTER TABLE attempts ADD COLUMN dtmf TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN vars TEXT NOT NULL DEFAULT '{}';  -- scenario result variables
ALTER TABLE attempts ADD COLUMN recording TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN hangup_by TEXT NOT NULL DEFAULT '';  -- us | them | ''
)sql",
      // 3: operator campaigns: who took the call, how fast, how it was wrapped up; operators'
      // state changes (time sheets); numbers operators marked do-not-call.
      R"sql(
ALTER TABLE attempts ADD COLUMN agent TEXT NOT NULL DEFAULT '';        -- operator bridged to
ALTER TABLE attempts ADD COLUMN connect_ms INTEGER;                    -- 200 OK to operator audio
ALTER TABLE attempts ADD COLUMN disposition TEXT NOT NULL DEFAULT '';  -- wrap-up code
ALTER TABLE attempts ADD COLUMN callback_at INTEGER;                   -- a callback's time

CREATE TABLE agent_events (
  id           INTEGER PRIMARY KEY,
  agent        TEXT NOT NULL,
  at           INTEGER NOT NULL,
  from_state   TEXT NOT NULL,
  to_state     TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  campaign_id  INTEGER,
  attempt_id   INTEGER
);
CREATE INDEX agent_events_by_agent ON agent_events(agent, at);

CREATE TABLE dnc_numbers (
  phone_e164  TEXT PRIMARY KEY,
  reason      TEXT NOT NULL DEFAULT '',
  added_at    INTEGER NOT NULL
);
)sql",
      // 4: contacts' CHECKs as OR chains instead of IN lists. SQLite 3.40 evaluates a CHECK's IN
      // list through a temporary table built per row, which cost 3.6 s of a 1,000,000-row
      // import (docs/benchmarks.md); the OR chain accepts exactly the same values. SQLite cannot
      // alter a CHECK, so the table is rebuilt (https://sqlite.org/lang_altertable.html#otheralter;
      // the runner turns foreign keys off around migrations and checks them before commit).
      R"sql(
CREATE TABLE contacts_v4 (
  id               INTEGER PRIMARY KEY,
  list_id          INTEGER NOT NULL REFERENCES lists(id),
  phone_e164       TEXT NOT NULL,
  country          TEXT NOT NULL DEFAULT '',
  zones            TEXT NOT NULL DEFAULT '',   -- space-separated IANA names; several = ambiguous
  zone_source      TEXT NOT NULL DEFAULT 'unknown'
                   CHECK (zone_source = 'column' OR zone_source = 'prefix' OR
                          zone_source = 'unknown'),
  fields           TEXT NOT NULL DEFAULT '{}', -- JSON object, columns in file order
  external_id      TEXT NOT NULL DEFAULT '',
  priority         INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL DEFAULT 'new'
                   CHECK (state = 'new' OR state = 'scheduled' OR state = 'in_progress' OR
                          state = 'done' OR state = 'struck'),
  next_attempt_at  INTEGER,                    -- NULL: as soon as a window allows
  attempts         INTEGER NOT NULL DEFAULT 0,
  answered         INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  state_reason     TEXT NOT NULL DEFAULT '',
  source_line      INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
INSERT INTO contacts_v4 SELECT * FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_v4 RENAME TO contacts;
CREATE INDEX contacts_by_phone ON contacts(phone_e164);
CREATE INDEX contacts_due ON contacts(list_id, state, next_attempt_at);
)sql",
      // 5: each distinct set of candidate zones is stored once. A Russian mobile carries 16
      // zones (230 bytes); as a reference a million-row list takes 229 MB instead of 363 MB
      // (docs/benchmarks.md). Rebuilt as in migration 4. contacts_due now holds due contacts in
      // the order they are dialled (priority, then due time, then id), so a fetch reads its
      // rows straight from the index instead of sorting every due row of a list.
      R"sql(
CREATE TABLE zone_sets (
  id     INTEGER PRIMARY KEY,
  zones  TEXT NOT NULL UNIQUE CHECK (zones <> '')  -- space-separated IANA names
);
INSERT INTO zone_sets(zones) SELECT DISTINCT zones FROM contacts WHERE zones <> '' ORDER BY 1;
CREATE TABLE contacts_v5 (
  id               INTEGER PRIMARY KEY,
  list_id          INTEGER NOT NULL REFERENCES lists(id),
  phone_e164       TEXT NOT NULL,
  country          TEXT NOT NULL DEFAULT '',
  zone_set         INTEGER REFERENCES zone_sets(id),  -- NULL: no zone known; several = ambiguous
  zone_source      TEXT NOT NULL DEFAULT 'unknown'
                   CHECK (zone_source = 'column' OR zone_source = 'prefix' OR
                          zone_source = 'unknown'),
  fields           TEXT NOT NULL DEFAULT '{}', -- JSON object, columns in file order
  external_id      TEXT NOT NULL DEFAULT '',
  priority         INTEGER NOT NULL DEFAULT 0,
  state            TEXT NOT NULL DEFAULT 'new'
                   CHECK (state = 'new' OR state = 'scheduled' OR state = 'in_progress' OR
                          state = 'done' OR state = 'struck'),
  next_attempt_at  INTEGER,                    -- NULL: as soon as a window allows
  attempts         INTEGER NOT NULL DEFAULT 0,
  answered         INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  state_reason     TEXT NOT NULL DEFAULT '',
  source_line      INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
INSERT INTO contacts_v5
  SELECT c.id, c.list_id, c.phone_e164, c.country, z.id, c.zone_source, c.fields, c.external_id,
         c.priority, c.state, c.next_attempt_at, c.attempts, c.answered, c.last_attempt_at,
         c.state_reason, c.source_line, c.created_at, c.updated_at
  FROM contacts c LEFT JOIN zone_sets z ON z.zones = c.zones;
DROP TABLE contacts;
ALTER TABLE contacts_v5 RENAME TO contacts;
CREATE INDEX contacts_by_phone ON contacts(phone_e164);
CREATE INDEX contacts_due ON contacts(list_id, state, priority, COALESCE(next_attempt_at, 0));
)sql",
      // 6: contacts' numbers, in number order, in a table of their own instead of the
      // contacts_by_phone index. It holds what that index held, but a bulk import can append a
      // million numbers to it already sorted (about 0.35 s) where CREATE INDEX sorts them
      // itself on one core (1.1-1.4 s, about as long as all of `sqlite3 .import`;
      // docs/benchmarks.md).
      // Triggers keep it in step with contacts; a bulk import drops contacts_phone_added for its
      // transaction and appends the rows itself. No foreign key: checking one on a contact's
      // delete would scan this table, which the delete trigger already keeps right.
      R"sql(
CREATE TABLE contact_phones (
  phone_e164  TEXT NOT NULL,
  contact_id  INTEGER NOT NULL,
  PRIMARY KEY (phone_e164, contact_id)
) WITHOUT ROWID;
INSERT INTO contact_phones SELECT phone_e164, id FROM contacts ORDER BY 1, 2;
DROP INDEX contacts_by_phone;
CREATE TRIGGER contacts_phone_added AFTER INSERT ON contacts BEGIN
  INSERT INTO contact_phones(phone_e164, contact_id) VALUES (new.phone_e164, new.id);
END;
CREATE TRIGGER contacts_phone_changed AFTER UPDATE OF phone_e164, id ON contacts BEGIN
  DELETE FROM contact_phones WHERE phone_e164 = old.phone_e164 AND contact_id = old.id;
  INSERT INTO contact_phones(phone_e164, contact_id) VALUES (new.phone_e164, new.id);
END;
CREATE TRIGGER contacts_phone_removed AFTER DELETE ON contacts BEGIN
  DELETE FROM contact_phones WHERE phone_e164 = old.phone_e164 AND contact_id = old.id;
END;
)sql",
      // 7: operators' SIP credentials, set with `dozvon operator passwd`, for operators whose
      // config entry has no password. HA1 (MD5 of name:realm:password, RFC 2617), not the
      // password: digest auth needs no more, and a copied database gives no password away.
      R"sql(
CREATE TABLE operator_credentials (
  name        TEXT PRIMARY KEY,
  realm       TEXT NOT NULL,
  ha1         TEXT NOT NULL,       -- 32 lower-case hex digits
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
  };
  return kMigrations;
}

}  // namespace dozvon::sqlite
