#include "import/phone_fast.h"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <list>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

// Exported by libphonenumber (metadata.cc) but not declared in an installed header: the
// serialized PhoneMetadataCollection the library itself loads at start-up.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace dozvon {
namespace {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

// The library's constants (phonenumberutil.cc).
constexpr size_t kMinLengthForNsn = 2;
constexpr size_t kMaxLengthForNsn = 17;
constexpr size_t kMaxLengthCountryCode = 3;

// The parsed collection, loaded once per process, and the lookups Parse() uses.
struct Metadata {
  PhoneMetadataCollection collection;
  std::unordered_map<std::string, const PhoneMetadata*> by_region;
  std::unordered_map<int, const PhoneMetadata*> non_geo_by_code;
  bool ok = false;

  static const Metadata& Get() {
    static const Metadata* m = [] {
      auto* md = new Metadata;  // lives for the process, like libphonenumber's own copy
      md->ok = md->collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
                                             i18n::phonenumbers::metadata_size());
      for (const PhoneMetadata& r : md->collection.metadata()) {
        if (r.id() == "001") {
          md->non_geo_by_code[r.country_code()] = &r;
        } else {
          md->by_region[r.id()] = &r;
        }
      }
      return md;
    }();
    return *m;
  }
};

enum class Length { kPossible, kLocalOnly, kTooShort, kTooLong, kInvalid };

// A PhoneNumberDesc with its pattern compiled. No pattern (a type the region lacks) never
// matches, as in RegexBasedMatcher.
struct Desc {
  std::unique_ptr<RE2> re;
  std::vector<int> lengths;
  int set_index = -1;  // its pattern's index in the region's type set; -1: not in one

  bool Init(const PhoneNumberDesc& d) {
    lengths.assign(d.possible_length().begin(), d.possible_length().end());
    if (d.national_number_pattern().empty()) return true;
    re = std::make_unique<RE2>(d.national_number_pattern(), RE2::Quiet);
    return re->ok();
  }
  bool LengthFits(std::string_view nsn) const {
    return lengths.empty() ||
           std::find(lengths.begin(), lengths.end(), static_cast<int>(nsn.size())) != lengths.end();
  }
  // PhoneNumberUtil::IsNumberMatchingDesc.
  bool Matches(std::string_view nsn) const {
    return LengthFits(nsn) && re && RE2::FullMatch(nsn, *re);
  }
  // RegexBasedMatcher::MatchNationalNumber, without the length pre-check.
  bool PatternMatches(std::string_view nsn) const { return re && RE2::FullMatch(nsn, *re); }
};

std::unique_ptr<RE2> CompileOptional(const std::string& pattern, bool* ok) {
  if (pattern.empty()) return nullptr;
  auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (!re->ok()) *ok = false;
  return re;
}

// True if `re` matches at the start of `s` (ICU lookingAt, i.e. RegExp::Consume); sets `*rest`
// to what follows the match.
bool ConsumePrefix(const RE2& re, std::string_view s, std::string_view* rest) {
  re2::StringPiece in(s.data(), s.size());
  if (!RE2::Consume(&in, re)) return false;
  *rest = std::string_view(in.data(), in.size());
  return true;
}

// One region's (or non-geographic entity's) metadata, compiled.
struct Region {
  const PhoneMetadata* md = nullptr;
  bool compiled = true;  // every pattern compiled: enough to pick a region and a type
  bool usable = true;    // also no national prefix transform rule: enough to parse with
  Desc general, premium, toll_free, shared_cost, voip, personal, pager, uan, voicemail, fixed,
      mobile;
  std::vector<int> local_only;
  std::unique_ptr<RE2> national_prefix, idd, leading_digits;
  // Every type's pattern in one anchored RE2::Set: one pass over a number finds all the types
  // whose pattern matches, where Type() ran up to eleven regexes in turn. None when a pattern
  // would not go in (then each Desc matches on its own).
  std::unique_ptr<RE2::Set> type_set;
  mutable std::vector<int> set_hits;  // Type()'s buffer: a parser is used by one thread

  explicit Region(const PhoneMetadata& m) : md(&m) {
    bool ok = general.Init(m.general_desc()) && premium.Init(m.premium_rate()) &&
              toll_free.Init(m.toll_free()) && shared_cost.Init(m.shared_cost()) &&
              voip.Init(m.voip()) && personal.Init(m.personal_number()) && pager.Init(m.pager()) &&
              uan.Init(m.uan()) && voicemail.Init(m.voicemail()) && fixed.Init(m.fixed_line()) &&
              mobile.Init(m.mobile());
    local_only.assign(m.general_desc().possible_length_local_only().begin(),
                      m.general_desc().possible_length_local_only().end());
    national_prefix = CompileOptional(m.national_prefix_for_parsing(), &ok);
    idd = CompileOptional(m.international_prefix(), &ok);
    leading_digits = CompileOptional(m.leading_digits(), &ok);
    compiled = ok && !general.lengths.empty();
    usable = compiled && m.national_prefix_transform_rule().empty();
    if (compiled) BuildTypeSet(m);
  }
  void BuildTypeSet(const PhoneMetadata& m) {
    RE2::Options options;
    options.set_log_errors(false);
    auto set = std::make_unique<RE2::Set>(options, RE2::ANCHOR_BOTH);
    const std::pair<Desc*, const PhoneNumberDesc*> descs[] = {{&general, &m.general_desc()},
                                                              {&premium, &m.premium_rate()},
                                                              {&toll_free, &m.toll_free()},
                                                              {&shared_cost, &m.shared_cost()},
                                                              {&voip, &m.voip()},
                                                              {&personal, &m.personal_number()},
                                                              {&pager, &m.pager()},
                                                              {&uan, &m.uan()},
                                                              {&voicemail, &m.voicemail()},
                                                              {&fixed, &m.fixed_line()},
                                                              {&mobile, &m.mobile()}};
    auto give_up = [&descs] {
      for (auto [desc, source] : descs) desc->set_index = -1;
    };
    for (auto [desc, source] : descs) {
      if (!desc->re) continue;
      desc->set_index = set->Add(source->national_number_pattern(), nullptr);
      if (desc->set_index < 0) return give_up();
    }
    if (!set->Compile()) return give_up();
    type_set = std::move(set);
  }

  // PhoneNumberUtil::GetNumberTypeHelper.
  PhoneNumberUtil::PhoneNumberType Type(std::string_view nsn) const {
    uint32_t hit = 0;  // bit i: the type set's pattern i matches
    bool by_set = false;
    if (type_set) {
      set_hits.clear();
      RE2::Set::ErrorInfo error{RE2::Set::kNoError};
      by_set = type_set->Match(nsn, &set_hits, &error) || error.kind == RE2::Set::kNoError;
      for (int i : set_hits) hit |= 1u << i;
    }
    auto matches = [&](const Desc& d) {
      if (!by_set) return d.Matches(nsn);  // no set, or its DFA gave up
      return d.set_index >= 0 && (hit >> d.set_index & 1) != 0 && d.LengthFits(nsn);
    };
    if (!matches(general)) return PhoneNumberUtil::UNKNOWN;
    if (matches(premium)) return PhoneNumberUtil::PREMIUM_RATE;
    if (matches(toll_free)) return PhoneNumberUtil::TOLL_FREE;
    if (matches(shared_cost)) return PhoneNumberUtil::SHARED_COST;
    if (matches(voip)) return PhoneNumberUtil::VOIP;
    if (matches(personal)) return PhoneNumberUtil::PERSONAL_NUMBER;
    if (matches(pager)) return PhoneNumberUtil::PAGER;
    if (matches(uan)) return PhoneNumberUtil::UAN;
    if (matches(voicemail)) return PhoneNumberUtil::VOICEMAIL;
    if (matches(fixed)) {
      if (md->same_mobile_and_fixed_line_pattern() || matches(mobile)) {
        return PhoneNumberUtil::FIXED_LINE_OR_MOBILE;
      }
      return PhoneNumberUtil::FIXED_LINE;
    }
    if (!md->same_mobile_and_fixed_line_pattern() && matches(mobile)) {
      return PhoneNumberUtil::MOBILE;
    }
    return PhoneNumberUtil::UNKNOWN;
  }

  // PhoneNumberUtil::TestNumberLength for an unknown type.
  Length TestLength(std::string_view nsn) const {
    const std::vector<int>& l = general.lengths;
    int n = static_cast<int>(nsn.size());
    if (l.front() == -1) return Length::kInvalid;
    if (std::find(local_only.begin(), local_only.end(), n) != local_only.end()) {
      return Length::kLocalOnly;
    }
    if (l.front() == n) return Length::kPossible;
    if (l.front() > n) return Length::kTooShort;
    if (l.back() < n) return Length::kTooLong;
    return std::find(l.begin() + 1, l.end(), n) != l.end() ? Length::kPossible : Length::kInvalid;
  }

  // PhoneNumberUtil::MaybeStripNationalPrefixAndCarrierCode without a transform rule (regions
  // with one are not usable here).
  void StripNationalPrefix(std::string* number) const {
    if (number->empty() || !national_prefix) return;
    std::string_view rest;
    if (!ConsumePrefix(*national_prefix, *number, &rest)) return;
    if (general.PatternMatches(*number) && !general.PatternMatches(rest)) return;
    number->assign(rest);
  }
};

}  // namespace

struct FastPhoneParser::Impl {
  const Metadata& meta = Metadata::Get();
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::unordered_map<const PhoneMetadata*, std::unique_ptr<Region>> regions;
  std::map<int, std::vector<std::string>> regions_for_code;

  const Region* Compile(const PhoneMetadata* md) {
    if (!md) return nullptr;
    auto& slot = regions[md];
    if (!slot) slot = std::make_unique<Region>(*md);
    return slot.get();
  }
  const Region* ForRegion(const std::string& region) {
    auto it = meta.by_region.find(region);
    return it == meta.by_region.end() ? nullptr : Compile(it->second);
  }
  // PhoneNumberUtil::GetMetadataForRegionOrCallingCode.
  const Region* ForRegionOrCode(int cc, const std::string& region) {
    if (region == "001") {
      auto it = meta.non_geo_by_code.find(cc);
      return it == meta.non_geo_by_code.end() ? nullptr : Compile(it->second);
    }
    return ForRegion(region);
  }
  const std::vector<std::string>& RegionsFor(int cc) {
    auto it = regions_for_code.find(cc);
    if (it != regions_for_code.end()) return it->second;
    std::list<std::string> list;
    util->GetRegionCodesForCountryCallingCode(cc, &list);
    return regions_for_code.emplace(cc, std::vector<std::string>(list.begin(), list.end()))
        .first->second;
  }
  // Kept per code: asking the library cost about a thousand instructions a call, and a number
  // written with '+' asks up to four times.
  std::unordered_map<int, std::string> main_regions;
  const std::string& MainRegion(int cc) {
    auto it = main_regions.find(cc);
    if (it == main_regions.end()) {
      std::string r;
      util->GetRegionCodeForCountryCode(cc, &r);
      it = main_regions.emplace(cc, std::move(r)).first;
    }
    return it->second;
  }
};

FastPhoneParser::FastPhoneParser() : impl_(std::make_unique<Impl>()) {}
FastPhoneParser::~FastPhoneParser() = default;

std::optional<FastParsedPhone> FastPhoneParser::Parse(std::string_view digits, bool plus,
                                                      std::string_view default_region) {
  Impl& m = *impl_;
  if (!m.meta.ok || digits.size() < 4 || digits.size() > 20) return std::nullopt;
  int cc = 0;
  std::string national;
  const Region* country = nullptr;
  if (plus) {
    // ExtractCountryCode: the first one to three digits that name a known code.
    if (digits[0] == '0') return std::nullopt;
    int candidate = 0;
    for (size_t i = 1; i <= kMaxLengthCountryCode && cc == 0; ++i) {
      candidate = candidate * 10 + (digits[i - 1] - '0');
      if (m.MainRegion(candidate) != "ZZ") {
        cc = candidate;
        national.assign(digits.substr(i));
      }
    }
    if (cc == 0) return std::nullopt;
    country = m.ForRegionOrCode(cc, m.MainRegion(cc));
  } else {
    if (default_region.empty()) return std::nullopt;
    const Region* home = m.ForRegion(std::string(default_region));
    if (!home || !home->usable) return std::nullopt;
    std::string_view after_idd;
    if (home->idd && ConsumePrefix(*home->idd, digits, &after_idd)) return std::nullopt;
    national.assign(digits);
    // MaybeExtractCountryCode: the home code written without '+' ("7 916 ...").
    std::string home_cc = std::to_string(home->md->country_code());
    if (digits.substr(0, home_cc.size()) == home_cc) {
      std::string stripped(digits.substr(home_cc.size()));
      home->StripNationalPrefix(&stripped);
      if ((!home->general.PatternMatches(national) && home->general.PatternMatches(stripped)) ||
          home->TestLength(national) == Length::kTooLong) {
        national = std::move(stripped);
        cc = home->md->country_code();
      }
    }
    if (cc != 0) {
      const std::string& cc_region = m.MainRegion(cc);
      country = cc_region == default_region ? home : m.ForRegionOrCode(cc, cc_region);
    } else {
      cc = home->md->country_code();
      country = home;
    }
  }
  if (!country || !country->usable || national.size() < kMinLengthForNsn) return std::nullopt;

  // ParseHelper: strip a national prefix only if what remains has a possible length.
  std::string stripped = national;
  country->StripNationalPrefix(&stripped);
  Length after = country->TestLength(stripped);
  if (after != Length::kTooShort && after != Length::kLocalOnly && after != Length::kInvalid) {
    national = std::move(stripped);
  }
  if (national.size() < kMinLengthForNsn || national.size() > kMaxLengthForNsn ||
      national[0] == '0') {
    return std::nullopt;  // errors, and Italian leading zeros, are libphonenumber's to word
  }

  // GetRegionCodeForNumber, then GetNumberType with that region's metadata.
  const std::vector<std::string>& candidates = m.RegionsFor(cc);
  if (candidates.empty()) return std::nullopt;
  FastParsedPhone out;
  const Region* chosen = nullptr;
  // Set when a region is picked by its type, which then is not worked out a second time.
  std::optional<PhoneNumberUtil::PhoneNumberType> type;
  if (candidates.size() == 1) {
    out.region = candidates.front();
    chosen = m.ForRegionOrCode(cc, out.region);
  } else {
    for (const std::string& r : candidates) {
      const Region* reg = m.ForRegion(r);
      if (!reg || !reg->compiled) return std::nullopt;
      std::string_view rest;
      bool picked;
      if (reg->leading_digits) {
        picked = ConsumePrefix(*reg->leading_digits, national, &rest);
      } else {
        type = reg->Type(national);
        picked = *type != PhoneNumberUtil::UNKNOWN;
      }
      if (picked) {
        out.region = r;
        chosen = reg;
        break;
      }
    }
  }
  if (!chosen || !chosen->compiled) return std::nullopt;
  if (!type || chosen->leading_digits) type = chosen->Type(national);
  if (*type == PhoneNumberUtil::UNKNOWN) return std::nullopt;
  out.country_code = cc;
  out.national = std::move(national);
  out.type = static_cast<int>(*type);
  return out;
}

}  // namespace dozvon
