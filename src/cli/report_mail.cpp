#include "report_mail.h"

#include <fmt/format.h>

#include "app.h"

namespace certkeeper::cli {

Status mail_report(const lifecycle::MailSettings& settings, const std::vector<std::string>& to,
                   const std::vector<store::ReportRow>& rows, const report::ReportOptions& options) {
  std::size_t expired = 0, expiring = 0;
  for (const auto& row : rows) {
    const std::string status = report::expiry_status(row, options.now);
    expired += status == "expired";
    expiring += status == "expiring";
  }
  const std::string subject = fmt::format("certkeeper report on {}: {}, {} expired, {} expiring",
                                          lifecycle::mail_host_name(),
                                          plural(rows.size(), "certificate"), expired, expiring);
  report::ReportOptions text_options = options;
  text_options.color = false;
  const std::string text = report::render_report(rows, report::Format::table, text_options);
  const std::string html = report::render_report(rows, report::Format::html, options);
  return lifecycle::send_mail(settings, to, subject, text, html, options.now);
}

}  // namespace certkeeper::cli
