// Contact import: a CSV file -> validated, normalised contacts in one store transaction.
//
// One thread parses the CSV into batches, a small pool normalises them (phone, zones), and the
// calling thread, which alone touches the store, commits the rows in file order. Rejected and
// duplicate rows are written, with their line and reason, to a rejects file beside the input.
// Nothing is written to the store unless the whole file was read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace dozvon {

enum class Dedupe {
  kNone,    // keep every row
  kList,    // skip numbers already in this list or earlier in the file
  kSystem,  // skip numbers already anywhere in the database or earlier in the file
};
Result<Dedupe> DedupeFromString(std::string_view s);

struct ImportProgress {
  int64_t rows = 0;
  uint64_t bytes = 0;
  uint64_t total_bytes = 0;
  bool done = false;
};

struct ImportOptions {
  std::string list;
  std::string default_region;  // "RU"; empty: numbers must carry +CC or a `country` column
  Dedupe dedupe = Dedupe::kList;
  std::string rejects_path;  // default: FILE.rejects.csv
  int threads = 0;           // normalisation workers; 0 = the default (1)
  std::function<void(const ImportProgress&)> progress;  // called every few thousand rows
};

struct ImportSummary {
  int64_t imported = 0;
  int64_t rejected = 0;
  int64_t duplicates = 0;
  int64_t blank_lines = 0;
  int64_t list_id = 0;
  std::string rejects_path;  // empty when nothing was rejected
  char delimiter = ',';
};

// Errors: InvalidArgument/NotFound when the input is unusable (missing file, no phone column,
// bad options): nothing was written. Other codes: the store failed; the transaction rolled back.
Result<ImportSummary> ImportCsv(ContactStore& store, const std::string& path,
                                const ImportOptions& options, Instant now);

}  // namespace dozvon
