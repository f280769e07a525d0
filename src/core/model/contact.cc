#include "core/model/contact.h"

namespace dozvon {

std::string_view ToString(ContactState s) {
  switch (s) {
    case ContactState::kNew:
      return "new";
    case ContactState::kScheduled:
      return "scheduled";
    case ContactState::kInProgress:
      return "in_progress";
    case ContactState::kDone:
      return "done";
    case ContactState::kStruck:
      return "struck";
  }
  return "new";
}

std::optional<ContactState> ContactStateFromString(std::string_view s) {
  for (auto v : {ContactState::kNew, ContactState::kScheduled, ContactState::kInProgress,
                 ContactState::kDone, ContactState::kStruck}) {
    if (ToString(v) == s) return v;
  }
  return std::nullopt;
}

std::string_view ToString(ZoneSource s) {
  switch (s) {
    case ZoneSource::kColumn:
      return "column";
    case ZoneSource::kPrefix:
      return "prefix";
    case ZoneSource::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<ZoneSource> ZoneSourceFromString(std::string_view s) {
  for (auto v : {ZoneSource::kColumn, ZoneSource::kPrefix, ZoneSource::kUnknown}) {
    if (ToString(v) == s) return v;
  }
  return std::nullopt;
}

}  // namespace dozvon
