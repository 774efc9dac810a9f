#include "table.h"

#include <algorithm>

#include "certkeeper/util/text.h"

namespace certkeeper::report::detail {

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add(std::vector<std::string> cells, std::string colour) {
  cells.resize(headers_.size());
  // Cells quote certificate fields (outside input): a newline would forge a
  // row, an ESC would reach the terminal (text.h).
  for (auto& cell : cells) {
    if (!text::is_printable(cell)) cell = text::printable(cell);
  }
  rows_.push_back(std::move(cells));
  colours_.push_back(std::move(colour));
}

std::string Table::render() const {
  std::vector<std::size_t> width(headers_.size(), 0);
  std::vector<bool> used(headers_.size(), false);
  for (std::size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
      if (!row[c].empty()) used[c] = true;
    }
  }
  // A column nobody filled (e.g. LAST ERROR when all is well) is left out.
  std::size_t last = headers_.size();
  while (last > 1 && !used[last - 1]) --last;

  auto line = [&](const std::vector<std::string>& cells, const std::string& colour) {
    std::string out = colour;
    for (std::size_t c = 0; c < last; ++c) {
      out += cells[c];
      if (c + 1 < last) out.append(width[c] - cells[c].size() + 2, ' ');
    }
    if (!colour.empty()) out += "\x1b[0m";
    return out + "\n";
  };
  std::string out;
  out.reserve((rows_.size() + 1) * 128);
  out += line(headers_, "");
  for (std::size_t r = 0; r < rows_.size(); ++r) out += line(rows_[r], colours_[r]);
  return out;
}

}  // namespace certkeeper::report::detail
