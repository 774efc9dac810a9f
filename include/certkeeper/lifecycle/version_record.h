// Turning an accepted Bundle into the row the inventory stores.
#pragma once

#include "certkeeper/crypto/validation.h"
#include "certkeeper/store/records.h"

namespace certkeeper::lifecycle {

// The version row for an accepted verdict's bundle: PEMs, facts, and the
// warnings/infos of the gate as a JSON array of {severity, code, message}.
store::VersionRecord version_record(const crypto::Bundle& bundle, const crypto::Verdict& verdict);

// A version row with the leaf's facts filled in (fingerprint, serial,
// subject, issuer, names, key type, dates); the PEMs and origin are the
// caller's.
store::VersionRecord version_facts(const crypto::CertificateFacts& leaf);

// The non-error findings as a JSON array (what a stored version keeps).
std::string findings_json(const std::vector<crypto::Finding>& findings);

}  // namespace certkeeper::lifecycle
