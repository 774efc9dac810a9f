// What the read-only views and reports load from the inventory. The CLI
// calls these instead of touching the store (DESIGN.md: cli -> report -> store).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::report {

// Report rows, soonest expiry first; with `expiring_before`, only those.
// Never creates the database; upgrades an older schema in place.
Result<std::vector<store::ReportRow>> load_rows(const std::string& db_path,
                                                std::optional<UnixTime> expiring_before);

// The same rows with their recent history (at most `max_versions` versions
// and `max_events` events each, the most recent), by certificate name: three
// queries whatever the number of certificates, the version rows read once.
Result<store::ReportWithHistory> load_rows_with_history(const std::string& db_path,
                                                        std::optional<UnixTime> expiring_before, int max_versions,
                                                        int max_events);

// How many certificates expire before `t` (report --fail-within).
Result<std::size_t> count_expiring(const std::string& db_path, UnixTime t);

struct CertificateView {
  store::CertificateRecord certificate;
  std::vector<store::VersionRecord> versions;  // without private keys
  std::vector<store::EventRecord> events;
};

// One certificate with its versions and events; Errc::not_found for an
// unknown name.
Result<CertificateView> load_certificate(const std::string& db_path, const std::string& name);

}  // namespace certkeeper::report
