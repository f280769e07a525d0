#include "import/phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "import/phone_fast.h"
#include "import/zone_map.h"

namespace dozvon {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Keeps digits and one leading '+'; false if the text has anything but digits and the
// separators libphonenumber accepts anywhere in a number (so not a tab).
bool CanonicalDigits(std::string_view raw, std::string* out, bool* plus) {
  out->clear();
  *plus = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c >= '0' && c <= '9') {
      out->push_back(static_cast<char>(c));
    } else if (c == '+') {
      if (*plus || !out->empty()) return false;
      *plus = true;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') {
      continue;
    } else if (c == 0xC2 && i + 1 < raw.size() && static_cast<unsigned char>(raw[i + 1]) == 0xA0) {
      ++i;  // no-break space, common in spreadsheet exports
    } else {
      return false;
    }
  }
  return !out->empty();
}

std::string Quote(std::string_view raw) { return "phone \"" + std::string(raw) + "\""; }

}  // namespace

struct PhoneNormalizer::Impl {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  FastPhoneParser fast;
  size_t fast_hits = 0;
  std::string digits;

  // Region name for messages: the number's country, else the default region.
  std::string RegionFor(int cc, std::string_view default_region) const {
    std::string r;
    if (cc) util->GetRegionCodeForCountryCode(cc, &r);
    if ((r.empty() || r == "ZZ") && !default_region.empty()) r = std::string(default_region);
    return r;
  }

  Result<NormalizedPhone> Finish(std::string_view raw, std::string_view default_region,
                                 const PhoneNumber& n) const {
    auto type = util->GetNumberType(n);
    if (type == PhoneNumberUtil::UNKNOWN) {
      std::string region = RegionFor(n.country_code(), default_region);
      std::string why;
      switch (util->IsPossibleNumberWithReason(n)) {
        case PhoneNumberUtil::TOO_SHORT:
          why = "too short";
          break;
        case PhoneNumberUtil::TOO_LONG:
          why = "too long";
          break;
        case PhoneNumberUtil::INVALID_LENGTH:
          why = "wrong length";
          break;
        case PhoneNumberUtil::INVALID_COUNTRY_CODE:
          return Status::InvalidArgument(Quote(raw) + ": unknown country code +" +
                                         std::to_string(n.country_code()));
        default:
          why = "not a valid number";
          break;
      }
      return Status::InvalidArgument(Quote(raw) + ": " + why +
                                     (region.empty() ? "" : " for " + region));
    }
    NormalizedPhone out;
    out.country_code = n.country_code();
    util->Format(n, PhoneNumberUtil::E164, &out.e164);
    util->GetRegionCodeForNumber(n, &out.region);
    out.geographic = util->IsNumberGeographical(type, n.country_code());
    out.zones =
        &ZoneMap::Find(std::string_view(out.e164).substr(1), out.country_code, out.geographic);
    return out;
  }

  Result<PhoneNumber> FullParse(std::string_view raw, std::string_view default_region) const {
    PhoneNumber n;
    std::string region(default_region.empty() ? "ZZ" : default_region);
    auto err = util->Parse(std::string(raw), region, &n);
    switch (err) {
      case PhoneNumberUtil::NO_PARSING_ERROR:
        break;
      case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return Status::InvalidArgument(
            Quote(raw) + (default_region.empty() ? ": no country code (write +CC or pass --country)"
                                                 : ": unknown country code"));
      case PhoneNumberUtil::NOT_A_NUMBER:
        return Status::InvalidArgument(Quote(raw) + ": not a phone number");
      case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
      case PhoneNumberUtil::TOO_SHORT_NSN:
        return Status::InvalidArgument(Quote(raw) + ": too short");
      case PhoneNumberUtil::TOO_LONG_NSN:
        return Status::InvalidArgument(Quote(raw) + ": too long");
    }
    if (n.has_extension()) {
      return Status::InvalidArgument(Quote(raw) + ": has an extension, which cannot be dialled");
    }
    return n;
  }
};

PhoneNormalizer::PhoneNormalizer() : impl_(std::make_unique<Impl>()) {}
PhoneNormalizer::~PhoneNormalizer() = default;

size_t PhoneNormalizer::fast_hits() const { return impl_->fast_hits; }

bool PhoneNormalizer::IsKnownRegion(std::string_view region) {
  const auto* util = PhoneNumberUtil::GetInstance();
  return util->GetCountryCodeForRegion(std::string(region)) != 0;
}

Result<NormalizedPhone> PhoneNormalizer::NormalizeSlow(std::string_view raw,
                                                       std::string_view default_region) {
  if (raw.find_first_not_of(" \t") == std::string_view::npos) {
    return Status::InvalidArgument("phone is empty");
  }
  DZ_ASSIGN_OR_RETURN(PhoneNumber n, impl_->FullParse(raw, default_region));
  return impl_->Finish(raw, default_region, n);
}

Result<NormalizedPhone> PhoneNormalizer::Normalize(std::string_view raw,
                                                   std::string_view default_region) {
  Impl& m = *impl_;
  bool plus = false;
  if (CanonicalDigits(raw, &m.digits, &plus)) {
    if (auto f = m.fast.Parse(m.digits, plus, default_region)) {
      ++m.fast_hits;
      NormalizedPhone out;
      out.country_code = f->country_code;
      out.e164 = "+" + std::to_string(f->country_code) + f->national;
      out.region = std::move(f->region);
      out.geographic = m.util->IsNumberGeographical(
          static_cast<PhoneNumberUtil::PhoneNumberType>(f->type), f->country_code);
      out.zones =
          &ZoneMap::Find(std::string_view(out.e164).substr(1), out.country_code, out.geographic);
      return out;
    }
  }
  return NormalizeSlow(raw, default_region);
}

}  // namespace dozvon
