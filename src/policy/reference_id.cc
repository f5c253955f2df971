// Random bits come from OpenSSL's DRBG: seeded once from the kernel, then it never blocks.
#include "policy/reference_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace ts {
namespace {
// Crockford's base32, lower case: no i, l, o, u, so ids survive being read aloud.
constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr std::string_view kPrefix = "ts-";
constexpr std::size_t kChars = kReferenceIdLength - kPrefix.size();
}  // namespace

std::string newReferenceId() {
  std::array<unsigned char, kChars> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // Without randomness every id could collide; running on would mislabel decisions.
    std::abort();
  }
  std::string id(kPrefix);
  for (unsigned char b : bytes) id.push_back(kAlphabet[b & 31]);
  return id;
}

bool isReferenceId(std::string_view text) {
  if (text.size() != kReferenceIdLength || text.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : text.substr(kPrefix.size())) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace ts
