// A local part is a number when it is digits with an optional leading '+'; anything else
// (letters, dots, separators, quoted strings) is refused before libphonenumber sees it,
// so the cache cannot be filled with junk keys of arbitrary shape.
#include "policy/subscriber_number.h"

#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace ts {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr std::size_t kMinDigits = 3;
constexpr std::size_t kMaxDigits = 15;  // E.164

bool looksLikeNumber(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.size() < kMinDigits || s.size() > kMaxDigits) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

SubscriberNumberValidator::SubscriberNumberValidator(std::string default_region,
                                                     std::size_t cache_size)
    : region_(std::move(default_region)), cache_(cache_size) {}

bool SubscriberNumberValidator::isSupportedRegion(std::string_view region) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  return regions.count(std::string(region)) > 0;
}

bool SubscriberNumberValidator::validate(const std::string& local_part) const {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(local_part, region_, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  if (!util.IsValidNumber(number)) return false;
  // Premium-rate numbers are a classic abuse target of SMS gateways.
  return util.GetNumberType(number) != PhoneNumberUtil::PREMIUM_RATE;
}

std::optional<std::string> e164Number(std::string_view local_part, const std::string& region) {
  if (!looksLikeNumber(local_part)) return std::nullopt;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(std::string(local_part), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number)) {
    return std::nullopt;
  }
  std::string formatted;
  util.Format(number, PhoneNumberUtil::E164, &formatted);
  return formatted;
}

bool SubscriberNumberValidator::isSubscriberNumber(std::string_view local_part) {
  if (!looksLikeNumber(local_part)) return false;
  std::string key(local_part);
  if (auto cached = cache_.get(key)) return *cached;
  bool valid = validate(key);
  cache_.put(key, valid);
  return valid;
}

}  // namespace ts
