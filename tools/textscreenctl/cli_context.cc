// The configuration is the daemon's own file, read with the daemon's parser, so the CLI
// and the daemon can never disagree on where the store or the control socket is.
#include "cli_context.h"

#include <lmdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace ts::ctl {
namespace {
constexpr const char* kDefaultConfig = "/etc/textscreen/textscreen.conf";
}  // namespace

std::string CliContext::configFile() const {
  if (!options_.config_file.empty()) return options_.config_file;
  const char* env = std::getenv("TEXTSCREEN_CONFIG");
  return env && *env ? std::string(env) : std::string(kDefaultConfig);
}

const Config* CliContext::config() {
  if (config_) return &*config_;
  std::string file = configFile();
  if (::access(file.c_str(), R_OK) != 0) {
    failure(fmt::format(
        "cannot read the configuration file {} (give the daemon's file with --config FILE or "
        "set TEXTSCREEN_CONFIG)",
        file));
    return nullptr;
  }
  Invocation invocation;
  invocation.config_file = file;
  invocation.read_credentials = false;
  if (!options_.control_socket.empty()) {
    invocation.overrides.push_back("control_socket=" + options_.control_socket);
  }
  auto loaded = loadConfig(invocation);
  if (!loaded) {
    failure(
        fmt::format("bad configuration in {}: {} (fix it, then check the file with "
                    "textscreen --config {} --check-config)",
                    file, loaded.error().message, file));
    return nullptr;
  }
  config_ = std::move(*loaded);
  return &*config_;
}

store::StoreEnvironment* CliContext::store() {
  if (store_) return store_.get();
  const Config* c = config();
  if (!c) return nullptr;
  auto opened = store::StoreEnvironment::open(c->storeDirectory(), c->store_map_size);
  if (!opened) {
    failure(fmt::format("{} (is state_dir right in {}, and may this user read it?)",
                        opened.error().message, configFile()));
    return nullptr;
  }
  store_ = std::move(*opened);
  return store_.get();
}

int CliContext::storeFailure(std::string_view action, int rc) const {
  std::string directory = config_ ? config_->storeDirectory() : std::string("the store directory");
  std::string advice;
  if (rc == MDB_MAP_FULL) {
    advice = fmt::format(
        "the store is full: raise store_map_size in {} (and restart textscreen so it maps the "
        "larger size too)",
        configFile());
  } else if (rc == EACCES || rc == EPERM || rc == EROFS) {
    advice = fmt::format(
        "this user may not use {}: run textscreenctl as a member of the textscreen group "
        "(adduser $USER textscreen, then log in again)",
        directory);
  } else if (rc == MDB_READERS_FULL) {
    advice = "too many processes have the store open: try again in a moment";
  } else {
    advice = fmt::format("check the disk and {}, then try again", directory);
  }
  return failure(fmt::format("cannot {}: {}; {}", action, store::storeError(rc), advice));
}

std::int64_t CliContext::now() const {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::string CliContext::who(const std::string& by) {
  if (!by.empty()) return by;
  for (const char* name : {"SUDO_USER", "USER", "LOGNAME"}) {
    const char* v = std::getenv(name);
    if (v && *v) return v;
  }
  return "uid " + std::to_string(::getuid());
}

int failure(std::string_view message) {
  fmt::print(stderr, "textscreenctl: {}\n", message);
  return kExitFailure;
}

int usageError(std::string_view message) {
  fmt::print(stderr, "textscreenctl: {}\n", message);
  return kExitUsage;
}

}  // namespace ts::ctl
