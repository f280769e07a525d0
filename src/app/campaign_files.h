// Loading what a campaign file refers to from disk: the file itself and its DNC list files.
// The core parses text; these helpers do the reading, so the core stays free of I/O.
#pragma once

#include <string>

#include "core/campaign/campaign_config.h"
#include "core/compliance/dnc.h"
#include "core/status.h"

namespace dozvon {

Result<std::string> ReadTextFile(const std::string& path);

// Parses the campaign file at `path` (errors name the file and line).
Result<CampaignConfig> LoadCampaignFile(const std::string& path);

// The campaign's do-not-call entries: [dnc] numbers and prefixes, and every line of its files.
// Relative file names are resolved against `base_dir` (the campaign file's folder).
Result<DncList> LoadDnc(const CampaignConfig& config, const std::string& base_dir);

}  // namespace dozvon
