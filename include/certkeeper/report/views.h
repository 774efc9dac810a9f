// Renderers of the inventory views: list, show NAME, history NAME.
#pragma once

#include <string>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::report {

std::string render_list(const std::vector<store::ReportRow>& rows, UnixTime now, bool json);

std::string render_show(const store::CertificateRecord& certificate,
                        const std::vector<store::VersionRecord>& versions, UnixTime now, bool json);

std::string render_history(const std::string& name, const std::vector<store::VersionRecord>& versions,
                           const std::vector<store::EventRecord>& events, bool json);

}  // namespace certkeeper::report
