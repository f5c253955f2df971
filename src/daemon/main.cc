// textscreen's entry point: parse the command line, load and validate the configuration,
// then hand over to the Server. --check-config stops after validation.
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "config/config.h"
#include "config/config_manual.h"
#include "daemon/descriptor_limit.h"
#include "daemon/server.h"
#include "obs/log.h"

int main(int argc, char** argv) {
  auto invocation = ts::parseCommandLine(argc, argv);
  if (!invocation) {
    std::fprintf(stderr, "textscreen: %s\n(try --help)\n", invocation.error().message.c_str());
    return 2;
  }
  if (invocation->help) {
    std::fputs(ts::configHelp().c_str(), stdout);
    return 0;
  }
  if (invocation->print_config_man) {
    std::fputs(ts::configManualOptions().c_str(), stdout);
    return 0;
  }
  auto config = ts::loadConfig(*invocation);
  if (!config) {
    std::fprintf(stderr, "textscreen: configuration error: %s\n", config.error().message.c_str());
    return 2;
  }
  auto security = ts::loadSessionSecurity(*config);
  if (!security) {
    std::fprintf(stderr, "textscreen: configuration error: %s\n", security.error().message.c_str());
    return 2;
  }
  if (invocation->check_config) {
    // The daemon raises its soft limit to the hard one at start: that is what counts.
    auto descriptors = ts::checkDescriptors(*config, ts::currentDescriptorLimit().hard);
    if (!descriptors) {
      std::fprintf(stderr, "textscreen: configuration error: %s\n",
                   descriptors.error().message.c_str());
      return 2;
    }
    std::fprintf(stdout, "textscreen: configuration ok\n");
    return 0;
  }
  // A client or gateway that resets mid-write must cost an error value, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  ts::setLogTarget(config->log);
  ts::setLogFormat(config->log_format);
  ts::DescriptorLimit files = ts::raiseDescriptorLimit();
  ts::LogLine("-")
      .kv("event", "descriptors")
      .kv("limit", static_cast<unsigned long long>(files.soft))
      .kv("hard_limit", static_cast<unsigned long long>(files.hard))
      .kv("needed", static_cast<unsigned long long>(ts::descriptorsNeeded(*config)));
  if (auto descriptors = ts::checkDescriptors(*config, files.soft); !descriptors) {
    std::fprintf(stderr, "textscreen: configuration error: %s\n",
                 descriptors.error().message.c_str());
    return 2;
  }
  // Group-writable as far as the umask allows, like the store in it (StoreEnvironment::open).
  if (::mkdir(config->state_dir.c_str(), 0770) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "textscreen: cannot create state_dir %s: %s\n", config->state_dir.c_str(),
                 std::strerror(errno));
    return 1;
  }
  auto store = ts::store::StoreEnvironment::open(config->storeDirectory(), config->store_map_size);
  if (!store) {
    std::fprintf(stderr, "textscreen: %s\n", store.error().message.c_str());
    return 1;
  }
  ts::Server server(std::move(*invocation), std::move(*config), std::move(*security),
                    std::move(*store));
  return server.run();
}
