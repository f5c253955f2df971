// Widths count bytes, which is right for the ASCII that fills almost every column;
// a UTF-8 note only misaligns what comes after it, and notes come last.
#include "table.h"

#include <fmt/format.h>

#include <algorithm>

namespace ts::ctl {

void Table::print(std::FILE* out) const {
  std::vector<std::size_t> width(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i + 1 == row.size()) {
        text += row[i];
      } else {
        text += fmt::format("{:<{}}  ", row[i], width[i]);
      }
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    fmt::print(out, "{}\n", text);
  };
  line(header_);
  for (const auto& row : rows_) line(row);
}

void Table::printOr(const char* nothing_to_list) const {
  if (rows_.empty()) {
    std::fprintf(stderr, "%s\n", nothing_to_list);
  } else {
    print();
  }
}

}  // namespace ts::ctl
