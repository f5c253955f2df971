// What every textscreenctl command shares: the global options, the configuration and
// the store (both opened on first use, so `--help` works without either), the clock,
// and how errors are reported and turned into exit codes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "store/store_environment.h"

namespace ts::ctl {

// Exit codes: a script can tell "you asked wrongly" from "it did not work".
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // not found, refused, store or gateway trouble
constexpr int kExitUsage = 2;    // bad command line or bad input value

struct GlobalOptions {
  std::string config_file;  // empty: $TEXTSCREEN_CONFIG, else the packaged default
  bool json = false;
  // Which of several daemons sharing a state_dir to ask (each has its own control_socket);
  // empty: the one the configuration names.
  std::string control_socket;
};

class CliContext {
 public:
  explicit CliContext(GlobalOptions options) : options_(std::move(options)) {}

  bool json() const { return options_.json; }
  void setJson(bool json) { options_.json = json; }
  void setConfigFile(std::string file) { options_.config_file = std::move(file); }
  std::string configFile() const;

  // nullptr after printing why (the caller returns kExitFailure).
  const Config* config();
  store::StoreEnvironment* store();

  // Reports a failed store operation ("read the store", "write the ban list") with what
  // the operator can do about it; returns kExitFailure.
  int storeFailure(std::string_view action, int rc) const;

  std::int64_t now() const;
  // Who is making a change: --by, else the user behind sudo, else the user.
  static std::string who(const std::string& by);

 private:
  GlobalOptions options_;
  std::optional<Config> config_;
  std::unique_ptr<store::StoreEnvironment> store_;
};

// Prints "textscreenctl: message" on stderr and returns the exit code, so a command
// can `return failure(...)`.
int failure(std::string_view message);
int usageError(std::string_view message);

}  // namespace ts::ctl
