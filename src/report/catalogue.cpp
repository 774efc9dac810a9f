// The JSON documents that report renders (list, show, history, report) and
// the audit log's event kinds, for the reference documentation. The field
// tables of the rows themselves are in fields.cpp; the metrics in
// prometheus.cpp, beside the code that writes them.
#include "certkeeper/report/catalogue.h"

#include <string_view>

#include "certkeeper/store/event_kinds.h"

namespace certkeeper::report {
namespace {

constexpr JsonField kList[] = {
    {"certificates[]", "one object per certificate, soonest expiry first: the report fields", "report-row"},
};

constexpr JsonField kReport[] = {
    {"generated_at", "when the report was made, UTC"},
    {"within_days", "the `--within` given, else null"},
    {"certificates[]", "one object per certificate, soonest expiry first: the report fields", "report-row"},
};

constexpr JsonField kShow[] = {
    {"certificate", "the definition"},
    {"certificate.name", "certificate name"},
    {"certificate.source", "`manual`, `acme` or `remote`"},
    {"certificate.domains", "the names an ACME certificate is defined for (empty for manual ones)"},
    {"certificate.status", "the definition's state"},
    {"certificate.current_version", "the newest version's number; null before the first"},
    {"certificate.pinned_version",
     "the older version `rollback` or `install --version` pinned; null when none (a new version ends the pin)"},
    {"certificate.desired_version",
     "the version meant to be served: `pinned_version` if set, else `current_version`; null before the first"},
    {"certificate.failures", "consecutive failed renewal attempts (remote: failed probes)"},
    {"certificate.last_error", "the last error, one line"},
    {"certificate.last_attempt", "the last attempt, UTC; null when none"},
    {"certificate.last_success", "the last stored version, UTC; null when none"},
    {"certificate.next_check", "when the scheduler looks at it next, UTC; null when not scheduled"},
    {"certificate.retry_after", "the CA's Retry-After of the last failure (clamped to 1 minute .. 30 days), UTC; "
                                "null when none"},
    {"certificate.halted", "a permanent failure halts renewals until the definition changes or `issue` succeeds"},
    {"certificate.key_type", "an ACME certificate's key type (`ec-p256`, `rsa-3072`, ...); empty for others"},
    {"certificate.challenge", "how an ACME certificate is validated: `http-01`, `tls-alpn-01` or `dns-01`"},
    {"certificate.challenge_config", "the challenge's settings (`webroot`, `webroot_map`, `listen`, `dns_hook`, "
                                     "...); null when none"},
    {"certificate.challenge_config.*", "as set by `add` or `import --from-certbot`"},
    {"certificate.acme_server", "the ACME directory URL it renews from; empty for others"},
    {"certificate.renew_before_days", "`--renew-before` in days; null when the lifetime rule applies"},
    {"certificate.created_at", "when it was defined, UTC"},
    {"certificate.updated_at", "when the definition last changed, UTC"},
    {"current", "the desired version (the pinned one while one is pinned, else the newest), or null", "version"},
    {"versions", "how many versions are stored"},
};

constexpr JsonField kHistory[] = {
    {"name", "certificate name"},
    {"versions[]", "every version, oldest first", "version"},
    {"events[]", "every event about the certificate, oldest first"},
    {"events[].at", "when, UTC"},
    {"events[].kind", "the event kind (see the event table)"},
    {"events[].actor", "who: `cli:USER`, or the daemon"},
    {"events[].detail", "an object whose members depend on the kind (see the event table)"},
    {"events[].detail.*", "(as above)"},
};

constexpr JsonField kVersion[] = {
    {"version", "version number"},
    {"fingerprint_sha256", "SHA-256 of the DER, lower-case hex"},
    {"serial", "serial number, upper-case hex"},
    {"subject", "subject DN"},
    {"issuer", "issuer DN"},
    {"names", "names covered"},
    {"key_type", "`ec-p256`, `rsa-2048`, ... (empty for an endpoint's version: no key)"},
    {"not_before", "start of validity, UTC"},
    {"not_after", "end of validity, UTC"},
    {"origin", "how it came: `import-pem`, `import-p12`, `acme`, `probe`"},
    {"findings[]", "the findings it was stored with", "finding"},
    {"revoked_at", "when it was revoked, UTC; null when it was not"},
    {"revoke_reason", "RFC 5280 reason name; empty when not revoked"},
    {"created_at", "when it was stored, UTC"},
};

constexpr JsonField kFinding[] = {
    {"severity", "`error`, `warning` or `info`"},
    {"code", "the finding code (see the findings table)"},
    {"subject", "the file or certificate it is about"},
    {"message", "what is wrong and what to do, one line"},
};

// One node of a report row's fleet (issue 12; fields.cpp "nodes").
constexpr JsonField kReportNode[] = {
    {"node", "the node's name"},
    {"installed_version", "the lowest version installed over its targets of the certificate; null when none has any"},
    {"probe_ok", "false when one of those targets' last probe failed, true when all passed, else null"},
    {"installed_at", "its newest install of the certificate, UTC; null when none"},
    {"last_seen", "its last heartbeat, UTC; null when it has none (removed, or never ran a pass)"},
    {"status", "`up`, `down` (not seen for `node_down_after` seconds) or `unknown` (no heartbeat), as `nodes` says"},
};

// The report fields as JSON members (fields.cpp holds their meanings); the
// fleet is an array of report-node objects.
std::vector<JsonField> report_row_fields() {
  std::vector<JsonField> out;
  for (const auto& f : report_fields()) {
    if (std::string_view(f.name) == "nodes") {
      out.push_back({"nodes[]", f.meaning, "report-node"});
    } else {
      out.push_back({f.name, f.meaning});
    }
  }
  return out;
}

constexpr JsonDocument kDocuments[] = {
    {"list", "", kList},
    {"show", "", kShow},
    {"history", "", kHistory},
    {"report", "with `--format json` (or `--json`) and no `--output`", kReport},
};

}  // namespace

std::span<const JsonDocument> json_documents() { return kDocuments; }

std::span<const JsonDocument> json_shapes() {
  static const std::vector<JsonField> row = report_row_fields();
  static const JsonDocument shapes[] = {
      {"report-row", "", row},
      {"report-node", "", kReportNode},
      {"version", "", kVersion},
      {"finding", "", kFinding},
  };
  return shapes;
}

std::vector<EventKindDoc> event_kinds() {
  std::vector<EventKindDoc> out;
  for (const auto& k : store::event_kinds()) out.push_back({k.kind, k.global, k.when, k.detail});
  return out;
}

}  // namespace certkeeper::report
