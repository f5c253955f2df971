// Values are quoted only when they must be (spaces, quotes, '=', control bytes), so lines
// stay readable and still split unambiguously. Text from clients is escaped, never trusted.
#include "obs/log.h"

#include <syslog.h>
#include <unistd.h>

#include <fmt/format.h>

namespace ts {
namespace {

LogTarget g_target = LogTarget::kStderr;

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

LogLine::LogLine(std::string_view ref) {
  line_.reserve(256);
  line_.append(ref.empty() ? std::string_view("-") : ref);
}

LogLine& LogLine::kv(std::string_view key, std::string_view value) {
  line_.push_back(' ');
  line_.append(key);
  line_.push_back('=');
  if (needsQuotes(value)) {
    appendQuoted(line_, value);
  } else {
    line_.append(value);
  }
  return *this;
}

LogLine& LogLine::kv(std::string_view key, long long value) {
  return kv(key, std::string_view(fmt::format("{}", value)));
}

LogLine& LogLine::kv(std::string_view key, unsigned long long value) {
  return kv(key, std::string_view(fmt::format("{}", value)));
}

LogLine::~LogLine() {
  if (g_target == LogTarget::kSyslog) {
    syslog(LOG_INFO, "%s", line_.c_str());
    return;
  }
  line_.push_back('\n');
  // One write per line keeps lines whole when several processes share stderr.
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line_.data(), line_.size());
}

}  // namespace ts
