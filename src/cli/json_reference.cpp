// The JSON documents the commands print with --json, member by member, for
// the reference documentation (`certkeeper docs`). The CLI tests hold every
// document a command prints to these tables (tests/support/json_reference.h):
// a member that is not listed here fails them.
#include "reference.h"

namespace certkeeper::cli {
namespace {

// Shapes shared by several documents.
constexpr JsonField kError[] = {
    {"code", "a stable error code: `usage`, `io`, `not_found`, `invalid_input`, `rejected`, `crypto`, `database`, "
             "`database_corrupt`, `database_newer`, `conflict`, `network`, `ca_failed`, `timeout`, `internal`"},
    {"message", "what is wrong and what to do, one line"},
    {"subject", "the file, certificate or URL it is about"},
    {"cause", "present only when the CA (or the validation gate) said more than the message: what it said"},
    {"cause.kind", "`ca-problem` (an ACME problem document, or an HTTP answer that was none) or `finding` (the "
                   "gate refused the CA's certificate)"},
    {"cause.type", "the ACME error name (e.g. `rateLimited`, `userActionRequired`) or the finding code (e.g. "
                   "`key-mismatch`); empty when the answer was no problem document"},
    {"cause.http_status", "the HTTP status of the CA's answer; null when none"},
    {"cause.transient", "whether a later attempt may succeed; false: no retry helps until someone acts"},
    {"cause.retry_after", "the CA's Retry-After, UTC, clamped to 1 minute .. 30 days; null when none"},
    {"cause.instance", "the problem's `instance` URL (a page to open); empty when none"},
    {"cause.terms_of_service", "the `Link: rel=\"terms-of-service\"` URL of a userActionRequired; empty when none"},
    {"cause.subproblems[]", "per identifier problems (RFC 8555 section 6.7.1)"},
    {"cause.subproblems[].type", "the ACME error name"},
    {"cause.subproblems[].detail", "what the CA said, printable"},
    {"cause.subproblems[].identifier", "the name it is about"},
};

constexpr JsonField kFacts[] = {
    {"subject", "subject DN"},
    {"issuer", "issuer DN"},
    {"serial", "serial number, upper-case hex"},
    {"fingerprint_sha256", "SHA-256 of the DER, lower-case hex"},
    {"not_before", "start of validity, UTC"},
    {"not_after", "end of validity, UTC"},
    {"names", "names covered (DNS, then IP)"},
    {"key_type", "`ec-p256`, `rsa-2048`, ..."},
    {"signature_algorithm", "e.g. `ecdsa-with-SHA256`"},
};

constexpr JsonField kInstall[] = {
    {"name", "certificate name"},
    {"version", "the version installed (or that would be)"},
    {"sha256", "its SHA-256 fingerprint"},
    {"not_after", "its end of validity, UTC"},
    {"previous_version", "what the targets had before; null when nothing was installed by certkeeper"},
    {"previous_sha256", "its fingerprint; empty when none"},
    {"previous_not_after", "its end of validity; null when none"},
    {"dry_run", "true for `--dry-run`: nothing was changed"},
    {"rolled_back", "whether the transaction was undone (exit 5)"},
    {"pinned_version",
     "the certificate's pin afterwards: the version installed when it is older than the newest (it is then the "
     "desired version, also when the transaction was undone), null when the newest is desired; a dry run: what it "
     "would be"},
    {"failure", "why it was undone, one line; empty otherwise"},
    {"targets[]", "one per target"},
    {"targets[].dir", "the target directory"},
    {"targets[].layout", "`separate` or `combined`"},
    {"targets[].from_version", "the version it had before; null when none"},
    {"targets[].files[]", "the files written"},
    {"targets[].files[].path", "the path services read"},
    {"targets[].files[].mode", "octal, e.g. `0600`"},
    {"targets[].files[].owner", "owner; empty: the installing user"},
    {"targets[].files[].group", "group; empty: the installing user's"},
    {"targets[].files[].secret", "the file holds the private key"},
    {"targets[].adopted", "regular files of a first install, kept as set version 0"},
    {"targets[].probes", "the target's probes, `HOST:PORT[,...]`"},
    {"targets[].pruned", "old sets removed by `keep_versions`"},
    {"reloads[]", "the reload commands of the transaction", "command-step"},
    {"restore_reloads[]", "the reload commands run again after switching back", "command-step"},
    {"probes[]", "the post-install probes"},
    {"probes[].endpoint", "`HOST:PORT`"},
    {"probes[].servername", "the SNI sent and the name checked"},
    {"probes[].ok", "whether it saw the new certificate, verified and covering the name"},
    {"probes[].attempts", "how many connections it took (at least 3: the new certificate must be served three times in a row)"},
    {"probes[].served_sha256", "the fingerprint of the leaf it was served last"},
    {"probes[].detail", "what went wrong, one line; empty when ok"},
    {"reconciled", "what was repaired at start (an interrupted earlier run)"},
};

constexpr JsonField kCommandStep[] = {
    {"command", "the command, as words"},
    {"ran", "whether it was started"},
    {"ok", "whether it exited 0 in time"},
    {"detail", "exit status and the first of its output when it failed"},
};

constexpr JsonField kProbe[] = {
    {"endpoint", "`HOST:PORT` as connected"},
    {"servername", "the SNI sent and the name checked; empty for an IP address without --servername"},
    {"tls_version", "e.g. `TLSv1.3`"},
    {"chain[]", "the certificates served, leaf first"},
    {"chain[].subject", "subject DN"},
    {"chain[].subject_cn", "subject CN"},
    {"chain[].names", "names covered"},
    {"chain[].issuer", "issuer DN"},
    {"chain[].issuer_cn", "issuer CN"},
    {"chain[].serial", "serial number, upper-case hex"},
    {"chain[].not_before", "start of validity, UTC"},
    {"chain[].not_after", "end of validity, UTC"},
    {"chain[].days_left", "whole days left, negative once expired"},
    {"chain[].fingerprint_sha256", "SHA-256 of the DER"},
    {"chain[].key_type", "`ec-p256`, `rsa-2048`, ..."},
    {"verifies", "whether the served chain verifies (system store plus --ca-file)"},
    {"verify_error", "why not; empty when it does"},
    {"name_covered", "whether the leaf covers the servername"},
    {"inventory", "the managed certificate with this leaf, or null"},
    {"inventory.name", "its name"},
    {"inventory.version", "its version"},
};

constexpr JsonField kTarget[] = {
    {"name", "certificate name"},
    {"dir", "the target directory"},
    {"layout", "`separate` or `combined`"},
    {"include_root", "whether the root is appended to the chain files"},
    {"owner", "owner of the files; empty: the installing user"},
    {"group", "group of the files; empty: the installing user's"},
    {"mode", "mode of the key file, octal"},
    {"reload[]", "reload commands"},
    {"reload[].argv", "the command as words"},
    {"reload[].timeout_seconds", "how long it may run"},
    {"probes[]", "post-install probes"},
    {"probes[].host", "host"},
    {"probes[].port", "port"},
    {"probes[].servername", "SNI and name checked; empty: the certificate's first name"},
    {"probes[].starttls", "`none`, `smtp`, `imap` or `pop3`"},
    {"installed_version", "what the last finished install left live; null when nothing"},
    {"pending_version", "non-null only while an install runs (or after one was killed, until the next install)"},
    {"node", "the node that installs it (a fleet); empty for a target made before targets had nodes"},
    {"installed_at", "when `installed_version` went live, UTC; null when unknown"},
    {"probe_ok", "whether the last install transaction here went live with its probes passing; null before one"},
    {"probe_detail", "why it did not, one line; empty otherwise"},
    {"probed_at", "when that transaction ended, UTC; null before one"},
    {"failed_version", "the version whose install rolled back here last; a pass does not retry it (`install` does); "
                       "null otherwise"},
};

constexpr JsonField kAccount[] = {
    {"directory_url", "the ACME directory"},
    {"contact", "the contact URL (`mailto:`); empty when none"},
    {"account_url", "the account's URL at the CA; empty before registration"},
    {"status", "as stored: `valid`, `deactivated`, `revoked`"},
    {"key_type", "the account key's type"},
    {"key_thumbprint", "the account key's JWK thumbprint (RFC 7638), never the key"},
    {"created_at", "when it was stored, UTC"},
    {"server_status", "what the CA says the status is; null when not asked"},
    {"server_error", "why the CA could not be asked; null otherwise"},
    {"server_error.code", "error code"},
    {"server_error.message", "one line"},
};

constexpr JsonField kObservation[] = {
    {"name", "the endpoint's name in the inventory"},
    {"endpoint", "`HOST:PORT[,starttls=...][,servername=...]`"},
    {"reachable", "whether the probe connected"},
    {"new_version", "the version stored for a new leaf; null when the leaf is known (or unreachable)"},
    {"probe", "what `probe --json` shows, or null when unreachable", "probe"},
    {"error", "why it was not reached", "error"},
};

// Every document of a command that ends in an error (exit != 0 before any
// work was done) is this one.
constexpr JsonField kFailureDocument[] = {
    {"ok", "false"},
    {"exit_code", "the exit code (see the exit codes)"},
    {"error", "what went wrong", "error"},
};

constexpr JsonField kInit[] = {
    {"ok", "true"},
    {"database", "the inventory's path"},
    {"created", "whether it was created now (else updated)"},
    {"schema_version", "the schema version after migrations"},
    {"settings", "every setting, by name: `external_url`, `acme_server`, `acme_ca_file`, `email`, `keep_versions`, "
                 "`lease_seconds`, `node_down_after`, `drift_after`, `challenge_wait` (those given), and with encrypted keys `key_encryption` (`aes-256-gcm`) and `key_file`"},
    {"settings.*", "(as above)"},
    {"keys_encrypted", "with `--encrypt-keys`: the private keys encrypted now; null without it"},
};

constexpr JsonField kCheck[] = {
    {"ok", "whether the files were accepted"},
    {"exit_code", "0 or 3"},
    {"accepted", "no finding is an error"},
    {"origin", "`import-pem` or `import-p12`"},
    {"names_checked", "the names the certificate had to cover"},
    {"names_from", "where they came from: `--host`, `--external-url`, the `external_url` setting, the definition"},
    {"findings[]", "every finding", "finding"},
    {"certificate", "the leaf, when one was identified; else null", "facts"},
    {"chain[]", "the intermediates in path order", "facts"},
    {"root", "the root, when known; else null", "facts"},
};

constexpr JsonField kImport[] = {
    {"ok", "stored (or unchanged) and, with --install, installed"},
    {"exit_code", "0, 3 (rejected), 5 (install rolled back) or 1"},
    {"name", "certificate name"},
    {"stored", "whether a new version was stored"},
    {"unchanged", "the certificate is already the current version: nothing was stored"},
    {"created", "whether the certificate is new"},
    {"version", "the version stored (or already current); null when rejected"},
    {"accepted", "as for check"},
    {"origin", "as for check"},
    {"names_checked", "as for check"},
    {"names_from", "as for check"},
    {"findings[]", "as for check", "finding"},
    {"certificate", "as for check", "facts"},
    {"chain[]", "as for check", "facts"},
    {"root", "as for check", "facts"},
    {"install", "with --install: the install transaction", "install"},
    {"install_error", "with --install: why it could not start", "error"},
};

constexpr JsonField kCertbotHook[] = {
    {"kind", "`deploy`, `pre` or `post`"},
    {"command", "what certbot runs"},
    {"from", "where it is configured (`renewal/NAME.conf renew_hook`, a `renewal-hooks/` script)"},
    {"replacement", "what to do in certkeeper instead (e.g. the `target add ... --reload` command); empty when "
                    "nothing replaces it"},
};

constexpr JsonField kImportCertbot[] = {
    {"ok", "every lineage imported, or already was"},
    {"exit_code", "0, 3 (a lineage rejected or not carried over), 2 (DIR is not certbot's) or 1"},
    {"dry_run", "true for `--dry-run`: nothing was stored"},
    {"dir", "certbot's configuration directory read"},
    {"accounts[]", "one per certbot account the lineages use"},
    {"accounts[].certbot_id", "certbot's account directory name"},
    {"accounts[].directory_url", "the ACME server"},
    {"accounts[].account_url", "the account's URL (from `regr.json`)"},
    {"accounts[].key_alg", "the account key's type"},
    {"accounts[].status", "`imported`, `would-import`, `unchanged`, `kept-existing` or `unusable`"},
    {"accounts[].reason", "why, for `kept-existing` and `unusable`"},
    {"certificates[]", "one per lineage (`renewal/NAME.conf`)"},
    {"certificates[].name", "the certificate name (the lineage's)"},
    {"certificates[].conf", "the renewal configuration read"},
    {"certificates[].status", "`imported`, `would-import`, `unchanged`, `rejected` or `skipped`"},
    {"certificates[].reason", "why, for `rejected` and `skipped`"},
    {"certificates[].findings[]", "the gate's findings on the lineage's files", "finding"},
    {"certificates[].version", "the version stored; null when none"},
    {"certificates[].domains", "the names (those of the current certificate)"},
    {"certificates[].challenge", "from the authenticator: `http-01`"},
    {"certificates[].challenge_config", "`listen`, `webroot` or `webroot_map`; null when none"},
    {"certificates[].challenge_config.*", "as `show` prints it"},
    {"certificates[].key_type", "the key type for renewals"},
    {"certificates[].acme_server", "certbot's `server`"},
    {"certificates[].renew_before_days", "from `renew_before_expiry`; null when not set"},
    {"certificates[].account_url", "the account the lineage renews with"},
    {"certificates[].fingerprint_sha256", "the current certificate's fingerprint"},
    {"certificates[].not_after", "its end of validity, UTC; null when not read"},
    {"certificates[].hooks[]", "the lineage's hooks, listed, never run", "certbot-hook"},
    {"hooks[]", "the scripts of `renewal-hooks/`", "certbot-hook"},
};

constexpr JsonField kExport[] = {
    {"ok", "true"},
    {"exit_code", "0"},
    {"name", "certificate name"},
    {"source", "`manual`, `acme` or `remote`"},
    {"version", "the version exported"},
    {"fingerprint_sha256", "its leaf's fingerprint"},
    {"format", "`pem` or `p12`"},
    {"key_included", "whether the private key was written (only into a 0600 file)"},
    {"encryption", "the PKCS#12 encryption (e.g. `AES-256-CBC, PBKDF2, SHA-256 MAC`); null for PEM"},
    {"files[]", "the files written (empty without --out)"},
    {"files[].path", "its path"},
    {"files[].content", "`certificate`, `chain`, `fullchain`, `private key` or `pkcs12`"},
    {"files[].mode", "octal, `0600` for a file holding the key, else `0644`"},
    {"pem", "without --out, `--format pem`: the fullchain"},
};

constexpr JsonField kAdd[] = {
    {"ok", "true"},
    {"name", "certificate name"},
    {"domains", "the names it covers"},
    {"challenge", "`http-01`, `tls-alpn-01` or `dns-01`"},
    {"key_type", "the key type of its orders"},
};

constexpr JsonField kIssue[] = {
    {"ok", "every order stored a version (and installed it)"},
    {"exit_code", "0, 4 (the CA refused or failed), 5 (install rolled back) or 1"},
    {"certificates[]", "one per NAME"},
    {"certificates[].name", "certificate name"},
    {"certificates[].stored", "whether a version was stored"},
    {"certificates[].version", "its number; null when none"},
    {"certificates[].error", "why the order failed; null when it did not", "error"},
    {"certificates[].requests", "HTTP requests the order took"},
    {"certificates[].resumed", "an order left by an earlier run was resumed"},
    {"certificates[].findings[]", "the gate's findings on the CA's certificate", "finding"},
    {"certificates[].certificate", "the new leaf", "facts"},
    {"certificates[].install", "the install into its targets", "install"},
    {"certificates[].install_error", "why the install could not start", "error"},
};

constexpr JsonField kAccountDocument[] = {
    {"ok", "true"},
    {"action", "`register`, `show`, `rollover` or `deactivate`"},
    {"registered", "register only: whether a new account was registered now"},
    {"account", "the account", "account"},
};

constexpr JsonField kRevoke[] = {
    {"ok", "true"},
    {"name", "certificate name"},
    {"version", "the version revoked"},
    {"serial", "its serial number"},
    {"reason", "RFC 5280 reason name"},
    {"reason_code", "RFC 5280 reason code"},
    {"revoked_at", "when, UTC"},
    {"newly_marked", "false when it was already marked revoked"},
};

constexpr JsonField kTargetAdd[] = {
    {"ok", "true"},
    {"created", "whether the target is new (else changed)"},
    {"", "the target's members, as `targets[]` of `target list`", "target"},
};

constexpr JsonField kTargetList[] = {
    {"ok", "true"},
    {"name", "certificate name"},
    {"targets[]", "its targets", "target"},
};

constexpr JsonField kTargetRemove[] = {
    {"ok", "true"},
    {"name", "certificate name"},
    {"dir", "the target forgotten"},
};

constexpr JsonField kInstallDocument[] = {
    {"ok", "false when the install was rolled back (exit 5)"},
    {"exit_code", "0 or 5"},
    {"", "the install transaction's members", "install"},
};

constexpr JsonField kRenew[] = {
    {"ok", "nothing failed"},
    {"exit_code", "0; 4 when an order failed at the CA, 5 when an install was rolled back, 1 for other failures"},
    {"dry_run", "true for --dry-run"},
    {"next_check", "the earliest next check, UTC; null when nothing is scheduled"},
    {"next", "the certificate whose check is the next after now, and why; null when none is scheduled"},
    {"next.name", "certificate name"},
    {"next.at", "its next check, UTC"},
    {"next.reason", "why then, one line"},
    {"certificates[]", "one per certificate decided in this pass"},
    {"certificates[].name", "certificate name"},
    {"certificates[].source", "`manual`, `acme` or `remote`"},
    {"certificates[].decision", "`renew-now`, `check-at`, `back-off` or `halted`"},
    {"certificates[].at", "when to look again, UTC; null for renew-now"},
    {"certificates[].reason", "why, one line"},
    {"certificates[].stored_next_check", "the next check stored before this pass, UTC; null when never scheduled "
                                         "(a certificate named on the command line is decided without waiting for it)"},
    {"certificates[].attempted", "whether an order was attempted"},
    {"certificates[].renewed", "whether a new version was stored"},
    {"certificates[].version", "its number; null when none"},
    {"certificates[].error", "why the order failed", "error"},
    {"certificates[].error.permanent", "renewals halt until the definition changes"},
    {"certificates[].install", "the install of the new version", "install"},
    {"certificates[].events", "the events fired for --on-event / --email (a dry run: those it would fire)"},
    {"certificates[].hook_error", "why the hook or mail failed; empty otherwise"},
    {"revocation", "the revocation watch of this pass"},
    {"revocation.crls[]", "every CRL looked at"},
    {"revocation.crls[].url", "its URL"},
    {"revocation.crls[].status", "`fetched`, `would-fetch`, `unreachable` or `rejected`"},
    {"revocation.crls[].error", "why it could not be used; empty otherwise"},
    {"revocation.crls[].certificates", "how many certificates name it"},
    {"revocation.crls[].entries", "how many revoked serials it lists"},
    {"revocation.crls[].next_fetch", "when it is fetched again, UTC"},
    {"revocation.events[]", "revocations found"},
    {"revocation.events[].name", "certificate name"},
    {"revocation.events[].version", "the version"},
    {"revocation.events[].event", "`revoked` or `revocation-expected`"},
    {"revocation.events[].reason", "the CRL's reason, or why a revocation is expected"},
    {"revocation.events[].revoked_at", "the CRL entry's date; null for revocation-expected"},
    {"revocation.events[].crl", "the CRL's URL; empty for revocation-expected"},
    {"revocation.events[].hook_error", "why the hook or mail failed; empty otherwise"},
    {"revocation.unread_versions", "versions whose CRL distribution points were not read yet (dry run)"},
    {"node", "this node (`--node`, `CERTKEEPER_NODE`, else the host name)"},
    {"installs[]", "this node's targets brought to their certificate's desired version after the renewals (a dry "
                   "run: what it would install)"},
    {"installs[].name", "certificate name"},
    {"installs[].version", "the version installed"},
    {"installs[].install", "the install transaction; null in a dry run or when it could not run", "install"},
    {"installs[].error", "why it could not run; null otherwise", "error"},
};

constexpr JsonField kNodes[] = {
    {"ok", "true"},
    {"fleet", "whether the inventory is a PostgreSQL database that several hosts may share (else one node)"},
    {"self", "this node"},
    {"node_down_after", "seconds without a heartbeat after which a node is `down` (`init --node-down-after`)"},
    {"nodes[]", "every node with a heartbeat, and every node that targets name"},
    {"nodes[].name", "the node"},
    {"nodes[].status", "`up`, `down` (not seen for `node_down_after`) or `unknown` (targets name it, but it has no "
                       "heartbeat: removed, or never ran)"},
    {"nodes[].self", "whether it is this node"},
    {"nodes[].first_seen", "its first heartbeat, UTC; null when unknown"},
    {"nodes[].last_seen", "its last heartbeat, UTC; null when unknown"},
    {"nodes[].version", "the certkeeper it ran"},
    {"nodes[].doing", "what it said it was doing (`renew pass`, `idle`)"},
    {"nodes[].pid", "its process id"},
    {"nodes[].targets", "its targets"},
    {"nodes[].targets_converged", "those that serve their certificate's desired version with no failed probe"},
    {"nodes[].targets_failing", "those whose last install rolled back"},
    {"nodes[].answering", "whether its daemon answers the fleet's http-01 and tls-alpn-01 challenges (its answerer "
                          "beat within 15 s)"},
    {"nodes[].answering_at", "its challenge answerer's last beat, UTC; null when it has none (no daemon, or stopped)"},
};

constexpr JsonField kNodeRemove[] = {
    {"ok", "true"},
    {"node", "the node forgotten"},
    {"last_seen", "its last heartbeat, UTC"},
    {"targets", "its targets, which stay in the inventory"},
};

constexpr JsonField kReportOutput[] = {
    {"ok", "false when --fail-within found certificates"},
    {"exit_code", "0 or 6"},
    {"path", "the file written"},
    {"format", "the format written"},
    {"rows", "certificates in the report"},
    {"bytes", "the file's size"},
};

constexpr JsonField kProbeDocument[] = {
    {"ok", "true (a chain that does not verify is a finding, not an error)"},
    {"", "the probe's members", "probe"},
};

constexpr JsonField kWatchObservations[] = {
    {"ok", "watch check: false when an endpoint was not reached (exit 1); watch add: true"},
    {"endpoints[]", "one per endpoint", "observation"},
};

constexpr JsonField kWatchList[] = {
    {"ok", "true"},
    {"endpoints[]", "every watched endpoint"},
    {"endpoints[].name", "its name"},
    {"endpoints[].endpoint", "`HOST:PORT[,...]`"},
    {"endpoints[].version", "the current version; null before a certificate was seen"},
    {"endpoints[].not_after", "its end of validity; null when none"},
    {"endpoints[].failures", "failed probes in a row"},
    {"endpoints[].last_error", "the last probe error"},
    {"endpoints[].last_success", "the last probe that answered, UTC; null when none"},
    {"endpoints[].next_check", "when the scheduler probes it next, UTC"},
};

constexpr JsonField kDbCheck[] = {
    {"ok", "true"},
    {"backend", "`sqlite`"},
    {"database", "the inventory file"},
    {"schema_version", "the highest migration applied to the file"},
    {"schema_latest", "the highest this certkeeper knows (a lower `schema_version` is upgraded by the next writing "
                      "command; a higher one is refused by them)"},
    {"tables[]", "every table of the inventory, by name"},
    {"tables[].name", "the table"},
    {"tables[].rows", "its rows"},
    {"private_keys", "how the private keys are stored"},
    {"private_keys.encryption", "`none` (no key stored), `plaintext`, `encrypted` or `mixed`"},
    {"private_keys.plaintext", "keys stored as PEM"},
    {"private_keys.encrypted", "keys stored encrypted (`ck-aesgcm-v1:`)"},
    {"private_keys.columns[]", "each column that holds private keys"},
    {"private_keys.columns[].table", "its table"},
    {"private_keys.columns[].column", "the column"},
    {"private_keys.columns[].plaintext", "its keys stored as PEM"},
    {"private_keys.columns[].encrypted", "its keys stored encrypted"},
};

constexpr JsonField kDbCopy[] = {
    {"ok", "true"},
    {"from", "the source (`--from`; a SQLite file, or the URI)"},
    {"from_backend", "`sqlite` or `postgresql`"},
    {"to", "the new inventory (`--to`)"},
    {"to_backend", "`sqlite` or `postgresql`"},
    {"tables[]", "every table copied, in copy order"},
    {"tables[].name", "the table"},
    {"tables[].rows", "its rows (the same in both after the copy, checked before the commit)"},
    {"rows", "all rows copied"},
    {"keys_sealed", "private keys the source stored in plaintext, encrypted now for a PostgreSQL destination"},
    {"elapsed_ms", "how long the copy took, in milliseconds"},
};

constexpr JsonField kKeysNew[] = {
    {"ok", "true"},
    {"key_file", "the key file written"},
    {"mode", "`0600`"},
};

constexpr JsonField kKeysRotate[] = {
    {"ok", "true"},
    {"keys", "private keys re-encrypted"},
    {"key_file", "the new key file, now the setting `key_file` (absolute)"},
};

constexpr JsonDocument kDocuments[] = {
    {"init", "", kInit},
    {"check", "", kCheck},
    {"import", "", kImport},
    {"import", "with `--from-certbot`", kImportCertbot},
    {"add", "", kAdd},
    {"issue", "", kIssue},
    {"account", "every subcommand", kAccountDocument},
    {"revoke", "", kRevoke},
    {"target add", "", kTargetAdd},
    {"target list", "", kTargetList},
    {"target remove", "", kTargetRemove},
    {"install", "", kInstallDocument},
    {"rollback", "", kInstallDocument},
    {"renew", "", kRenew},
    {"report", "with `--output F` (the file gets the chosen format)", kReportOutput},
    {"probe", "", kProbeDocument},
    {"watch add", "", kWatchObservations},
    {"watch check", "", kWatchObservations},
    {"watch list", "", kWatchList},
    {"export", "", kExport},
    {"db check", "", kDbCheck},
    {"db copy", "", kDbCopy},
    {"keys new", "", kKeysNew},
    {"keys rotate", "", kKeysRotate},
    {"nodes", "", kNodes},
    {"node remove", "", kNodeRemove},
};

constexpr JsonDocument kShapes[] = {
    {"failure", "", kFailureDocument},
    {"error", "", kError},
    {"facts", "", kFacts},
    {"install", "", kInstall},
    {"command-step", "", kCommandStep},
    {"probe", "", kProbe},
    {"target", "", kTarget},
    {"account", "", kAccount},
    {"observation", "", kObservation},
    {"certbot-hook", "", kCertbotHook},
};

}  // namespace

std::span<const JsonDocument> cli_json_documents() { return kDocuments; }
std::span<const JsonDocument> cli_json_shapes() { return kShapes; }

}  // namespace certkeeper::cli
