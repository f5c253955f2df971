// CSV as spreadsheets write it (RFC 4180): fields separated by commas, quoted when they
// hold a comma, a quote or a line break, quotes doubled inside. Each record keeps the
// line it starts on, so an import can say "file:line: problem".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace ts::ctl {

struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// The whole text as records; blank lines are skipped. An unterminated quote is an error
// naming the line it starts on.
Result<std::vector<CsvRecord>> parseCsv(std::string_view text);

// One field, quoted only when it has to be.
std::string csvField(std::string_view value);

}  // namespace ts::ctl
