// certkeeper probe HOST:PORT [--starttls P] [--servername NAME] [--ca-file F]
#include "app.h"
#include "certkeeper/lifecycle/watch.h"
#include "probe_output.h"

namespace certkeeper::cli {

namespace {

struct ProbeArgs {
  std::string endpoint, starttls, servername, ca_file;
};

}  // namespace

Result<deploy::ProbeSpec> probe_spec(const std::string& endpoint, const std::string& starttls,
                                     const std::string& servername) {
  auto spec = deploy::parse_probe(endpoint);
  if (!spec) return spec.error();
  if (!starttls.empty()) {
    auto s = deploy::parse_starttls(starttls);
    if (!s) return s.error();
    spec->starttls = *s;
  }
  if (!servername.empty()) spec->servername = servername;
  return spec;
}

Command add_probe(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("probe", "Show the certificate chain an endpoint serves, and judge it");
  auto args = std::make_shared<ProbeArgs>();
  app->add_option("HOST:PORT", args->endpoint, "The endpoint ([v6]:PORT for IPv6)")->required();
  app->add_option("--starttls", args->starttls, "smtp, imap or pop3: the STARTTLS dialogue first")
      ->type_name("smtp|imap|pop3");
  app->add_option("--servername", args->servername, "SNI to send and name to check (default: HOST)")
      ->type_name("NAME");
  app->add_option("--ca-file", args->ca_file, "Also trust these CAs (PEM) when verifying the chain")
      ->type_name("F");
  return {app, [&g, args] {
            auto spec = probe_spec(args->endpoint, args->starttls, args->servername);
            if (!spec) return fail(g, spec.error());
            auto result = lifecycle::probe_remote(g.context(), {*spec, args->ca_file});
            if (!result) return fail(g, result.error());
            const UnixTime now = g.clock.now();
            if (g.json) {
              auto doc = probe_json(*result, now);
              doc["ok"] = true;
              print_json(doc);
            } else {
              out(g, probe_lines(*result, now));
            }
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
