// `dozvon contacts`: print a list's stored contacts as CSV or JSON lines.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "core/time/tz.h"
#include "import/csv_reader.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

struct ContactsArgs {
  std::string db;
  std::string list;
  std::string format = "csv";
};

std::string JoinZones(const Contact& c) {
  std::string z;
  for (const auto& s : c.zones) z += (z.empty() ? "" : " ") + s;
  return z;
}

int RunContacts(const ContactsArgs& a) {
  if (a.format != "csv" && a.format != "json") {
    std::fprintf(stderr, "dozvon contacts: --format \"%s\": expected csv or json\n",
                 a.format.c_str());
    return kExitBadInput;
  }
  auto store = SqliteStore::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon contacts: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto list = (*store)->FindList(a.list);
  if (!list.ok()) {
    std::fprintf(stderr, "dozvon contacts: %s\n", list.status().message().c_str());
    return kExitFailure;
  }
  if (!list->has_value()) {
    std::fprintf(stderr, "dozvon contacts: list \"%s\" does not exist\n", a.list.c_str());
    return kExitBadInput;
  }
  if (a.format == "csv") std::fputs("id,phone_e164,zones,fields,state\n", stdout);
  std::string line;
  Status s = (*store)->ForEachContact((*list)->id, [&](const Contact& c) {
    nlohmann::ordered_json fields = nlohmann::ordered_json::object();
    for (const auto& [k, v] : c.fields) fields[k] = v;
    if (a.format == "json") {
      nlohmann::ordered_json j;
      j["id"] = c.id;
      j["phone_e164"] = c.phone_e164;
      j["country"] = c.country;
      j["zones"] = c.zones;
      j["zone_source"] = ToString(c.zone_source);
      j["fields"] = fields;
      j["state"] = ToString(c.state);
      j["attempts"] = c.attempts;
      j["next_attempt_at"] = c.next_attempt_at ? FormatUtc(*c.next_attempt_at) : "";
      line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      line = std::to_string(c.id) + "," + c.phone_e164 + ",";
      AppendCsvField(&line, JoinZones(c));
      line += ",";
      AppendCsvField(&line, fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      line += ",";
      line += ToString(c.state);
    }
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
      return Status::IoError("stdout: write failed");
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "dozvon contacts: %s\n", s.message().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void RegisterContacts(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ContactsArgs>();
  CLI::App* cmd = app.add_subcommand("contacts", "Print the contacts of a list");
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--list", args->list, "List name")->required();
  cmd->add_option("--format", args->format, "csv | json (one object per line)");
  cmd->callback([args, exit_code] { *exit_code = RunContacts(*args); });
}

}  // namespace dozvon
