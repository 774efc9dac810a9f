// Private to the CLI: global options, the command registry, and the output
// conventions every command shares (one JSON document with --json; one line
// per error on stderr; documented exit codes).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "certkeeper/crypto/validation.h"
#include "certkeeper/lifecycle/check.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/util/result.h"

namespace certkeeper::cli {

// Exit codes (DESIGN.md "Command line"; their meanings: reference_tables.cpp).
enum Exit : int {
  kOk = 0,
  kFailure = 1,
  kUsage = 2,
  kRejected = 3,
  kCaFailed = 4,
  kInstallRolledBack = 5,
  kExpiring = 6,
};

int exit_code_for(Errc code);
// For commands that talk to a CA: a CA that refused or could not be reached
// is exit 4 (DESIGN.md), everything else as exit_code_for.
int ca_exit_code_for(Errc code);

struct Globals {
  std::string db;
  std::string key_file;  // --key-file, else $CERTKEEPER_KEY_FILE
  std::string node;      // --node, else $CERTKEEPER_NODE, else the host name
  std::string challenge_address;  // --challenge-address, else $CERTKEEPER_CHALLENGE_ADDRESS
  std::string version;   // certkeeper's (main.cpp knows it)
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  mutable SystemClock clock;

  lifecycle::Context context() const;
};

// A command: its CLI11 subcommand and what runs when it was chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Each command file defines one of these.
Command add_init(CLI::App& root, Globals& g);
Command add_check(CLI::App& root, Globals& g);
Command add_import(CLI::App& root, Globals& g);
Command add_list(CLI::App& root, Globals& g);
Command add_show(CLI::App& root, Globals& g);
Command add_history(CLI::App& root, Globals& g);
Command add_report(CLI::App& root, Globals& g);
Command add_add(CLI::App& root, Globals& g);
Command add_issue(CLI::App& root, Globals& g);
Command add_account(CLI::App& root, Globals& g);
Command add_revoke(CLI::App& root, Globals& g);
Command add_target(CLI::App& root, Globals& g);
Command add_install(CLI::App& root, Globals& g);
Command add_rollback(CLI::App& root, Globals& g);
Command add_renew(CLI::App& root, Globals& g);
Command add_run(CLI::App& root, Globals& g);
Command add_probe(CLI::App& root, Globals& g);
Command add_watch(CLI::App& root, Globals& g);
Command add_export(CLI::App& root, Globals& g);
Command add_db(CLI::App& root, Globals& g);
Command add_keys(CLI::App& root, Globals& g);
Command add_nodes(CLI::App& root, Globals& g);
Command add_node(CLI::App& root, Globals& g);
Command add_docs(CLI::App& root, Globals& g);  // hidden: the reference documentation

// Output helpers (output.cpp).
// Prints `error` (stderr line, or JSON document on stdout) and returns its exit code.
int fail(const Globals& g, const Error& error);
// The same for commands that talk to an ACME CA: a CA that refused or could
// not be reached is exit 4 (DESIGN.md).
int fail_ca(const Globals& g, const Error& error);
// {"code", "message", "subject"} of an error, as every JSON document shows it.
nlohmann::json error_json(const Error& error);
// One line on stderr, after flushing stdout so that the two streams keep
// their order on a terminal or in a combined log.
void err_line(const std::string& line);
// "1 error", "2 errors"
std::string plural(std::size_t n, const char* word);
// Prints normal output unless -q (JSON documents are always printed).
// Control characters inside a line are escaped (text::printable).
void out(const Globals& g, const std::string& text);
// The JSON document, pretty-printed; never throws on bytes that are not
// UTF-8 (fields from outside are put in with text::to_utf8).
void print_json(const nlohmann::json& doc);
// Certificate fields as the outputs show them (README "Every certificate
// field is outside input"): a JSON array of text::to_utf8 strings, and the
// items escaped with text::printable and joined.
nlohmann::json utf8_list(const std::vector<std::string>& items);
// An optional value as JSON: the value, or null when there is none; a time
// as its UTC text ("2026-11-26T18:05:52Z") or null.
template <class T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}
nlohmann::json utc_or_null(const std::optional<UnixTime>& t);
std::string printable_list(const std::vector<std::string>& items, std::string_view separator);
// "error: key-mismatch: SUBJECT: message"
std::string finding_line(const crypto::Finding& f);
nlohmann::json findings_json(const std::vector<crypto::Finding>& findings);
nlohmann::json facts_json(const crypto::CertificateFacts& facts);
// Prints the findings of a verdict, one line each: errors to stderr, the
// rest to stdout (suppressed by -q).
void print_findings(const Globals& g, const std::vector<crypto::Finding>& findings);

// The verdict of check/import as JSON fields (cmd_check.cpp).
nlohmann::json verdict_json(const lifecycle::CheckOutcome& outcome);

// An install transaction (install_output.cpp): as JSON fields, and printed
// with its exit code (0, or 5 when it was rolled back). `verb` is "install"
// or "rollback".
nlohmann::json install_json(const lifecycle::InstallOutcome& outcome);
int print_install(const Globals& g, const lifecycle::InstallOutcome& outcome, const char* verb);

// The default database path (DESIGN.md "Defaults").
std::string default_db_path();
// "cli:USER" for the audit log.
std::string current_actor();

}  // namespace certkeeper::cli
