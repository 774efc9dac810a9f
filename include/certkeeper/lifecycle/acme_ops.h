// ACME-managed certificates as whole operations: define (add), obtain
// (issue), and the account they use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/crypto/validation.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/store/records.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct AddRequest {
  std::string name;
  std::vector<std::string> domains;
  std::string challenge = "http-01";  // http-01 | tls-alpn-01 | dns-01
  std::string webroot;                // http-01 by files
  std::string listen;                 // http-01 / tls-alpn-01 standalone, "ADDR:PORT"
  // Standalone: how long to wait while another program (another certkeeper
  // validating on the same address) holds the port; unset = 60 s.
  std::optional<int> listen_wait_seconds;
  std::string dns_hook;               // dns-01 program
  int dns_propagation_seconds = 30;
  std::string key_type = "ec-p256";
  std::string profile;
  std::string acme_server;   // "" = the inventory's setting
  std::string acme_ca_file;  // "" = the inventory's setting
  std::optional<int> renew_before_days;
  std::string preferred_chain;
};

// Checks the request (names, challenge and its option, key type, server
// URL, CA file; Errc::usage with the flag named) and stores the definition.
// Refuses (Errc::conflict) to turn a manual certificate into an ACME one.
Result<store::CertificateRecord> add_certificate(const Context& ctx, const AddRequest& request);

struct IssueOutcome {
  std::string name;
  bool stored = false;
  int version = 0;
  std::optional<crypto::Verdict> verdict;  // the gate's verdict on the downloaded chain
  std::optional<Error> error;              // why it failed (Errc::ca_failed → exit 4)
  bool permanent_failure = false;          // retrying cannot help until the definition changes
  std::size_t requests = 0;                // HTTP requests to the CA for this certificate
  bool resumed = false;                    // an order left open by an earlier run was resumed
  // When the certificate has install targets, the new version goes through
  // the install transaction: its outcome (rolled_back → exit 5), or the
  // error that stopped it (the version stays stored either way).
  std::optional<InstallOutcome> install;
  std::optional<Error> install_error;
};

// Obtains a certificate for each name (up to `parallel` orders in flight)
// and stores each one that passes the validation gate as a new version. A
// failure records the certificate's last error (and Retry-After as its next
// check) and changes no version. Outcomes are in the order of `names`.
// One run per certificate at a time, on every node: each order runs under
// the certificate's lease (a holder, an expiry, a fencing generation in the
// inventory; renewed while it runs, checked when the version is stored). A
// name whose lease another run (a renew pass, another issue, another node)
// holds is waited for (at most 10 minutes, said on stderr), its definition
// read again, and then ordered: an explicit issue always places its own order
// (the definition may have changed meanwhile), unlike a renew pass, which
// skips a certificate renewed meanwhile. A holder that died or stopped loses the
// lease when it expires (setting lease_seconds); the next run takes it over
// and resumes the same order. An open order
// made by another account (or one the CA says is not this account's) is
// abandoned ("order-abandoned") and a new one placed in the same run.
std::vector<IssueOutcome> issue(const Context& ctx, const std::vector<std::string>& names, int parallel);

}  // namespace certkeeper::lifecycle
