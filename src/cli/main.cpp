// certkeeper: wires the command-line parser to the commands; no logic here.
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "app.h"
#include "reference.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"

using namespace certkeeper;
using namespace certkeeper::cli;

namespace {

// Where an argument is, without repeating it (it may be a secret, such as the
// value of --eab-hmac-key): "argument 7 (after --reload)".
std::string argument_place(int i, char** argv) {
  const std::string_view arg = argv[i];
  std::string place = "argument " + std::to_string(i);
  if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
    return place + " (the value of " + text::printable(arg.substr(0, eq)) + ")";
  }
  if (i > 1 && argv[i - 1][0] == '-') return place + " (after " + text::printable(argv[i - 1]) + ")";
  return place;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything certkeeper creates (database, keys) is private by default.
  ::umask(077);
  // A full disk or a file size limit must end in an error naming the file,
  // with the old files intact, not in a signal mid-write.
  ::signal(SIGXFSZ, SIG_IGN);
  Globals g;
  g.version = CERTKEEPER_VERSION;
  CLI::App app{"certkeeper: keeps a host's TLS certificates valid, verified and recoverable",
               "certkeeper"};
  app.set_version_flag("--version", "certkeeper " CERTKEEPER_VERSION);
  app.require_subcommand(1, 1);
  app.fallthrough();
  app.add_option("--db", g.db,
                 "Inventory database: a SQLite file, as PATH or sqlite:PATH, or a PostgreSQL database, as "
                 "postgresql://[user@]host[:port]/dbname[?sslmode=...] without a password (default: $CERTKEEPER_DB, "
                 "else /var/lib/certkeeper/certkeeper.db for root, "
                 "${XDG_STATE_HOME:-~/.local/state}/certkeeper/certkeeper.db otherwise)")
      ->type_name("PATH|URI");
  app.add_option("--key-file", g.key_file,
                 "Key file of the private keys encrypted at rest (default: $CERTKEEPER_KEY_FILE, else the "
                 "inventory's setting key_file); only commands that read or write a private key need it")
      ->type_name("F");
  app.add_option("--node", g.node,
                 "This host's name in the inventory: targets belong to a node, and each node installs its own "
                 "(default: $CERTKEEPER_NODE, else the host name)")
      ->type_name("NAME");
  app.add_option("--challenge-address", g.challenge_address,
                 "The address this node's built-in http-01 and tls-alpn-01 responders listen on, in place of the "
                 "host of the certificate's --listen (its port stays): nodes of a fleet on one machine, or a host "
                 "with several addresses (default: $CERTKEEPER_CHALLENGE_ADDRESS, else as configured)")
      ->type_name("ADDR");
  app.add_flag("--json", g.json, "Print one JSON document on stdout");
  auto* quiet = app.add_flag("-q,--quiet", g.quiet, "Print only errors");
  app.add_flag("-v,--verbose", g.verbose, "Print debugging detail on stderr")->excludes(quiet);

  std::vector<Command> commands = {add_init(app, g),  add_check(app, g),   add_import(app, g),
                                   add_list(app, g),  add_show(app, g),    add_history(app, g),
                                   add_report(app, g), add_add(app, g),    add_issue(app, g),
                                   add_account(app, g), add_revoke(app, g),
                                   add_target(app, g), add_install(app, g), add_rollback(app, g),
                                   add_renew(app, g),  add_run(app, g),     add_probe(app, g),
                                   add_watch(app, g),  add_export(app, g), add_db(app, g),
                                   add_keys(app, g),   add_nodes(app, g),  add_node(app, g),
                                   add_docs(app, g)};
  apply_footers(app);
  // Every argument may end up in the inventory or a JSON document, which
  // hold UTF-8 only (util/text.h): refused here, before anything else.
  for (int i = 1; i < argc; ++i) {
    if (!text::is_utf8(argv[i])) {
      std::fprintf(stderr,
                   "certkeeper: %s is not UTF-8; certkeeper keeps its text in UTF-8: give names and paths in "
                   "UTF-8\n",
                   argument_place(i, argv).c_str());
      return kUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "certkeeper: %s; run 'certkeeper --help' or 'certkeeper COMMAND --help'\n",
                 e.what());
    return kUsage;
  }
  if (g.db.empty()) g.db = default_db_path();
  if (const char* env = std::getenv("CERTKEEPER_KEY_FILE"); g.key_file.empty() && env && *env) g.key_file = env;
  if (const char* env = std::getenv("CERTKEEPER_NODE"); g.node.empty() && env && *env) g.node = env;
  if (g.node.empty()) g.node = lifecycle::default_node_name();
  if (g.node.empty()) {
    return fail(g, make_error(Errc::usage,
                              "is not a usable node name (1-64 letters, digits, '.', '_' or '-'); give one with "
                              "--node NAME or CERTKEEPER_NODE",
                              "the host name"));
  }
  if (auto ok = lifecycle::check_node_name(g.node); !ok) return fail(g, ok.error());
  if (const char* env = std::getenv("CERTKEEPER_CHALLENGE_ADDRESS"); g.challenge_address.empty() && env && *env) {
    g.challenge_address = env;
  }
  if (!g.challenge_address.empty()) {
    if (auto ok = lifecycle::check_challenge_address(g.challenge_address); !ok) return fail(g, ok.error());
  }
  // "sqlite:PATH" becomes PATH here, once: lock files and messages use the
  // path. Another scheme or a password ends the command before anything runs.
  if (auto path = lifecycle::inventory_path(g.db); path) {
    g.db = std::move(*path);
  } else {
    return fail(g, path.error());
  }
  log::set_level(g.quiet ? log::Level::quiet : g.verbose ? log::Level::verbose : log::Level::normal);
  for (auto& c : commands) {
    if (!c.app->parsed()) continue;
    // The last guard: a bug must end in one line and exit 1, never in an
    // abort (errors cross module boundaries as Result, not exceptions).
    try {
      return c.run();
    } catch (const std::exception& e) {
      err_line(std::string("certkeeper: internal error: ") + e.what() + "; please report it");
      return kFailure;
    }
  }
  return kUsage;
}
