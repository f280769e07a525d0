// TOML text to a table, with parse errors as a Status naming "source:line: reason".
// Shared by every TOML file the project reads (campaigns, carrier profiles, operators).
#pragma once

#include <toml++/toml.h>

#include <string_view>

#include "core/status.h"

namespace dozvon {

Result<toml::table> ParseTomlText(std::string_view text, std::string_view source);

}  // namespace dozvon
