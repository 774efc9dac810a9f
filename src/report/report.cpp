#include "certkeeper/report/report.h"

#include <fmt/format.h>

#include "certkeeper/util/expiry.h"
#include "certkeeper/util/text.h"
#include "fields.h"
#include "html.h"
#include "json_rows.h"
#include "prometheus.h"
#include "summary.h"
#include "table.h"
#include "text_append.h"

namespace certkeeper::report {
namespace {

std::string csv_cell(const std::string& s) {
  // RFC 4180: quote when the cell holds a separator, quote or line break.
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A text cell that a spreadsheet would take for a formula: it starts with
// = + - @, a tab or a carriage return (OWASP "CSV Injection"). A plain
// number ("-12") is no formula and stays as it is.
bool formula_start(std::string_view s) {
  if (s.empty() || std::string_view("=+-@\t\r").find(s.front()) == std::string_view::npos) return false;
  std::size_t i = (s.front() == '-' || s.front() == '+') ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return true;
    }
  }
  return !digits;
}

// Text cells quote certificate fields (outside input): one printable line
// each (text.h), so that a newline cannot forge a row where the file is read
// line by line, nor an ESC reach a terminal showing it; and a formula gets
// a leading apostrophe, which spreadsheets show but never evaluate.
std::string csv_text(const std::string& raw) {
  std::string shown = text::printable(raw);
  if (formula_start(raw)) shown.insert(0, 1, '\'');
  return shown;
}

// Numbers and booleans as JSON writes them (days_left -3 stays -3).
std::string csv_value(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_text(v.get<std::string>());
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const auto& i : v) items.push_back(i.get<std::string>());
    return csv_text(detail::join(items, " "));
  }
  return v.dump();
}

// A node name inside the `nodes` cell: its separators (= : ;), '%' and
// every byte that is not printable ASCII as %XX, so that a name from another
// host can neither split the cell's list nor forge anything.
std::string csv_node_name(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '%' || c == '=' || c == ':' || c == ';' || c == ',' || c == '"') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

// The `nodes` cell: "mx1=7:ok:up;mx2=6:fail:down" (node=installed
// version:probe:node status; "-" for what is unknown), nodes by name.
std::string csv_nodes(const store::ReportRow& row, UnixTime now) {
  std::string out;
  for (const auto& n : row.nodes) {
    if (!out.empty()) out += ';';
    out += csv_node_name(n.node);
    out += '=';
    out += n.installed_version ? std::to_string(*n.installed_version) : "-";
    out += ':';
    out += n.probe_ok ? (*n.probe_ok ? "ok" : "fail") : "-";
    out += ':';
    out += node_status(row, n, now);
  }
  return out;
}

std::string render_csv(const std::vector<store::ReportRow>& rows, UnixTime now) {
  const auto& fields = detail::report_field_names();
  std::string out = detail::join(fields, ",") + "\r\n";
  for (const auto& row : rows) {
    auto j = detail::row_json(row, now);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ',';
      if (fields[i] == "nodes") {
        out += csv_cell(csv_text(csv_nodes(row, now)));
        continue;
      }
      out += csv_cell(csv_value(j[fields[i]]));
    }
    out += "\r\n";
  }
  return out;
}

// As nlohmann's dump(2) of {"certificates", "generated_at", "within_days"},
// written row by row (json_rows.h).
std::string render_json(const std::vector<store::ReportRow>& rows, const ReportOptions& o) {
  std::string out;
  out.reserve(256 + rows.size() * 1100);
  out += "{\n  \"certificates\": ";
  detail::append_rows_json(out, rows, o.now, 1);
  out += ",\n  \"generated_at\": \"";
  append_utc(out, o.now);
  out += "\",\n  \"within_days\": ";
  if (o.within_days) {
    detail::append_int(out, *o.within_days);
  } else {
    out += "null";
  }
  out += "\n}\n";
  return out;
}

const char* status_colour(const std::string& status) {
  if (status == "expired") return "\x1b[31m";   // red
  if (status == "expiring") return "\x1b[33m";  // yellow
  if (status == "valid") return "\x1b[32m";     // green
  if (status == "unreachable") return "\x1b[35m";  // magenta
  if (status == "revoked") return "\x1b[1;31m";    // bold red
  if (status == "node-down") return "\x1b[1;35m";  // bold magenta
  if (status == "drift") return "\x1b[36m";        // cyan
  return "";
}

std::string render_table(const std::vector<store::ReportRow>& rows, const ReportOptions& o) {
  detail::Table table(
      {"NAME", "DAYS", "NOT AFTER", "STATUS", "VERSION", "SOURCE", "ISSUER", "NAMES", "NEXT CHECK", "LAST ERROR", "NODES"});
  for (const auto& row : rows) {
    std::string status = expiry_status(row, o.now);
    table.add({row.name, row.not_after ? std::to_string(days_left(*row.not_after, o.now)) : "-",
               row.not_after ? format_utc(*row.not_after) : "-", status, detail::version_text(row), row.source,
               row.issuer_cn.empty() ? row.issuer : row.issuer_cn, detail::join(row.names, " "),
               detail::next_check_text(row.next_check), detail::last_error_text(row), detail::nodes_text(row, o.now)},
              o.color ? status_colour(status) : "");
  }
  auto s = detail::summarize(rows, o.now);
  std::string out = table.render();
  std::string scope = o.within_days ? " expiring within " + detail::days_text(*o.within_days) : "";
  std::string revoked = s.revoked ? fmt::format(", {} revoked", s.revoked) : "";
  std::string unreachable = s.unreachable ? fmt::format(", {} unreachable", s.unreachable) : "";
  std::string fleet = s.node_down ? fmt::format(", {} with a node down", s.node_down) : "";
  if (s.drift) fleet += fmt::format(", {} drifting", s.drift);
  out += fmt::format("{} certificate{}{}: {} expired, {} expiring soon{}{}{}\n", rows.size(),
                     rows.size() == 1 ? "" : "s", scope, s.expired, s.expiring, revoked, unreachable, fleet);
  return out;
}

}  // namespace

Result<Format> parse_format(const std::string& name) {
  if (name == "table") return Format::table;
  if (name == "json") return Format::json;
  if (name == "csv") return Format::csv;
  if (name == "prometheus") return Format::prometheus;
  if (name == "html") return Format::html;
  return make_error(Errc::usage, "unknown report format; use table, json, csv, prometheus or html", name);
}

bool shows_history(Format format) { return format == Format::html; }

std::string expiry_status(const store::ReportRow& row, UnixTime now) {
  // A remote endpoint that did not answer: its stored certificate is what it
  // served last time, so its dates say nothing about what it serves now.
  if (row.source == "remote" && row.failures > 0) return "unreachable";
  if (!row.not_after) return "no-certificate";
  if (*row.not_after <= now) return "expired";
  // Revoked outranks expiring: the certificate is already unusable.
  if (row.revoked_at) return "revoked";
  if (expires_soon(row.not_before.value_or(*row.not_after), *row.not_after, now)) return "expiring";
  // The fleet's statuses come after the certificate's own (they concern
  // every node); the per-node view shows them whatever the status.
  if (row.fleet) {
    for (const auto& n : row.nodes) {
      if (node_status(row, n, now) != "up") return "node-down";
    }
    if (drifting(row, now)) return "drift";
  }
  return "valid";
}

std::string node_status(const store::ReportRow& row, const store::ReportNode& node, UnixTime now) {
  if (!node.last_seen) return "unknown";
  return now - *node.last_seen > row.node_down_after ? "down" : "up";
}

bool drifting(const store::ReportRow& row, UnixTime now) {
  if (!row.fleet || row.nodes.size() < 2 || !row.version) return false;
  bool behind = false;
  std::optional<UnixTime> since = row.version_stored_at;
  for (const auto& n : row.nodes) {
    if (n.installed_version != row.version) behind = true;
    if (n.installed_at && (!since || *n.installed_at > *since)) since = n.installed_at;
  }
  return behind && since && now - *since > row.drift_after;
}

std::map<std::string, std::optional<UnixTime>> fleet_nodes(const std::vector<store::ReportRow>& rows) {
  std::map<std::string, std::optional<UnixTime>> out;
  for (const auto& r : rows) {
    for (const auto& n : r.nodes) out.emplace(n.node, n.last_seen);
  }
  return out;
}

std::string render_report(const std::vector<store::ReportRow>& rows, Format format,
                          const ReportOptions& options) {
  switch (format) {
    case Format::json: return render_json(rows, options);
    case Format::csv: return render_csv(rows, options.now);
    case Format::table: return render_table(rows, options);
    case Format::prometheus: return detail::render_prometheus(rows, options);
    case Format::html: return detail::render_html(rows, options);
  }
  return {};
}

}  // namespace certkeeper::report
