// Expiry reports: one set of rows, several renderers (table, JSON, CSV).
// Field names of JSON and CSV are a stable interface (README "Report fields").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::report {

enum class Format { table, json, csv };
Result<Format> parse_format(const std::string& name);

// "expired", "expiring" (within the warning window), "valid", or
// "no-certificate" for a definition without a version yet.
std::string expiry_status(const store::ReportRow& row, UnixTime now);

struct ReportOptions {
  UnixTime now = 0;
  std::optional<int> within_days;  // shown in the header / JSON document
  bool color = false;              // ANSI colours by urgency (table only)
};

std::string render_report(const std::vector<store::ReportRow>& rows, Format format,
                          const ReportOptions& options);

}  // namespace certkeeper::report
