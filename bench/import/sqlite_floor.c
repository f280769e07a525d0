/* SQLite's own cost for the rows `dozvon import` stores, with nothing else: no CSV, no phone
 * parsing, no dedupe. Rows like the benchmark's (half Russian mobiles with their 16 candidate
 * zones, half Moscow numbers, each set stored once in zone_sets; the same JSON fields) go
 * through one prepared INSERT, under the same settings as dozvon's bulk load of a database it
 * has to itself: a rollback journal, synchronous=FULL, no per-row foreign-key checks, a
 * 64 MiB cache, the due index dropped and re-created before the commit, and the numbers
 * appended to contact_phones in their order (the insert trigger dropped meanwhile).
 * Usage: sqlite_floor DB ROWS   (DB: an empty dozvon database with a list of id 1) */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char* kMobileZones =
    "Asia/Almaty Asia/Anadyr Asia/Aqtobe Asia/Irkutsk Asia/Kamchatka Asia/Krasnoyarsk "
    "Asia/Magadan Asia/Novosibirsk Asia/Omsk Asia/Sakhalin Asia/Vladivostok Asia/Yakutsk "
    "Asia/Yekaterinburg Europe/Kaliningrad Europe/Moscow Europe/Samara";

struct Phone {
  char e164[32];
  sqlite3_int64 id;
};

static int ByNumberThenId(const void* a, const void* b) {
  const struct Phone* x = a;
  const struct Phone* y = b;
  int c = strcmp(x->e164, y->e164);
  return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

static int Exec(sqlite3* db, const char* sql) {
  char* err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", sql, err ? err : "?");
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DB ROWS\n", argv[0]);
    return 2;
  }
  int rows = atoi(argv[2]);
  sqlite3* db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  if (Exec(db,
           "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; "
           "PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF; BEGIN IMMEDIATE; "
           "DROP INDEX contacts_due")) {
    return 1;
  }
  /* The insert trigger's text, to put it back after the load. */
  char trigger[1024] = "";
  {
    sqlite3_stmt* q;
    if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'contacts_phone_added'",
                           -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
      fprintf(stderr, "no contacts_phone_added trigger: %s\n", sqlite3_errmsg(db));
      return 1;
    }
    snprintf(trigger, sizeof trigger, "%s", (const char*)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
  }
  if (Exec(db, "DROP TRIGGER contacts_phone_added")) return 1;
  struct Phone* phones = malloc(sizeof *phones * (size_t)rows);
  if (!phones) return 1;
  char sets[512];
  snprintf(sets, sizeof sets,
           "INSERT INTO zone_sets(id, zones) VALUES (1, '%s'), (2, 'Europe/Moscow')", kMobileZones);
  if (Exec(db, sets)) return 1;
  sqlite3_stmt* st;
  if (sqlite3_prepare_v2(
          db,
          "INSERT INTO contacts(list_id, phone_e164, country, zone_set, zone_source, "
          "fields, external_id, priority, source_line, created_at, updated_at) "
          "VALUES (1, ?1, 'RU', ?2, 'prefix', ?3, ?4, 0, ?5, 0, 0)",
          -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    return 1;
  }
  srand(1);
  char phone[32], fields[256], ext[32];
  for (int i = 0; i < rows; ++i) {
    int mobile = i % 2 == 0;
    snprintf(phone, sizeof phone, "+7%s%07d", mobile ? "916" : "495", rand() % 10000000);
    snprintf(ext, sizeof ext, "ext%d", i);
    int n = snprintf(fields, sizeof fields,
                     "{\"first_name\":\"Пётр\",\"last_name\":\"Petrov\",\"amount\":\"%d\","
                     "\"due_date\":\"2026-03-%02d\",\"external_id\":\"%s\"}",
                     100 + rand() % 99900, 1 + i % 28, ext);
    sqlite3_bind_text(st, 1, phone, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, mobile ? 1 : 2);
    sqlite3_bind_text(st, 3, fields, n, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ext, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, i + 2);
    if (sqlite3_step(st) != SQLITE_DONE) {
      fprintf(stderr, "row %d: %s\n", i, sqlite3_errmsg(db));
      return 1;
    }
    sqlite3_reset(st);
    snprintf(phones[i].e164, sizeof phones[i].e164, "%s", phone);
    phones[i].id = sqlite3_last_insert_rowid(db);
  }
  sqlite3_finalize(st);
  if (Exec(db,
           "CREATE INDEX contacts_due ON contacts(list_id, state, priority, "
           "COALESCE(next_attempt_at, 0))")) {
    return 1;
  }
  /* The numbers in the table's order, 128 rows a statement, as dozvon appends them. */
  qsort(phones, (size_t)rows, sizeof *phones, ByNumberThenId);
  enum { kRowsPerInsert = 128 };
  char sql[64 + kRowsPerInsert * 8] =
      "INSERT INTO contact_phones(phone_e164, contact_id) VALUES (?, ?)";
  for (int i = 1; i < kRowsPerInsert; ++i) strcat(sql, ", (?, ?)");
  sqlite3_stmt* full;
  if (sqlite3_prepare_v2(db, sql, -1, &full, NULL) != SQLITE_OK) return 1;
  for (int at = 0; at < rows; at += kRowsPerInsert) {
    int n = rows - at < kRowsPerInsert ? rows - at : kRowsPerInsert;
    sqlite3_stmt* add = full;
    if (n < kRowsPerInsert) {
      sql[0] = 0;
      strcat(sql, "INSERT INTO contact_phones(phone_e164, contact_id) VALUES (?, ?)");
      for (int i = 1; i < n; ++i) strcat(sql, ", (?, ?)");
      if (sqlite3_prepare_v2(db, sql, -1, &add, NULL) != SQLITE_OK) return 1;
    }
    for (int i = 0; i < n; ++i) {
      sqlite3_bind_text(add, 2 * i + 1, phones[at + i].e164, -1, SQLITE_STATIC);
      sqlite3_bind_int64(add, 2 * i + 2, phones[at + i].id);
    }
    if (sqlite3_step(add) != SQLITE_DONE) {
      fprintf(stderr, "numbers: %s\n", sqlite3_errmsg(db));
      return 1;
    }
    sqlite3_reset(add);
    if (add != full) sqlite3_finalize(add);
  }
  sqlite3_finalize(full);
  free(phones);
  if (Exec(db, trigger) || Exec(db, "COMMIT; PRAGMA journal_mode=WAL")) return 1;
  return sqlite3_close(db) == SQLITE_OK ? 0 : 1;
}
