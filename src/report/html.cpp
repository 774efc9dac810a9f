#include "html.h"

#include <fmt/format.h>

#include "certkeeper/util/expiry.h"
#include "fields.h"
#include "html_escape.h"
#include "summary.h"
#include "svg_timeline.h"

namespace certkeeper::report::detail {
namespace {

constexpr std::size_t kDetailBytes = 200;  // of an event's detail JSON

constexpr const char* kStyle = R"(<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#212121;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .5em}
.meta{color:#616161;margin:0}
ul.summary{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.6em}
ul.summary li{border-radius:6px;padding:.5em .9em;background:#f5f5f5;border-left:6px solid #9e9e9e}
ul.summary .count{font-size:1.6em;font-weight:bold;display:block}
li.expired{border-color:#c62828!important;background:#fdecea!important}
li.unreachable{border-color:#6a1b9a!important;background:#f3e5f5!important}
li.expiring{border-color:#ef6c00!important;background:#fff3e0!important}
li.valid{border-color:#2e7d32!important;background:#e8f5e9!important}
table{border-collapse:collapse;font-size:.85em;margin-bottom:.8em}
th,td{border:1px solid #e0e0e0;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#fafafa}
td.num{text-align:right}
tr.expired td{background:#fdecea}tr.unreachable td{background:#f3e5f5}
tr.expiring td{background:#fff3e0}tr.valid td{background:#fff}tr.none td{background:#f5f5f5;color:#616161}
.status{font-weight:bold}
tr.expired .status{color:#c62828}tr.unreachable .status{color:#6a1b9a}
tr.expiring .status{color:#e65100}tr.valid .status{color:#2e7d32}
.revoked{color:#c62828;font-weight:bold}
details{margin:.3em 0}summary{cursor:pointer}
code{font-size:.95em}
</style>
)";

void esc(std::string& out, std::string_view s) { append_escaped(out, s); }

std::string time_or_dash(const std::optional<UnixTime>& t) { return t ? format_utc(*t) : "-"; }

void cell(std::string& out, std::string_view text, const char* cls = nullptr) {
  out += cls ? fmt::format("<td class=\"{}\">", cls) : std::string("<td>");
  esc(out, text);
  out += "</td>";
}

void summary_item(std::string& out, const char* cls, const char* id, std::size_t n, const char* label) {
  out += fmt::format("<li class=\"{}\"><span class=\"count\" id=\"{}\">{}</span>{}</li>\n", cls, id, n, label);
}

void render_summary(std::string& out, const Summary& s) {
  out += "<section id=\"summary\"><h2>Summary</h2>\n<ul class=\"summary\">\n";
  summary_item(out, "expired", "count-expired", s.expired, "expired");
  summary_item(out, "expiring", "count-within-7", s.within_7, "expire within 7 days");
  summary_item(out, "expiring", "count-within-30", s.within_30, "expire within 30 days");
  summary_item(out, "valid", "count-within-90", s.within_90, "expire within 90 days");
  summary_item(out, "unreachable", "count-unreachable", s.unreachable, "unreachable");
  summary_item(out, "none", "count-revoked", s.revoked, "revoked");
  summary_item(out, "none", "count-no-certificate", s.no_certificate, "without a certificate");
  summary_item(out, "none", "count-total", s.total, "certificates in all");
  out += "</ul></section>\n";
}

void render_table(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now, bool linked) {
  out += "<section id=\"certificates\"><h2>Certificates</h2>\n<table>\n<thead><tr><th>Name</th><th>Days</th>"
         "<th>Not after</th><th>Status</th><th>Source</th><th>Issuer</th><th>Names</th><th>Version</th>"
         "<th>Installed</th><th>Probe</th><th>Revoked</th><th>Last attempt</th><th>Last success</th>"
         "<th>Failures</th><th>Last error</th></tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    std::string status = expiry_status(r, now);
    out += fmt::format("<tr class=\"{}\"><td>", urgency(status));
    if (linked) {
      out += "<a href=\"#h-";
      esc(out, r.name);
      out += "\">";
      esc(out, r.name);
      out += "</a>";
    } else {
      esc(out, r.name);
    }
    out += "</td>";
    cell(out, r.not_after ? std::to_string(days_left(*r.not_after, now)) : "-", "num");
    cell(out, time_or_dash(r.not_after));
    cell(out, status, "status");
    cell(out, r.source);
    cell(out, r.issuer_cn.empty() ? r.issuer : r.issuer_cn);
    cell(out, join(r.names, " "));
    cell(out, r.version ? std::to_string(*r.version) : "-", "num");
    cell(out, r.targets == 0 ? std::string("no target")
                             : fmt::format("{} ({} target{})",
                                           r.installed_version ? std::to_string(*r.installed_version) : "none",
                                           r.targets, r.targets == 1 ? "" : "s"));
    cell(out, r.probe_ok ? (*r.probe_ok ? "ok" : "failed") : "-");
    if (r.revoked_at) {
      cell(out, format_utc(*r.revoked_at) + (r.revoke_reason.empty() ? "" : " (" + r.revoke_reason + ")"),
           "revoked");
    } else {
      cell(out, "-");
    }
    cell(out, time_or_dash(r.last_attempt));
    cell(out, time_or_dash(r.last_success));
    cell(out, std::to_string(r.failures), "num");
    cell(out, r.last_error);
    out += "</tr>\n";
  }
  out += "</tbody></table></section>\n";
}

void render_one_history(std::string& out, const std::string& name, const store::ReportHistory& h) {
  out += "<details id=\"h-";
  esc(out, name);
  out += "\"><summary>";
  esc(out, name);
  out += fmt::format(": {} of {} version{}, {} of {} event{} (most recent)</summary>\n", h.versions.size(),
                     h.versions_total, h.versions_total == 1 ? "" : "s", h.events.size(), h.events_total,
                     h.events_total == 1 ? "" : "s");
  if (!h.versions.empty()) {
    out += "<table><thead><tr><th>Version</th><th>Stored</th><th>Not before</th><th>Not after</th>"
           "<th>Issuer</th><th>Serial</th><th>SHA-256</th><th>Origin</th><th>Revoked</th></tr></thead><tbody>\n";
    for (const auto& v : h.versions) {
      out += "<tr>";
      cell(out, std::to_string(v.version), "num");
      cell(out, format_utc(v.created_at));
      cell(out, format_utc(v.not_before));
      cell(out, format_utc(v.not_after));
      cell(out, v.issuer_cn);
      cell(out, v.serial);
      cell(out, v.fingerprint_sha256.substr(0, 16));
      cell(out, v.origin);
      cell(out, v.revoked_at ? format_utc(*v.revoked_at) + " " + v.revoke_reason : "-");
      out += "</tr>\n";
    }
    out += "</tbody></table>\n";
  }
  if (!h.events.empty()) {
    out += "<table><thead><tr><th>At</th><th>Event</th><th>Actor</th><th>Detail</th></tr></thead><tbody>\n";
    for (const auto& e : h.events) {
      out += "<tr>";
      cell(out, format_utc(e.at));
      cell(out, e.kind);
      cell(out, e.actor);
      out += "<td><code>";
      esc(out, shorten(e.detail_json, kDetailBytes));
      out += "</code></td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
  out += "</details>\n";
}

void render_history(std::string& out, const std::vector<store::ReportRow>& rows, const Histories& history) {
  out += fmt::format(
      "<section id=\"history\"><h2>History</h2>\n<p class=\"meta\">Per certificate: the {} most recent versions and "
      "the {} most recent events.</p>\n",
      kHistoryVersions, kHistoryEvents);
  static const store::ReportHistory kNone;
  for (const auto& r : rows) {
    auto it = history.find(r.name);
    render_one_history(out, r.name, it == history.end() ? kNone : it->second);
  }
  out += "</section>\n";
}

}  // namespace

std::string render_html(const std::vector<store::ReportRow>& rows, const ReportOptions& options) {
  std::string out;
  out.reserve(8192 + rows.size() * (options.history ? 2600 : 1100));
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>certkeeper report</title>\n";
  out += kStyle;
  out += "</head>\n<body>\n<h1>Certificate report</h1>\n";
  std::string scope = options.within_days ? fmt::format(", those expiring within {} days", *options.within_days) : "";
  out += fmt::format("<p class=\"meta\">Generated {} by certkeeper: {} certificate{}{}.</p>\n",
                     format_utc(options.now), rows.size(), rows.size() == 1 ? "" : "s", scope);
  render_summary(out, summarize(rows, options.now));
  out += "<section id=\"timeline\"><h2>Validity</h2>\n";
  out += render_svg_timeline(rows, options.now);
  out += "</section>\n";
  render_table(out, rows, options.now, options.history != nullptr);
  if (options.history) render_history(out, rows, *options.history);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace certkeeper::report::detail
