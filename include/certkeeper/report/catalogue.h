// What the reports and views show, as tables the renderers use and the
// reference documentation prints (`certkeeper docs`): the per-certificate
// report fields, the Prometheus metrics, the statuses, the JSON documents of
// list/show/history/report, and the kinds of event in a history. All of it
// is a stable interface.
#pragma once

#include <span>
#include <vector>

#include "certkeeper/util/doc_table.h"

namespace certkeeper::report {

struct FieldInfo {
  const char* name;
  const char* meaning;
};
// The report fields of JSON and CSV, in CSV column order.
std::span<const FieldInfo> report_fields();

struct StatusInfo {
  const char* status;
  const char* meaning;
};
// The values of the `status` field, in the order the rule tries them.
std::span<const StatusInfo> statuses();

struct MetricInfo {
  const char* name;
  const char* help;         // the # HELP line
  const char* absent_when;  // when a certificate has no sample ("" when always present)
  bool per_certificate;     // labelled name, cn, issuer, source; else one unlabelled sample
  // Also (per_certificate) or only labelled `node`: one sample per node of
  // the fleet (issue 12).
  bool per_node = false;
};
// Every metric family of `report --format prometheus`, in output order.
std::vector<MetricInfo> metrics();
// The labels of the per-certificate samples.
std::span<const FieldInfo> metric_labels();

// The JSON documents of list, show, history and report, and the shapes
// they share ("report-row", "version", "finding").
std::span<const JsonDocument> json_documents();
std::span<const JsonDocument> json_shapes();

struct EventKindDoc {
  const char* kind;
  bool global;  // about the inventory or the ACME account: not in `history NAME`
  const char* when;
  const char* detail;
};
// The kinds of event the audit log holds (from the store's table).
std::vector<EventKindDoc> event_kinds();

}  // namespace certkeeper::report
