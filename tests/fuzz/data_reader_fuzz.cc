// Fuzzes the DATA reader: the result must not depend on where the stream is split, the
// message never exceeds its bound, and an unflagged message has only CRLF line endings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smtp/data_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t split = data[0] % size;
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t kMax = 512;

  ts::smtp::DataReader whole(kMax);
  std::size_t used_whole = whole.feed(stream);

  ts::smtp::DataReader parts(kMax);
  std::size_t used_parts = parts.feed(stream.substr(0, split));
  if (!parts.done()) used_parts += parts.feed(stream.substr(split));

  if (used_whole != used_parts || whole.done() != parts.done() ||
      whole.message() != parts.message() || whole.bareLineEnding() != parts.bareLineEnding() ||
      whole.oversize() != parts.oversize()) {
    std::abort();
  }
  if (whole.message().size() > kMax) std::abort();
  if (whole.done() && !whole.bareLineEnding() && !whole.oversize()) {
    const std::string& m = whole.message();
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) std::abort();
      if (m[i] == '\r' && (i + 1 >= m.size() || m[i + 1] != '\n')) std::abort();
    }
  }
  return 0;
}
