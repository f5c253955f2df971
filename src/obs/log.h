// One log line per event, the reference id first and then key=value pairs, so that
// `grep ts-5xk2q7m9d3hfa` finds a transaction's whole story (STYLE.md 11). With
// log_format = json the same fields make one JSON object per line, for log shippers.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

namespace ts {

void setLogTarget(LogTarget target);
// Set once at start, before the first line; a line keeps the format it was begun in.
void setLogFormat(LogFormat format);

class LogLine {
 public:
  explicit LogLine(std::string_view ref);
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  ~LogLine();

  // Text: ref key=value ...; JSON: {"ref":...,"key":value,...}, numbers unquoted.
  LogLine& kv(std::string_view key, std::string_view value);
  LogLine& kv(std::string_view key, const std::string& value) {
    return kv(key, std::string_view(value));
  }
  LogLine& kv(std::string_view key, const char* value) { return kv(key, std::string_view(value)); }
  LogLine& kv(std::string_view key, long long value);
  LogLine& kv(std::string_view key, unsigned long long value);
  LogLine& kv(std::string_view key, int value) { return kv(key, static_cast<long long>(value)); }
  LogLine& kv(std::string_view key, unsigned value) {
    return kv(key, static_cast<unsigned long long>(value));
  }
  LogLine& kv(std::string_view key, unsigned long value) {
    return kv(key, static_cast<unsigned long long>(value));
  }

 private:
  void appendKey(std::string_view key);

  const bool json_;
  std::string line_;
};

}  // namespace ts
