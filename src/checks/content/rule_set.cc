// Compiles the rule files (doc/rules.md) into matchers that cost little per message: every
// body regex goes into one RE2::Set, so the decoded text is scanned once however many body
// rules there are; the few header, URL, size and attachment rules are checked one by one
// without allocating. A file is refused at its first mistake, named by file:line.
#include "checks/content/rule_set.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "config/value_parsers.h"
#include "util/ascii.h"

namespace ts {
namespace {

enum class RuleKind { kHeader, kBody, kUri, kUriCount, kUriHost, kSize, kAttachment };
enum class Compare { kGe, kGt, kLe, kLt, kEq, kNe };

constexpr std::size_t kMaxNameLength = 100;
// RE2's default budget (8 MiB) is too small for a Set of a few hundred body rules.
constexpr std::int64_t kBodySetMemory = 64 << 20;

struct Location {
  std::string origin;
  std::size_t line = 0;
};

std::string locationText(const Location& where) {
  return fmt::format("{}:{}", where.origin, where.line);
}

Failure<Error> errorAt(const Location& where, std::string_view what) {
  return fail(fmt::format("{}: {}", locationText(where), what));
}

struct Rule {
  std::string name;
  RuleKind kind = RuleKind::kBody;
  Location where;
  std::string description;
  double score = 0;
  std::string header_name;     // header rules; "ALL": every "Name: value" line
  bool negate = false;         // header rules written with !~
  std::unique_ptr<RE2> regex;  // header, uri and attachment rules; null: any attachment
  Compare compare = Compare::kGe;
  std::uint64_t limit = 0;         // uri_count and size rules
  std::vector<std::string> hosts;  // uri_host rules, lower case
};

bool compare(std::uint64_t value, Compare op, std::uint64_t limit) {
  switch (op) {
    case Compare::kGe:
      return value >= limit;
    case Compare::kGt:
      return value > limit;
    case Compare::kLe:
      return value <= limit;
    case Compare::kLt:
      return value < limit;
    case Compare::kEq:
      return value == limit;
    case Compare::kNe:
      return value != limit;
  }
  return false;
}

// host is domain or one of its subdomains: "t.co" matches "t.co" and "x.t.co", not "at.co".
bool hostWithin(std::string_view host, std::string_view domain) {
  if (host.size() == domain.size()) return host == domain;
  return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

class CompiledRuleSet : public RuleSet {
 public:
  CompiledRuleSet(std::vector<Rule> rules, std::unique_ptr<RE2::Set> body_set,
                  std::vector<std::size_t> body_rules)
      : rules_(std::move(rules)),
        body_set_(std::move(body_set)),
        body_rules_(std::move(body_rules)) {}

  std::vector<RuleHit> evaluate(const MessageContent& message) const override {
    std::vector<char> hit(rules_.size(), 0);
    if (body_set_) {
      std::vector<int> matched;
      body_set_->Match(message.text, &matched);
      for (int index : matched) hit[body_rules_[static_cast<std::size_t>(index)]] = 1;
    }
    std::string line;  // reused for ALL header rules
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].kind != RuleKind::kBody) hit[i] = matches(rules_[i], message, line);
    }
    std::vector<RuleHit> hits;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (hit[i]) hits.push_back(RuleHit{rules_[i].name, rules_[i].score, rules_[i].description});
    }
    return hits;
  }

  std::size_t size() const override { return rules_.size(); }

 private:
  static bool matches(const Rule& rule, const MessageContent& message, std::string& line) {
    switch (rule.kind) {
      case RuleKind::kHeader:
        return headerMatches(rule, message, line) != rule.negate;
      case RuleKind::kUri:
        for (const MessageUrl& url : message.urls) {
          if (RE2::PartialMatch(url.url, *rule.regex)) return true;
        }
        return false;
      case RuleKind::kUriCount:
        return compare(message.urls.size(), rule.compare, rule.limit);
      case RuleKind::kSize:
        return compare(message.size, rule.compare, rule.limit);
      case RuleKind::kUriHost:
        for (const MessageUrl& url : message.urls) {
          for (const std::string& domain : rule.hosts) {
            if (hostWithin(url.host, domain)) return true;
          }
        }
        return false;
      case RuleKind::kAttachment:
        for (const MessageAttachment& a : message.attachments) {
          if (!rule.regex || RE2::PartialMatch(a.filename, *rule.regex)) return true;
        }
        return false;
      case RuleKind::kBody:
        break;
    }
    return false;
  }

  // Whether the regex matches any header of the rule's name; a missing header reads as
  // empty, so "Subject =~ /^$/" finds a message without a subject.
  static bool headerMatches(const Rule& rule, const MessageContent& message, std::string& line) {
    bool all = rule.header_name == "ALL";
    bool seen = false;
    for (const MessageHeader& h : message.headers) {
      if (all) {
        line.assign(h.name).append(": ").append(h.value);
        if (RE2::PartialMatch(line, *rule.regex)) return true;
        continue;
      }
      if (!asciiEqualsIgnoreCase(h.name, rule.header_name)) continue;
      seen = true;
      if (RE2::PartialMatch(h.value, *rule.regex)) return true;
    }
    return !all && !seen && RE2::PartialMatch("", *rule.regex);
  }

  std::vector<Rule> rules_;
  std::unique_ptr<RE2::Set> body_set_;   // null when there are no body rules
  std::vector<std::size_t> body_rules_;  // the set's pattern index -> rules_ index
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The first whitespace-separated word of text; text keeps the rest, trimmed.
std::string_view nextWord(std::string_view& text) {
  std::size_t end = text.find_first_of(" \t");
  std::string_view word = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : trim(text.substr(end));
  return word;
}

bool isRuleName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// RFC 5322 2.2: a field name is printable ASCII without the colon.
bool isHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c < 33 || c > 126 || c == ':') return false;
  }
  return true;
}

bool isHostName(std::string_view host) {
  if (host.empty() || host.front() == '.' || host.back() == '.') return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

struct RegexSpec {
  std::string pattern;
  bool ignore_case = false;
  bool dot_newline = false;
};

// "/pattern/flags", split at the last slash, so a pattern may hold slashes unescaped.
Result<RegexSpec> parseRegex(std::string_view text) {
  std::size_t close = text.rfind('/');
  if (text.size() < 2 || text.front() != '/' || close == 0) {
    return fail(fmt::format("expected a regex written /pattern/ (flags i, s), not '{}'", text));
  }
  RegexSpec spec;
  spec.pattern = std::string(text.substr(1, close - 1));
  if (spec.pattern.empty()) return fail(std::string("the regex is empty"));
  for (char flag : text.substr(close + 1)) {
    if (flag == 'i') {
      spec.ignore_case = true;
    } else if (flag == 's') {
      spec.dot_newline = true;
    } else {
      return fail(fmt::format(
          "unknown regex flag '{}'; use i (ignore case) or s (dot matches newline)", flag));
    }
  }
  return spec;
}

RE2::Options regexOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

Result<std::unique_ptr<RE2>> compileRegex(const RegexSpec& spec) {
  RE2::Options options = regexOptions();
  options.set_case_sensitive(!spec.ignore_case);
  options.set_dot_nl(spec.dot_newline);
  auto regex = std::make_unique<RE2>(spec.pattern, options);
  if (!regex->ok()) return fail(fmt::format("bad regex /{}/: {}", spec.pattern, regex->error()));
  return regex;
}

// ">= 4", ">4", "== 0": the comparison and the number.
Status<> parseComparison(std::string_view text, Rule& rule) {
  std::size_t op_end = text.find_first_not_of("<>=!");
  std::string_view op = text.substr(0, op_end);
  std::string_view number = op_end == std::string_view::npos ? "" : trim(text.substr(op_end));
  static constexpr std::pair<std::string_view, Compare> kOps[] = {
      {">=", Compare::kGe}, {">", Compare::kGt},  {"<=", Compare::kLe},
      {"<", Compare::kLt},  {"==", Compare::kEq}, {"!=", Compare::kNe}};
  bool known = false;
  for (const auto& [name, value] : kOps) {
    if (op == name) {
      rule.compare = value;
      known = true;
    }
  }
  if (!known) {
    return fail(fmt::format("bad operator '{}'; expected >=, >, <=, <, == or !=", op));
  }
  if (rule.kind == RuleKind::kSize) {
    auto size = parseByteSize(number);
    if (!size) return fail(size.error().message);
    rule.limit = *size;
    return Ok{};
  }
  auto count = parseCount(number);
  if (!count) return fail(fmt::format("'{}' is not a count", number));
  rule.limit = *count;
  return Ok{};
}

class RuleCompiler {
 public:
  Status<> parseText(std::string_view text, std::string_view origin) {
    std::size_t number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = std::min(text.find('\n', pos), text.size());
      std::string_view line = trim(text.substr(pos, end - pos));
      pos = end + 1;
      ++number;
      if (line.empty() || line.front() == '#') continue;
      auto parsed = parseLine(line, Location{std::string(origin), number});
      if (!parsed) return parsed;
    }
    return Ok{};
  }

  Result<std::shared_ptr<const RuleSet>> finish() {
    for (Attribute& d : describes_) {
      auto it = index_.find(d.name);
      if (it == index_.end()) return errorAt(d.where, "describe for unknown rule " + d.name);
      rules_[it->second].description = std::move(d.text);
    }
    for (const Attribute& s : scores_) {
      auto it = index_.find(s.name);
      if (it == index_.end()) return errorAt(s.where, "score for unknown rule " + s.name);
      rules_[it->second].score = s.score;
    }
    for (const Rule& rule : rules_) {
      if (!describe_index_.count(rule.name)) {
        return errorAt(rule.where, "rule " + rule.name + " has no describe line");
      }
      if (!score_index_.count(rule.name)) {
        return errorAt(rule.where, "rule " + rule.name + " has no score line");
      }
    }
    std::unique_ptr<RE2::Set> body_set;
    std::vector<std::size_t> body_rules;
    if (!body_patterns_.empty()) {
      RE2::Options options = regexOptions();
      options.set_max_mem(kBodySetMemory);
      body_set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
      for (const auto& [rule_index, pattern] : body_patterns_) {
        std::string error;
        if (body_set->Add(pattern, &error) < 0) {
          return errorAt(rules_[rule_index].where, "bad regex: " + error);
        }
        body_rules.push_back(rule_index);
      }
      if (!body_set->Compile()) {
        return fail(std::string(
            "the body rules are too large to compile together; split or simplify them"));
      }
    }
    return std::shared_ptr<const RuleSet>(std::make_shared<CompiledRuleSet>(
        std::move(rules_), std::move(body_set), std::move(body_rules)));
  }

 private:
  struct Attribute {
    std::string name;
    Location where;
    std::string text;
    double score = 0;
  };

  Status<> parseLine(std::string_view line, const Location& where) {
    std::string_view directive = nextWord(line);
    std::string_view name = nextWord(line);
    static constexpr std::pair<std::string_view, RuleKind> kKinds[] = {
        {"header", RuleKind::kHeader},
        {"body", RuleKind::kBody},
        {"uri", RuleKind::kUri},
        {"uri_count", RuleKind::kUriCount},
        {"uri_host", RuleKind::kUriHost},
        {"size", RuleKind::kSize},
        {"attachment", RuleKind::kAttachment}};
    bool is_attribute = directive == "describe" || directive == "score";
    const RuleKind* kind = nullptr;
    for (const auto& [word, value] : kKinds) {
      if (directive == word) kind = &value;
    }
    if (!kind && !is_attribute) {
      return errorAt(where, fmt::format("unknown directive '{}'; expected header, body, uri, "
                                        "uri_count, uri_host, size, attachment, describe or score",
                                        directive));
    }
    if (name.empty()) return errorAt(where, fmt::format("{} needs a rule name", directive));
    if (!isRuleName(name)) {
      return errorAt(where, fmt::format("'{}' is not a rule name (letters, digits and _, at most "
                                        "{} characters)",
                                        name, kMaxNameLength));
    }
    if (directive == "describe") return addDescribe(std::string(name), line, where);
    if (directive == "score") return addScore(std::string(name), line, where);
    if (auto it = index_.find(std::string(name)); it != index_.end()) {
      return errorAt(where, fmt::format("rule {} is already defined at {}", name,
                                        locationText(rules_[it->second].where)));
    }
    Rule rule;
    rule.name = std::string(name);
    rule.kind = *kind;
    rule.where = where;
    auto parsed = parseDefinition(rule, line);
    if (!parsed) {
      return errorAt(where, fmt::format("{} {}: {}", directive, name, parsed.error().message));
    }
    index_.emplace(rule.name, rules_.size());
    rules_.push_back(std::move(rule));
    return Ok{};
  }

  Status<> parseDefinition(Rule& rule, std::string_view text) {
    switch (rule.kind) {
      case RuleKind::kBody: {
        auto spec = parseRegex(text);
        if (!spec) return fail(spec.error().message);
        // Each pattern carries its own flags: the Set shares one set of options.
        std::string flags =
            std::string(spec->ignore_case ? "i" : "") + (spec->dot_newline ? "s" : "");
        if (auto checked = compileRegex(*spec); !checked) return fail(checked.error().message);
        body_patterns_.emplace_back(
            rules_.size(), flags.empty() ? spec->pattern : "(?" + flags + ")" + spec->pattern);
        return Ok{};
      }
      case RuleKind::kHeader: {
        std::string_view header = nextWord(text);
        std::string_view op = nextWord(text);
        if (!isHeaderName(header) || op.empty()) {
          return fail(std::string("expected 'Header =~ /regex/' or 'Header !~ /regex/'"));
        }
        if (op != "=~" && op != "!~") {
          return fail(fmt::format("bad operator '{}'; expected =~ or !~", op));
        }
        rule.header_name = std::string(header);
        rule.negate = op == "!~";
        return compileInto(rule, text);
      }
      case RuleKind::kAttachment:
        if (text == "any") return Ok{};
        return compileInto(rule, text);
      case RuleKind::kUri:
        return compileInto(rule, text);
      case RuleKind::kUriCount:
      case RuleKind::kSize:
        return parseComparison(text, rule);
      case RuleKind::kUriHost:
        for (const std::string& host : splitList({std::string(text)})) {
          std::string lower = asciiLower(host);
          if (!isHostName(lower)) return fail(fmt::format("'{}' is not a host name", host));
          rule.hosts.push_back(std::move(lower));
        }
        if (rule.hosts.empty()) return fail(std::string("needs at least one host name"));
        return Ok{};
    }
    return Ok{};
  }

  static Status<> compileInto(Rule& rule, std::string_view text) {
    auto spec = parseRegex(text);
    if (!spec) return fail(spec.error().message);
    auto regex = compileRegex(*spec);
    if (!regex) return fail(regex.error().message);
    rule.regex = std::move(*regex);
    return Ok{};
  }

  Status<> addDescribe(std::string name, std::string_view text, const Location& where) {
    if (text.empty()) return errorAt(where, "describe " + name + " needs a text");
    if (auto it = describe_index_.find(name); it != describe_index_.end()) {
      return errorAt(where, fmt::format("second describe for {}; the first is at {}", name,
                                        locationText(describes_[it->second].where)));
    }
    describe_index_.emplace(name, describes_.size());
    describes_.push_back(Attribute{std::move(name), where, std::string(text), 0});
    return Ok{};
  }

  Status<> addScore(std::string name, std::string_view text, const Location& where) {
    if (auto it = score_index_.find(name); it != score_index_.end()) {
      return errorAt(where, fmt::format("second score for {}; the first is at {}", name,
                                        locationText(scores_[it->second].where)));
    }
    auto score = parseNumber(text);
    if (text.empty() || !score) {
      return errorAt(where, fmt::format("score {}: '{}' is not a number", name, text));
    }
    score_index_.emplace(name, scores_.size());
    scores_.push_back(Attribute{std::move(name), where, {}, *score});
    return Ok{};
  }

  std::vector<Rule> rules_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::pair<std::size_t, std::string>> body_patterns_;  // rules_ index, pattern
  // describe and score lines may come before or after their rule, even in another file.
  std::vector<Attribute> describes_;
  std::unordered_map<std::string, std::size_t> describe_index_;
  std::vector<Attribute> scores_;
  std::unordered_map<std::string, std::size_t> score_index_;
};

}  // namespace

Result<std::shared_ptr<const RuleSet>> RuleSet::load(const std::vector<std::string>& paths) {
  RuleCompiler compiler;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(fmt::format("{}: cannot read the rule file", path));
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = compiler.parseText(text.str(), path);
    if (!parsed) return fail(parsed.error().message);
  }
  return compiler.finish();
}

Result<std::shared_ptr<const RuleSet>> RuleSet::parse(std::string_view text,
                                                      std::string_view origin) {
  RuleCompiler compiler;
  auto parsed = compiler.parseText(text, origin);
  if (!parsed) return fail(parsed.error().message);
  return compiler.finish();
}

}  // namespace ts
