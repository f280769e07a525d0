// `dozvon import`: CSV -> contacts of a list, in one transaction.
#include <cstdio>

#include "app/commands.h"
#include "app/progress.h"
#include "app/system_clock.h"
#include "import/importer.h"
#include "store/sqlite/sqlite_store.h"

namespace dozvon {
namespace {

struct ImportArgs {
  std::string db;
  std::string list;
  std::string country;
  std::string dedupe = "list";
  std::string file;
  std::string rejects;
  int threads = 0;
};

int RunImport(const ImportArgs& a) {
  auto dedupe = DedupeFromString(a.dedupe);
  if (!dedupe.ok()) {
    std::fprintf(stderr, "dozvon import: %s\n", dedupe.status().message().c_str());
    return kExitBadInput;
  }
  // Check the input before opening (and so creating) the database: an unusable file must
  // leave no trace, not even an empty database.
  if (FILE* f = std::fopen(a.file.c_str(), "rb")) {
    std::fclose(f);
  } else {
    std::fprintf(stderr, "dozvon import: %s: cannot open\n", a.file.c_str());
    return kExitBadInput;
  }
  auto store = SqliteStore::Open(a.db);
  if (!store.ok()) {
    std::fprintf(stderr, "dozvon import: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  ProgressReporter progress("import " + a.file);
  ImportOptions o;
  o.list = a.list;
  std::string region = a.country;
  for (char& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  o.default_region = region;
  o.dedupe = *dedupe;
  o.rejects_path = a.rejects;
  o.threads = a.threads;
  o.progress = [&](const ImportProgress& p) {
    progress.Update(p.bytes, p.total_bytes, p.rows, p.done);
  };
  SystemClock clock;
  auto r = ImportCsv(**store, a.file, o, clock.Now());
  if (!r.ok()) {
    std::fprintf(stderr, "dozvon import: %s\n", r.status().message().c_str());
    bool bad_input = r.status().code() == StatusCode::kInvalidArgument ||
                     r.status().code() == StatusCode::kNotFound;
    return bad_input ? kExitBadInput : kExitFailure;
  }
  std::printf("imported %lld, rejected %lld, duplicates %lld\n",
              static_cast<long long>(r->imported), static_cast<long long>(r->rejected),
              static_cast<long long>(r->duplicates));
  std::fflush(stdout);
  if (!r->rejects_path.empty()) {
    std::fprintf(stderr, "rejected and duplicate rows, with line and reason: %s\n",
                 r->rejects_path.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterImport(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "Import contacts from a CSV file into a list");
  cmd->add_option("--db", args->db, "SQLite database file (created if missing)")->required();
  cmd->add_option("--list", args->list, "List name (created if missing)")->required();
  cmd->add_option("--country", args->country,
                  "Default region for numbers without +CC, ISO 3166 (e.g. RU)");
  cmd->add_option("--dedupe", args->dedupe, "none | list | system (default: list)");
  cmd->add_option("--rejects", args->rejects, "Rejects file (default: FILE.rejects.csv)");
  cmd->add_option("--threads", args->threads, "Normalisation worker threads (default: 1)");
  cmd->add_option("file", args->file, "CSV file with a header and a phone column")->required();
  cmd->callback([args, exit_code] { *exit_code = RunImport(*args); });
}

}  // namespace dozvon
