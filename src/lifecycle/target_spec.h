// Private to lifecycle: a stored target row <-> the deploy module's spec.
#pragma once

#include "certkeeper/deploy/target.h"
#include "certkeeper/store/target_records.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle::detail {

// Errc::database_corrupt when the stored JSON cannot be read back.
Result<deploy::TargetSpec> spec_of(const store::TargetRecord& record);
store::TargetRecord record_of(const std::string& certificate_name, const deploy::TargetSpec& spec);

}  // namespace certkeeper::lifecycle::detail
