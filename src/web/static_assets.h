// The stylesheet and the script, compiled into the binary from src/web/assets/ so the
// pages need nothing from outside textscreen and cannot drift from the code that uses them.
#pragma once

#include <optional>
#include <string_view>

namespace ts {

struct StaticAsset {
  std::string_view content_type;
  std::string_view body;
};

// name: "style.css" or "app.js"; nullopt for anything else.
std::optional<StaticAsset> staticAsset(std::string_view name);

}  // namespace ts
