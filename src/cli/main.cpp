// certkeeper: wires the command-line parser to the commands; no logic here.
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <vector>

#include "app.h"
#include "reference.h"
#include "certkeeper/util/log.h"

using namespace certkeeper;
using namespace certkeeper::cli;

int main(int argc, char** argv) {
  // Everything certkeeper creates (database, keys) is private by default.
  ::umask(077);
  // A full disk or a file size limit must end in an error naming the file,
  // with the old files intact, not in a signal mid-write.
  ::signal(SIGXFSZ, SIG_IGN);
  Globals g;
  CLI::App app{"certkeeper: keeps a host's TLS certificates valid, verified and recoverable",
               "certkeeper"};
  app.set_version_flag("--version", "certkeeper " CERTKEEPER_VERSION);
  app.require_subcommand(1, 1);
  app.fallthrough();
  app.add_option("--db", g.db,
                 "Inventory database (default: $CERTKEEPER_DB, else /var/lib/certkeeper/certkeeper.db for root, "
                 "${XDG_STATE_HOME:-~/.local/state}/certkeeper/certkeeper.db otherwise)")
      ->type_name("PATH");
  app.add_flag("--json", g.json, "Print one JSON document on stdout");
  auto* quiet = app.add_flag("-q,--quiet", g.quiet, "Print only errors");
  app.add_flag("-v,--verbose", g.verbose, "Print debugging detail on stderr")->excludes(quiet);

  std::vector<Command> commands = {add_init(app, g),  add_check(app, g),   add_import(app, g),
                                   add_list(app, g),  add_show(app, g),    add_history(app, g),
                                   add_report(app, g), add_add(app, g),    add_issue(app, g),
                                   add_account(app, g), add_revoke(app, g),
                                   add_target(app, g), add_install(app, g), add_rollback(app, g),
                                   add_renew(app, g),  add_run(app, g),     add_probe(app, g),
                                   add_watch(app, g),  add_export(app, g), add_docs(app, g)};
  apply_footers(app);
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
  log::set_level(g.quiet ? log::Level::quiet : g.verbose ? log::Level::verbose : log::Level::normal);
  for (auto& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return kUsage;
}
