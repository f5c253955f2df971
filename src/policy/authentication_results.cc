// RFC 8601 formatting and the removal of forged fields (RFC 8601 5: a border MTA must
// delete Authentication-Results fields that claim its own authserv-id, or anyone could
// send "dkim=pass" in our name). Values go out as tokens, quoted when they must be, and
// are left out when they cannot be quoted at all (control or 8-bit bytes).
#include "policy/authentication_results.h"

#include <optional>
#include <vector>

#include "util/ascii.h"

namespace ts {
namespace {

// RFC 5322 2.1.1: lines should stay within 78 characters; a longer word stays whole.
constexpr std::size_t kLineMax = 78;
constexpr std::string_view kFieldName = "Authentication-Results";

// RFC 2045 tspecials: what a token may not contain besides controls and space.
bool isTspecial(char c) {
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos;
}

bool isTokenChar(char c) {
  return c > 0x20 && c < 0x7f && !isTspecial(c);
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

// RFC 2045 value (token / quoted-string), or nothing when s holds bytes no quoted-string
// may carry in a 7-bit header.
std::optional<std::string> value(std::string_view s) {
  if (isToken(s)) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c != ' ' && c != '\t' && (c < 0x20 || c >= 0x7f)) return std::nullopt;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// The result names RFC 8601 2.7 registers for each method.
std::string_view spfResult(Outcome o) {
  return outcomeName(o);  // SPF has all seven
}

std::string_view dkimResult(Outcome o) {
  switch (o) {
    case Outcome::kPass:
    case Outcome::kFail:
    case Outcome::kNeutral:
    case Outcome::kTempError:
    case Outcome::kPermError:
    case Outcome::kNone:
      return outcomeName(o);
    case Outcome::kSoftfail:
      return "neutral";  // DKIM has no softfail
  }
  return "none";
}

std::string_view dmarcResult(Outcome o) {
  switch (o) {
    case Outcome::kPass:
    case Outcome::kFail:
    case Outcome::kTempError:
    case Outcome::kPermError:
    case Outcome::kNone:
      return outcomeName(o);
    case Outcome::kSoftfail:
    case Outcome::kNeutral:
      return "none";  // not DMARC results
  }
  return "none";
}

// One method's words: "dkim=pass", then "header.d=example.com", ...
class ResultInfo {
 public:
  explicit ResultInfo(std::string first) { words_.push_back(std::move(first)); }
  void add(std::string word) { words_.push_back(std::move(word)); }
  void property(std::string_view name, std::string_view raw) {
    if (raw.empty()) return;
    if (std::optional<std::string> v = value(raw)) words_.push_back(std::string(name) + "=" + *v);
  }
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;
};

// Each method starts a folded line; its words fill lines up to kLineMax.
void appendFolded(std::string& out, const ResultInfo& info, bool last) {
  out += "\r\n\t";
  std::size_t line = 1;  // the tab
  const std::vector<std::string>& words = info.words();
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string word = words[i];
    if (i + 1 == words.size() && !last) word += ';';
    if (i > 0) {
      if (line + 1 + word.size() > kLineMax) {
        out += "\r\n\t";
        line = 1;
      } else {
        out += ' ';
        ++line;
      }
    }
    out += word;
    line += word.size();
  }
}

bool isWsp(char c) {
  return c == ' ' || c == '\t';
}

// Skips RFC 5322 CFWS: whitespace, line folds and (nested) comments with quoted-pairs.
std::size_t skipCfws(std::string_view s, std::size_t i) {
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (depth > 0 && c == '\\' && i + 1 < s.size()) {
      i += 2;
      continue;
    }
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0 && !isWsp(c) && c != '\r' && c != '\n') {
      break;
    }
    ++i;
  }
  return i;
}

// The authserv-id at the start of an Authentication-Results value: a token or a
// quoted-string (unquoted here), after optional CFWS.
std::string authservId(std::string_view v) {
  std::size_t i = skipCfws(v, 0);
  std::string id;
  if (i < v.size() && v[i] == '"') {
    for (++i; i < v.size() && v[i] != '"'; ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      if (v[i] != '\r' && v[i] != '\n') id.push_back(v[i]);
    }
    return id;
  }
  while (i < v.size() && isTokenChar(v[i])) id.push_back(v[i++]);
  return id;
}

// The end of the line that starts at pos, and where the next one starts.
std::size_t lineEnd(std::string_view s, std::size_t pos, std::size_t& next) {
  std::size_t nl = s.find('\n', pos);
  next = nl == std::string_view::npos ? s.size() : nl + 1;
  std::size_t end = nl == std::string_view::npos ? s.size() : nl;
  if (end > pos && s[end - 1] == '\r') --end;
  return end;
}

bool isOurs(std::string_view field, std::string_view authserv_id) {
  std::size_t colon = field.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && isWsp(name.back())) name.remove_suffix(1);
  if (!asciiEqualsIgnoreCase(name, kFieldName)) return false;
  return asciiEqualsIgnoreCase(authservId(field.substr(colon + 1)), authserv_id);
}

}  // namespace

std::string authenticationResultsHeader(const AuthenticationSummary& s) {
  std::string out = std::string(kFieldName) + ": " + value(s.authserv_id).value_or("\"\"") + ";";

  ResultInfo spf("spf=" + std::string(spfResult(s.spf)));
  spf.property(s.spf_for_helo ? "smtp.helo" : "smtp.mailfrom", s.spf_domain);
  appendFolded(out, spf, false);

  if (s.dkim.empty()) appendFolded(out, ResultInfo("dkim=none"), false);
  for (const DkimSignature& sig : s.dkim) {
    ResultInfo dkim("dkim=" + std::string(dkimResult(sig.outcome)));
    dkim.property("header.d", sig.domain);
    dkim.property("header.s", sig.selector);
    dkim.property("header.a", sig.algorithm);
    appendFolded(out, dkim, false);
  }

  ResultInfo dmarc("dmarc=" + std::string(dmarcResult(s.dmarc)));
  dmarc.property("header.from", s.dmarc_from_domain);
  // The policy as a trailing comment (CFWS may follow a pvalue, RFC 8601 2.2), as large
  // receivers show it, so "dmarc=pass header.from=..." stays one run for readers that
  // match it; only a plain word goes in.
  if (isToken(s.dmarc_policy)) dmarc.add("(p=" + s.dmarc_policy + ")");
  appendFolded(out, dmarc, true);
  out += "\r\n";
  return out;
}

std::string removeForgedAuthenticationResults(std::string_view message,
                                              std::string_view authserv_id) {
  if (authserv_id.empty()) return std::string(message);  // no id to protect
  std::string out;
  out.reserve(message.size());
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t next = 0;
    std::size_t end = lineEnd(message, pos, next);
    if (end == pos) break;  // the empty line: the body follows, untouched
    // One field: its first line and every continuation line (starting with WSP).
    std::size_t field_end = next;
    while (field_end < message.size() && isWsp(message[field_end])) {
      std::size_t after = 0;
      lineEnd(message, field_end, after);
      field_end = after;
    }
    std::string_view field = message.substr(pos, field_end - pos);
    if (!isOurs(field, authserv_id)) out.append(field);
    pos = field_end;
  }
  out.append(message.substr(pos));
  return out;
}

}  // namespace ts
