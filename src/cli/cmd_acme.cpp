// certkeeper add | issue: ACME-managed certificates.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/acme_ops.h"

namespace certkeeper::cli {
namespace {

nlohmann::json outcome_json(const lifecycle::IssueOutcome& o) {
  nlohmann::json j = {{"name", o.name},   {"stored", o.stored},     {"version", nullptr},
                      {"error", nullptr}, {"requests", o.requests}, {"resumed", o.resumed}};
  if (o.stored) j["version"] = o.version;
  if (o.error) j["error"] = error_json(*o.error);
  if (o.verdict) {
    j["findings"] = findings_json(o.verdict->findings);
    if (o.verdict->bundle) j["certificate"] = facts_json(o.verdict->bundle->leaf());
  }
  return j;
}

}  // namespace

Command add_add(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("add", "Define an ACME-managed certificate");
  auto r = std::make_shared<lifecycle::AddRequest>();
  auto renew_before = std::make_shared<int>(0);
  app->add_option("NAME", r->name, "Certificate name")->required();
  app->add_option("--domain", r->domains, "A name the certificate covers (repeat for more)")
      ->type_name("D")
      ->required();
  app->add_option("--challenge", r->challenge, "http-01 (default), tls-alpn-01 or dns-01")
      ->type_name("CHALLENGE")
      ->check(CLI::IsMember({"http-01", "tls-alpn-01", "dns-01"}));
  app->add_option("--webroot", r->webroot, "http-01: write the answer under DIR/.well-known/acme-challenge/")
      ->type_name("DIR");
  app->add_option("--listen", r->listen, "http-01/tls-alpn-01: answer on ADDR:PORT (default 0.0.0.0:80 / :443)")
      ->type_name("ADDR:PORT");
  auto listen_wait = std::make_shared<int>(0);
  auto* lw = app->add_option("--listen-wait", *listen_wait,
                             "--listen: seconds to wait while another program holds the port (default 60)")
                 ->type_name("SECONDS")
                 ->check(CLI::Range(0, 3600));
  app->add_option("--dns-hook", r->dns_hook, "dns-01: PROG present|cleanup _acme-challenge.NAME. VALUE")
      ->type_name("PROG");
  app->add_option("--dns-propagation", r->dns_propagation_seconds, "dns-01: seconds to wait after the hook (30)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0, 3600));
  app->add_option("--key-type", r->key_type, "ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096")
      ->type_name("ec-p256|ec-p384|rsa-2048|rsa-3072|rsa-4096");
  app->add_option("--profile", r->profile, "ACME profile to ask for (from the directory's meta.profiles)")
      ->type_name("NAME");
  app->add_option("--acme-server", r->acme_server, "ACME directory URL (default: the inventory's setting)")
      ->type_name("URL");
  app->add_option("--acme-ca-file", r->acme_ca_file, "CA file for a private ACME CA (its TLS and its chain)")
      ->type_name("F");
  auto* rb = app->add_option("--renew-before", *renew_before, "Renew this many days before expiry")
                 ->type_name("DAYS");
  app->add_option("--preferred-chain", r->preferred_chain, "Prefer the chain whose top issuer has this CN")
      ->type_name("ISSUER_CN");
  return {app, [&g, r, renew_before, rb, listen_wait, lw] {
            if (rb->count()) r->renew_before_days = *renew_before;
            if (lw->count()) r->listen_wait_seconds = *listen_wait;
            auto def = lifecycle::add_certificate(g.context(), *r);
            if (!def) return fail_ca(g, def.error());  // --profile asks the CA
            if (g.json) {
              print_json({{"ok", true}, {"name", def->name}, {"domains", def->domains}, {"challenge", def->challenge},
                          {"key_type", def->key_type}});
            } else {
              out(g, fmt::format("{}: defined for {} ({}, {}); run 'certkeeper issue {}'", def->name,
                                 fmt::join(def->domains, " "), def->challenge, def->key_type, def->name));
            }
            return int(kOk);
          }};
}

Command add_issue(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("issue", "Order certificates now from the ACME CA");
  auto names = std::make_shared<std::vector<std::string>>();
  auto parallel = std::make_shared<int>(4);
  app->add_option("NAME", *names, "Certificates to issue")->required();
  app->add_option("--parallel", *parallel, "Orders in flight at once (default 4)")
      ->type_name("N")
      ->check(CLI::Range(1, 64));
  return {app, [&g, names, parallel] {
            auto outcomes = lifecycle::issue(g.context(), *names, *parallel);
            int code = kOk;
            nlohmann::json list = nlohmann::json::array();
            for (const auto& o : outcomes) {
              auto doc = outcome_json(o);
              if (o.install) doc["install"] = install_json(*o.install);
              if (o.install_error) {
                doc["install_error"] = error_json(*o.install_error);
                code = std::max(code, exit_code_for(o.install_error->code));
              }
              if (o.install && o.install->rolled_back) code = std::max(code, int(kInstallRolledBack));
              list.push_back(doc);
              if (o.error) {
                code = std::max(code, ca_exit_code_for(o.error->code));
                if (!g.json) err_line("certkeeper: " + o.error->what());
              } else if (!g.json && o.verdict && o.verdict->bundle) {
                print_findings(g, o.verdict->findings);
                out(g, fmt::format("{}: issued version {}, valid until {}{} ({} requests)", o.name, o.version,
                                   format_utc(o.verdict->bundle->leaf().not_after), o.resumed ? ", order resumed" : "",
                                   o.requests));
                if (o.install) print_install(g, *o.install, "install");
                if (o.install_error) {
                  err_line("certkeeper: " + o.install_error->what() + " (the version is stored; fix this and run "
                           "'certkeeper install " + o.name + "')");
                }
              }
            }
            if (g.json) print_json({{"ok", code == kOk}, {"exit_code", code}, {"certificates", list}});
            return code;
          }};
}

}  // namespace certkeeper::cli
