#include "store/encoding.h"

#include <nlohmann/json.hpp>

namespace dozvon {
namespace {

// Appends `s` as a JSON string if it is valid UTF-8 with no control characters; false
// otherwise (nothing useful appended).
bool AppendPlainJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t pending = 0;  // bytes from here on are checked but not yet appended (one copy a run)
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20) return false;
      if (c == '"' || c == '\\') {
        out->append(s.data() + pending, i - pending);
        out->push_back('\\');
        pending = i;
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length and the range of its second byte (RFC 3629 table).
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (size_t k = 2; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  out->append(s.data() + pending, s.size() - pending);
  out->push_back('"');
  return true;
}

}  // namespace

void AppendZones(std::string* out, const std::vector<std::string>& zones) {
  for (size_t i = 0; i < zones.size(); ++i) {
    if (i > 0) out->push_back(' ');
    out->append(zones[i]);
  }
}

std::vector<std::string> SplitZones(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) out.emplace_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The fields as a JSON object in column order. Plain text is written directly - building an
// ordered_json costs allocations per key and value on the import's critical path - and
// anything else (control characters, invalid UTF-8) goes through nlohmann, whose escaping and
// replacement of invalid bytes are the reference (sqlite_store_test.cc compares the two).
void AppendFieldsJson(std::string* json, const FieldViews& fields) {
  std::string& out = *json;
  const size_t start = out.size();
  // Room for plain text with nothing to escape: growing by doubling took several allocations a
  // row.
  size_t plain_size = 2;
  for (const auto& [k, v] : fields) plain_size += k.size() + v.size() + 6;
  out.reserve(start + plain_size);
  out.push_back('{');
  bool plain = true;
  for (size_t i = 0; i < fields.size() && plain; ++i) {
    const auto& [k, v] = fields[i];
    for (size_t j = 0; j < i && plain; ++j) plain = fields[j].first != k;  // nlohmann keeps one
    if (i > 0) out.push_back(',');
    plain = plain && AppendPlainJsonString(&out, k);
    out.push_back(':');
    plain = plain && AppendPlainJsonString(&out, v);
  }
  if (plain) {
    out.push_back('}');
    return;
  }
  out.resize(start);
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : fields) j[std::string(k)] = std::string(v);
  // Invalid UTF-8 is replaced rather than failing the whole import.
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendFieldsJson(std::string* json, const Fields& fields) {
  FieldViews views;
  views.reserve(fields.size());
  for (const auto& [k, v] : fields) views.emplace_back(k, v);
  AppendFieldsJson(json, views);
}

Fields FieldsFromJson(const std::string& text) {
  Fields out;
  auto j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    out.emplace_back(it.key(),
                     it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  return out;
}

}  // namespace dozvon
