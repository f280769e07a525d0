// Time zones and ISO 8601 text, on Howard Hinnant's date/tz over the system tzdata
// (DST-correct; never fixed offsets). Pure: reads tzdata files once, no clock.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace date {
class time_zone;
}

namespace dozvon {

// The zone named `name` (IANA, e.g. "Europe/Moscow"), or NotFound.
Result<const date::time_zone*> FindZone(std::string_view name);

// "2026-03-02T06:00:00Z" (UTC, seconds precision; milliseconds when non-zero).
std::string FormatUtc(Instant t);
// "2026-03-02T09:00:00+03:00" in the given zone.
std::string FormatLocal(Instant t, const date::time_zone* zone);
// Parses "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM".
// Also accepts a space instead of 'T'. Without an offset the text is an error.
Result<Instant> ParseIso8601(std::string_view text);
// A time an operator gives for a callback, in the contact's zone: "18:00" (the next time the
// local clock shows it, today or tomorrow), "2026-11-25 18:00" (local), or ISO 8601 with an
// offset. DST gaps resolve to the earliest valid instant.
Result<Instant> ParseLocalTime(std::string_view text, const date::time_zone* zone, Instant now);

}  // namespace dozvon
