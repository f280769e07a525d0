// The contact: one phone number of a list, with its zones, custom fields and dialing state.
// Plain values; the store persists them and the core decides on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace dozvon {

enum class ContactState {
  kNew,         // never attempted
  kScheduled,   // attempted, waiting for next_attempt_at
  kInProgress,  // claimed: an attempt is open
  kDone,        // finished (reached, or attempts exhausted)
  kStruck,      // will never be called again (invalid number, DNC, ...)
};

std::string_view ToString(ContactState s);
std::optional<ContactState> ContactStateFromString(std::string_view s);

// Where a contact's zones came from: an explicit column, the number's prefix, or nothing known.
enum class ZoneSource { kColumn, kPrefix, kUnknown };
std::string_view ToString(ZoneSource s);
std::optional<ZoneSource> ZoneSourceFromString(std::string_view s);

// Custom fields in file order (name, value). Used by templates and shown on the operator's card.
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Contact {
  int64_t id = 0;
  int64_t list_id = 0;
  std::string phone_e164;
  std::string country;             // ISO 3166 region of the number, e.g. "RU"; empty if unknown
  std::vector<std::string> zones;  // IANA zones; several when the prefix is ambiguous
  ZoneSource zone_source = ZoneSource::kUnknown;
  Fields fields;
  std::string external_id;
  int priority = 0;
  ContactState state = ContactState::kNew;
  std::optional<Instant> next_attempt_at;
  int attempts = 0;
  int answered = 0;
  std::optional<Instant> last_attempt_at;
  std::string state_reason;
  int64_t source_line = 0;
};

}  // namespace dozvon
