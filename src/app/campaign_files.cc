#include "app/campaign_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dozvon {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read failed");
  return ss.str();
}

Result<CampaignConfig> LoadCampaignFile(const std::string& path) {
  DZ_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return CampaignConfig::Parse(text, path);
}

Result<DncList> LoadDnc(const CampaignConfig& config, const std::string& base_dir) {
  DncList dnc;
  for (const auto& n : config.dnc.numbers) dnc.AddNumber(n);
  for (const auto& p : config.dnc.prefixes) dnc.AddPrefix(p);
  for (const auto& f : config.dnc.files) {
    std::filesystem::path p(f);
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    DZ_ASSIGN_OR_RETURN(std::string text, ReadTextFile(p.string()));
    DZ_RETURN_IF_ERROR(dnc.AddLines(text, p.string()));
  }
  return dnc;
}

}  // namespace dozvon
