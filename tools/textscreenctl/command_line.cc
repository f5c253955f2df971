// Boost.Program_options throws on bad input; that is fine in a CLI as long as every
// exception becomes a one-line message and exit code 2 here, never a crash.
#include "command_line.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

namespace ts::ctl {

namespace {

// Word-wraps a help paragraph at width columns; explicit line breaks are kept.
std::string wrap(std::string_view text, std::size_t width) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find_first_of(" \n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    if (end < text.size() && text[end] == '\n') {
      out += line + "\n";
      line.clear();
    }
    pos = end + 1;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

}  // namespace

std::string seeHelp(std::string_view command) {
  return fmt::format("see 'textscreenctl {} --help'", command);
}

std::optional<int> checkSubcommand(std::string_view group, std::string_view help,
                                   const std::vector<std::string>& args,
                                   const std::vector<std::string_view>& subcommands) {
  if (args.empty()) {
    fmt::print(stderr, "{}", help);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    fmt::print("{}", help);
    return kExitOk;
  }
  for (std::string_view s : subcommands) {
    if (args[0] == s) return std::nullopt;
  }
  return usageError(fmt::format("unknown {} subcommand '{}' ({}; see 'textscreenctl {} --help')",
                                group, args[0], fmt::join(subcommands, ", "), group));
}

std::optional<int> parseCommand(CliContext& ctx, const CommandSpec& spec,
                                const po::options_description& options,
                                const std::vector<std::string>& args, ParsedCommand& out) {
  po::options_description common("Common options");
  common.add_options()("json", "machine output: one JSON object, or JSON lines for lists")(
      "config", po::value<std::string>()->value_name("FILE"), "the daemon's configuration file")(
      "help,h", "this help");
  po::options_description hidden;
  hidden.add_options()("positional", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(common).add(hidden);
  po::positional_options_description positional;
  positional.add("positional", -1);
  try {
    po::store(
        po::command_line_parser(args)
            .options(all)
            .positional(positional)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        out.vm);
    po::notify(out.vm);
  } catch (const po::error& e) {
    return usageError(fmt::format("{}: {} ({})", spec.name, e.what(), seeHelp(spec.name)));
  }
  if (out.vm.count("help")) {
    std::cout << "usage: textscreenctl " << spec.name << " " << spec.synopsis << "\n\n"
              << wrap(spec.summary, 80) << "\n";
    if (!options.options().empty()) std::cout << options << "\n";
    std::cout << common;
    return kExitOk;
  }
  if (out.vm.count("json")) ctx.setJson(true);
  if (out.vm.count("config")) ctx.setConfigFile(out.vm["config"].as<std::string>());
  if (out.vm.count("positional")) out.args = out.vm["positional"].as<std::vector<std::string>>();
  if (out.args.size() < spec.min_args) {
    return usageError(fmt::format("{}: missing argument: usage: textscreenctl {} {} ({})",
                                  spec.name, spec.name, spec.synopsis, seeHelp(spec.name)));
  }
  if (out.args.size() > spec.max_args) {
    return usageError(fmt::format("{}: unexpected argument '{}' ({})", spec.name,
                                  out.args[spec.max_args], seeHelp(spec.name)));
  }
  return std::nullopt;
}

}  // namespace ts::ctl
