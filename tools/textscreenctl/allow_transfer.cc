// `textscreenctl allow import|export`: the allowlist as CSV (for spreadsheets) or JSON
// lines (for scripts). An import checks every line before it writes anything, so a file
// with one bad line changes nothing and the operator fixes it and runs it again.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command_line.h"
#include "commands.h"
#include "csv.h"
#include "progress.h"
#include "store/allowlist_store.h"
#include "time_text.h"
#include "util/input_checks.h"

namespace ts::ctl {
namespace {

const std::vector<std::string> kColumns{"domain",   "subdomains", "scope",  "expires",
                                        "added_by", "note",       "created"};
// Entries per write transaction: the daemon's own writer waits for ours to commit.
constexpr std::size_t kBatch = 1000;
constexpr std::size_t kShownProblems = 20;
// Smaller imports finish before a progress line would tell anyone anything.
constexpr std::size_t kProgressFrom = 10 * kBatch;

enum class Format { kCsv, kJsonl };

Result<Format> formatOf(const ParsedCommand& cmd, const std::string& file) {
  std::string f = cmd.get("format");
  if (f.empty()) {
    bool jsonl = file.size() > 5 && (file.ends_with(".jsonl") || file.ends_with(".json"));
    return jsonl ? Format::kJsonl : Format::kCsv;
  }
  if (f == "csv") return Format::kCsv;
  if (f == "jsonl") return Format::kJsonl;
  return fail(fmt::format("--format {}: use csv or jsonl", f));
}

struct Candidate {
  std::size_t line = 0;
  store::AllowEntry entry;
};

// The checks 'allow add' makes, applied to an imported entry; fills the defaults.
Status<> completeEntry(store::AllowEntry& e, const std::string& who, std::int64_t now) {
  auto domain = normaliseDomain(e.domain);
  if (!domain) return fail(domain.error().message);
  e.domain = *domain;
  for (const std::string& item : e.scope) {
    auto one = parseScope(item, "");
    if (!one) return fail(one.error().message);
    if (one->size() != 1) return fail(fmt::format("scope item '{}' holds more than one", item));
  }
  if (auto ok = checkOneLine("the note", e.note, 1000, false); !ok) return ok;
  if (auto ok = checkOneLine("added_by", e.added_by, 200, false); !ok) return ok;
  if (e.added_by.empty()) e.added_by = who;
  if (e.created == 0) e.created = now;
  return Ok{};
}

Result<bool> parseYesNo(const std::string& text) {
  if (text.empty() || text == "false" || text == "no" || text == "0") return false;
  if (text == "true" || text == "yes" || text == "1") return true;
  return fail(fmt::format("subdomains is '{}'; use true or false", text));
}

Result<std::int64_t> parseStamp(const std::string& column, const std::string& text,
                                std::int64_t now) {
  if (text.empty()) return std::int64_t{0};
  auto t = parseWhen(text, now, Relative::kAhead);
  if (!t) return fail(column + ": " + t.error().message);
  return t;
}

void readCsv(std::string_view text, const std::string& who, std::int64_t now,
             std::vector<Candidate>& out, std::vector<std::pair<std::size_t, std::string>>& bad) {
  auto records = parseCsv(text);
  if (!records) {
    bad.emplace_back(0, records.error().message);
    return;
  }
  if (records->empty()) return;
  const CsvRecord& header = records->front();
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& name = header.fields[i];
    if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
      bad.emplace_back(header.line,
                       fmt::format("unknown column '{}'; the first line must be the header {}",
                                   name, fmt::join(kColumns, ",")));
      return;
    }
    column[name] = i;
  }
  if (!column.count("domain")) {
    bad.emplace_back(header.line,
                     fmt::format("the first line must be the header {}", fmt::join(kColumns, ",")));
    return;
  }
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    if (rec.fields.size() != header.fields.size()) {
      bad.emplace_back(rec.line, fmt::format("{} fields, but the header has {}", rec.fields.size(),
                                             header.fields.size()));
      continue;
    }
    auto at = [&](const char* name) -> std::string {
      auto it = column.find(name);
      return it == column.end() ? std::string() : rec.fields[it->second];
    };
    Candidate c;
    c.line = rec.line;
    c.entry.domain = at("domain");
    c.entry.note = at("note");
    c.entry.added_by = at("added_by");
    auto subdomains = parseYesNo(at("subdomains"));
    auto scope = parseScope(at("scope"), ";");
    auto expires = parseStamp("expires", at("expires"), now);
    auto created = parseStamp("created", at("created"), now);
    std::string problem = !subdomains ? subdomains.error().message
                          : !scope    ? scope.error().message
                          : !expires  ? expires.error().message
                          : !created  ? created.error().message
                                      : std::string();
    if (problem.empty()) {
      c.entry.subdomains = *subdomains;
      c.entry.scope = std::move(*scope);
      c.entry.expires = *expires;
      c.entry.created = *created;
      if (auto ok = completeEntry(c.entry, who, now); !ok) problem = ok.error().message;
    }
    if (!problem.empty()) {
      bad.emplace_back(rec.line, problem);
    } else {
      out.push_back(std::move(c));
    }
  }
}

void readJsonl(std::string_view text, const std::string& who, std::int64_t now,
               std::vector<Candidate>& out, std::vector<std::pair<std::size_t, std::string>>& bad) {
  std::size_t line = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json j = nlohmann::json::parse(l, nullptr, false);
    if (j.is_discarded()) {
      bad.emplace_back(line, "not valid JSON");
      continue;
    }
    auto entry = store::allowEntryFromJson(j);
    if (!entry) {
      bad.emplace_back(line, entry.error().message);
      continue;
    }
    if (auto ok = completeEntry(*entry, who, now); !ok) {
      bad.emplace_back(line, ok.error().message);
      continue;
    }
    out.push_back(Candidate{line, std::move(*entry)});
  }
}

// An import that stops half way leaves the entries before it in: running the same file
// again is safe, because an import replaces entries rather than adding twice.
std::string stoppedAt(std::size_t done, std::size_t total) {
  return fmt::format(
      "import past entry {} of {} (those before it are in; once this is fixed, run the same "
      "import again)",
      done, total);
}

}  // namespace

int runAllowImport(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("format", po::value<std::string>()->value_name("FORMAT"),
                        "csv or jsonl (default: jsonl for *.jsonl and *.json, else csv)")(
      "by", po::value<std::string>()->value_name("WHO"),
      "who the entries are added by when a line does not say (default: $SUDO_USER or $USER)");
  ParsedCommand cmd;
  CommandSpec spec{"allow import", "FILE [--format csv|jsonl]",
                   "Adds or replaces the allowlist entries in FILE ('-' reads stdin). CSV starts "
                   "with the header line domain,subdomains,scope,expires,added_by,note,created "
                   "(scope items separated by ';', times as UTC dates like 2026-12-31 or "
                   "2026-12-31T18:00:00Z, subdomains true or false); JSON lines hold one entry "
                   "as 'allow list --json' prints it. Every line is checked first: if any is "
                   "bad, each problem is shown as FILE:LINE and nothing is imported.",
                   1, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const std::string& file = cmd.args[0];
  auto format = formatOf(cmd, file);
  if (!format) return usageError(format.error().message);
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return failure(fmt::format("cannot read {}: {} (check the path, or give '-' to read stdin)",
                                 file, std::strerror(errno)));
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::int64_t now = ctx.now();
  std::string who = CliContext::who(cmd.get("by"));
  std::vector<Candidate> entries;
  std::vector<std::pair<std::size_t, std::string>> bad;
  if (*format == Format::kCsv) {
    readCsv(text, who, now, entries, bad);
  } else {
    readJsonl(text, who, now, entries, bad);
  }
  std::map<std::string, std::size_t> first_line;
  for (const Candidate& c : entries) {
    auto [it, inserted] = first_line.emplace(c.entry.domain, c.line);
    if (!inserted) {
      bad.emplace_back(c.line, fmt::format("{} is already on line {}", c.entry.domain, it->second));
    }
  }
  std::string name = file == "-" ? std::string("<stdin>") : file;
  if (!bad.empty()) {
    std::sort(bad.begin(), bad.end());
    for (std::size_t i = 0; i < bad.size() && i < kShownProblems; ++i) {
      if (bad[i].first == 0) {
        fmt::print(stderr, "{}: {}\n", name, bad[i].second);
      } else {
        fmt::print(stderr, "{}:{}: {}\n", name, bad[i].first, bad[i].second);
      }
    }
    if (bad.size() > kShownProblems) {
      fmt::print(stderr, "... and {} more problems\n", bad.size() - kShownProblems);
    }
    return failure(fmt::format("nothing imported: {} bad line{} in {}", bad.size(),
                               bad.size() == 1 ? "" : "s", name));
  }
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  Progress progress("importing " + name, entries.size(), stderr,
                    stderrIsTerminal() && entries.size() >= kProgressFrom);
  std::size_t done = 0;
  while (done < entries.size()) {
    store::WriteTransaction txn(*store);
    if (!txn.ok()) {
      progress.finish();
      return ctx.storeFailure(stoppedAt(done, entries.size()), txn.beginError());
    }
    std::size_t end = std::min(entries.size(), done + kBatch);
    int rc = 0;
    for (std::size_t i = done; i < end && rc == 0; ++i) {
      rc = store::AllowlistStore::put(txn.get(), store->dbs(), entries[i].entry);
    }
    if (rc == 0) rc = txn.commit();
    if (rc != 0) {
      progress.finish();
      return ctx.storeFailure(stoppedAt(done, entries.size()), rc);
    }
    done = end;
    progress.update(done);
  }
  progress.finish();
  if (ctx.json()) {
    fmt::print("{}\n", nlohmann::json{{"imported", entries.size()}, {"file", name}}.dump());
  } else {
    fmt::print("imported {} allowlist entr{} from {}\n", entries.size(),
               entries.size() == 1 ? "y" : "ies", name);
  }
  return kExitOk;
}

namespace {

std::string csvLine(const store::AllowEntry& e) {
  return fmt::format("{},{},{},{},{},{},{}\n", csvField(e.domain), e.subdomains ? "true" : "false",
                     csvField(fmt::format("{}", fmt::join(e.scope, ";"))),
                     e.expires ? formatTime(e.expires) : std::string(), csvField(e.added_by),
                     csvField(e.note), e.created ? formatTime(e.created) : std::string());
}

}  // namespace

int runAllowExport(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("format", po::value<std::string>()->value_name("FORMAT"),
                        "csv or jsonl (default: jsonl for *.jsonl and *.json, else csv)");
  ParsedCommand cmd;
  CommandSpec spec{"allow export", "[FILE] [--format csv|jsonl]",
                   "Writes every allowlist entry to FILE (default: standard output) in the "
                   "format 'allow import' reads.",
                   0, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  std::string file = cmd.args.empty() ? std::string("-") : cmd.args[0];
  auto format = formatOf(cmd, file);
  if (!format) return usageError(format.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  std::ostringstream out;
  if (*format == Format::kCsv) out << fmt::format("{}\n", fmt::join(kColumns, ","));
  std::size_t count = 0;
  {
    store::ReadTransaction txn(*store);
    if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
    auto status =
        store::AllowlistStore::forEach(txn.get(), store->dbs(), [&](const store::AllowEntry& e) {
          out << (*format == Format::kCsv ? csvLine(e) : store::toJson(e).dump() + "\n");
          ++count;
          return true;
        });
    if (!status) return failure(status.error().message);
  }
  if (file == "-") {
    std::cout << out.str() << std::flush;
    return kExitOk;
  }
  // Written beside the target and renamed: a failed export never leaves half a file.
  std::string tmp = file + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << out.str();
    f.close();
    if (!f) {
      return failure(fmt::format("cannot write {}: {} (choose a directory this user may write)",
                                 tmp, std::strerror(errno)));
    }
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    return failure(fmt::format("cannot rename {} to {}: {} (the export is left in {})", tmp, file,
                               std::strerror(errno), tmp));
  }
  if (ctx.json()) {
    fmt::print("{}\n", nlohmann::json{{"exported", count}, {"file", file}}.dump());
  } else {
    fmt::print(stderr, "exported {} allowlist entr{} to {}\n", count, count == 1 ? "y" : "ies",
               file);
  }
  return kExitOk;
}

}  // namespace ts::ctl
