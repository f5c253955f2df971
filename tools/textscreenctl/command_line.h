// One parser for every subcommand's arguments: its own options plus the global ones
// (--json, --config may come after the subcommand too), --help generated from the same
// description, and the count of positional arguments checked with a message that says
// what was expected.
#pragma once

#include <boost/program_options.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli_context.h"

namespace ts::ctl {

namespace po = boost::program_options;

struct CommandSpec {
  std::string_view name;      // "allow add"
  std::string_view synopsis;  // "DOMAIN [options]"
  std::string_view summary;   // what it does, shown by --help
  std::size_t min_args = 0;
  std::size_t max_args = 0;
};

struct ParsedCommand {
  po::variables_map vm;
  std::vector<std::string> args;  // the positional arguments

  bool has(const char* option) const { return vm.count(option) > 0; }
  std::string get(const char* option, std::string fallback = "") const {
    return vm.count(option) ? vm[option].as<std::string>() : fallback;
  }
};

// An exit code when the command must stop here (after --help: 0; bad arguments: 2),
// nullopt to go on with out filled in.
std::optional<int> parseCommand(CliContext& ctx, const CommandSpec& spec,
                                const po::options_description& options,
                                const std::vector<std::string>& args, ParsedCommand& out);

// For a group with subcommands ("allow add"): an exit code when there is nothing to run
// (help asked for: 0; no or an unknown subcommand: 2), nullopt when args[0] is one of
// subcommands.
std::optional<int> checkSubcommand(std::string_view group, std::string_view help,
                                   const std::vector<std::string>& args,
                                   const std::vector<std::string_view>& subcommands);

// "see 'textscreenctl allow add --help'", for error messages.
std::string seeHelp(std::string_view command);

}  // namespace ts::ctl
