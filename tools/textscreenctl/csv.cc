// A small state machine over the text instead of a line splitter, because a quoted
// note may hold a line break and still be one record.
#include "csv.h"

#include <fmt/format.h>

namespace ts::ctl {

Result<std::vector<CsvRecord>> parseCsv(std::string_view text) {
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  std::size_t line = 1;
  record.line = 1;
  bool in_quotes = false, quoted_field = false, any = false;
  std::size_t quote_line = 0;
  auto endRecord = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    bool blank = record.fields.size() == 1 && record.fields[0].empty() && !quoted_field;
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord{};
    quoted_field = false;
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (!any) {
      record.line = line;
      any = true;
    }
    if (c == '"' && field.empty()) {
      in_quotes = true;
      quoted_field = true;
      quote_line = line;
    } else if (c == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // the \n ends the record
    } else if (c == '\n') {
      endRecord();
      ++line;
    } else {
      field.push_back(c);
    }
  }
  if (in_quotes) {
    return fail(fmt::format("line {}: a quoted field is never closed", quote_line));
  }
  if (any || !field.empty()) endRecord();
  return records;
}

std::string csvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace ts::ctl
