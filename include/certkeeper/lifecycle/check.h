// `check` and `import`: manual certificates through the validation gate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/crypto/validation.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct CheckRequest {
  crypto::Sources sources;
  std::string host;          // --host
  std::string external_url;  // --external-url
  std::string ca_file;       // --ca-file
  bool require_key = false;
};

struct CheckOutcome {
  crypto::Verdict verdict;
  std::vector<std::string> names_checked;
  std::string names_from;  // "--host", "--external-url", "external_url setting", or ""
};

// Validates only; changes nothing. Without --host/--external-url, the
// external_url setting of an existing database is used (read-only).
Result<CheckOutcome> check(const Context& ctx, const CheckRequest& request);

struct ImportRequest {
  std::string name;
  crypto::Sources sources;
  std::string ca_file;  // --ca-file: extra trust anchors for a private CA
  bool install = false; // --install: then install the version into the certificate's targets
};

struct ImportOutcome {
  CheckOutcome check;
  bool stored = false;      // a new version was appended
  bool unchanged = false;   // the current version already holds this certificate
  bool created = false;     // the certificate definition is new
  int version = 0;          // the new (or unchanged current) version number
  // With --install: the install transaction's outcome (rolled_back → exit
  // 5), or the error that stopped it. The version stays stored either way.
  std::optional<InstallOutcome> install;
  std::optional<Error> install_error;
};

// Validates and, when accepted, appends a new version (creating a manual
// definition for a new name) with its event in one transaction. A rejected
// import returns an outcome with stored == false and leaves the database
// untouched. The names checked are the definition's declared domains, else
// the external_url setting. With `install`, a certificate without targets is
// refused before anything is stored (Errc::usage).
Result<ImportOutcome> import_certificate(const Context& ctx, const ImportRequest& request);

}  // namespace certkeeper::lifecycle
