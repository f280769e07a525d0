// How every backend writes a contact's custom fields and candidate zones: the fields as one
// JSON object in column order, the zones as IANA names separated by spaces.
// Thread-safety: pure functions; the importer's workers encode rows with them, so the
// inserting thread only binds text (store.h, NewContact::encoded).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/contact.h"

namespace dozvon {

using FieldViews = std::vector<std::pair<std::string_view, std::string_view>>;

// Appends the fields as a JSON object, exactly as nlohmann::ordered_json writes it (a repeated
// key keeps its first place and its last value; invalid UTF-8 is replaced).
void AppendFieldsJson(std::string* out, const FieldViews& fields);
void AppendFieldsJson(std::string* out, const Fields& fields);
// The fields of a JSON object in its order; values that are not strings as JSON text.
Fields FieldsFromJson(const std::string& text);

void AppendZones(std::string* out, const std::vector<std::string>& zones);
std::vector<std::string> SplitZones(std::string_view text);

}  // namespace dozvon
