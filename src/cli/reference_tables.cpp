// The command line's own reference tables (reference.h).
#include <string>

#include "app.h"
#include "reference.h"

namespace certkeeper::cli {
namespace {

constexpr ExitCodeInfo kExitCodes[] = {
    {kOk, "ok", "success (also: `check` found only warnings)"},
    {kFailure, "failure",
     "operational failure: database missing, damaged, not a certkeeper inventory or from a newer certkeeper; file "
     "system error; an endpoint "
     "not reached (`probe`, `watch check`); a mail not sent"},
    {kUsage, "usage", "usage error: unknown command or option, bad value (e.g. a URL without a host)"},
    {kRejected, "rejected",
     "input rejected by validation: nothing was changed; also a program to run (--reload, --on-event, --dns-hook) "
     "that someone else could change"},
    {kCaFailed, "ca-failed",
     "the CA refused or failed, or could not be reached (`issue`, `account`, `revoke`, `renew`, `add --profile`)"},
    {kInstallRolledBack, "rolled-back",
     "install failed and was rolled back: a reload failed or a probe did not see the new certificate; the previous "
     "files are live again (`install`, `rollback`, `import --install`, `issue`, `renew`)"},
    {kExpiring, "expiring", "`report --fail-within` found certificates expiring within that many days"},
};

constexpr NamedText kEnvironment[] = {
    {"CERTKEEPER_DB", "the inventory when --db is not given (a path or `sqlite:PATH`)"},
    {"CERTKEEPER_KEY_FILE", "the key file of private keys encrypted at rest when --key-file is not given (else the "
                            "inventory's setting `key_file`)"},
    {"XDG_STATE_HOME", "a user's inventory is `$XDG_STATE_HOME/certkeeper/certkeeper.db` (default "
                       "`~/.local/state`); root's is `/var/lib/certkeeper/certkeeper.db`"},
    {"CERTKEEPER_MAIL_CONFIG", "the mail settings when --mail-config is not given"},
    {"XDG_CONFIG_HOME", "a user's mail settings are `$XDG_CONFIG_HOME/certkeeper/mail.conf` (default `~/.config`); "
                        "root's are `/etc/certkeeper/mail.conf`"},
    {"NO_COLOR", "when set and not empty, the report table is never coloured"},
    {"SSL_CERT_DIR", "the system trust store (a hashed directory; default OpenSSL's, `/etc/ssl/certs` on Debian)"},
    {"CERTKEEPER_CRASH_AT", "for the crash tests only: the install step at which the process kills itself"},
};

constexpr NamedText kFiles[] = {
    {"/var/lib/certkeeper/certkeeper.db",
     "root's inventory (SQLite, WAL; mode 0600, its directory 0700): every version with its private key, the "
     "ACME account keys, the targets and the audit log. Keep it and its backups as secret as the keys."},
    {"DB-wal, DB-shm", "SQLite's side files of the inventory, mode 0600"},
    {"DB.renew.lock", "mode 0600; held by a scheduler pass: a second pass exits 1 at once"},
    {"DB.locks/NAME", "`flock` file (the directory is mode 0700) held while a pass works on a manual certificate or "
                      "a watched endpoint; an ACME order runs under the certificate's lease in the inventory "
                      "instead (the setting `lease_seconds`)"},
    {"DB.locks/NAME@install", "held by an install transaction of that certificate (`install`, `rollback`, "
                              "`import --install`, `issue`, `renew`, `run`); another waits at most 120 s"},
    {"DB.locks/@accounts", "held while the ACME account is registered, replaced or its rollover settled"},
    {"/etc/certkeeper/mail.conf", "root's mail settings; must be mode 0600 or 0400 (it holds the SMTP password)"},
    {"DIR/cert.pem, chain.pem, fullchain.pem, privkey.pem",
     "a separate-layout target: symlinks into `DIR/.certkeeper/live/`; the key file has the target's --mode"},
    {"DIR/combined.pem", "a combined-layout target: key, leaf and intermediates in one file"},
    {"DIR/.certkeeper/", "the installed sets (`N-vV/`), the `live` symlink an install renames, and the lock"},
};

constexpr NamedText kFooters[] = {
    {"init",
     "Creates the inventory (its directory 0700, the database and its side files 0600) or updates its settings; "
     "running it again is safe. Other commands refuse to run without an inventory."},
    {"check",
     "Runs the validation gate on the files and changes nothing: exit 0 when accepted (warnings allowed), 3 when "
     "any finding is an error. The names checked are --host, the host of --external-url, else the external_url "
     "setting of an existing inventory, else none (name-unchecked)."},
    {"import",
     "Validates the files and stores them as a new version of the manual certificate NAME (1-64 characters of "
     "A-Z a-z 0-9 . _ -), creating it if new. A rejected import exits 3 and changes nothing; importing the "
     "current certificate again stores nothing. With --install the version then goes live in the certificate's "
     "targets. --from-certbot [DIR] instead takes over a certbot configuration directory (default "
     "/etc/letsencrypt): each lineage becomes an ACME certificate, certbot's account the inventory's, and its "
     "deploy hooks are listed with their replacements (never run); try it with --dry-run first."},
    {"list", "Every certificate with its current version, expiry, status and next check."},
    {"show",
     "The current version of one certificate in detail, with the findings it was stored with, and the scheduler's "
     "record: last attempt, failures, whether renewals are halted, last error, next check."},
    {"history", "Every version and every event of one certificate: who did what, when."},
    {"report",
     "Every certificate, soonest expiry first, as a table, JSON, CSV, Prometheus text exposition or one "
     "self-contained HTML page. --output writes atomically; --fail-within makes cron or a monitor see expiry by "
     "the exit code (6)."},
    {"add",
     "Defines (or redefines; versions are kept) an ACME-managed certificate. Names may be DNS names, IP "
     "addresses or, with dns-01 only, wildcards. 'certkeeper issue NAME' or the next scheduler pass orders it."},
    {"issue",
     "Orders a certificate now for each NAME, validates it like an import and stores it as a new version; a "
     "certificate with targets is installed at once. A failure changes no version and exits 4."},
    {"account",
     "The ACME account of the inventory's acme_server and email settings: register it (with External Account "
     "Binding when the CA requires it), show it, roll its key over, or deactivate it."},
    {"revoke",
     "Revokes the current version of an ACME certificate with the account key (RFC 8555 section 7.6) and marks it "
     "revoked in its history."},
    {"target",
     "A target is a directory a service reads the certificate from; one install switches all of a certificate's "
     "targets. Reload commands are split into words and never run by a shell unless written as sh -c '...'."},
    {"install",
     "Installs a version into every target as one transaction: check the directories, stage a complete set, "
     "switch every file at once, run the reloads, probe that the service serves the new certificate, then "
     "commit, or switch back and exit 5."},
    {"rollback",
     "Reinstalls an older version (by default the one before the installed one) through the same transaction."},
    {"renew",
     "One scheduler pass, for cron or the systemd timer: renews what is due (ARI window, a third of the lifetime "
     "left, back-off after failures), installs it, warns about manual certificates, probes watched endpoints and "
     "runs the revocation watch."},
    {"run",
     "The same passes as a daemon: a pass, then sleep until the earliest next check (at most 6 hours). SIGHUP "
     "starts a pass at once; SIGTERM stops after the pass in flight."},
    {"probe",
     "Connects to an endpoint (through STARTTLS when asked), reads the chain it serves and judges it: names, "
     "issuer, validity, whether it verifies and covers the name, and which managed version it is. Changes "
     "nothing."},
    {"export",
     "Writes a stored version (default: the current one) out again, as PEM files (cert, chain, fullchain, and "
     "with --include-key privkey) or one PKCS#12 file (AES-256 and PBKDF2, or --legacy 3DES/RC2-40 for old "
     "appliances). The key goes only into a new file of mode 0600, never to standard output; existing files are "
     "replaced only with --force. Each export to files is recorded in the history (event exported)."},
    {"db",
     "check: reads the inventory without writing to it and prints its backend (sqlite), file, schema version, the "
     "rows of every table and whether its private keys are encrypted (how many are stored in plaintext and how "
     "many encrypted). Needs no key file. copy: copies the whole inventory from --from into a new database --to "
     "(SQLite to PostgreSQL and back) in one transaction: every table with its ids, times and values, events in "
     "order; the row counts and every version's fingerprint are checked before it commits, and the source is "
     "never written. A destination that holds anything is refused (exit 1). A PostgreSQL destination never "
     "receives a plaintext private key: keys the source stores in plaintext are encrypted under --key-file, and "
     "without one the copy is refused before anything is written (exit 2). The destination's history ends with "
     "the event inventory-copied."},
    {"keys",
     "new: writes a fresh key file for private keys encrypted at rest: 32 random bytes, mode 0600, created only "
     "when nothing is at that path (an existing file is never overwritten: exit 1). Keep a copy apart from the "
     "inventory's backups. rotate: re-encrypts every private key of the inventory under --new-key-file in one "
     "transaction (the current key file must open them) and records it as the setting key_file; afterwards only "
     "the new file opens them. A key file that its group or others may read, a missing one or one that does not "
     "open the keys is exit 1 naming it."},
    {"watch",
     "Endpoints this host does not manage, kept in the inventory as remote certificates so that report, metrics "
     "and mails show them; every scheduler pass probes them when due."},
};

}  // namespace

std::span<const ExitCodeInfo> exit_codes() { return kExitCodes; }
std::span<const NamedText> environment() { return kEnvironment; }
std::span<const NamedText> files() { return kFiles; }
std::span<const NamedText> command_footers() { return kFooters; }

namespace {

// `text` as lines of at most `width` columns, for --help on a terminal.
std::string wrapped(const std::string& text, std::size_t width) {
  std::string out, line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

}  // namespace

void apply_footers(CLI::App& root) {
  for (const auto& f : kFooters) {
    auto found = root.get_subcommands([&f](CLI::App* sub) { return sub->get_name() == f.name; });
    if (!found.empty()) found.front()->footer("\n" + wrapped(f.text, 78));
  }
}

}  // namespace certkeeper::cli
