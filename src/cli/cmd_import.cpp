// certkeeper import NAME: validate, then store a new version of a manual certificate.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/check.h"
#include "certbot_output.h"
#include "source_options.h"

namespace certkeeper::cli {

namespace {
struct ImportArgs {
  std::string name;
  SourceOptions source;
  bool install = false;
  std::string certbot_dir;
  bool dry_run = false;
};
}  // namespace

Command add_import(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("import", "Validate and store certificate files as a new version");
  auto args = std::make_shared<ImportArgs>();
  auto* name = app->add_option("NAME", args->name, "Certificate name in the inventory");
  auto* certbot = app->add_option("--from-certbot", args->certbot_dir,
                                  "Take over certbot's lineages, account and settings from its config dir")
                      ->type_name("DIR")
                      ->expected(0, 1)
                      ->default_str("/etc/letsencrypt");
  add_source_options(*app, args->source, certbot);
  auto* install = app->add_flag("--install", args->install,
                                "Then install the version into the certificate's targets (stage, switch, reload, probe)");
  app->add_flag("--dry-run", args->dry_run, "With --from-certbot: read and check everything, store nothing")
      ->needs(certbot);
  certbot->excludes(name)->excludes(install);
  return {app, [&g, args, certbot] {
            if (certbot->count() > 0) {
              lifecycle::CertbotRequest request{args->certbot_dir, args->dry_run, args->source.ca_file};
              return run_certbot_migration(g, request);
            }
            if (args->name.empty()) {
              return fail(g, make_error(Errc::usage, "import: give NAME with --cert or --p12, or --from-certbot [DIR]"));
            }
            lifecycle::ImportRequest req{args->name, args->source.sources, args->source.ca_file, args->install};
            auto outcome = lifecycle::import_certificate(g.context(), req);
            if (!outcome) return fail(g, outcome.error());
            const auto& v = outcome->check.verdict;
            int code = v.accepted() ? int(kOk) : int(kRejected);
            if (outcome->install_error) code = exit_code_for(outcome->install_error->code);
            if (outcome->install && outcome->install->rolled_back) code = kInstallRolledBack;
            if (g.json) {
              auto doc = verdict_json(outcome->check);
              doc["ok"] = v.accepted();
              doc["exit_code"] = code;
              doc["name"] = args->name;
              doc["stored"] = outcome->stored;
              doc["unchanged"] = outcome->unchanged;
              doc["created"] = outcome->created;
              doc["version"] = outcome->stored || outcome->unchanged ? nlohmann::json(outcome->version)
                                                                     : nlohmann::json();
              if (outcome->install) doc["install"] = install_json(*outcome->install);
              if (outcome->install_error) {
                doc["ok"] = false;
                doc["install_error"] = error_json(*outcome->install_error);
              }
              if (outcome->install && outcome->install->rolled_back) doc["ok"] = false;
              print_json(doc);
              return code;
            }
            print_findings(g, v.findings);
            if (!v.accepted()) {
              err_line(fmt::format("certkeeper: {}: import rejected ({}); fix the files named above, "
                                   "nothing was changed",
                                   args->name, plural(v.count(crypto::Severity::error), "error")));
              return code;
            }
            const auto& leaf = v.bundle->leaf();
            if (outcome->unchanged) {
              out(g, fmt::format("{}: unchanged, version {} already holds this certificate ({})",
                                 args->name, outcome->version, leaf.fingerprint_sha256.substr(0, 16)));
            } else {
              out(g, fmt::format("{}: stored version {} ({}), valid until {}, names {}", args->name,
                                 outcome->version, verdict_summary(v), format_utc(leaf.not_after),
                                 printable_list(leaf.names(), " ")));
            }
            if (outcome->install) print_install(g, *outcome->install, "install");
            if (outcome->install_error) {
              err_line("certkeeper: " + outcome->install_error->what() + " (the version is stored; fix this and run "
                       "'certkeeper install " + args->name + "')");
            }
            return code;
          }};
}

}  // namespace certkeeper::cli
