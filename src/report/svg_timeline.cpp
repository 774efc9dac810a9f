#include "svg_timeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "certkeeper/report/report.h"
#include "html_escape.h"
#include "summary.h"
#include "text_append.h"

namespace certkeeper::report::detail {
namespace {

constexpr int kWidth = 960;
constexpr int kTop = 44;  // room for the date axis and the "today" label

// The bars are drawn in one group per urgency, which carries the fill, so a
// bar is only its geometry and its tooltip.
struct Group {
  const char* urgency;
  const char* fill;
};
constexpr Group kGroups[] = {{"expired", "#c62828"},     {"revoked", "#880e4f"}, {"unreachable", "#6a1b9a"},
                             {"expiring", "#ef6c00"},    {"valid", "#2e7d32"},   {"node-down", "#ad1457"},
                             {"drift", "#00838f"},       {"none", "#9e9e9e"}};

std::size_t group_of(const char* urgency) {
  std::string_view u = urgency;
  for (std::size_t i = 0; i < std::size(kGroups); ++i) {
    if (u == kGroups[i].urgency) return i;
  }
  return std::size(kGroups) - 1;
}

struct Bar {
  const store::ReportRow* row;
  std::string status;
  long long y;
  std::size_t group;
};

}  // namespace

void append_svg_timeline(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now) {
  std::vector<Bar> bars;
  bars.reserve(rows.size());
  UnixTime t0 = now, t1 = now;
  for (const auto& r : rows) {
    if (!r.not_after) continue;
    bars.push_back({&r, {}, 0, 0});
    t0 = std::min(t0, r.not_before.value_or(*r.not_after));
    t1 = std::max(t1, *r.not_after);
  }
  // A little room on both sides, and never an empty range.
  UnixTime span = std::max<UnixTime>(t1 - t0, kSecondsPerDay);
  t0 -= span / 50;
  t1 = t0 + span + span / 25;

  const bool labelled = bars.size() <= kTimelineLabelledRows;
  const int row_height = labelled ? 18 : 3;
  const int bar_height = labelled ? 12 : 3;
  const int left = labelled ? 230 : 10;
  const int right = kWidth - 10;
  const long long height = kTop + static_cast<long long>(bars.size()) * row_height + 10;
  auto x = [&](UnixTime t) {
    return left + static_cast<double>(t - t0) * (right - left) / static_cast<double>(t1 - t0);
  };

  out += fmt::format(
      "<svg class=\"timeline\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"Validity of {2} certificates\" font-family=\"sans-serif\" font-size=\"11\">\n",
      kWidth, height, bars.size());
  // Date axis: six evenly spaced ticks.
  for (int i = 0; i <= 5; ++i) {
    UnixTime t = t0 + (t1 - t0) * i / 5;
    double tx = x(t);
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e0e0e0\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"{4}\" fill=\"#555\">{5}</text>\n",
        tx, kTop - 6, height, kTop - 10, i == 0 ? "start" : i == 5 ? "end" : "middle", format_utc(t).substr(0, 10));
  }
  // Rows keep their places (y); the names beside the bars come first.
  long long y = kTop;
  for (auto& b : bars) {
    b.status = expiry_status(*b.row, now);
    b.group = group_of(urgency(b.status));
    b.y = y;
    y += row_height;
    if (!labelled) continue;
    out += "<text x=\"";
    append_int(out, left - 6);
    out += "\" y=\"";
    append_int(out, b.y + bar_height - 2);
    out += "\" text-anchor=\"end\">";
    append_text(out, b.row->name);
    out += "</text>\n";
  }
  for (std::size_t g = 0; g < std::size(kGroups); ++g) {
    bool open = false;
    for (const auto& b : bars) {
      if (b.group != g) continue;
      if (!open) {
        out += "<g fill=\"";
        out += kGroups[g].fill;
        out += "\">\n";
        open = true;
      }
      const auto& r = *b.row;
      UnixTime from = r.not_before.value_or(*r.not_after);
      double bx = x(from), bw = std::max(1.0, x(*r.not_after) - bx);
      out += "<rect x=\"";
      append_fixed1(out, bx);
      out += "\" y=\"";
      append_int(out, b.y);
      out += "\" width=\"";
      append_fixed1(out, bw);
      out += "\" height=\"";
      append_int(out, bar_height);
      out += "\"><title>";
      append_text(out, r.name);
      out += ": ";
      append_date(out, from);
      out += " to ";
      append_date(out, *r.not_after);
      out += " (";
      out += b.status;
      out += ")</title></rect>\n";
    }
    if (open) out += "</g>\n";
  }
  // Today, over the bars.
  double nx = x(now);
  out += fmt::format(
      "<line class=\"today\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#1565c0\" "
      "stroke-width=\"2\"/><text class=\"today\" x=\"{3:.1f}\" y=\"12\" text-anchor=\"{4}\" fill=\"#1565c0\" "
      "font-weight=\"bold\">today {5}</text>\n",
      nx, kTop - 18, height, nx, nx > kWidth - 120 ? "end" : nx < 120 ? "start" : "middle",
      format_utc(now).substr(0, 10));
  out += "</svg>\n";
}

}  // namespace certkeeper::report::detail
