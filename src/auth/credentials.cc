// crypt_checksalt tells which hashes this libcrypt can compute: a typo in a hash (or a
// method the library was built without) is a configuration error at load, not a user who
// can never log in.
#include "auth/credentials.h"

#include <crypt.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace ts::auth {
namespace {

// A SHA-512 hash of a random password nobody knows: the decoy of a file without users.
constexpr std::string_view kFallbackDecoy =
    "$6$k3Jx0wq9sQv1mRzA$ZuH22BK9QRWf1x9o3UAcSNkd1NdBm/VRE94X1ISCtic7ezONl0zD0GpB.Ea7fBz."
    "7xaswjgwOrnlxEF7G.sya1";

bool validUserName(std::string_view user) {
  if (user.empty()) return false;
  for (char c : user) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  return true;
}

}  // namespace

Result<Credentials> Credentials::parse(std::string_view text) {
  Credentials out;
  unsigned line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return fail(fmt::format("line {}: expected user:hash", line_number));
    }
    std::string_view user = line.substr(0, colon);
    std::string hash(line.substr(colon + 1));
    if (!validUserName(user)) {
      return fail(
          fmt::format("line {}: the user name is empty or has spaces or control "
                      "characters",
                      line_number));
    }
    if (hash.empty() || hash.front() != '$' || hash.find(':') != std::string::npos) {
      return fail(
          fmt::format("line {}: the hash of {} is not a crypt(3) hash (make one with "
                      "mkpasswd or openssl passwd -6)",
                      line_number, user));
    }
    int salt = crypt_checksalt(hash.c_str());
    if (salt == CRYPT_SALT_METHOD_LEGACY) {
      return fail(fmt::format(
          "line {}: the hash of {} uses a legacy method; use yescrypt ($y$) or SHA-512 ($6$)",
          line_number, user));
    }
    if (salt != CRYPT_SALT_OK) {
      return fail(fmt::format("line {}: the hash of {} is malformed or of an unknown method",
                              line_number, user));
    }
    if (out.decoy_.empty()) out.decoy_ = hash;
    if (!out.users_.emplace(std::string(user), std::move(hash)).second) {
      return fail(fmt::format("line {}: user {} is listed twice", line_number, user));
    }
  }
  if (out.decoy_.empty()) out.decoy_ = std::string(kFallbackDecoy);
  return out;
}

Result<std::shared_ptr<const Credentials>> Credentials::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("auth_users_file " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse(text.str());
  if (!parsed) return fail("auth_users_file " + path + ": " + parsed.error().message);
  return std::make_shared<const Credentials>(std::move(*parsed));
}

const std::string* Credentials::hashFor(std::string_view user) const {
  auto it = users_.find(std::string(user));
  return it == users_.end() ? nullptr : &it->second;
}

}  // namespace ts::auth
