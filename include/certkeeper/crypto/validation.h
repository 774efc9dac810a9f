// The validation gate: the one function every certificate passes through
// before it is stored or installed, whatever its source (DESIGN.md "spine").
//
// It reads the user's files itself so that unreadable input is a finding that
// names the file. Findings have stable codes (finding_codes.h);
// any finding of severity error blocks storage and install.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/crypto/bundle.h"
#include "certkeeper/crypto/finding_codes.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::crypto {

struct Finding {
  Severity severity = Severity::error;
  std::string code;     // stable, a name of finding_codes.h, e.g. "key-mismatch"
  std::string subject;  // the file path or certificate it is about
  std::string message;  // one line: what is wrong and what to do; no key material
};

// A finding with its code's stable name (finding_codes.h). The severity must
// be one the code's row lists (asserted), so the reference stays true.
Finding make_finding(Severity severity, FindingCode code, std::string subject, std::string message);

// What the user handed in: PEM/DER files, or one PKCS#12 file.
struct Sources {
  std::string cert_file;   // PEM (one or more blocks) or DER; may also hold the key and chain
  std::string key_file;    // optional for `check`; "" = no key given
  std::string chain_file;  // optional: the CA file (issuing CA, root appended)
  std::string p12_file;    // instead of the three above
  std::string p12_password_file;     // optional; "" = empty password
  std::string key_passphrase_file;   // optional: decrypts an encrypted key
};

struct Policy {
  UnixTime now = 0;
  // Host names or IP addresses the leaf must cover (already taken out of any
  // URL, see names.h). Empty: the name check is skipped with an info finding.
  std::vector<std::string> names;
  // Extra trust anchors (PEM), e.g. a private CA: --ca-file.
  std::string ca_file;
  // The system trust store (a hashed directory); "" = OpenSSL's default.
  // Tests point it at an empty directory.
  std::string system_ca_dir;
  bool use_system_store = true;
  // Whether a key is required (import) or optional (check).
  bool require_key = true;
};

struct Verdict {
  std::vector<Finding> findings;
  // Set when a leaf (and, if required, its key) could be read and matched,
  // even if other findings are errors: callers show its facts. Store or
  // install only when accepted().
  std::optional<Bundle> bundle;
  // "import-pem" or "import-p12" (later "acme").
  std::string origin;

  bool accepted() const;           // no finding of severity error
  std::size_t count(Severity s) const;
};

// Reads the sources, builds the bundle (picking the leaf that matches the key,
// reordering the chain, dropping extras) and checks everything listed in the
// manual (docs/manual/validation.md): chain up to a trust anchor, key match, dates, usage, strength,
// names. Never throws; never echoes file contents.
Verdict validate(const Sources& sources, const Policy& policy);

// The same gate for in-memory PEM (leaf first, then chain) and a PEM key, as
// produced by an ACME order. `label` names the subject in findings.
Verdict validate_pem(const std::string& label, const std::string& cert_and_chain_pem,
                     const std::string& key_pem, const Policy& policy);

}  // namespace certkeeper::crypto
