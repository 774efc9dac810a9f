#include "prometheus.h"
#include "text_append.h"

#include <charconv>
#include <cstdint>
#include <map>
#include <optional>

#include "certkeeper/report/catalogue.h"
#include "certkeeper/report/report.h"
#include "certkeeper/util/expiry.h"
#include "certkeeper/util/text.h"

namespace certkeeper::report::detail {
namespace {

using Value = std::optional<std::int64_t>;
using Row = store::ReportRow;

template <class T>
Value maybe(const std::optional<T>& v) {
  return v ? Value(static_cast<std::int64_t>(*v)) : std::nullopt;
}

struct Family {
  MetricInfo info;
  Value (*value)(const Row& row, UnixTime now);
};

// The stable metric names (docs/reference/metrics.md), one sample per
// certificate, labelled as labels() says. Times are Unix timestamps in
// seconds, as the Prometheus naming conventions ask: what is left until one
// is a query (`..._not_after_timestamp_seconds - time()`), so it never goes
// stale in a textfile written hours ago.
const Family kFamilies[] = {
    {{"certkeeper_certificate_not_after_timestamp_seconds",
      "End of the desired version's validity (notAfter; the pinned version while one is pinned), Unix time.", "no version", true},
     [](const Row& r, UnixTime) { return maybe(r.not_after); }},
    {{"certkeeper_certificate_not_before_timestamp_seconds",
      "Start of the desired version's validity (notBefore), Unix time.", "no version", true},
     [](const Row& r, UnixTime) { return maybe(r.not_before); }},
    {{"certkeeper_certificate_last_renewal_attempt_timestamp_seconds",
      "Last renewal attempt (remote certificates: last probe of the endpoint), Unix time.", "never attempted", true},
     [](const Row& r, UnixTime) { return maybe(r.last_attempt); }},
    {{"certkeeper_certificate_last_renewal_success_timestamp_seconds",
      "Last successful renewal (remote certificates: last successful probe), Unix time.", "never succeeded", true},
     [](const Row& r, UnixTime) { return maybe(r.last_success); }},
    {{"certkeeper_certificate_renewal_failures",
      "Consecutive failed renewal attempts (remote certificates: failed probes) since the last success.", "", true},
     [](const Row& r, UnixTime) { return Value(r.failures); }},
    {{"certkeeper_certificate_installed_version", "Lowest version installed in any of the certificate's targets.",
      "nothing installed", true},
     [](const Row& r, UnixTime) { return maybe(r.installed_version); }},
    {{"certkeeper_certificate_desired_version",
      "The version meant to be served: the pinned one (rollback, install --version), else the newest.", "no version",
      true},
     [](const Row& r, UnixTime) { return maybe(r.version); }},
    {{"certkeeper_certificate_pinned", "1 while an older version is pinned (rollback), else 0.", "no version", true},
     [](const Row& r, UnixTime) { return r.version ? Value(r.pinned_version ? 1 : 0) : std::nullopt; }},
    {{"certkeeper_certificate_targets", "Number of install targets of the certificate.", "", true},
     [](const Row& r, UnixTime) { return Value(r.targets); }},
    {{"certkeeper_certificate_probe_ok",
      "1 when the last install's post-install probes (remote: the last probe) passed, 0 when one failed.",
      "never probed", true},
     [](const Row& r, UnixTime) { return r.probe_ok ? Value(*r.probe_ok ? 1 : 0) : std::nullopt; }},
    {{"certkeeper_certificate_revoked", "1 when the desired version is revoked, else 0.", "no version", true},
     [](const Row& r, UnixTime) { return r.version ? Value(r.revoked_at ? 1 : 0) : std::nullopt; }},
    {{"certkeeper_certificate_ari_window_start_timestamp_seconds",
      "Start of the CA's suggested renewal window (ACME ARI), Unix time.", "the CA gave no window", true},
     [](const Row& r, UnixTime) { return maybe(r.ari_start); }},
    {{"certkeeper_certificate_ari_window_end_timestamp_seconds",
      "End of the CA's suggested renewal window (ACME ARI), Unix time.", "the CA gave no window", true},
     [](const Row& r, UnixTime) { return maybe(r.ari_end); }},
    {{"certkeeper_certificate_next_check_timestamp_seconds",
      "When the scheduler looks at the certificate next (back-off, the CA's Retry-After, renewal), Unix time.",
      "never scheduled", true},
     [](const Row& r, UnixTime) { return maybe(r.next_check); }},
};

// One sample per certificate and node of its fleet (row.nodes), labelled as
// the certificate's samples plus `node`.
struct NodeFamily {
  MetricInfo info;
  Value (*value)(const Row& row, const store::ReportNode& node, UnixTime now);
};

const NodeFamily kNodeFamilies[] = {
    {{"certkeeper_certificate_node_installed_version",
      "Lowest version installed in the certificate's targets on the node (label node).", "nothing installed there",
      true, true},
     [](const Row&, const store::ReportNode& n, UnixTime) { return maybe(n.installed_version); }},
    {{"certkeeper_certificate_node_probe_ok",
      "1 when the last probe of every one of the certificate's targets on the node passed, 0 when one failed.",
      "a target there has no probe result", true, true},
     [](const Row&, const store::ReportNode& n, UnixTime) {
       return n.probe_ok ? Value(*n.probe_ok ? 1 : 0) : std::nullopt;
     }},
    {{"certkeeper_certificate_node_installed_timestamp_seconds",
      "Newest install into the certificate's targets on the node, Unix time.", "nothing installed there", true, true},
     [](const Row&, const store::ReportNode& n, UnixTime) { return maybe(n.installed_at); }},
    {{"certkeeper_certificate_node_up",
      "1 when the node with targets of the certificate was seen within node_down_after, else 0.", "", true, true},
     [](const Row& r, const store::ReportNode& n, UnixTime now) {
       return Value(report::node_status(r, n, now) == "up" ? 1 : 0);
     }},
    {{"certkeeper_certificate_drift",
      "1 when a node does not serve the desired version for longer than drift_after (PostgreSQL), else 0.",
      "no target on a node", true},
     nullptr},
};

// One unlabelled sample each, about the report itself.
struct ReportFamily {
  MetricInfo info;
  std::int64_t (*value)(std::size_t rows, UnixTime now);
};

const ReportFamily kReportFamilies[] = {
    {{"certkeeper_report_certificates", "Certificates in this report (with --within: those due).", "", false},
     [](std::size_t rows, UnixTime) { return static_cast<std::int64_t>(rows); }},
    {{"certkeeper_report_generated_timestamp_seconds", "When this report was generated, Unix time.", "", false},
     [](std::size_t, UnixTime now) { return static_cast<std::int64_t>(now); }},
};

constexpr FieldInfo kLabels[] = {
    {"name", "the certificate name"},
    {"cn", "the first name it covers"},
    {"issuer", "the issuer CN, else the issuer DN"},
    {"source", "`manual`, `acme` or `remote`"},
};

// The heartbeat of every node that has targets of a certificate in the
// report: one sample per node, labelled node only.
constexpr MetricInfo kNodeLastSeen{"certkeeper_node_last_seen_timestamp_seconds",
                                   "Last heartbeat of the node (label node), Unix time.",
                                   "no heartbeat (removed, or never ran)", false, true};

void header(std::string& out, const char* name, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " gauge\n";
}

// {name="...",cn="...",issuer="...",source="..."}
std::string labels(const Row& r) {
  std::string out = "{name=\"";
  out += escape_label_value(r.name);
  out += "\",cn=\"";
  out += escape_label_value(r.names.empty() ? std::string_view() : std::string_view(r.names.front()));
  out += "\",issuer=\"";
  out += escape_label_value(r.issuer_cn.empty() ? r.issuer : r.issuer_cn);
  out += "\",source=\"";
  out += escape_label_value(r.source);
  out += "\"}";
  return out;
}

// The certificate's labels plus node="...".
std::string node_labels(const std::string& certificate_labels, const store::ReportNode& n) {
  std::string out = certificate_labels.substr(0, certificate_labels.size() - 1);
  out += ",node=\"";
  out += escape_label_value(n.node);
  out += "\"}";
  return out;
}

// One sample line: NAME{LABELS} VALUE (no labels: NAME VALUE).
void sample(std::string& out, const char* name, std::string_view labels, std::int64_t v) {
  out += name;
  out += labels;
  out += ' ';
  append_int(out, v);
  out += '\n';
}

void render_fleet(std::string& out, const std::vector<store::ReportRow>& rows,
                  const std::vector<std::string>& label_sets, UnixTime now) {
  for (const auto& family : kNodeFamilies) {
    header(out, family.info.name, family.info.help);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!family.value) {
        // certkeeper_certificate_drift: one sample per certificate with nodes.
        if (!rows[i].nodes.empty()) sample(out, family.info.name, label_sets[i], report::drifting(rows[i], now) ? 1 : 0);
        continue;
      }
      for (const auto& n : rows[i].nodes) {
        if (Value v = family.value(rows[i], n, now)) sample(out, family.info.name, node_labels(label_sets[i], n), *v);
      }
    }
  }
  header(out, kNodeLastSeen.name, kNodeLastSeen.help);
  for (const auto& [node, last_seen] : report::fleet_nodes(rows)) {
    if (!last_seen) continue;
    sample(out, kNodeLastSeen.name, "{node=\"" + escape_label_value(node) + "\"}", *last_seen);
  }
}

}  // namespace

std::string escape_label_value(std::string_view raw) {
  // Label values quote certificate fields (outside input). A line feed is
  // the format's own escape (\n); every other control character and byte
  // that is not UTF-8 is shown as text::printable shows it, so that the
  // file never carries an ESC to a terminal that prints it.
  std::string out;
  out.reserve(raw.size());
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = raw.find('\n', start);
    const std::string line = text::printable(raw.substr(start, end == std::string_view::npos ? end : end - start));
    for (char c : line) {
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    if (end == std::string_view::npos) break;
    out += "\\n";
    start = end + 1;
  }
  return out;
}

std::string render_prometheus(const std::vector<store::ReportRow>& rows, const ReportOptions& options) {
  std::vector<std::string> label_sets;
  label_sets.reserve(rows.size());
  std::size_t label_bytes = 0;
  for (const auto& row : rows) {
    label_sets.push_back(labels(row));
    label_bytes += label_sets.back().size();
  }
  std::string out;
  out.reserve(std::size(kFamilies) * (label_bytes + rows.size() * 80) + 4096);
  for (const auto& family : kFamilies) {
    header(out, family.info.name, family.info.help);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (Value v = family.value(rows[i], options.now)) sample(out, family.info.name, label_sets[i], *v);
    }
  }
  render_fleet(out, rows, label_sets, options.now);
  for (const auto& family : kReportFamilies) {
    header(out, family.info.name, family.info.help);
    sample(out, family.info.name, "", family.value(rows.size(), options.now));
  }
  return out;
}

}  // namespace certkeeper::report::detail

namespace certkeeper::report {

std::vector<MetricInfo> metrics() {
  std::vector<MetricInfo> out;
  for (const auto& f : detail::kFamilies) out.push_back(f.info);
  for (const auto& f : detail::kNodeFamilies) out.push_back(f.info);
  out.push_back(detail::kNodeLastSeen);
  for (const auto& f : detail::kReportFamilies) out.push_back(f.info);
  return out;
}

std::span<const FieldInfo> metric_labels() { return detail::kLabels; }

}  // namespace certkeeper::report
