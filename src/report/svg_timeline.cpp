#include "svg_timeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "certkeeper/report/report.h"
#include "html_escape.h"
#include "summary.h"

namespace certkeeper::report::detail {
namespace {

constexpr int kWidth = 960;
constexpr int kTop = 44;  // room for the date axis and the "today" label

const char* fill_of(const char* urgency) {
  std::string_view u = urgency;
  if (u == "expired") return "#c62828";
  if (u == "unreachable") return "#6a1b9a";
  if (u == "expiring") return "#ef6c00";
  if (u == "valid") return "#2e7d32";
  return "#9e9e9e";
}

std::string date_of(UnixTime t) { return format_utc(t).substr(0, 10); }

}  // namespace

std::string render_svg_timeline(const std::vector<store::ReportRow>& rows, UnixTime now) {
  std::vector<const store::ReportRow*> bars;
  UnixTime t0 = now, t1 = now;
  for (const auto& r : rows) {
    if (!r.not_after) continue;
    bars.push_back(&r);
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

  std::string out;
  out.reserve(4096 + bars.size() * (labelled ? 260 : 200));
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
        tx, kTop - 6, height, kTop - 10, i == 0 ? "start" : i == 5 ? "end" : "middle", date_of(t));
  }
  long long y = kTop;
  for (const auto* r : bars) {
    std::string status = expiry_status(*r, now);
    UnixTime from = r->not_before.value_or(*r->not_after);
    double bx = x(from), bw = std::max(1.0, x(*r->not_after) - bx);
    if (labelled) {
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">", left - 6, y + bar_height - 2);
      append_escaped(out, r->name);
      out += "</text>";
    }
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>", bx, y, bw,
                       bar_height, fill_of(urgency(status)));
    append_escaped(out, r->name);
    out += fmt::format(": {} to {} ({})</title></rect>\n", date_of(from), date_of(*r->not_after), status);
    y += row_height;
  }
  // Today, over the bars.
  double nx = x(now);
  out += fmt::format(
      "<line class=\"today\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#1565c0\" "
      "stroke-width=\"2\"/><text class=\"today\" x=\"{3:.1f}\" y=\"12\" text-anchor=\"{4}\" fill=\"#1565c0\" "
      "font-weight=\"bold\">today {5}</text>\n",
      nx, kTop - 18, height, nx, nx > kWidth - 120 ? "end" : nx < 120 ? "start" : "middle", date_of(now));
  out += "</svg>\n";
  return out;
}

}  // namespace certkeeper::report::detail
