// CsvReader: RFC 4180 records from a file, on libcsv, with what real exports need:
// a UTF-8 BOM, a delimiter guessed among , ; TAB |, CRLF or LF, blank lines, quoted fields
// with delimiters and newlines, and the physical line each record starts on (for messages).
// Thread-safety: one reader per thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct csv_parser;

namespace dozvon {

struct CsvRecord {
  int64_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  // Opens `path`; NotFound/IoError if it cannot be read. `delimiter` 0 means guess it from the
  // first lines.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, char delimiter = 0);
  // Reads from memory (tests).
  static Result<std::unique_ptr<CsvReader>> FromString(std::string data, char delimiter = 0);
  ~CsvReader();

  // Fills `rec` with the next record: true, or false at the end. A record whose quote never
  // closes is an InvalidArgument naming its line; the reader is at the end after it.
  Result<bool> Next(CsvRecord* rec);

  char delimiter() const { return delimiter_; }
  bool had_bom() const { return had_bom_; }
  uint64_t bytes_consumed() const { return consumed_; }
  uint64_t total_bytes() const { return total_; }
  // Lines that held nothing and were skipped.
  int64_t blank_lines() const { return blank_lines_; }
  // The line the current (or failed) record started on.
  int64_t record_line() const { return record_line_; }

 private:
  CsvReader();
  Status Init(char delimiter);
  bool FillBuffer();
  // Feeds one physical line (with its terminator) to libcsv.
  Status FeedLine(std::string_view line);
  static void OnField(void* data, size_t len, void* self);
  static void OnRow(int terminator, void* self);

  std::FILE* file_ = nullptr;
  std::string buf_;  // bytes read but not yet split into lines
  size_t buf_pos_ = 0;
  bool eof_ = false;
  bool finished_ = false;
  uint64_t consumed_ = 0;
  uint64_t total_ = 0;
  bool had_bom_ = false;
  char delimiter_ = ',';
  std::unique_ptr<csv_parser> parser_;
  int64_t line_no_ = 0;
  bool between_records_ = true;
  int64_t record_line_ = 0;
  std::vector<std::string> fields_;
  std::deque<CsvRecord> ready_;
  int64_t blank_lines_ = 0;
};

// Guesses the delimiter of `sample` (the file's first lines): the candidate among , ; TAB |
// that occurs outside quotes the same non-zero number of times on most lines, preferring the
// header's count. ',' when nothing matches (a one-column file).
char GuessDelimiter(std::string_view sample);

// Appends `field` to `out` quoted per RFC 4180 when it needs to be.
void AppendCsvField(std::string* out, std::string_view field, char delimiter = ',');

}  // namespace dozvon
