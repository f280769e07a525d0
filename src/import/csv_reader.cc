#include "import/csv_reader.h"

#include <csv.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace dozvon {
namespace {

constexpr size_t kChunk = 1 << 20;
constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};

int OnlySpace(unsigned char c) { return c == ' ' ? CSV_SPACE : 0; }

bool IsBlank(std::string_view line) {
  return line.find_first_not_of("\r\n") == std::string_view::npos;
}

}  // namespace

char GuessDelimiter(std::string_view sample) {
  std::vector<std::array<int, 4>> counts;
  std::array<int, 4> cur{};
  bool in_quotes = false;
  bool any = false;
  for (size_t i = 0; i < sample.size() && counts.size() < 20; ++i) {
    char c = sample[i];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (!in_quotes && c == '\n') {
      if (any) counts.push_back(cur);
      cur = {};
      any = false;
      continue;
    } else if (!in_quotes) {
      for (size_t k = 0; k < kCandidates.size(); ++k) cur[k] += (c == kCandidates[k]);
    }
    if (c != '\r') any = true;
  }
  if (any && counts.size() < 20) counts.push_back(cur);
  if (counts.empty()) return ',';
  int best = -1;
  double best_score = 0;
  for (size_t k = 0; k < kCandidates.size(); ++k) {
    int header = counts[0][k];
    if (header == 0) continue;
    int agree = 0;
    for (const auto& row : counts) agree += (row[k] == header);
    // Consistency first (share of lines with the header's count), then the count itself.
    double score = static_cast<double>(agree) / counts.size() * 1000 + header;
    if (score > best_score) {
      best_score = score;
      best = static_cast<int>(k);
    }
  }
  return best < 0 ? ',' : kCandidates[best];
}

void AppendCsvField(std::string* out, std::string_view field, char delimiter) {
  bool quote = field.find_first_of(std::string("\"\r\n") + delimiter) != std::string_view::npos ||
               (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

CsvReader::CsvReader() : parser_(std::make_unique<csv_parser>()) {}

CsvReader::~CsvReader() {
  if (parser_) csv_free(parser_.get());
  if (file_) std::fclose(file_);
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, char delimiter) {
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->file_ = std::fopen(path.c_str(), "rb");
  if (!r->file_) {
    return Status::NotFound(path + ": cannot open: " + std::strerror(errno));
  }
  if (std::fseek(r->file_, 0, SEEK_END) == 0) {
    long size = std::ftell(r->file_);
    r->total_ = size > 0 ? static_cast<uint64_t>(size) : 0;
    std::fseek(r->file_, 0, SEEK_SET);
  }
  Status s = r->Init(delimiter);
  if (!s.ok()) return s.WithContext(path);
  return r;
}

Result<std::unique_ptr<CsvReader>> CsvReader::FromString(std::string data, char delimiter) {
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->total_ = data.size();
  r->buf_ = std::move(data);
  r->eof_ = true;
  DZ_RETURN_IF_ERROR(r->Init(delimiter));
  return r;
}

Status CsvReader::Init(char delimiter) {
  if (csv_init(parser_.get(), 0) != 0) {
    return Status::Internal("csv parser init failed");
  }
  FillBuffer();
  if (buf_.size() >= 3 && buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    had_bom_ = true;
    buf_pos_ = 3;
    consumed_ = 3;
  }
  if (buf_.size() >= 2 &&
      ((buf_[0] == '\xFF' && buf_[1] == '\xFE') || (buf_[0] == '\xFE' && buf_[1] == '\xFF'))) {
    return Status::InvalidArgument("file is UTF-16; save it as UTF-8 CSV");
  }
  delimiter_ = delimiter ? delimiter
                         : GuessDelimiter(std::string_view(buf_).substr(
                               buf_pos_, std::min<size_t>(buf_.size() - buf_pos_, 64 * 1024)));
  csv_set_delim(parser_.get(), static_cast<unsigned char>(delimiter_));
  // Trim spaces around unquoted fields, but never tabs: a tab may be the delimiter.
  csv_set_space_func(parser_.get(), OnlySpace);
  return Status::Ok();
}

bool CsvReader::FillBuffer() {
  if (eof_ || !file_) return false;
  if (buf_pos_ > 0) {
    buf_.erase(0, buf_pos_);
    buf_pos_ = 0;
  }
  size_t old = buf_.size();
  buf_.resize(old + kChunk);
  size_t n = std::fread(buf_.data() + old, 1, kChunk, file_);
  buf_.resize(old + n);
  if (n == 0) eof_ = true;
  return n > 0;
}

void CsvReader::OnField(void* data, size_t len, void* self) {
  auto* r = static_cast<CsvReader*>(self);
  r->fields_.emplace_back(static_cast<const char*>(data), len);
}

void CsvReader::OnRow(int, void* self) {
  auto* r = static_cast<CsvReader*>(self);
  r->between_records_ = true;
  bool all_empty = std::all_of(r->fields_.begin(), r->fields_.end(),
                               [](const std::string& f) { return f.empty(); });
  if (all_empty) {
    ++r->blank_lines_;  // ",,,," rows from spreadsheets
    r->fields_.clear();
    return;
  }
  r->ready_.push_back(CsvRecord{r->record_line_, std::move(r->fields_)});
  r->fields_.clear();
}

Status CsvReader::FeedLine(std::string_view line) {
  ++line_no_;
  consumed_ += line.size();
  if (between_records_) {
    if (IsBlank(line)) {
      ++blank_lines_;
      return Status::Ok();
    }
    between_records_ = false;
    record_line_ = line_no_;
  }
  if (csv_parse(parser_.get(), line.data(), line.size(), OnField, OnRow, this) != line.size()) {
    return Status::InvalidArgument("line " + std::to_string(record_line_) + ": " +
                                   csv_strerror(csv_error(parser_.get())));
  }
  return Status::Ok();
}

Result<bool> CsvReader::Next(CsvRecord* rec) {
  while (ready_.empty() && !finished_) {
    size_t nl = buf_.find('\n', buf_pos_);
    if (nl == std::string::npos && !eof_) {
      FillBuffer();
      continue;
    }
    if (nl != std::string::npos) {
      std::string_view line(buf_.data() + buf_pos_, nl + 1 - buf_pos_);
      buf_pos_ = nl + 1;
      DZ_RETURN_IF_ERROR(FeedLine(line));
      continue;
    }
    // End of input: a last line without a terminator, then flush the parser.
    if (buf_pos_ < buf_.size()) {
      std::string_view line(buf_.data() + buf_pos_, buf_.size() - buf_pos_);
      buf_pos_ = buf_.size();
      DZ_RETURN_IF_ERROR(FeedLine(line));
    }
    finished_ = true;
    // Lenient while parsing (a stray quote inside an unquoted field is kept as text), strict
    // at the end, so a quote that never closes is reported instead of silently taken as data.
    csv_set_opts(parser_.get(), CSV_STRICT | CSV_STRICT_FINI);
    if (csv_fini(parser_.get(), OnField, OnRow, this) != 0) {
      fields_.clear();
      return Status::InvalidArgument("line " + std::to_string(record_line_) +
                                     ": quoted field never closes (the record runs to the end "
                                     "of the file)");
    }
  }
  if (ready_.empty()) return false;
  *rec = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

}  // namespace dozvon
