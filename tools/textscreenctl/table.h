// Aligned text columns for the human listings (the --json output is for scripts). The
// last column is not padded, so a long reason or note does not push trailing blanks.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace ts::ctl {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void print(std::FILE* out = stdout) const;
  // Prints the table, or says on stderr that there was nothing to list.
  void printOr(const char* nothing_to_list) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ts::ctl
