#include "html.h"

#include <algorithm>

#include <fmt/format.h>

#include "certkeeper/util/expiry.h"
#include "fields.h"
#include "html_escape.h"
#include "summary.h"
#include "svg_timeline.h"
#include "text_append.h"

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
li.revoked{border-color:#880e4f!important;background:#fce4ec!important}
li.expiring{border-color:#ef6c00!important;background:#fff3e0!important}
li.valid{border-color:#2e7d32!important;background:#e8f5e9!important}
table{border-collapse:collapse;font-size:.85em;margin-bottom:.8em}
th,td{border:1px solid #e0e0e0;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#fafafa}
td.num{text-align:right}
tr.expired td{background:#fdecea}tr.unreachable td{background:#f3e5f5}tr.revoked td{background:#fce4ec}
tr.expiring td{background:#fff3e0}tr.valid td{background:#fff}tr.none td{background:#f5f5f5;color:#616161}
.status{font-weight:bold}
tr.expired .status{color:#c62828}tr.unreachable .status{color:#6a1b9a}
tr.expiring .status{color:#e65100}tr.valid .status{color:#2e7d32}tr.revoked .status{color:#880e4f}
td.revoked{color:#c62828;font-weight:bold}
tr.node-down td{background:#fce4ec}tr.drift td{background:#e0f7fa}
tr.node-down .status{color:#ad1457}tr.drift .status{color:#00838f}
li.node-down{border-color:#ad1457!important;background:#fce4ec!important}
li.drift{border-color:#00838f!important;background:#e0f7fa!important}
td.fleet-ok{background:#e8f5e9}td.fleet-fail{background:#fdecea;color:#c62828;font-weight:bold}
td.fleet-drift{background:#e0f7fa;color:#00838f;font-weight:bold}
td.fleet-down{background:#fce4ec;color:#ad1457;font-weight:bold}td.fleet-none{color:#9e9e9e}
details{margin:.3em 0}summary{cursor:pointer}
code{font-size:.95em}
</style>
)";

// Element content and attribute values from the database.
void text(std::string& out, std::string_view s) { append_text(out, s); }
void attr(std::string& out, std::string_view s) { append_escaped(out, s); }

void time_or_dash(std::string& out, const std::optional<UnixTime>& t) {
  if (t) {
    append_utc(out, *t);
  } else {
    out += '-';
  }
}

// <td>TEXT</td>, or <td class="CLS">TEXT</td>
void open_cell(std::string& out, const char* cls) {
  if (cls) {
    out += "<td class=\"";
    out += cls;
    out += "\">";
  } else {
    out += "<td>";
  }
}
void cell(std::string& out, std::string_view s, const char* cls = nullptr) {
  open_cell(out, cls);
  text(out, s);
  out += "</td>";
}
void int_cell(std::string& out, std::int64_t v) {
  out += "<td class=\"num\">";
  append_int(out, v);
  out += "</td>";
}
void time_cell(std::string& out, const std::optional<UnixTime>& t) {
  out += "<td>";
  time_or_dash(out, t);
  out += "</td>";
}

void summary_item(std::string& out, const char* cls, const char* id, std::size_t n, const char* label) {
  out += "<li class=\"";
  out += cls;
  out += "\"><span class=\"count\" id=\"";
  out += id;
  out += "\">";
  append_int(out, static_cast<std::int64_t>(n));
  out += "</span>";
  out += label;
  out += "</li>\n";
}

void render_summary(std::string& out, const Summary& s) {
  out += "<section id=\"summary\"><h2>Summary</h2>\n<ul class=\"summary\">\n";
  summary_item(out, "expired", "count-expired", s.expired, "expired");
  summary_item(out, "expiring", "count-within-7", s.within_7, "expire within 7 days");
  summary_item(out, "expiring", "count-within-30", s.within_30, "expire within 30 days");
  summary_item(out, "valid", "count-within-90", s.within_90, "expire within 90 days");
  summary_item(out, "unreachable", "count-unreachable", s.unreachable, "unreachable");
  summary_item(out, "revoked", "count-revoked", s.revoked, "revoked");
  if (s.node_down) summary_item(out, "node-down", "count-node-down", s.node_down, "with a node down");
  if (s.drift) summary_item(out, "drift", "count-drift", s.drift, "drifting");
  summary_item(out, "none", "count-no-certificate", s.no_certificate, "without a certificate");
  summary_item(out, "none", "count-total", s.total, "certificates in all");
  out += "</ul></section>\n";
}

void render_row(std::string& out, const store::ReportRow& r, UnixTime now, bool linked) {
  const std::string status = expiry_status(r, now);
  out += "<tr class=\"";
  out += urgency(status);
  out += "\"><td>";
  if (linked) {
    out += "<a href=\"#h-";
    attr(out, r.name);
    out += "\">";
    text(out, r.name);
    out += "</a>";
  } else {
    text(out, r.name);
  }
  out += "</td>";
  if (r.not_after) {
    int_cell(out, days_left(*r.not_after, now));
  } else {
    cell(out, "-", "num");
  }
  time_cell(out, r.not_after);
  cell(out, status, "status");
  cell(out, r.source);
  cell(out, r.issuer_cn.empty() ? r.issuer : r.issuer_cn);
  out += "<td>";
  for (std::size_t i = 0; i < r.names.size(); ++i) {
    if (i) out += ' ';
    text(out, r.names[i]);
  }
  out += "</td>";
  if (r.version && r.pinned_version) {
    cell(out, detail::version_text(r), "num pinned");
  } else if (r.version) {
    int_cell(out, *r.version);
  } else {
    cell(out, "-", "num");
  }
  out += "<td>";
  if (r.targets == 0) {
    out += "no target";
  } else {
    if (r.installed_version) {
      append_int(out, *r.installed_version);
    } else {
      out += "none";
    }
    out += " (";
    append_int(out, r.targets);
    out += r.targets == 1 ? " target)" : " targets)";
  }
  out += "</td>";
  cell(out, r.probe_ok ? (*r.probe_ok ? "ok" : "failed") : "-");
  if (r.revoked_at) {
    out += "<td class=\"revoked\">";
    append_utc(out, *r.revoked_at);
    if (!r.revoke_reason.empty()) {
      out += " (";
      text(out, r.revoke_reason);
      out += ')';
    }
    out += "</td>";
  } else {
    out += "<td>-</td>";
  }
  time_cell(out, r.last_attempt);
  time_cell(out, r.last_success);
  time_cell(out, r.next_check);
  int_cell(out, r.failures);
  cell(out, last_error_text(r));
  out += "</tr>\n";
}

void render_table(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now, bool linked) {
  out += "<section id=\"certificates\"><h2>Certificates</h2>\n<table>\n<thead><tr><th>Name</th><th>Days</th>"
         "<th>Not after</th><th>Status</th><th>Source</th><th>Issuer</th><th>Names</th><th>Version</th>"
         "<th>Installed</th><th>Probe</th><th>Revoked</th><th>Last attempt</th><th>Last success</th>"
         "<th>Next check</th><th>Failures</th><th>Last error</th></tr></thead>\n<tbody>\n";
  for (const auto& r : rows) render_row(out, r, now, linked);
  out += "</tbody></table></section>\n";
}

// One cell of the fleet table: what the node serves of the certificate.
void fleet_cell(std::string& out, const store::ReportRow& r, const store::ReportNode& n, UnixTime now,
                bool drift) {
  const std::string status = node_status(r, n, now);
  const char* cls = "fleet-ok";
  if (status != "up") {
    cls = "fleet-down";
  } else if (n.probe_ok && !*n.probe_ok) {
    cls = "fleet-fail";
  } else if (drift && n.installed_version != r.version) {
    cls = "fleet-drift";
  }
  out += "<td class=\"";
  out += cls;
  out += "\" title=\"";
  out += status;
  out += ", last seen ";
  time_or_dash(out, n.last_seen);
  out += ", installed ";
  time_or_dash(out, n.installed_at);
  out += "\">";
  if (n.installed_version) {
    out += 'v';
    append_int(out, *n.installed_version);
  } else {
    out += "none";
  }
  out += n.probe_ok ? (*n.probe_ok ? " ok" : " fail") : "";
  if (status != "up") {
    out += " (";
    out += status;
    out += ')';
  }
  out += "</td>";
}

// The fleet as a table, node x certificate (issue 12): one row per
// certificate that has targets on a node, one column per node.
void render_fleet(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now) {
  const auto nodes = fleet_nodes(rows);
  if (nodes.empty()) return;
  out += "<section id=\"fleet\"><h2>Fleet</h2>\n<p class=\"meta\">Per node and certificate: the lowest version "
         "its targets serve, their probes, and the node's state.</p>\n<table>\n<thead><tr><th>Certificate</th>"
         "<th>Desired</th>";
  for (const auto& [name, last_seen] : nodes) {
    out += "<th>";
    text(out, name);
    out += "<br><small>last seen ";
    time_or_dash(out, last_seen);
    out += "</small></th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    if (r.nodes.empty()) continue;
    const std::string status = expiry_status(r, now);
    const bool drift = drifting(r, now);
    out += "<tr class=\"";
    out += urgency(status);
    out += "\">";
    cell(out, r.name);
    if (r.version) {
      int_cell(out, *r.version);
    } else {
      cell(out, "-", "num");
    }
    std::size_t k = 0;  // r.nodes is sorted by name, as `nodes`
    for (const auto& [name, last_seen] : nodes) {
      if (k < r.nodes.size() && r.nodes[k].node == name) {
        fleet_cell(out, r, r.nodes[k++], now, drift);
      } else {
        out += "<td class=\"fleet-none\">-</td>";
      }
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></section>\n";
}

void plural(std::string& out, std::size_t shown, int total, const char* word) {
  append_int(out, static_cast<std::int64_t>(shown));
  out += " of ";
  append_int(out, total);
  out += ' ';
  out += word;
  if (total != 1) out += 's';
}

void render_one_history(std::string& out, const std::string& name, const store::ReportHistory& h) {
  out += "<details id=\"h-";
  attr(out, name);
  out += "\"><summary>";
  text(out, name);
  out += ": ";
  plural(out, h.versions.size(), h.versions_total, "version");
  out += ", ";
  plural(out, h.events.size(), h.events_total, "event");
  out += " (most recent)</summary>\n";
  if (!h.versions.empty()) {
    out += "<table><thead><tr><th>Version</th><th>Stored</th><th>Not before</th><th>Not after</th>"
           "<th>Issuer</th><th>Serial</th><th>SHA-256</th><th>Origin</th><th>Revoked</th></tr></thead><tbody>\n";
    for (const auto& v : h.versions) {
      out += "<tr>";
      int_cell(out, v.version);
      time_cell(out, v.created_at);
      time_cell(out, v.not_before);
      time_cell(out, v.not_after);
      cell(out, v.issuer_cn);
      cell(out, v.serial);
      cell(out, std::string_view(v.fingerprint_sha256).substr(0, 16));
      cell(out, v.origin);
      out += "<td>";
      if (v.revoked_at) {
        append_utc(out, *v.revoked_at);
        out += ' ';
        text(out, v.revoke_reason);
      } else {
        out += '-';
      }
      out += "</td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
  if (!h.events.empty()) {
    out += "<table><thead><tr><th>At</th><th>Event</th><th>Actor</th><th>Detail</th></tr></thead><tbody>\n";
    for (const auto& e : h.events) {
      out += "<tr>";
      time_cell(out, e.at);
      cell(out, e.kind);
      cell(out, e.actor);
      out += "<td><code>";
      if (e.detail_json.size() <= kDetailBytes) {
        text(out, e.detail_json);
      } else {
        text(out, shorten(e.detail_json, kDetailBytes));
      }
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

// The page's size, estimated from what it will hold, so that the buffer
// grows once or not at all.
std::size_t estimated_size(const std::vector<store::ReportRow>& rows, const Histories* history) {
  std::size_t n = 16384 + rows.size() * 700;
  if (history) {
    for (const auto& entry : *history) {
      const auto& h = entry.second;
      n += 400 + h.versions.size() * 260;
      for (const auto& e : h.events) n += 120 + std::min(e.detail_json.size(), kDetailBytes + 8);
    }
  }
  return n;
}

}  // namespace

std::string render_html(const std::vector<store::ReportRow>& rows, const ReportOptions& options) {
  std::string out;
  out.reserve(estimated_size(rows, options.history));
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>certkeeper report</title>\n";
  out += kStyle;
  out += "</head>\n<body>\n<h1>Certificate report</h1>\n";
  std::string scope = options.within_days ? ", those expiring within " + days_text(*options.within_days) : "";
  out += fmt::format("<p class=\"meta\">Generated {} by certkeeper: {} certificate{}{}.</p>\n",
                     format_utc(options.now), rows.size(), rows.size() == 1 ? "" : "s", scope);
  render_summary(out, summarize(rows, options.now));
  out += "<section id=\"timeline\"><h2>Validity</h2>\n";
  append_svg_timeline(out, rows, options.now);
  out += "</section>\n";
  render_table(out, rows, options.now, options.history != nullptr);
  render_fleet(out, rows, options.now);
  if (options.history) render_history(out, rows, *options.history);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace certkeeper::report::detail
