// Parses postscreen_dnsbl_sites-style entries and declares the DNS list keys. A site is
// checked whole at load, so a typo in a zone or filter is a fatal config error rather than
// a list that silently never matches (or matches everything).
#include "checks/dnsbl/dnsbl_config.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"
#include "util/ascii.h"
#include "util/domain_labels.h"

namespace ts {
namespace {

bool inRanges(const ReturnCodeFilter::OctetRanges& ranges, std::uint8_t value) {
  for (const auto& [low, high] : ranges) {
    if (value >= low && value <= high) return true;
  }
  return false;
}

// RFC 1035 labels, relaxed as RFC 1123 allows (a label may start with a digit), because
// real list zones do ("0spam.example").
bool isLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> parseZone(std::string_view text) {
  std::string zone = asciiLower(text);
  if (!zone.empty() && zone.back() == '.') zone.pop_back();
  if (zone.empty()) return fail(std::string("the zone is missing"));
  if (zone.size() > 253 || zone.find('.') == std::string::npos || !everyLabel(zone, isLabel)) {
    return fail(fmt::format(
        "'{}' is not a DNS list zone (a domain name with at least one dot, e.g. zen.example)",
        text));
  }
  return zone;
}

// Reads the filter "a.b.c.d", where each octet is a number or "[n;n..m;...]".
class FilterParser {
 public:
  explicit FilterParser(std::string_view text) : text_(text) {}

  Result<ReturnCodeFilter> parse() {
    ReturnCodeFilter filter;
    filter.configured = true;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0 && !take('.')) return error("needs four dot-separated octets");
      auto octet = parseOctet();
      if (!octet) return fail(octet.error());
      filter.octets[i] = std::move(*octet);
    }
    if (pos_ != text_.size()) return error("needs four dot-separated octets");
    return filter;
  }

 private:
  Result<ReturnCodeFilter::OctetRanges> parseOctet() {
    ReturnCodeFilter::OctetRanges ranges;
    if (!take('[')) {
      auto n = number();
      if (!n) return fail(n.error());
      ranges.emplace_back(*n, *n);
      return ranges;
    }
    do {
      auto low = number();
      if (!low) return fail(low.error());
      std::uint8_t high = *low;
      if (take('.')) {
        if (!take('.')) return error("writes a range as n..m");
        auto h = number();
        if (!h) return fail(h.error());
        if (*h < *low) return error(fmt::format("has the backwards range {}..{}", *low, *h));
        high = *h;
      }
      ranges.emplace_back(*low, high);
    } while (take(';'));
    if (!take(']')) return error("has a '[' without its ']' (write e.g. [2..11;20])");
    return ranges;
  }

  Result<std::uint8_t> number() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    std::string_view digits = text_.substr(start, pos_ - start);
    unsigned value = 256;
    if (digits.empty()) return error("needs a number from 0 to 255 for each octet");
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || value > 255) {
      return error(fmt::format("has the octet {}, above 255", digits));
    }
    return static_cast<std::uint8_t>(value);
  }

  bool take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Failure<Error> error(const std::string& what) const {
    return fail(fmt::format("the filter '{}' {}", text_, what));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// A signed decimal: "3", "-2", "+1", "0.5". Not parseNumber alone, which would also take
// "1e3" and "inf".
Result<double> parseWeight(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
  std::size_t dot = digits.find('.');
  bool ok = !digits.empty() && digits.front() != '.' && digits.back() != '.' &&
            digits.find_first_not_of("0123456789.") == std::string_view::npos &&
            (dot == std::string_view::npos || digits.find('.', dot + 1) == std::string_view::npos);
  if (!ok) return fail(fmt::format("the weight '{}' is not a number (e.g. 3, -2, 0.5)", text));
  auto n = parseNumber(text.front() == '+' ? text.substr(1) : text);
  if (!n) return fail(fmt::format("the weight '{}' is not a number (e.g. 3, -2, 0.5)", text));
  return *n;
}

Status<> setSites(Config& c, const std::vector<std::string>& values) {
  c.dnsbl.sites.clear();
  for (const std::string& item : splitList(values)) {
    if (item.empty()) continue;  // the default "" means no lists
    auto site = parseDnsblSite(item);
    if (!site) return fail(site.error());
    c.dnsbl.sites.push_back(std::move(*site));
  }
  return Ok{};
}

Status<> setThreshold(Config& c, const std::vector<std::string>& values) {
  double threshold = 0;
  auto set = assignScore(threshold, values);
  if (!set) return set;
  // A threshold of 0 or below would list every client, even one no list names.
  if (threshold <= 0) return fail(std::string("must be above 0"));
  c.dnsbl.threshold = threshold;
  return Ok{};
}

Status<> setReplyText(Config& c, const std::vector<std::string>& values) {
  return assignYesNo(c.dnsbl.reply_text, values);
}

constexpr std::array kKeys = {
    ConfigKey{"dnsbl_sites", "", "list",
              "DNS lists to ask about each client, as zone[=filter][*weight] (Postfix "
              "postscreen_dnsbl_sites), e.g. zen.example=127.0.0.[2..11]*3, "
              "list.dnswl.example=127.0.[0..255].[1..3]*-5; empty: the check is off.",
              true, setSites},
    ConfigKey{"dnsbl_threshold", "1", "score",
              "Summed weight of the listing sites at which a client counts as listed; above 0.",
              false, setThreshold},
    ConfigKey{"dnsbl_action", "observe", "action",
              "What a client listed at or above dnsbl_threshold leads to: off, observe, score, "
              "tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.dnsbl.action, v);
              }},
    ConfigKey{"dnsbl_temperror_action", "observe", "action",
              "What a DNS list that cannot be asked (and could change the verdict) leads to: "
              "observe (fail-open) or tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.dnsbl.temperror_action, v);
              }},
    ConfigKey{"dnsbl_timeout", "10s", "duration",
              "Deadline of the DNS list check (all lists, asked at once, and their TXT texts).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.dnsbl.timeout, v);
              }},
    ConfigKey{"dnsbl_reply_text", "yes", "yes/no",
              "Quote the listing's TXT record (usually the delisting URL) in the refusal: yes "
              "or no.",
              false, setReplyText},
};

}  // namespace

bool ReturnCodeFilter::matches(const std::array<std::uint8_t, 4>& address) const {
  if (configured) {
    for (std::size_t i = 0; i < 4; ++i) {
      if (!inRanges(octets[i], address[i])) return false;
    }
    return true;
  }
  // 127.0.0.0 and 127.0.0.1 are never a listing (RFC 5782 uses them for nothing; .1 is
  // what a misconfigured resolver answers), and 127.255.255.0/24 carries the lists' error
  // codes ("query refused", "typo in zone").
  if (address[0] != 127) return false;
  if (address[1] == 0 && address[2] == 0 && address[3] <= 1) return false;
  if (address[1] == 255 && address[2] == 255) return false;
  return true;
}

Result<DnsblSite> parseDnsblSite(std::string_view text) {
  auto wrap = [text](const Error& e) { return fail(fmt::format("'{}': {}", text, e.message)); };
  DnsblSite site;
  site.text = std::string(text);
  std::string_view rest = text;
  if (std::size_t star = rest.find('*'); star != std::string_view::npos) {
    auto weight = parseWeight(rest.substr(star + 1));
    if (!weight) return wrap(weight.error());
    site.weight = *weight;
    rest = rest.substr(0, star);
  }
  if (std::size_t eq = rest.find('='); eq != std::string_view::npos) {
    std::string_view filter_text = rest.substr(eq + 1);
    if (filter_text.empty()) return wrap(Error{"the filter after '=' is empty"});
    auto filter = FilterParser(filter_text).parse();
    if (!filter) return wrap(filter.error());
    site.filter = std::move(*filter);
    rest = rest.substr(0, eq);
  }
  auto zone = parseZone(rest);
  if (!zone) return wrap(zone.error());
  site.zone = std::move(*zone);
  return site;
}

std::span<const ConfigKey> dnsblConfigKeys() {
  return kKeys;
}

}  // namespace ts
