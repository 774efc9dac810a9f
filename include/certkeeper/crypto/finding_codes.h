// The validation gate's finding codes, in one table: the gate names every
// finding from it, and the reference documentation (`certkeeper docs`, the
// man pages) prints it, so what the program says and what the manual lists
// cannot differ. Codes are stable: scripts and stored versions keep them.
#pragma once

#include <span>
#include <string>

namespace certkeeper::crypto {

enum class Severity { error, warning, info };
const char* severity_name(Severity s);  // "error", "warning", "info"

enum class FindingCode {
  unreadable,
  key_encrypted,
  key_mismatch,
  key_missing,
  key_unchecked,
  p12_bad_password,
  chain_incomplete,
  chain_reordered,
  chain_extra,
  root_missing,
  root_private,
  self_signed,
  expired,
  not_yet_valid,
  chain_expires_first,
  expires_soon,
  leaf_usage,
  weak_key,
  weak_signature,
  name_mismatch,
  name_invalid,
  name_unchecked,
  older_than_current,
  internal_error,
};

struct FindingCodeInfo {
  FindingCode code;
  const char* name;         // the stable code, e.g. "key-mismatch"
  unsigned severities;      // bit (1 << Severity) for each severity it is given with
  const char* when;         // when the gate reports it (one sentence)
  const char* what_to_do;   // the usual fix (one sentence)
};

// Every code, in the order of the reference table.
std::span<const FindingCodeInfo> finding_codes();
const FindingCodeInfo& finding_code_info(FindingCode code);
inline const char* finding_code_name(FindingCode code) { return finding_code_info(code).name; }
// "error", "error / warning", ...: the severities of `info`, most severe first.
std::string severities_text(const FindingCodeInfo& info);
inline bool allows(const FindingCodeInfo& info, Severity s) {
  return (info.severities & (1u << static_cast<unsigned>(s))) != 0;
}

}  // namespace certkeeper::crypto
