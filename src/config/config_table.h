// The one table of configuration keys: name, kind, default, unit, a line of doc and how
// the value lands in Config. --help, the man page and validation all read it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "config/config.h"
#include "util/result.h"

namespace ts {

struct ConfigKey {
  std::string_view name;
  std::string_view default_value;
  std::string_view unit;  // "seconds", "bytes", "list", ... for the docs
  std::string_view doc;
  bool is_list;
  Status<> (*apply)(Config& config, const std::vector<std::string>& values);
};

// The keys as --help and the man page list them: the core's, then each check's own table.
struct ConfigKeyGroup {
  std::string_view title;
  std::span<const ConfigKey> keys;
};

std::span<const ConfigKeyGroup> configKeyGroups();
// Every key of every group, in that order: what the loader and the validator walk.
std::span<const ConfigKey> configKeys();

}  // namespace ts
