#include "core/campaign/toml_text.h"

#include <string>

namespace dozvon {

Result<toml::table> ParseTomlText(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" +
                                   std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
}

}  // namespace dozvon
