// The JSON side of the pacer protocol (../shared/specs/pacer-protocol.md): snapshot lines in,
// decision lines out, and the memo both ways. Unknown keys are ignored so the snapshot can grow.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/pacing/snapshot.h"
#include "core/status.h"

namespace dozvon {

// Parses one snapshot line. The memo, if present and not null, is read into `memo`.
// Errors name the field: "field \"idle\": expected a number".
Status ParseSnapshot(const nlohmann::json& j, PacerSnapshot* s, PacerMemo* memo);
nlohmann::json MemoToJson(const PacerMemo& memo);
// One line of the audit log: time, snapshot summary, decision, expected abandon ratio.
nlohmann::json AuditRecord(const PacerSnapshot& s, const PacerMemo& memo, const PacerDecision& d);

}  // namespace dozvon
