#include "import/importer.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/time/tz.h"
#include "import/csv_reader.h"
#include "import/phone.h"
#include "store/encoding.h"

namespace dozvon {
namespace {

constexpr size_t kBatchRows = 4096;

std::string NormalizeHeader(std::string_view raw) {
  size_t b = raw.find_first_not_of(" \t");
  size_t e = raw.find_last_not_of(" \t");
  std::string out;
  if (b == std::string_view::npos) return out;
  for (char c : raw.substr(b, e - b + 1)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') c = '_';
    out.push_back(c);
  }
  return out;
}

// Numbers seen so far, for dedupe, each with the line it was first seen at (0: already stored).
// An E.164 number is '+' and at most 15 digits, so it is kept as an integer of its digits and
// their count (no two numbers share one), in an open-addressing table: string keys in a node
// map cost a million-row import over a second of hashing, allocation and cache misses on its
// critical path.
class KnownNumbers {
 public:
  void Reserve(size_t n) { Rehash(std::bit_ceil(std::max<size_t>(n * 2, 1024))); }

  // Records `e164` first seen at `line`; if it was known already, returns where it was seen.
  std::optional<int64_t> Add(std::string_view e164, int64_t line) {
    std::optional<uint64_t> key = Pack(e164);
    if (!key) {  // not E.164: kept as it is
      auto [it, fresh] = other_.emplace(std::string(e164), line);
      return fresh ? std::nullopt : std::optional<int64_t>(it->second);
    }
    if ((size_ + 1) * 2 > slots_.size()) Rehash(std::max<size_t>(slots_.size() * 2, 1024));
    Slot& s = Find(*key);
    if (s.key == *key) return s.line;
    s = Slot{*key, line};
    ++size_;
    return std::nullopt;
  }

 private:
  struct Slot {
    uint64_t key = 0;  // 0: empty (a packed key always counts at least one digit)
    int64_t line = 0;
  };

  static std::optional<uint64_t> Pack(std::string_view s) {
    if (s.size() < 2 || s.size() > 18 || s[0] != '+') return std::nullopt;
    uint64_t v = 0;
    for (char c : s.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v * 32 + (s.size() - 1);  // at most 17 digits: below 2^64 even times 32
  }

  // The slot holding `key`, or the empty slot where it belongs (linear probing).
  Slot& Find(uint64_t key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & mask) {
      if (slots_[i].key == key || slots_[i].key == 0) return slots_[i];
    }
  }

  void Rehash(size_t capacity) {  // a power of two, more than twice size_
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
    shift_ = 64 - std::countr_zero(capacity);
    for (const Slot& s : old) {
      if (s.key != 0) Find(s.key) = s;
    }
  }

  std::vector<Slot> slots_;
  int shift_ = 64;
  size_t size_ = 0;
  std::unordered_map<std::string, int64_t> other_;
};

// Column layout of the file, resolved once from the header.
struct Columns {
  std::vector<std::string> names;  // normalised header names, in file order
  int phone = -1;
  int timezone = -1;
  int country = -1;
  int external_id = -1;
  int priority = -1;
};

Result<Columns> ResolveHeader(const CsvRecord& header) {
  Columns c;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = NormalizeHeader(header.fields[i]);
    if (name.empty()) name = "column_" + std::to_string(i + 1);
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("line " + std::to_string(header.line) + ": column \"" + name +
                                     "\" appears twice in the header");
    }
    int idx = static_cast<int>(i);
    if (c.phone < 0 &&
        (name == "phone" || name == "phone_number" || name == "msisdn" || name == "телефон")) {
      c.phone = idx;
    } else if (c.timezone < 0 && (name == "timezone" || name == "time_zone" || name == "tz")) {
      c.timezone = idx;
    } else if (name == "country") {
      c.country = idx;
    } else if (name == "external_id") {
      c.external_id = idx;
    } else if (name == "priority") {
      c.priority = idx;
    }
    c.names.push_back(std::move(name));
  }
  if (c.phone < 0) {
    return Status::InvalidArgument("line " + std::to_string(header.line) +
                                   ": no \"phone\" column in the header");
  }
  return c;
}

// One row after the per-row work: a contact, or why not.
struct RowResult {
  CsvRecord record;
  std::optional<NewContact> contact;
  std::string reason;  // set when rejected
};

struct Batch {
  std::vector<RowResult> rows;
  int64_t bytes_read = 0;  // input consumed up to the end of this batch, for progress
  bool done = false;
};

class RowWorker {
 public:
  RowWorker(const Columns& cols, const ImportOptions& opts) : cols_(cols), opts_(opts) {}

  void Process(RowResult* row) {
    const CsvRecord& rec = row->record;
    if (rec.fields.size() != cols_.names.size()) {
      row->reason = "expected " + std::to_string(cols_.names.size()) + " fields, got " +
                    std::to_string(rec.fields.size());
      return;
    }
    std::string_view region = opts_.default_region;
    std::string row_region;
    if (cols_.country >= 0 && !rec.fields[cols_.country].empty()) {
      row_region = NormalizeRegion(rec.fields[cols_.country]);
      if (!PhoneNormalizer::IsKnownRegion(row_region)) {
        row->reason = "country \"" + rec.fields[cols_.country] + "\": not an ISO 3166 code";
        return;
      }
      region = row_region;
    }
    Result<NormalizedPhone> phone = phones_.Normalize(rec.fields[cols_.phone], region);
    if (!phone.ok()) {
      row->reason = phone.status().message();
      return;
    }
    NewContact c;
    c.phone_e164 = std::move(phone->e164);
    c.country = phone->region;
    c.source_line = rec.line;
    if (cols_.timezone >= 0 && !Trim(rec.fields[cols_.timezone]).empty()) {
      std::string_view tz = Trim(rec.fields[cols_.timezone]);
      auto zone = FindZone(tz);
      if (!zone.ok()) {
        row->reason = "timezone " + zone.status().message();
        return;
      }
      c.zones_text.assign(tz);
      c.zone_source = ZoneSource::kColumn;
    } else if (!phone->zones->names.empty()) {
      c.zones_text = phone->zones->text;
      c.zone_source = ZoneSource::kPrefix;
    }
    if (cols_.priority >= 0 && !rec.fields[cols_.priority].empty()) {
      const std::string& p = rec.fields[cols_.priority];
      auto r = std::from_chars(p.data(), p.data() + p.size(), c.priority);
      if (r.ec != std::errc() || r.ptr != p.data() + p.size()) {
        row->reason = "priority \"" + p + "\": not an integer";
        return;
      }
    }
    if (cols_.external_id >= 0) c.external_id = rec.fields[cols_.external_id];
    // Encoded here, so the inserting thread - the import's critical path - only binds text.
    fields_.clear();
    for (size_t i = 0; i < cols_.names.size(); ++i) {
      if (static_cast<int>(i) == cols_.phone) continue;
      fields_.emplace_back(cols_.names[i], rec.fields[i]);
    }
    AppendFieldsJson(&c.fields_json, fields_);
    c.encoded = true;
    row->contact = std::move(c);
  }

 private:
  static std::string_view Trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  }
  static std::string NormalizeRegion(std::string_view s) {
    std::string out(Trim(s));
    for (char& ch : out) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return out;
  }

  const Columns& cols_;
  const ImportOptions& opts_;
  PhoneNormalizer phones_;
  FieldViews fields_;  // Process()'s, reused
};

// A fixed pool of workers, each with its own normaliser (not thread-safe).
class WorkerPool {
 public:
  WorkerPool(int n, const Columns& cols, const ImportOptions& opts) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this, &cols, &opts] {
        RowWorker worker(cols, opts);
        for (;;) {
          Batch* b;
          {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;
            b = queue_.front();
            queue_.pop_front();
          }
          for (auto& row : b->rows) worker.Process(&row);
          {
            std::lock_guard lock(mu_);
            b->done = true;
          }
          done_cv_.notify_all();
        }
      });
    }
  }
  ~WorkerPool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Submit(Batch* b) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(b);
    }
    cv_.notify_one();
  }
  void Wait(Batch* b) {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [b] { return b->done; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::deque<Batch*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Parses the CSV into batches on its own thread, in file order, has the pool process them, and
// hands them back in that order. Parsing, normalisation and the caller's inserts overlap.
class BatchPipeline {
 public:
  BatchPipeline(CsvReader& reader, int threads, const Columns& cols, const ImportOptions& opts)
      : reader_(reader),
        max_inflight_(static_cast<size_t>(threads) * 3 + 1),
        pool_(threads, cols, opts),
        thread_([this] { Run(); }) {}
  ~BatchPipeline() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    // pool_ is destroyed next and drains its queue before inflight_ goes.
  }

  // Takes back a consumed batch, to be freed on the parsing thread: freeing a batch's
  // thousands of strings took a visible share of the inserting thread.
  void Release(std::unique_ptr<Batch> b) {
    {
      std::lock_guard lock(mu_);
      spent_.push_back(std::move(b));
    }
    cv_.notify_all();
  }

  // The next processed batch, or nullptr at the end of the input.
  std::unique_ptr<Batch> Next() {
    std::unique_ptr<Batch> b;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !inflight_.empty() || done_; });
      if (inflight_.empty()) return nullptr;
      b = std::move(inflight_.front());
      inflight_.pop_front();
    }
    cv_.notify_all();
    pool_.Wait(b.get());
    return b;
  }
  // Valid once Next() has returned nullptr.
  const Status& read_error() const { return read_error_; }
  int64_t rows_seen() const { return rows_seen_; }

 private:
  void Run() {
    for (bool end = false; !end;) {
      std::vector<std::unique_ptr<Batch>> spent;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || inflight_.size() < max_inflight_; });
        if (stop_) return;
        spent.swap(spent_);
      }
      spent.clear();
      auto batch = std::make_unique<Batch>();
      batch->rows.reserve(kBatchRows);
      while (batch->rows.size() < kBatchRows) {
        RowResult row;
        Result<bool> more = reader_.Next(&row.record);
        if (!more.ok()) {
          // An unterminated quote swallows the rest of the file: reject that record, stop.
          read_error_ = more.status();
          end = true;
          break;
        }
        if (!*more) {
          end = true;
          break;
        }
        batch->rows.push_back(std::move(row));
      }
      batch->bytes_read = reader_.bytes_consumed();
      rows_seen_ += static_cast<int64_t>(batch->rows.size());
      {
        std::lock_guard lock(mu_);
        if (!batch->rows.empty()) {
          pool_.Submit(batch.get());
          inflight_.push_back(std::move(batch));
        }
        done_ = end;
      }
      cv_.notify_all();
    }
  }

  CsvReader& reader_;
  const size_t max_inflight_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> inflight_;  // submitted, oldest first; bounded
  std::vector<std::unique_ptr<Batch>> spent_;    // consumed, for the parsing thread to free
  bool done_ = false;
  bool stop_ = false;
  Status read_error_;
  int64_t rows_seen_ = 0;
  WorkerPool pool_;  // after inflight_: destroyed first, so workers never outlive a batch
  std::thread thread_;
};

class RejectsWriter {
 public:
  RejectsWriter(std::string path, const CsvRecord& header) : path_(std::move(path)) {
    head_ = "line,reason";
    for (const auto& f : header.fields) {
      head_.push_back(',');
      AppendCsvField(&head_, f);
    }
    head_ += "\r\n";
  }
  void Add(const CsvRecord& rec, std::string_view reason) {
    ++count_;
    body_ += std::to_string(rec.line);
    body_.push_back(',');
    AppendCsvField(&body_, reason);
    for (const auto& f : rec.fields) {
      body_.push_back(',');
      AppendCsvField(&body_, f);
    }
    body_ += "\r\n";
  }
  // Writes the rows to a temporary file; called before the store commits, so a full disk
  // fails the import instead of losing the rejects.
  Status Prepare() {
    if (count_ == 0) return Status::Ok();
    std::ofstream out(path_ + ".tmp", std::ios::binary | std::ios::trunc);
    out << head_ << body_;
    if (!out) return Status::IoError(path_ + ".tmp: cannot write rejects file");
    return Status::Ok();
  }
  // Moves the prepared file into place, or removes a stale one when nothing was rejected this
  // time. Returns the path written, or "".
  Result<std::string> Publish() {
    std::error_code ec;
    if (count_ == 0) {
      std::filesystem::remove(path_, ec);
      return std::string();
    }
    std::filesystem::rename(path_ + ".tmp", path_, ec);
    if (ec) return Status::IoError(path_ + ": " + ec.message());
    return path_;
  }
  void Discard() {
    std::error_code ec;
    std::filesystem::remove(path_ + ".tmp", ec);
  }

 private:
  std::string path_;
  std::string head_;
  std::string body_;
  int64_t count_ = 0;
};

}  // namespace

Result<Dedupe> DedupeFromString(std::string_view s) {
  if (s == "none") return Dedupe::kNone;
  if (s == "list") return Dedupe::kList;
  if (s == "system") return Dedupe::kSystem;
  return Status::InvalidArgument("--dedupe \"" + std::string(s) +
                                 "\": expected none, list or system");
}

Result<ImportSummary> ImportCsv(ContactStore& store, const std::string& path,
                                const ImportOptions& options, Instant now) {
  if (options.list.empty()) return Status::InvalidArgument("--list: a list name is required");
  if (!options.default_region.empty() && !PhoneNormalizer::IsKnownRegion(options.default_region)) {
    return Status::InvalidArgument("--country \"" + options.default_region +
                                   "\": not an ISO 3166 region code libphonenumber knows");
  }
  DZ_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader, CsvReader::Open(path));
  CsvRecord header;
  Result<bool> got = reader->Next(&header);
  if (!got.ok()) return got.status().WithContext(path);
  if (!*got) return Status::InvalidArgument(path + ": the file is empty (no header line)");
  Result<Columns> cols_or = ResolveHeader(header);
  if (!cols_or.ok()) return cols_or.status().WithContext(path);
  const Columns cols = std::move(cols_or).value();

  // The input is usable: from here on everything lands in one transaction, or nothing does.
  // Rows of a typical list take 40-80 bytes; the estimate lets the store choose a bulk load.
  const int64_t expected_rows = reader->total_bytes() / 64;
  DZ_ASSIGN_OR_RETURN(std::unique_ptr<ContactImport> txn,
                      store.BeginImport(options.list, now, expected_rows));

  ImportSummary summary;
  summary.list_id = txn->list_id();
  summary.delimiter = reader->delimiter();

  KnownNumbers known;
  if (options.dedupe != Dedupe::kNone) {
    // Sized up front (rows of a typical list take 40-80 bytes): rehashing a map of a million
    // numbers is a visible share of a large import.
    known.Reserve(static_cast<size_t>(reader->total_bytes() / 48) + 1024);
    std::optional<int64_t> scope;
    if (options.dedupe == Dedupe::kList) scope = txn->list_id();
    DZ_RETURN_IF_ERROR(store.ForEachPhone(scope, [&](std::string_view p) { known.Add(p, 0); }));
  }

  RejectsWriter rejects(options.rejects_path.empty() ? path + ".rejects.csv" : options.rejects_path,
                        header);
  auto consume = [&](Batch& b) -> Status {
    for (auto& row : b.rows) {
      if (!row.contact) {
        ++summary.rejected;
        rejects.Add(row.record, row.reason);
        continue;
      }
      if (options.dedupe != Dedupe::kNone) {
        if (std::optional<int64_t> first = known.Add(row.contact->phone_e164, row.record.line)) {
          ++summary.duplicates;
          rejects.Add(row.record, *first > 0
                                      ? "duplicate of line " + std::to_string(*first)
                                      : std::string(options.dedupe == Dedupe::kList
                                                        ? "duplicate: already in the list"
                                                        : "duplicate: already in the database"));
          continue;
        }
      }
      Status s = txn->Add(*row.contact);
      if (!s.ok()) return s.WithContext(path + ":" + std::to_string(row.record.line));
      ++summary.imported;
    }
    return Status::Ok();
  };

  // One normalisation worker by default: with the RE2 fast path a worker keeps up with
  // parsing and inserts, which each take a thread of their own.
  int threads = options.threads > 0 ? options.threads : 1;
  ImportProgress progress;
  progress.total_bytes = reader->total_bytes();
  int64_t rows_seen = 0;
  Status read_error;
  {
    BatchPipeline pipeline(*reader, threads, cols, options);
    while (std::unique_ptr<Batch> b = pipeline.Next()) {
      DZ_RETURN_IF_ERROR(consume(*b));
      if (options.progress) {
        progress.rows = summary.imported + summary.rejected + summary.duplicates;
        progress.bytes = b->bytes_read;
        options.progress(progress);
      }
      pipeline.Release(std::move(b));
    }
    rows_seen = pipeline.rows_seen();
    read_error = pipeline.read_error();
  }
  if (!read_error.ok()) {
    ++summary.rejected;
    CsvRecord broken;
    broken.line = reader->record_line();
    const std::string& msg = read_error.message();
    rejects.Add(broken, msg.substr(msg.find(": ") + 2));
  }
  summary.blank_lines = reader->blank_lines();
  DZ_RETURN_IF_ERROR(rejects.Prepare());
  if (Status s = txn->Commit(); !s.ok()) {
    rejects.Discard();
    return s;
  }
  if (options.progress) {
    progress.rows = rows_seen;
    progress.bytes = progress.total_bytes;
    progress.done = true;
    options.progress(progress);
  }
  DZ_ASSIGN_OR_RETURN(summary.rejects_path, rejects.Publish());
  return summary;
}

}  // namespace dozvon
