// Versioned schema migrations, applied in order at open. PRAGMA user_version holds the number
// of migrations applied. Never edit a shipped migration: append a new one.
#pragma once

#include <string_view>
#include <vector>

namespace dozvon::sqlite {

const std::vector<std::string_view>& Migrations();

}  // namespace dozvon::sqlite
