// report --email: the report as a mail, the table as text and the HTML page
// as its alternative.
#pragma once

#include <vector>

#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/report/report.h"

namespace certkeeper::cli {

// Subject "certkeeper report on HOST: N certificates, E expired, S expiring".
Status mail_report(const lifecycle::MailSettings& settings, const std::vector<std::string>& to,
                   const std::vector<store::ReportRow>& rows, const report::ReportOptions& options);

}  // namespace certkeeper::cli
