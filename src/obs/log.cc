// Values are quoted only when they must be (spaces, quotes, '=', control bytes), so lines
// stay readable and still split unambiguously. Text from clients is escaped, never trusted.
#include "obs/log.h"

#include <syslog.h>
#include <unistd.h>

#include <fmt/format.h>

#include <iterator>

#include "obs/json_string.h"

namespace ts {
namespace {

LogTarget g_target = LogTarget::kStderr;
LogFormat g_format = LogFormat::kText;

bool needsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || c == '"' || c == '=' || c == '\\' || u == 127) return true;
  }
  return false;
}

void appendQuoted(std::string& out, std::string_view v) {
  out.push_back('"');
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < ' ' || u == 127) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

void setLogTarget(LogTarget target) {
  if (target == LogTarget::kSyslog && g_target != LogTarget::kSyslog) {
    openlog("textscreen", LOG_PID | LOG_NDELAY, LOG_MAIL);
  }
  g_target = target;
}

void setLogFormat(LogFormat format) {
  g_format = format;
}

LogLine::LogLine(std::string_view ref) : json_(g_format == LogFormat::kJson) {
  line_.reserve(256);
  std::string_view id = ref.empty() ? std::string_view("-") : ref;
  if (json_) {
    line_.append("{\"ref\":");
    appendJsonString(line_, id);
  } else {
    line_.append(id);
  }
}

void LogLine::appendKey(std::string_view key) {
  if (json_) {
    line_.push_back(',');
    appendJsonString(line_, key);
    line_.push_back(':');
  } else {
    line_.push_back(' ');
    line_.append(key);
    line_.push_back('=');
  }
}

LogLine& LogLine::kv(std::string_view key, std::string_view value) {
  appendKey(key);
  if (json_) {
    appendJsonString(line_, value);
  } else if (needsQuotes(value)) {
    appendQuoted(line_, value);
  } else {
    line_.append(value);
  }
  return *this;
}

// A number needs no quotes in either form, so JSON keeps it a number.
LogLine& LogLine::kv(std::string_view key, long long value) {
  appendKey(key);
  fmt::format_to(std::back_inserter(line_), "{}", value);
  return *this;
}

LogLine& LogLine::kv(std::string_view key, unsigned long long value) {
  appendKey(key);
  fmt::format_to(std::back_inserter(line_), "{}", value);
  return *this;
}

LogLine::~LogLine() {
  if (json_) line_.push_back('}');
  if (g_target == LogTarget::kSyslog) {
    syslog(LOG_INFO, "%s", line_.c_str());
    return;
  }
  line_.push_back('\n');
  // One write per line keeps lines whole when several processes share stderr.
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line_.data(), line_.size());
}

}  // namespace ts
