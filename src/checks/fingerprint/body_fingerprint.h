// The bulk fingerprint of a message body: the text normalised (case folded, digits to
// '#', URLs cut to their host, whitespace collapsed) and hashed exactly, plus a MinHash of
// its word shingles, so the same campaign with small variations (a name, a number, a
// tracking path) maps to one cluster while unrelated messages do not.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ts {

struct BodyFingerprint {
  static constexpr std::size_t kSlots = 32;
  std::uint64_t exact = 0;  // XXH3 of the normalised text
  std::array<std::uint64_t, kSlots> minhash{};
  bool empty = true;  // no words at all: never clustered
};

std::string normaliseBody(std::string_view text);
BodyFingerprint fingerprintBody(std::string_view text);
// The share of equal MinHash slots: an estimate of the Jaccard similarity of the shingles.
double similarity(const BodyFingerprint& a, const BodyFingerprint& b);

}  // namespace ts
