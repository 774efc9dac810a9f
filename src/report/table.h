// Private to report: an aligned plain-text table, optionally coloured per row.
#pragma once

#include <string>
#include <vector>

namespace certkeeper::report::detail {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  // `colour` is an ANSI sequence for the whole row, or "". Each cell is
  // shown as one printable line (text::printable).
  void add(std::vector<std::string> cells, std::string colour = {});
  // Columns padded to their widest cell; empty trailing columns dropped.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::string> colours_;
};

}  // namespace certkeeper::report::detail
