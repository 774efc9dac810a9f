// Expiry reports: one set of rows, several renderers (table, JSON, CSV,
// Prometheus text exposition, HTML). Field names of JSON and CSV and the
// Prometheus metric names are a stable interface (report/catalogue.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::report {

enum class Format { table, json, csv, prometheus, html };
Result<Format> parse_format(const std::string& name);

// The HTML report also shows each certificate's recent history: at most this
// many of its most recent versions and events (docs/manual/reports.md).
constexpr int kHistoryVersions = 10;
constexpr int kHistoryEvents = 10;
// Whether `format` shows the history (load it with queries.h load_history).
bool shows_history(Format format);

// "unreachable" for a remote endpoint whose last probe failed (failures > 0:
// its stored certificate is only what was served last time), else
// "no-certificate" for a definition without a version yet, "expired",
// "revoked" (the current version is revoked; an expired one stays
// "expired"), "expiring" (within the warning window), then the fleet's
// (PostgreSQL only): "node-down" (a node with targets of it is not "up"),
// "drift" (drifting()), else "valid".
std::string expiry_status(const store::ReportRow& row, UnixTime now);

// One node of a row: "up" (seen within row.node_down_after), "down" (not
// since) or "unknown" (no heartbeat row: removed, or never ran a pass), as
// `certkeeper nodes` says.
std::string node_status(const store::ReportRow& row, const store::ReportNode& node, UnixTime now);

// Whether the certificate's nodes drift: a fleet (row.fleet) of more than
// one node where a node does not serve the desired version (so the nodes
// serve different versions, or all an older one), for longer than
// row.drift_after, measured from the later of the desired version's storing
// and the newest install among its nodes (the last time the fleet moved).
bool drifting(const store::ReportRow& row, UnixTime now);

// Every node of the rows' fleets, by name (byte order), with its heartbeat
// (nullopt: none): the columns of the HTML fleet table, the Prometheus
// last-seen samples.
std::map<std::string, std::optional<UnixTime>> fleet_nodes(const std::vector<store::ReportRow>& rows);

using Histories = std::unordered_map<std::string, store::ReportHistory>;

struct ReportOptions {
  UnixTime now = 0;
  std::optional<int> within_days;  // shown in the header / JSON document
  bool color = false;              // ANSI colours by urgency (table only)
  const Histories* history = nullptr;  // HTML: each certificate's history, by name
};

std::string render_report(const std::vector<store::ReportRow>& rows, Format format,
                          const ReportOptions& options);

}  // namespace certkeeper::report
