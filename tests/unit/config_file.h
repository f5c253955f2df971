// Loads a configuration from file text plus command-line overrides, as the daemon would:
// the tests of the core keys and of each check's keys share this one way to do it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace ts::testing {

inline Result<Config> loadWith(const std::string& file_text,
                               std::vector<std::string> overrides = {}) {
  char path[] = "/tmp/textscreen-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  std::ofstream(path) << file_text;
  Invocation inv;
  inv.config_file = path;
  inv.overrides = std::move(overrides);
  auto result = loadConfig(inv);
  std::remove(path);
  close(fd);
  return result;
}

}  // namespace ts::testing
