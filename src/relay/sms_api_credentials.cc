// The file is opened once and checked through its descriptor (fstat), so what is checked is
// what is read. O_NONBLOCK keeps a FIFO given by mistake from hanging the start.
#include "relay/sms_api_credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace ts {
namespace {

// Two short lines and comments; anything far larger is not this file.
constexpr std::size_t kMaxFileBytes = 64 * 1024;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool isAlnum(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

bool hasControl(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

Result<std::string> readChecked(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return fail("sms_api_credentials_file: cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail("sms_api_credentials_file: " + path +
                " is not a regular file; point the key at the file holding account_sid and "
                "auth_token");
  }
  if (st.st_uid != ::geteuid()) {
    ::close(fd);
    return fail("sms_api_credentials_file: " + path + " is owned by uid " +
                std::to_string(st.st_uid) + ", not by the daemon's uid " +
                std::to_string(::geteuid()) + "; chown it to the user textscreen runs as");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return fail("sms_api_credentials_file: " + path + " has mode " + mode +
                ", so other users may read the API token; run chmod 600 " + path);
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return fail("sms_api_credentials_file: cannot read " + path + ": " + why);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return fail("sms_api_credentials_file: " + path +
                  " is too large to be a credentials file (two lines: account_sid=... and "
                  "auth_token=...)");
    }
  }
  ::close(fd);
  return text;
}

}  // namespace

Result<SmsApiCredentials> readSmsApiCredentials(const std::string& path) {
  auto text = readChecked(path);
  if (!text) return fail(text.error().message);
  std::string where = "sms_api_credentials_file: " + path;
  SmsApiCredentials out;
  bool have_sid = false;
  bool have_token = false;
  std::string_view rest = *text;
  for (int number = 1; !rest.empty(); ++number) {
    std::size_t end = rest.find('\n');
    std::string_view line = trimmed(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string at = where + " line " + std::to_string(number);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return fail(at + ": expected account_sid=... or auth_token=...");
    }
    std::string_view key = trimmed(line.substr(0, eq));
    std::string_view value = trimmed(line.substr(eq + 1));
    bool* seen = key == "account_sid" ? &have_sid : key == "auth_token" ? &have_token : nullptr;
    if (seen == nullptr) {
      return fail(at + ": unknown key '" + std::string(key) +
                  "' (only account_sid and auth_token)");
    }
    if (*seen) return fail(at + ": " + std::string(key) + " is given twice; keep one");
    if (value.empty()) return fail(at + ": " + std::string(key) + " is empty");
    if (key == "account_sid" && !isAlnum(value)) {
      return fail(at + ": account_sid must be letters and digits (AC followed by 32 hex)");
    }
    if (key == "auth_token" && hasControl(value)) {
      return fail(at + ": auth_token holds control characters");
    }
    *seen = true;
    (key == "account_sid" ? out.account_sid : out.auth_token) = std::string(value);
  }
  if (!have_sid) return fail(where + ": account_sid=... is missing");
  if (!have_token) return fail(where + ": auth_token=... is missing");
  return out;
}

}  // namespace ts
