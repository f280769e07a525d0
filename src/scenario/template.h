// Templates for `say` steps: "Здравствуйте, {first_name}. Ваша задолженность {amount:money} до
// {due_date}." Fields come from the contact; values are turned into words a synthesiser reads
// naturally: dates (2026-12-01, 01.12.2026) become "первого декабря две тысячи двадцать шестого
// года" / "December first, 2026", `:money` amounts become "1500 рублей 50 копеек" with the right
// plural forms, thousands separators are dropped. Pure.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/contact.h"
#include "core/status.h"

namespace dozvon {

struct TemplatePart {
  bool is_field = false;
  std::string text;    // literal text, or the field name
  std::string format;  // "", "money", "date", "number", "digits"
};

// Splits "{name}" / "{name:format}" out of the text. "{{" and "}}" are literal braces.
Result<std::vector<TemplatePart>> ParseTemplate(std::string_view text);

// `lang`: the voice's language ("ru", "en", "en-us" -> "en"); `currency`: "RUB", "USD", "EUR".
// A field the contact lacks renders as empty text.
std::string RenderTemplate(const std::vector<TemplatePart>& parts, const Fields& fields,
                           std::string_view lang, std::string_view currency);

// One value as words for speech (exposed for tests).
std::string SpeakValue(std::string_view value, std::string_view format, std::string_view lang,
                       std::string_view currency);

}  // namespace dozvon
