#include "certkeeper/report/queries.h"

#include "certkeeper/store/inventory.h"

namespace certkeeper::report {
namespace {
// Views never create a database, but they do upgrade an older one in place:
// a monitoring job's report must keep working the day certkeeper is upgraded.
constexpr store::OpenMode kMode = store::OpenMode::existing;
}  // namespace

Result<std::vector<store::ReportRow>> load_rows(const std::string& db_path,
                                                std::optional<UnixTime> expiring_before) {
  auto inv = store::Inventory::open(db_path, kMode);
  if (!inv) return std::move(inv).error();
  return inv->report_rows(expiring_before);
}

Result<store::ReportWithHistory> load_rows_with_history(const std::string& db_path,
                                                        std::optional<UnixTime> expiring_before, int max_versions,
                                                        int max_events) {
  auto inv = store::Inventory::open(db_path, kMode);
  if (!inv) return std::move(inv).error();
  return inv->report_rows_with_history(expiring_before, max_versions, max_events);
}

Result<std::size_t> count_expiring(const std::string& db_path, UnixTime t) {
  auto inv = store::Inventory::open(db_path, kMode);
  if (!inv) return std::move(inv).error();
  return inv->count_expiring(t);
}

Result<CertificateView> load_certificate(const std::string& db_path, const std::string& name) {
  auto inv = store::Inventory::open(db_path, kMode);
  if (!inv) return std::move(inv).error();
  auto cert = inv->find_certificate(name);
  if (!cert) return std::move(cert).error();
  if (!*cert) {
    return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
  }
  auto versions = inv->versions(name);
  if (!versions) return std::move(versions).error();
  auto events = inv->events(name);
  if (!events) return std::move(events).error();
  return CertificateView{std::move(**cert), std::move(*versions), std::move(*events)};
}

}  // namespace certkeeper::report
