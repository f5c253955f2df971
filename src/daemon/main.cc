// textscreen's entry point: parse the command line, load and validate the configuration,
// then hand over to the Server. --check-config stops after validation.
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "config/config.h"
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
  auto config = ts::loadConfig(*invocation);
  if (!config) {
    std::fprintf(stderr, "textscreen: configuration error: %s\n", config.error().message.c_str());
    return 2;
  }
  if (invocation->check_config) {
    std::fprintf(stdout, "textscreen: configuration ok\n");
    return 0;
  }
  // A client or gateway that resets mid-write must cost an error value, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  ts::setLogTarget(config->log);
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
  ts::Server server(std::move(*invocation), std::move(*config), std::move(*store));
  return server.run();
}
