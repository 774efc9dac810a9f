#include "prometheus.h"
#include "text_append.h"

#include <charconv>
#include <cstdint>
#include <optional>

#include "certkeeper/report/catalogue.h"
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
      Value v = family.value(rows[i], options.now);
      if (!v) continue;
      out += family.info.name;
      out += label_sets[i];
      out += ' ';
      append_int(out, *v);
      out += '\n';
    }
  }
  for (const auto& family : kReportFamilies) {
    header(out, family.info.name, family.info.help);
    out += family.info.name;
    out += ' ';
    append_int(out, family.value(rows.size(), options.now));
    out += '\n';
  }
  return out;
}

}  // namespace certkeeper::report::detail

namespace certkeeper::report {

std::vector<MetricInfo> metrics() {
  std::vector<MetricInfo> out;
  for (const auto& f : detail::kFamilies) out.push_back(f.info);
  for (const auto& f : detail::kReportFamilies) out.push_back(f.info);
  return out;
}

std::span<const FieldInfo> metric_labels() { return detail::kLabels; }

}  // namespace certkeeper::report
