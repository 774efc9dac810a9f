// `install` and `rollback`: the transaction stage -> switch -> reload ->
// probe over every target of a certificate, switched back as a whole when a
// reload fails or a probe does not see the installed certificate.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// Setting: how many sets (installed versions) each target directory keeps.
inline constexpr const char* kKeepVersions = "keep_versions";
inline constexpr int kDefaultKeepVersions = 5;

struct InstallRequest {
  std::string name;
  std::optional<int> version;  // install: default the current version; rollback: default the one before the installed
  bool force = false;          // allow an expired or revoked version
  bool dry_run = false;        // plan only: change nothing
  std::chrono::milliseconds probe_wait{15'000};  // how long a probe may retry to see the new certificate
  // An operator's install or rollback: the version installed becomes the
  // desired one (pinned when older than the newest, the pin cleared when the
  // newest). false: the pin is left as it is (a version just stored and
  // installed by issue, import --install or the scheduler; a node
  // converging to the desired version).
  bool set_desired = true;
  // A command of its own: record this node's heartbeat ("idle") once it
  // ran. false inside a pass, whose own beats say what the node does (a
  // pass that installs is not idle until it ends).
  bool beat = true;
};

struct PlannedFile {
  std::string path;  // DIR/cert.pem
  unsigned mode = 0;
  std::string owner;  // "" = the installing user
  std::string group;
  bool secret = false;
};

struct TargetStep {
  std::string dir;
  std::string layout;
  std::optional<int> from_version;  // installed before
  std::vector<PlannedFile> files;
  std::vector<std::string> adopted;  // regular files found in a first install, kept as version 0
  std::vector<std::string> probes;   // HOST:PORT[,...]
  std::vector<std::string> pruned;   // set directories removed by retention
};

struct CommandStep {
  std::string command;  // as text
  bool ran = false;
  bool ok = false;
  std::string detail;   // failure description
};

struct ProbeStep {
  std::string endpoint;
  std::string servername;
  bool ok = false;
  int attempts = 0;
  std::string served_fingerprint;
  std::string detail;  // what was wrong
};

struct InstallOutcome {
  std::string name;
  int version = 0;
  std::string fingerprint;
  UnixTime not_after = 0;
  std::optional<int> previous_version;  // what the targets had before (the first target's)
  std::string previous_fingerprint;
  std::optional<UnixTime> previous_not_after;
  bool dry_run = false;
  bool rolled_back = false;  // the transaction failed and the previous files are back (exit 5)
  std::string failure;       // why, one line
  std::vector<TargetStep> targets;
  std::vector<CommandStep> reloads;         // of the transaction
  std::vector<CommandStep> restore_reloads; // after switching back
  std::vector<ProbeStep> probes;
  std::vector<std::string> reconciled;      // what was repaired at start (an interrupted run)
  // The certificate's pin after the transaction (issue 12): the version
  // installed when it is older than the newest (install --version, rollback),
  // nullopt when the newest is desired. A dry run: what it would be.
  std::optional<int> pinned_version;
};

// Installs `version` (default current) into every target of the certificate.
// Errc::not_found for an unknown certificate or version, or no targets;
// Errc::rejected for an expired or revoked version without force, or an
// unsafe target directory; Errc::io when a file cannot be written (the old
// files stay live). A reload or probe failure is not an error: the outcome
// says rolled_back, with the reason.
Result<InstallOutcome> install(const Context& ctx, const InstallRequest& request);

// The same transaction for an older version: by default the newest version
// older than the one installed now. Both make the version they install the
// desired one (issue 12): pinned when older than the newest, the pin
// cleared when the newest; recorded with the outcome, also when the
// transaction was switched back.
Result<InstallOutcome> rollback(const Context& ctx, const InstallRequest& request);

}  // namespace certkeeper::lifecycle
