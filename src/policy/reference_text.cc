// Only the shape is checked (ts- and base-32 characters), not the length: a shorter id
// from an older version would still be looked up.
#include "policy/reference_text.h"

#include <fmt/format.h>

#include "util/ascii.h"

namespace ts {

Result<std::string> parseReference(std::string_view text) {
  std::string_view t = text;
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  std::string ref = asciiLower(t);
  bool ok = ref.size() > 3 && ref.compare(0, 3, "ts-") == 0;
  for (std::size_t i = 3; ok && i < ref.size(); ++i) {
    ok = (ref[i] >= 'a' && ref[i] <= 'z') || (ref[i] >= '0' && ref[i] <= '9');
  }
  if (!ok) {
    return fail(fmt::format(
        "'{}' is not a reference id; they look like ts-5xk2q7m9d3hfa (the [ts-...] in a reply)",
        text));
  }
  return ref;
}

}  // namespace ts
