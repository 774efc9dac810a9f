// certkeeper install NAME [--version N] [--force] [--dry-run]
// certkeeper rollback NAME [--to N] [--force] [--dry-run]
#include "app.h"

namespace certkeeper::cli {

namespace {

struct InstallArgs {
  std::string name;
  int version = 0;
  bool force = false;
  bool dry_run = false;
  int probe_wait = 15;
};

void add_common(CLI::App* app, InstallArgs& args) {
  app->add_option("NAME", args.name, "Certificate name")->required();
  app->add_flag("--force", args.force, "Install even an expired, not yet valid or revoked version");
  app->add_flag("--dry-run", args.dry_run, "Print the files, modes, commands and probes; change nothing");
  app->add_option("--probe-wait", args.probe_wait,
                  "Seconds each probe may retry until the service serves the new certificate (default 15)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 600));
}

lifecycle::InstallRequest request_of(const InstallArgs& a) {
  lifecycle::InstallRequest r;
  r.name = a.name;
  if (a.version > 0) r.version = a.version;
  r.force = a.force;
  r.dry_run = a.dry_run;
  r.probe_wait = std::chrono::seconds(a.probe_wait);
  return r;
}

}  // namespace

Command add_install(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("install", "Install a version into every target: stage, switch, reload, probe");
  auto args = std::make_shared<InstallArgs>();
  add_common(app, *args);
  app->add_option("--version", args->version, "Version to install (default: the current one)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  return {app, [&g, args] {
            auto outcome = lifecycle::install(g.context(), request_of(*args));
            if (!outcome) return fail(g, outcome.error());
            return print_install(g, *outcome, "install");
          }};
}

Command add_rollback(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("rollback", "Reinstall an older version through the same transaction");
  auto args = std::make_shared<InstallArgs>();
  add_common(app, *args);
  app->add_option("--to", args->version, "Version to go back to (default: the one before the installed one)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  return {app, [&g, args] {
            auto outcome = lifecycle::rollback(g.context(), request_of(*args));
            if (!outcome) return fail(g, outcome.error());
            return print_install(g, *outcome, "rollback");
          }};
}

}  // namespace certkeeper::cli
